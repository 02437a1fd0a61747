"""Posts: the card of one post, the post form, and the paginated list of posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple, Protocol

from flask import current_app, request, url_for
from flask_babel import get_locale, get_timezone, pgettext
from flask_babel import gettext as _
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
from templates.dates import date_text, is_recent, relative_text, timestamp
from templates.forms import csrf_input, field
from templates.hx import hx_form, hx_link


class AuthorView(Protocol):
    id: int
    username: str
    email: str


class PostView(Protocol):
    """What a post card shows: a ListedPost of a page, or a Post model with its author."""

    id: int
    body: str
    timestamp: datetime
    language: str | None
    author: AuthorView


class PageView(Protocol):
    items: list
    number: int
    has_next: bool
    has_prev: bool
    is_empty: bool


class PageURL(Protocol):
    """The URL of page `number` of a list; `before` / `after` (a post id) ask for the posts
    just older / newer than that post."""

    def __call__(self, number: int, *, before: int = ..., after: int = ...) -> str: ...


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


# htpy turns an element's attributes into a string when the element is called, which costs
# about as much as rendering it; an element whose attributes never change is made once.
_POST_MAIN = div(".post-main")

# Where a cached card takes the relative time ("3 minutes ago"), which changes as the reader
# waits. User text cannot forge it: htpy escapes every "<" it is given.
_WHEN_SLOT = Markup("<!--when-->")


class CardAuthor(NamedTuple):
    id: int
    username: str
    email: str


class CardInputs(NamedTuple):
    """Everything a post card shows, and everything that changes how it looks: the key of the
    cache of rendered cards. A part of the card that depends on anything else (the viewer, say)
    must be added here, or the cache would show one reader's card to another."""

    post_id: int
    body: str
    language: str | None
    timestamp: datetime
    author: CardAuthor
    said: Markup
    relative: bool
    locale: str
    timezone: str
    script_root: str
    avatar_provider: str


def _card(inputs: CardInputs) -> tuple[Markup, Markup]:
    """The card of a post, as HTML split around the relative time when it has one."""
    author = inputs.author
    author_link = a(href=url_for("main.user", username=author.username))[author.username]
    moment = inputs.timestamp
    when = timestamp(moment, text=_WHEN_SLOT if inputs.relative else date_text(moment))
    card_id = f"post-{inputs.post_id}"
    by_id = f"{card_id}-by"
    html = escape(
        li(class_="post", id=card_id)[
            article(aria_labelledby=by_id)[
                avatar(author, size=48, alt=""),
                _POST_MAIN[
                    header(class_="post-meta", id=by_id)[
                        inputs.said % {"username": author_link, "when": when}
                    ],
                    p(class_="post-body", lang=inputs.language or None)[inputs.body],
                ],
            ]
        ]
    )
    head, _slot, tail = html.partition(_WHEN_SLOT)
    return head, tail


def card_cache(size: int) -> Callable[[CardInputs], tuple[Markup, Markup]]:
    """A least-recently-used cache of `size` rendered cards (0: no cache). It needs no
    invalidation: a changed post, author name, language or timezone makes a different key,
    and the stale card ages out."""
    return lru_cache(maxsize=size)(_card)


@dataclass(frozen=True)
class CardContext:
    """What every card of one list shares: the reader's language, timezone and clock."""

    said: SaidPatterns
    now: datetime
    locale: str
    timezone: str
    script_root: str
    avatar_provider: str
    render: Callable[[CardInputs], tuple[Markup, Markup]]


def card_context(now: datetime | None = None) -> CardContext:
    """The context of the cards of one list, for the current request."""
    return CardContext(
        said=said_patterns(),
        now=now or datetime.now(UTC),
        locale=str(get_locale()),
        timezone=str(get_timezone()),
        script_root=request.script_root,
        avatar_provider=current_app.config["AVATAR_PROVIDER"],
        render=current_app.extensions["post_cards"],
    )


def post_card(post: PostView, *, context: CardContext) -> Markup:
    """One post: who said it, when, and what; from the cache of rendered cards, with the
    relative time filled in for this moment."""
    author = post.author
    relative = is_recent(post.timestamp, now=context.now)
    head, tail = context.render(
        CardInputs(
            post_id=post.id,
            body=post.body,
            language=post.language,
            timestamp=post.timestamp,
            author=CardAuthor(author.id, author.username, author.email),
            said=context.said.recent if relative else context.said.older,
            relative=relative,
            locale=context.locale,
            timezone=context.timezone,
            script_root=context.script_root,
            avatar_provider=context.avatar_provider,
        )
    )
    if not relative:
        return head
    return head + relative_text(post.timestamp, now=context.now, locale=context.locale) + tail


def post_items(posts: list, *, now: datetime | None = None) -> Markup:
    """The cards of `posts`, as one piece of HTML (one child for htpy to walk, not 25)."""
    context = card_context(now)
    return Markup().join([post_card(post, context=context) for post in posts])


# The parts of the list that never change, made once (see _POST_MAIN).
_SECTION = section(id="posts", aria_labelledby="posts-heading")
_HEADING = h2(id="posts-heading", tabindex="-1")
_HEADING_FOCUSED = h2(id="posts-heading", tabindex="-1", autofocus=True)
_LIST = ol(id="post-list", class_="post-list")
_EMPTY = p(class_="empty-state")
_PAGER_PREV = span(class_="pager-prev")
_PAGER_CURRENT = span(class_="pager-current")
_PAGER_NEXT = span(class_="pager-next")


def pager(*, page: PageView, url_for_page: PageURL) -> Node:
    """Newer / older links that work as plain links and, with htmx, swap section#posts.

    They point next to the first / last post shown rather than to a page number, so paging
    neither repeats nor skips posts when someone posts meanwhile; back to page 1 is the top.
    """
    if not page.has_prev and not page.has_next:
        return None
    newer = older = None
    if page.has_prev:
        if page.number <= 2:
            url = url_for_page(1)
        else:
            url = url_for_page(page.number - 1, after=page.items[0].id)
        newer = a(rel="prev", **hx_link(url, target="#posts"))[_("Newer posts")]
    if page.has_next:
        url = url_for_page(page.number + 1, before=page.items[-1].id)
        older = a(rel="next", **hx_link(url, target="#posts"))[_("Older posts")]
    # TRANSLATORS: the name screen readers give the newer / older posts navigation.
    return nav(class_="pager", aria_label=_("Pages"))[
        _PAGER_PREV[newer],
        _PAGER_CURRENT[_("Page %(number)d", number=page.number)],
        _PAGER_NEXT[older],
    ]


def posts_section(
    *,
    page: PageView,
    heading: str,
    empty_text: str,
    url_for_page: PageURL,
    focus: bool = False,
) -> Element:
    """The swappable list of posts with its heading and pager.

    `focus` marks the heading for htmx to focus after a swap, so a screen-reader user who
    turned the page lands at the top of the new list.
    """
    return _SECTION[
        (_HEADING_FOCUSED if focus else _HEADING)[heading],
        _LIST[post_items(page.items)],
        _EMPTY[empty_text] if page.is_empty else None,
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
