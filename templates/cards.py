"""Post cards. A card has two parts: its body (avatar, author, time, text with its links), a
pure function of a CardBody and so safe to cache, and the viewer's actions (the author's
Edit/Delete, Translate, likes), rendered on every view and never cached.

The body reads nothing but its CardBody: no url_for, no app config, no Babel globals, no
request. Whatever it shows is computed before the call and passed in, so the key of the cache
is complete by construction; a field that is not in CardBody cannot reach the cached HTML.
So the links of a post's text are made once, in the cached body; which of the people it
mentions exist is data, looked up by the view for the whole list and passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from flask_babel import gettext as _
from htpy import Node, a, article, div, header, li, p, time
from markupsafe import Markup, escape

from templates.avatars import avatar
from templates.dates import date_text_in, full_date_in, is_recent, relative_text
from templates.post_text import mentioned_names, post_text

if TYPE_CHECKING:
    from microblog.models.rows import AuthorRow, PostRow

AVATAR_SIZE = 48

# Where the cached body takes the relative time ("3 minutes ago", which changes as the reader
# waits) and the viewer's actions. User text cannot forge them: htpy escapes every "<" it is
# given, in text and in attributes.
_WHEN_SLOT = Markup("<!--when-->")
_ACTIONS_SLOT = Markup("<!--actions-->")


class CardBody(NamedTuple):
    """Everything the body of a card shows or depends on: the key of the cache of rendered
    cards."""

    post_id: int
    post_url: str  # the post's own page, which its time links to
    body: str
    language: str | None
    timestamp: datetime
    edited_at: datetime | None  # None: never edited
    edited_label: str  # "edited", in the reader's language
    author_name: str
    author_url: str
    avatar_url: str
    said: Markup  # the sentence above the post, with %(username)s and %(when)s
    relative: bool  # a relative time goes in _WHEN_SLOT; else the date is part of the body
    locale: str
    timezone: str
    highlight: tuple[str, ...] = ()  # stems of the words a search matched, to mark
    # The people this post mentions who exist (lower-case name, profile URL), sorted.
    mentions: tuple[tuple[str, str], ...] = ()
    tag_url: str | None = None  # where a #tag links to, followed by the tag


class CardHTML(NamedTuple):
    """A rendered body, cut at its two slots: head + relative time + middle + actions + tail."""

    head: Markup
    middle: Markup
    tail: Markup


def card_body(card: CardBody) -> CardHTML:
    """The body of a card, as HTML cut where the relative time and the actions go."""
    moment = card.timestamp
    text = (
        _WHEN_SLOT
        if card.relative
        else date_text_in(moment, locale=card.locale, timezone=card.timezone)
    )
    title = full_date_in(moment, locale=card.locale, timezone=card.timezone)
    card_id = f"post-{card.post_id}"
    by_id = f"{card_id}-by"
    edited: Node = None
    if card.edited_at is not None:
        edited = [
            " · ",
            time(
                ".post-edited",
                datetime=card.edited_at.isoformat(),
                title=full_date_in(card.edited_at, locale=card.locale, timezone=card.timezone),
            )[card.edited_label],
        ]
    html = escape(
        li(class_="post", id=card_id)[
            article(aria_labelledby=by_id)[
                avatar(src=card.avatar_url, username=card.author_name, size=AVATAR_SIZE, alt=""),
                div(".post-main")[
                    header(class_="post-meta", id=by_id)[
                        card.said
                        % {
                            "username": a(href=card.author_url)[card.author_name],
                            "when": a(".post-time", href=card.post_url)[
                                time(datetime=moment.isoformat(), title=title)[text]
                            ],
                        },
                        edited,
                    ],
                    p(class_="post-body", lang=card.language or None, dir="auto")[
                        post_text(
                            card.body,
                            highlight=card.highlight,
                            mentions=dict(card.mentions),
                            tag_url=card.tag_url,
                        )
                    ],
                    _ACTIONS_SLOT,
                ],
            ]
        ]
    )
    before, _slot, tail = html.partition(_ACTIONS_SLOT)
    head, _slot, middle = before.partition(_WHEN_SLOT)
    return CardHTML(head, middle, tail)


@dataclass(frozen=True)
class SaidPatterns:
    """The sentence above a post, for a recent post ("3 minutes ago") and an older one (a date),
    since many languages need a preposition before a date."""

    recent: Markup
    older: Markup
    edited: str  # the mark of an edited post


def said_patterns() -> SaidPatterns:
    return SaidPatterns(
        # TRANSLATORS: after the time of a post its author changed later (an adjective).
        edited=_("edited"),
        # TRANSLATORS: above a recent post; %(when)s is relative, e.g. "susan said 3 minutes ago".
        recent=escape(_("%(username)s said %(when)s")),
        # TRANSLATORS: above an older post; %(when)s is a date, e.g. "susan said on Jan 5, 2026".
        older=escape(_("%(username)s said on %(when)s")),
    )


class AuthorLinks(NamedTuple):
    """Where a card's author links to, and their avatar."""

    profile: str
    avatar: str


