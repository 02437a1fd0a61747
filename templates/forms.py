"""One way to render a WTForms field: label, control, hint and error, wired for screen readers."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.csrf import generate_csrf
from htpy import Element, Node, button, div, input, label, optgroup, option, p, select, textarea
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
        return input(type="password", **attrs)
    kind = "email" if isinstance(field, EmailField) else "text"
    return input(type=kind, value=field._value(), **attrs)


def field(field: Field, *, hint: str | None = None, **extra: str | int | bool) -> Element:
    """A labelled form control with its hint and errors linked by aria-describedby."""
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
    """Errors that belong to the whole form (e.g. a failed login), announced as an alert."""
    messages = getattr(form, "form_errors", [])
    if not messages:
        return None
    return div(".form-error", role="alert")[[p[str(message)] for message in messages]]


def submit(text: str) -> Element:
    return button(type="submit")[text]
