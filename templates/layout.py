"""The page around every view: head, header, navigation columns, live regions, footer."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from flask import url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from htpy import (
    Element,
    Node,
    a,
    aside,
    body,
    button,
    details,
    div,
    footer,
    form,
    h2,
    head,
    header,
    html,
    img,
    input,
    label,
    li,
    link,
    main,
    meta,
    nav,
    p,
    script,
    search,
    section,
    span,
    strong,
    summary,
    template,
    title,
    ul,
)

from templates.assets import asset_url
from templates.avatars import avatar
from templates.forms import csrf_input
from templates.icons import icon, icon_label
from templates.languages import html_lang, language_picker, theme_picker
from templates.messages import messages_link
from templates.users import ListedPerson, people_list

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
                # The whole alert, whatever part of a success the element would take.
                "select": "unset",
            },
        ],
    },
    separators=(",", ":"),
)


class Viewer(Protocol):
    """What the layout needs to know about the person looking at the page."""

    is_authenticated: bool
    id: int
    username: str
    email: str


@dataclass(frozen=True)
class SideColumn:
    """What the frame around the content shows, loaded by the view layer: a few people the
    viewer does not follow yet, whether to invite a visitor to join, and the viewer's avatar."""

    suggestions: Sequence[ListedPerson] = field(default_factory=tuple)
    join_card: bool = True
    viewer_avatar_url: str | None = None


def document_title(page_title: str) -> Element:
    """The <title>: the page's, then the site's name. htmx puts it in place when a fragment
    that changes the address carries it (a page of a list, say)."""
    # TRANSLATORS: the site's name, in the header and in every page title.
    site_name = _("Microblog")
    return title[f"{page_title} · {site_name}" if page_title else site_name]


def network_error_template() -> Element:
    """What app.js puts in #alerts when the server cannot be reached, with a way to retry."""
    return template("#network-error")[
        div(".alert", role="alert")[
            strong[_("The site could not be reached.")],
            " ",
            _("Check your connection, then try again."),
            " ",
            button(".secondary.retry", type="button")[_("Try again")],
        ]
    ]


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


def _nav_link(text: str, url: str, icon_name: str, current_path: str) -> Element:
    current = "page" if url == current_path else None
    return li[
        a(".nav-link", href=url, aria_current=current)[icon(icon_name), span(".nav-label")[text]]
    ]


def site_nav(*, viewer: Viewer, current_path: str, features: Mapping[str, str]) -> Element:
    """Home, Explore and, once they exist, Messages and Activity; your profile. `features`
    maps "messages" and "activity" to their URLs when the site has them (search, and the
    unread badge, are in the header)."""
    links = [
        _nav_link(_("Home"), url_for("main.index"), "home", current_path),
        _nav_link(_("Explore"), url_for("main.explore"), "explore", current_path),
    ]
    if viewer.is_authenticated:
        if "messages" in features:
            links.append(_nav_link(_("Messages"), features["messages"], "messages", current_path))
        if "activity" in features:
            links.append(_nav_link(_("Activity"), features["activity"], "activity", current_path))
        profile_url = url_for("main.user", username=viewer.username)
        links.append(_nav_link(_("Profile"), profile_url, "profile", current_path))
    # TRANSLATORS: the name screen readers give the site's main navigation.
    return nav(".side-nav", aria_label=_("Main"))[ul(".nav-list")[links]]


def account_menu(*, viewer: Viewer, avatar_url: str) -> Element:
    """Your avatar in the header, opening a menu (a <details>, so no JavaScript is needed)."""
    return details(".account-menu")[
        summary[
            avatar(src=avatar_url, username=viewer.username, size=32, alt=""),
            span(".account-name")[viewer.username],
            # TRANSLATORS: the name screen readers give the menu under your avatar.
            span(".visually-hidden")[_("Your account")],
        ],
        ul(".account-menu-list")[
            li(".account-menu-who")[_("Logged in as %(username)s", username=viewer.username)],
            li[
                a(href=url_for("main.user", username=viewer.username))[
                    icon("profile", small=True), _("Your profile")
                ]
            ],
            li[a(href=url_for("main.edit_profile"))[icon("settings", small=True), _("Settings")]],
            li[
                form(".logout-form", action=url_for("auth.logout"), method="post")[
                    csrf_input(),
                    button(type="submit")[icon("logout", small=True), _("Log out")],
                ]
            ],
        ],
    ]


def header_search(*, url: str) -> Element:
    """The search box of every page: a plain GET form to the search page, which finds posts
    and people (and, with htmx, follows the typing there)."""
    return search(".header-search")[
        form(".header-search-form", action=url, method="get")[
            label(".visually-hidden", for_="header-search-q")[_("Search posts and people")],
            input(
                "#header-search-q",
                type="search",
                name="q",
                # TRANSLATORS: the placeholder of the search box in the header.
                placeholder=_("Search"),
                autocomplete="off",
                enterkeyhint="search",
            ),
            button(".secondary", type="submit")[icon_label("search", _("Search"))],
        ]
    ]


