"""Posts: the card of one post, the post form, and the paginated list of posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from htpy import (
    Element,
    Node,
    a,
    article,
    button,
    div,
    form,
    h1,
    h2,
    header,
    li,
    nav,
    ol,
    p,
    section,
    span,
)
from markupsafe import Markup, escape
from wtforms import Form

from templates.avatars import avatar
from templates.dates import is_recent, timestamp
from templates.forms import csrf_input, field
from templates.hx import hx_form, hx_link


class PostView(Protocol):
    """What a post card shows (the Post model satisfies it, author loaded)."""

    id: int
    body: str
    timestamp: datetime
    language: str | None
    author: object


class PageView(Protocol):
    items: list
    number: int
    has_next: bool
    has_prev: bool
    is_empty: bool


# htpy turns an element's attributes into a string when the element is called, which costs
# about as much as rendering it; an element whose attributes never change is made once.
_POST_MAIN = div(".post-main")


def post_card(post: PostView, *, said: SaidPatterns, now: datetime) -> Element:
    """One post: who said it, when, and what. `said` holds the translated sentence patterns,
    built once per page rather than once per post."""
    author = post.author
    author_link = a(href=url_for("main.user", username=author.username))[author.username]
    pattern = said.recent if is_recent(post.timestamp, now=now) else said.older
    card_id = f"post-{post.id}"
    by_id = f"{card_id}-by"
    return li(class_="post", id=card_id)[
        article(aria_labelledby=by_id)[
            avatar(author, size=48, alt=""),
            _POST_MAIN[
                header(class_="post-meta", id=by_id)[
                    pattern % {"username": author_link, "when": timestamp(post.timestamp, now=now)}
                ],
                p(class_="post-body", lang=post.language or None)[post.body],
            ],
        ]
    ]


@dataclass(frozen=True)
class SaidPatterns:
    """The sentence above a post, for a recent post ("3 minutes ago") and an older one (a date),
    since many languages need a preposition before a date."""

    recent: Markup
    older: Markup


def said_patterns() -> SaidPatterns:
    return SaidPatterns(
        # TRANSLATORS: above a recent post; %(when)s is relative, e.g. "susan said 3 minutes ago".
        recent=escape(_("%(username)s said %(when)s")),
        # TRANSLATORS: above an older post; %(when)s is a date, e.g. "susan said on Jan 5, 2026".
        older=escape(_("%(username)s said on %(when)s")),
    )


def post_items(posts: list, *, now: datetime | None = None) -> list[Element]:
    said = said_patterns()
    now = now or datetime.now(UTC)
    return [post_card(post, said=said, now=now) for post in posts]


def pager(*, page: PageView, url_for_page: Callable[[int], str]) -> Node:
    """Newer / older links that work as plain links and, with htmx, swap section#posts."""
    if not page.has_prev and not page.has_next:
        return None
    newer = older = None
    if page.has_prev:
        url = url_for_page(page.number - 1)
        newer = a(rel="prev", **hx_link(url, target="#posts"))[_("Newer posts")]
    if page.has_next:
        url = url_for_page(page.number + 1)
        older = a(rel="next", **hx_link(url, target="#posts"))[_("Older posts")]
    # TRANSLATORS: the name screen readers give the newer / older posts navigation.
    return nav(".pager", aria_label=_("Pages"))[
        span(".pager-prev")[newer],
        span(".pager-current")[_("Page %(number)d", number=page.number)],
        span(".pager-next")[older],
    ]


def posts_section(
    *,
    page: PageView,
    heading: str,
    empty_text: str,
    url_for_page: Callable[[int], str],
    focus: bool = False,
) -> Element:
    """The swappable list of posts with its heading and pager.

    `focus` marks the heading for htmx to focus after a swap, so a screen-reader user who
    turned the page lands at the top of the new list.
    """
    return section("#posts", aria_labelledby="posts-heading")[
        h2("#posts-heading", tabindex="-1", autofocus=focus)[heading],
        ol("#post-list.post-list")[post_items(page.items)],
        p(".empty-state")[empty_text] if page.is_empty else None,
        pager(page=page, url_for_page=url_for_page),
    ]


def post_form(form_: Form, *, focus: bool = False) -> Element:
    """The "say something" form; with htmx it replaces itself and focus returns to it."""
    return form("#post-form.post-form", **hx_form(url_for("main.index")))[
        csrf_input(),
        field(
            form_.post,
            hint=_("Up to %(max)d characters.", max=form_.post.flags.maxlength),
            rows=3,
            autofocus=focus,
        ),
        # TRANSLATORS: the button that publishes what was typed (a verb).
        button(type="submit")[pgettext("button", "Post")],
    ]


def new_post_oob(post: PostView) -> Element:
    """A just-published post, prepended to the list already on the page (htmx only)."""
    return div(hx_swap_oob="afterbegin:#post-list")[post_items([post])]


def home_page(*, username: str, form_: Form, posts: Element) -> Element:
    return div[
        h1[_("Hi, %(username)s!", username=username)],
        post_form(form_),
        posts,
    ]


def explore_page(*, posts: Element) -> Element:
    return div[h1[_("Explore")], posts]
