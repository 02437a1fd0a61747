"""The footer's pickers (language, theme), and the language picker as a page of its own."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, button, div, form, h1, input, label, option, p, select
from wtforms import Form

from templates.forms import csrf_input, field, form_errors
from templates.icons import icon


def html_lang(code: str) -> str:
    """A Babel locale code as HTML's lang attribute wants it: pt_BR → pt-BR."""
    return code.replace("_", "-")


def _preference_picker(
    *,
    kind: str,
    action: str,
    label_text: str,
    icon_name: str,
    name: str,
    options: Sequence[Element],
    back_to: str,
    button_text: str,
) -> Element:
    """A small footer form: a labelled list that applies the choice as soon as it is made
    (app.js submits it), with a button for browsers without JavaScript."""
    select_id = f"footer-{kind}"
    return form(f".preference-picker.{kind}-picker", action=action, method="post")[
        csrf_input(),
        input(type="hidden", name="next", value=back_to),
        label(for_=select_id)[icon(icon_name, small=True), label_text],
        select(f"#{select_id}", name=name, data_autosubmit=True)[options],
        button(".secondary", type="submit")[button_text],
    ]


def language_picker(*, current: str, languages: Sequence[tuple[str, str]], back_to: str) -> Element:
    """The footer's language list: each language named in itself, with its `lang`."""
    return _preference_picker(
        kind="language",
        action=url_for("i18n.set_language"),
        # TRANSLATORS: the label of the list of languages in the footer of every page.
        label_text=_("Language"),
        icon_name="language",
        name="language",
        options=[
            option(value=code, lang=html_lang(code), selected=code == current)[name]
            for code, name in languages
        ],
        back_to=back_to,
        button_text=_("Change language"),
    )


def theme_picker(*, current: str | None, back_to: str) -> Element:
    """The footer's choice of colours: as the system has it, light, or dark."""
    return _preference_picker(
        kind="theme",
        action=url_for("appearance.set_theme"),
        # TRANSLATORS: the label of the list of colour themes (light, dark) in the footer.
        label_text=_("Theme"),
        icon_name="theme",
        name="theme",
        options=[
            option(value=value, selected=value == (current or ""))[text]
            for value, text in theme_choices()
        ],
        back_to=back_to,
        button_text=_("Change theme"),
    )


def theme_choices() -> list[tuple[str, str]]:
    """The themes one can choose, "" meaning the system's setting."""
    return [
        # TRANSLATORS: a colour theme: light or dark as the device is set.
        ("", _("Automatic (as your system is set)")),
        ("light", _("Light")),
        ("dark", _("Dark")),
    ]


def language_page(form_: Form) -> Element:
    """The picker as a page: where a refused choice is explained next to the list."""
    return div(".narrow")[
        h1[_("Language")],
        p[_("Choose the language of this site.")],
        form(action=url_for("i18n.set_language"), method="post")[
            csrf_input(),
            form_errors(form_),
            input(type="hidden", name="next", value=form_.next.data or ""),
            field(form_.language),
            button(type="submit")[_("Change language")],
        ],
    ]
