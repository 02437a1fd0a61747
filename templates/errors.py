"""Error pages (full page) and error alerts (htmx fragment swapped into #alerts)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from htpy import Element, a, div, h1, p, strong


def error_page(
    *, title: str, message: str, home_url: str | None = None, back_url: str | None = None
) -> Element:
    """What went wrong; a link back to `back_url` (the page a refused action was sent from)
    when there is one, and to the home page."""
    return div(".narrow.error-page")[
        h1[title],
        p[message],
        # TRANSLATORS: on an error page, the link to the page the refused action came from.
        p[a(href=back_url)[_("Go back")]] if back_url else None,
        p[a(href=home_url or url_for("main.index"))[_("Back to the home page")]],
    ]


def outage_page(*, title: str, message: str, retry_url: str | None) -> Element:
    """The page of a database outage: what happened, and a way to try again (`retry_url`,
    the address asked for when it was a GET)."""
    return div(".narrow.error-page")[
        h1[title],
        p[message],
        p[a(href=retry_url)[_("Try again")]] if retry_url else None,
        p[a(href=url_for("main.index"))[_("Back to the home page")]],
    ]


def error_alert(*, title: str, message: str) -> Element:
    return div(".alert", role="alert")[strong[title], " ", message]
