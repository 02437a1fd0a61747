"""Machine translations of posts, shown under the post: the Translate button, the translation
with its provider and "Show original", and the message when no translation can be had."""

from __future__ import annotations

from flask_babel import gettext as _
from htpy import Element, a, button, div, form, input, p

from templates.forms import csrf_input
from templates.hx import hx_form, hx_link


def _element_id(post_id: int) -> str:
    return f"translation-{post_id}"


def translate_button(*, post_id: int, url: str, back_to: str, retry: bool = False) -> Element:
    """A form under a post asking for its translation; with htmx it is replaced by it."""
    return form(
        class_="post-translation", id=_element_id(post_id), **hx_form(url, swap="outerHTML")
    )[
        csrf_input(),
        input(type="hidden", name="next", value=back_to),
        p(".translation-error")[_("Translation is not available right now.")] if retry else None,
        button(".link-button", type="submit", aria_describedby=f"post-{post_id}-by")[
            _("Try again") if retry else _("Translate")
        ],
    ]


def translation(
    *, post_id: int, text: str, language: str, provider: str, original_url: str
) -> Element:
    """The translation of a post, marked as the machine translation it is."""
    return div(".post-translation", id=_element_id(post_id))[
        # TRANSLATORS: above a machine translation of a post; %(provider)s is e.g. DeepL.
        p(".translation-label")[_("Machine translation by %(provider)s:", provider=provider)],
        p(".translation-body", lang=language, dir="auto")[text],
        a(
            ".translation-original",
            **hx_link(original_url, target=f"#{_element_id(post_id)}", push_url=False),
        )[_("Show original")],
    ]