@dataclass(frozen=True)
class CardViewer:
    """Who looks at the cards: what the per-viewer actions may depend on."""

    user_id: int | None  # None: not logged in
    locale: str


# One control under a post for this viewer (or None): a button, a link, a small form. Actions
# are rendered on every view, outside the cache; one that needs data of its own (has this
# viewer liked the post?) gets it from the view, loaded with the page, never by querying.
CardAction = Callable[["PostRow", CardViewer], Node]


@dataclass(frozen=True)
class CardContext:
    """What every card of one list shares: the viewer, their language, timezone and clock,
    the author links and the renderer of bodies (the cache), and the actions to offer."""

    viewer: CardViewer
    timezone: str
    now: datetime
    said: SaidPatterns
    links: Callable[[AuthorRow], AuthorLinks]
    post_url: Callable[[int], str]  # the address of a post's page, from its id
    render_body: Callable[[CardBody], CardHTML]
    actions: Sequence[CardAction] = ()
    highlight: tuple[str, ...] = ()  # stems of the words a search matched, to mark
    # The profile URLs of the people the list's posts mention who exist, by lower-case name.
    mentions: Mapping[str, str] = field(default_factory=dict)
    tag_url: str | None = None  # where a #tag links to, followed by the tag


def post_actions(post: PostRow, *, context: CardContext) -> str:
    """The viewer's controls for one post (HTML), or "" when there are none."""
    viewer = context.viewer
    nodes = [node for action in context.actions if (node := action(post, viewer)) is not None]
    return str(div(".post-actions")[nodes]) if nodes else ""


def _mentions_of(body: str, known: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The people `body` mentions who exist, as CardBody keeps them."""
    if not known:
        return ()
    return tuple(sorted((name, known[name]) for name in mentioned_names(body) if name in known))


def _card_parts(post: PostRow, context: CardContext) -> tuple[str, str, str, str, str]:
    """One card as HTML pieces: the cached body cut at its slots, the relative time for this
    moment (escaped) and the viewer's actions (rendered by htpy, which escapes)."""
    author = post.author
    links = context.links(author)
    locale = context.viewer.locale
    relative = is_recent(post.timestamp, now=context.now)
    html = context.render_body(
        CardBody(
            post_id=post.id,
            post_url=context.post_url(post.id),
            body=post.body,
            language=post.language,
            timestamp=post.timestamp,
            edited_at=post.edited_at,
            edited_label=context.said.edited,
            author_name=author.username,
            author_url=links.profile,
            avatar_url=links.avatar,
            said=context.said.recent if relative else context.said.older,
            relative=relative,
            locale=locale,
            timezone=context.timezone,
            highlight=context.highlight,
            mentions=_mentions_of(post.body, context.mentions),
            tag_url=context.tag_url,
        )
    )
    when = escape(relative_text(post.timestamp, now=context.now, locale=locale)) if relative else ""
    return html.head, when, html.middle, post_actions(post, context=context), html.tail


def post_items(posts: Sequence[PostRow], *, context: CardContext) -> Markup:
    """The cards of `posts`: who said it, when and what (the body, from the cache), with the
    relative time for this moment and the viewer's actions; as one piece of HTML, so htpy
    walks one child rather than 25."""
    pieces = [piece for post in posts for piece in _card_parts(post, context)]
    # Every piece is HTML that htpy rendered or text escaped above, so the whole is safe;
    # joining plain strings once is cheaper than escaping each piece again into Markup.
    return Markup("".join(pieces))  # noqa: S704
