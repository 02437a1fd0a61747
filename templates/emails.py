"""Emails: an HTML part as an htpy component and its plain-text twin, sentence for sentence."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from htpy import Element, a, body, head, html, meta, p, title


def _reset_password_sentences(*, username: str, minutes: int) -> dict[str, str]:
    """The sentences both parts of the reset mail share, translated once."""
    return {
        "greeting": _("Hi %(username)s,", username=username),
        "intro": _("Someone, hopefully you, asked to reset your Microblog password."),
        "action": _("To choose a new password, open this link:"),
        "expiry": ngettext(
            "The link works once, within %(num)d minute.",
            "The link works once, within %(num)d minutes.",
            minutes,
        ),
        "ignore": _("If you did not ask for this, ignore this mail: your password stays the same."),
        # TRANSLATORS: the signature at the end of an email.
        "signature": _("The Microblog team"),
    }


def reset_password_text(*, username: str, reset_url: str, minutes: int) -> str:
    """The plain-text part of the password reset mail."""
    s = _reset_password_sentences(username=username, minutes=minutes)
    return (
        "\n\n".join(
            [
                s["greeting"],
                s["intro"],
                s["action"],
                reset_url,
                s["expiry"],
                s["ignore"],
                s["signature"],
            ]
        )
        + "\n"
    )


def reset_password_html(*, subject: str, username: str, reset_url: str, minutes: int) -> Element:
    """The HTML part of the password reset mail."""
    s = _reset_password_sentences(username=username, minutes=minutes)
    return html(lang=str(get_locale() or "en"))[
        head[meta(charset="utf-8"), title[subject]],
        body[
            p[s["greeting"]],
            p[s["intro"]],
            p[s["action"]],
            p[a(href=reset_url)[_("Choose a new password")]],
            p[reset_url],
            p[s["expiry"]],
            p[s["ignore"]],
            p[s["signature"]],
        ],
    ]


def _export_sentences(*, username: str, count: int, filename: str) -> dict[str, str]:
    """The sentences both parts of the export mail share, translated once."""
    return {
        "greeting": _("Hi %(username)s,", username=username),
        "attached": ngettext(
            "As you asked, your %(num)d post is attached as %(filename)s.",
            "As you asked, your %(num)d posts are attached as %(filename)s.",
            count,
            filename=filename,
        ),
        "format": _(
            "The file is JSON: each post has its text, when it was published (ISO 8601, in UTC) "
            "and its language, oldest first."
        ),
        "signature": _("The Microblog team"),
    }


def export_text(*, username: str, count: int, filename: str) -> str:
    """The plain-text part of the mail that brings an export of one's posts."""
    s = _export_sentences(username=username, count=count, filename=filename)
    return "\n\n".join([s["greeting"], s["attached"], s["format"], s["signature"]]) + "\n"


def export_html(*, subject: str, username: str, count: int, filename: str) -> Element:
    """The HTML part of the export mail."""
    s = _export_sentences(username=username, count=count, filename=filename)
    return html(lang=str(get_locale() or "en"))[
        head[meta(charset="utf-8"), title[subject]],
        body[p[s["greeting"]], p[s["attached"]], p[s["format"]], p[s["signature"]]],
    ]


def account_mail_text(
    *, paragraphs: Sequence[str], url: str | None = None, after: Sequence[str] = ()
) -> str:
    """The plain-text part of a mail about one's account: paragraphs, a link, more."""
    parts = [*paragraphs, *([url] if url else []), *after, _("The Microblog team")]
    return "\n\n".join(parts) + "\n"


def account_mail_html(
    *,
    subject: str,
    paragraphs: Sequence[str],
    url: str | None = None,
    link_text: str | None = None,
    after: Sequence[str] = (),
) -> Element:
    """The HTML twin of account_mail_text(): the link as a link, and its address in full."""
    return html(lang=str(get_locale() or "en"))[
        head[meta(charset="utf-8"), title[subject]],
        body[
            [p[text] for text in paragraphs],
            [p[a(href=url)[link_text or url]], p[url]] if url else None,
            [p[text] for text in after],
            p[_("The Microblog team")],
        ],
    ]
