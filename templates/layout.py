"""The page around every view: head, landmarks, skip link, live regions, navigation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Protocol

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from htpy import (
    Element,
    Node,
    a,
    body,
    button,
    div,
    footer,
    form,
    head,
    header,
    html,
    li,
    link,
    main,
    meta,
    nav,
    p,
    script,
    title,
    ul,
)

from templates.assets import asset_url
from templates.forms import csrf_input
from templates.languages import html_lang, language_picker

# Read by htmx from <meta name="htmx-config">. 422 swaps the re-rendered form into itself;
# other errors go to #alerts; nothing is evaluated, and history misses reload the full page.
HTMX_CONFIG = json.dumps(
    {
        "allowEval": False,
        "allowScriptTags": False,
        "includeIndicatorStyles": False,
        "defaultSettleDelay": 0,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "historyRestoreAsHxRequest": False,
        "selfRequestsOnly": True,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {
                "code": "[45]..",
                "swap": True,
                "error": True,
                "target": "#alerts",
                "swapOverride": "innerHTML",
            },
        ],
    },
    separators=(",", ":"),
)


class Viewer(Protocol):
    """What the layout needs to know about the person looking at the page."""

    is_authenticated: bool
    username: str


def flash_messages(messages: list[tuple[str, str]]) -> Node:
    if not messages:
        return None
    return ul(".flashes")[
        [li(class_=f"flash flash-{category}")[text] for category, text in messages]
    ]


def flashes_oob(messages: list[tuple[str, str]]) -> Element:
    """The flash list for an htmx response, swapped into the persistent #flashes region."""
    return div("#flashes", hx_swap_oob="innerHTML")[flash_messages(messages)]


def announcer_oob(text: str) -> Element:
    """A polite screen-reader announcement for an htmx response."""
    return div("#announcer", hx_swap_oob="innerHTML")[text]


def _nav_link(text: str, url: str, current_path: str) -> Element:
    current = "page" if url == current_path else None
    return li[a(href=url, aria_current=current)[text]]


def site_nav(*, viewer: Viewer, current_path: str) -> Element:
    links = [
        _nav_link(_("Home"), url_for("main.index"), current_path),
        _nav_link(_("Explore"), url_for("main.explore"), current_path),
    ]
    if viewer.is_authenticated:
        profile_url = url_for("main.user", username=viewer.username)
        links.append(_nav_link(_("Profile"), profile_url, current_path))
        links.append(
            li[
                form(".logout-form", action=url_for("auth.logout"), method="post")[
                    csrf_input(), button(".link-button", type="submit")[_("Log out")]
                ]
            ]
        )
    else:
        links.append(_nav_link(_("Log in"), url_for("auth.login"), current_path))
        links.append(_nav_link(_("Register"), url_for("auth.register"), current_path))
    # TRANSLATORS: the name screen readers give the site's main navigation.
    return nav(aria_label=_("Main"))[ul(".nav-links")[links]]


def page(
    *,
    page_title: str,
    content: Node,
    viewer: Viewer,
    current_path: str,
    flashes: list[tuple[str, str]],
    languages: Sequence[tuple[str, str]] = (),
    back_to: str = "/",
) -> Element:
    """A complete HTML document around `content`; `languages` (code, name) fill the
    footer's language picker, which comes back to `back_to`."""
    # TRANSLATORS: the site's name, in the header and in every page title.
    site_name = _("Microblog")
    locale = str(get_locale() or "en")
    return html(lang=html_lang(locale))[
        head[
            meta(charset="utf-8"),
            meta(name="viewport", content="width=device-width, initial-scale=1"),
            title[f"{page_title} · {site_name}" if page_title else site_name],
            meta(name="htmx-config", content=HTMX_CONFIG),
            link(rel="stylesheet", href=asset_url("css/app.css")),
            link(rel="icon", href=asset_url("img/favicon.svg"), type="image/svg+xml"),
            script(src=asset_url("js/htmx.min.js"), defer=True),
            script(src=asset_url("js/app.js"), defer=True),
        ],
        body(hx_headers=json.dumps({"X-CSRFToken": generate_csrf()}))[
            a(".skip-link", href="#main")[_("Skip to main content")],
            header(".site-header")[
                a(".site-name", href=url_for("main.index"))[site_name],
                site_nav(viewer=viewer, current_path=current_path),
            ],
            div("#flashes")[flash_messages(flashes)],
            div("#alerts", aria_live="assertive"),
            div("#announcer.visually-hidden", role="status", aria_live="polite"),
            main("#main", tabindex="-1")[content],
            footer(".site-footer")[
                p[_("Microblog, a small place to share short posts.")],
                language_picker(current=locale, languages=languages, back_to=back_to)
                if languages
                else None,
            ],
        ],
    ]
