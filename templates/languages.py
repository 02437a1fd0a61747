"""The language picker: in the footer of every page, and as a page of its own."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, button, div, form, h1, input, label, option, p, select
from wtforms import Form

from templates.forms import csrf_input, field, form_errors


def html_lang(code: str) -> str:
    """A Babel locale code as HTML's lang attribute wants it: pt_BR → pt-BR."""
    return code.replace("_", "-")


def language_picker(*, current: str, languages: Sequence[tuple[str, str]], back_to: str) -> Element:
    """A plain form (no JavaScript needed): each language named in itself, with its `lang`."""
    return form(".language-picker", action=url_for("i18n.set_language"), method="post")[
        csrf_input(),
        input(type="hidden", name="next", value=back_to),
        # TRANSLATORS: the label of the list of languages in the footer of every page.
        label(for_="footer-language")[_("Language")],
        select("#footer-language", name="language")[
            (
                option(value=code, lang=html_lang(code), selected=code == current)[name]
                for code, name in languages
            )
        ],
        button(".secondary", type="submit")[_("Change language")],
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
