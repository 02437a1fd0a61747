"""One way to render a WTForms field: label, control, hint and error, wired for screen readers."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf.csrf import generate_csrf
from htpy import (
    Element,
    Node,
    a,
    button,
    div,
    input,
    label,
    li,
    optgroup,
    option,
    p,
    select,
    span,
    textarea,
    ul,
)
from wtforms import BooleanField, Field, Form, PasswordField, SelectField, TextAreaField
from wtforms.fields import EmailField
from wtforms.fields.choices import Choice


def csrf_input() -> Element:
    """The hidden CSRF token every POST form carries."""
    return input(type="hidden", name="csrf_token", value=generate_csrf())


def _options(choices: Iterable[Choice]) -> list[Element]:
    return [
        option(value=choice.value, selected=choice.selected, **(choice.render_kw or {}))[
            str(choice.label)
        ]
        for choice in choices
    ]


def _select(field: SelectField, attrs: dict) -> Element:
    if not field.has_groups():
        return select(**attrs)[_options(field.iter_choices())]
    return select(**attrs)[
        (
            _options(choices) if group is None else optgroup(label=str(group))[_options(choices)]
            for group, choices in field.iter_groups()
        )
    ]


def _control(field: Field, attrs: dict) -> Element:
    if isinstance(field, SelectField):
        return _select(field, attrs)
    if isinstance(field, TextAreaField):
        return textarea(**attrs)[field._value()]
    if isinstance(field, BooleanField):
        return input(type="checkbox", value="y", checked=bool(field.data), **attrs)
    if isinstance(field, PasswordField):
        # A password goes back into the page only when asked (see `keep_value`).
        value = field.data if attrs.pop("keep-value", False) and field.data else None
        return input(type="password", value=value, **attrs)
    kind = "email" if isinstance(field, EmailField) else "text"
    return input(type=kind, value=field._value(), **attrs)


def js_only(text: str) -> Element:
    """Words about what only works with JavaScript (a shortcut): hidden while it is off."""
    return span(".js-only")[text]


def field(field: Field, *, hint: Node = None, **extra: str | int | bool) -> Element:
    """A labelled form control with its hint and errors linked by aria-describedby.
    `keep_value=True` fills a password field with what was typed (otherwise it stays empty)."""
    described_by = []
    hint_node: Node = None
    if hint:
        hint_node = p(".hint", id=f"{field.id}-hint")[hint]
        described_by.append(f"{field.id}-hint")
    error_node: Node = None
    if field.errors:
        error_node = p(".field-error", id=f"{field.id}-error")[" ".join(map(str, field.errors))]
        described_by.append(f"{field.id}-error")
    attrs: dict = {"id": field.id, "name": field.name}
    if field.flags.required:
        attrs["required"] = True
    if getattr(field.flags, "maxlength", None):
        attrs["maxlength"] = field.flags.maxlength
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    attrs.update({key.replace("_", "-"): value for key, value in extra.items()})
    control = _control(field, attrs)
    label_node = label(for_=field.id)[str(field.label.text)]
    if isinstance(field, BooleanField):
        return div(".field.field-checkbox")[control, label_node, hint_node, error_node]
    return div(".field")[label_node, control, hint_node, error_node]


def form_errors(form: Form) -> Node:
    """The summary at the top of a form that came back with errors: those of the whole form
    (e.g. a failed login), then a link to each field with a problem. It takes the focus when
    the page loads, so someone without JavaScript (or a screen reader) starts from it rather
    than from the top of the page."""
    messages = getattr(form, "form_errors", [])
    fields = [f for f in form if f.errors and f.name != "csrf_token"]
    if not messages and not fields:
        return None
    links: Node = None
    if fields:
        links = [
            p[
                ngettext(
                    "There is a problem with %(num)d field:",
                    "There are problems with %(num)d fields:",
                    len(fields),
                )
            ],
            ul[
                [
                    li[
                        a(href=f"#{f.id}")[
                            # TRANSLATORS: in the list of a form's errors: a field's label and
                            # what is wrong with it, e.g. "Email: This address is taken."
                            _(
                                "%(field)s: %(error)s",
                                field=str(f.label.text),
                                error=" ".join(map(str, f.errors)),
                            )
                        ]
                    ]
                    for f in fields
                ]
            ],
        ]
    return div(
        ".form-error", id=f"{form._prefix}form-errors", role="alert", tabindex="-1", autofocus=True
    )[[p[str(message)] for message in messages], links]


def submit(text: str) -> Element:
    return button(type="submit")[text]