def site_header(
    *,
    viewer: Viewer,
    site_name: str,
    avatar_url: str | None,
    search_url: str | None = None,
    messages_url: str | None = None,
    unread_messages: int = 0,
    ways_in: bool = True,
) -> Element:
    """The site's name, the search box (when `search_url` is given); your messages with
    their unread badge (when `messages_url` is given), your avatar and the Post action, or
    the ways in for a visitor (unless `ways_in` is False: a page that cannot tell who is
    looking)."""
    if viewer.is_authenticated and avatar_url:
        actions: Node = [
            messages_link(url=messages_url, count=unread_messages) if messages_url else None,
            a(".button.post-action", href=f"{url_for('main.index')}#post")[
                # TRANSLATORS: the header's button that takes you to the form to write a post.
                icon("compose", small=True),
                span(".post-action-label")[pgettext("button", "Post")],
            ],
            account_menu(viewer=viewer, avatar_url=avatar_url),
        ]
    elif not ways_in:
        actions = None
    else:
        actions = [
            a(".button.secondary", href=url_for("auth.login"))[_("Log in")],
            a(".button.join-action", href=url_for("auth.register"))[_("Create account")],
        ]
    return header(".site-header")[
        div(".site-header-inner")[
            a(".brand", href=url_for("main.index"))[
                img(".brand-mark", src=asset_url("img/favicon.svg"), alt="", width=28, height=28),
                span(".brand-name")[site_name],
            ],
            header_search(url=search_url) if search_url else None,
            div(".header-actions")[actions],
        ]
    ]


def side_column(*, viewer: Viewer, side: SideColumn, site_name: str) -> Element:
    """Your profile card (or an invitation to join), and people to follow."""
    parts: list[Node] = []
    if viewer.is_authenticated and side.viewer_avatar_url:
        parts.append(
            section(".card.profile-card", aria_labelledby="profile-card-heading")[
                avatar(src=side.viewer_avatar_url, username=viewer.username, size=48, alt=""),
                h2("#profile-card-heading.profile-card-name")[viewer.username],
                p(".profile-card-links")[
                    a(href=url_for("main.user", username=viewer.username))[_("Your profile")],
                    " · ",
                    a(href=url_for("main.edit_profile"))[_("Settings")],
                ],
            ]
        )
    elif side.join_card:
        parts.append(
            section(".card", aria_labelledby="join-heading")[
                h2("#join-heading")[_("New to %(site)s?", site=site_name)],
                p[_("Create an account to post and to follow people.")],
                a(".button", href=url_for("auth.register"))[_("Create account")],
            ]
        )
    if side.suggestions:
        parts.append(
            section(".card", aria_labelledby="suggestions-heading")[
                h2("#suggestions-heading")[_("Who to follow")],
                people_list(side.suggestions),
            ]
        )
    # TRANSLATORS: the name screen readers give the column beside the main content.
    return aside(".side-column", aria_label=_("More"))[parts]


def page(
    *,
    page_title: str,
    content: Node,
    viewer: Viewer,
    current_path: str,
    flashes: list[tuple[str, str]],
    languages: Sequence[tuple[str, str]] = (),
    back_to: str = "/",
    theme: str | None = None,
    features: Mapping[str, str] | None = None,
    side: SideColumn | None = None,
    unread_messages: int = 0,
    ways_in: bool = True,
) -> Element:
    """A complete HTML document around `content`; `languages` (code, name) fill the
    footer's language picker, which comes back to `back_to`. `theme` is "light", "dark" or
    None (follow the system). `unread_messages`: the viewer's count, for the badge.
    `ways_in=False` leaves out Log in and Create account (a page that cannot tell whether
    the reader is logged in: a database outage). The header's search box goes to
    `features["search"]`, and is left out on the search page, which has its own."""
    site_name = _("Microblog")
    locale = str(get_locale() or "en")
    features = features or {}
    side = side or SideColumn()
    return html(lang=html_lang(locale), data_theme=theme)[
        head[
            meta(charset="utf-8"),
            meta(name="viewport", content="width=device-width, initial-scale=1"),
            meta(name="color-scheme", content=theme or "light dark"),
            document_title(page_title),
            meta(name="htmx-config", content=HTMX_CONFIG),
            link(rel="stylesheet", href=asset_url("css/tokens.css")),
            link(rel="stylesheet", href=asset_url("css/app.css")),
            link(rel="icon", href=asset_url("img/favicon.svg"), type="image/svg+xml"),
            script(src=asset_url("js/htmx.min.js"), defer=True),
            script(src=asset_url("js/app.js"), defer=True),
        ],
        body(hx_headers=json.dumps({"X-CSRFToken": generate_csrf()}))[
            a(".skip-link", href="#main")[_("Skip to main content")],
            site_header(
                viewer=viewer,
                site_name=site_name,
                avatar_url=side.viewer_avatar_url,
                search_url=features.get("search")
                if features.get("search") != current_path
                else None,
                messages_url=features.get("messages"),
                unread_messages=unread_messages,
                ways_in=ways_in,
            ),
            div(".shell")[
                site_nav(
                    viewer=viewer,
                    current_path=current_path,
                    features=features,
                ),
                div(".content")[
                    div("#flashes")[flash_messages(flashes)],
                    div("#alerts", aria_live="assertive"),
                    div("#announcer.visually-hidden", role="status", aria_live="polite"),
                    main("#main", tabindex="-1")[content],
                    network_error_template(),
                ],
                side_column(viewer=viewer, side=side, site_name=site_name),
            ],
            footer(".site-footer")[
                p[_("Microblog, a small place to share short posts.")],
                language_picker(current=locale, languages=languages, back_to=back_to)
                if languages
                else None,
                theme_picker(current=theme, back_to=back_to),
            ],
        ],
    ]
