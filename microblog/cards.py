"""The post card extension: per process, a cache of rendered card bodies, of authors' links
and of posts' addresses; per app, the actions cards offer; per request, the context a list of
cards is rendered in (see templates.cards for the rule that keeps the cache correct)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import _CacheInfo, lru_cache, partial
from typing import TYPE_CHECKING

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from werkzeug.routing import Map

from microblog.services.avatars import provider_avatar_url
from templates.cards import (
    AVATAR_SIZE,
    AuthorLinks,
    CardAction,
    CardBody,
    CardContext,
    CardHTML,
    CardViewer,
    card_body,
    said_patterns,
)
from templates.post_text import highlight_stems, mentioned_names

if TYPE_CHECKING:
    from microblog.models.rows import AuthorRow, PostRow


def author_links(url_map: Map, script_root: str, provider: str, author: AuthorRow) -> AuthorLinks:
    """The profile and avatar URLs of `author`, built from the app's URL map as url_for()
    builds them: a function of its arguments alone, so it may be remembered."""
    urls = url_map.bind("localhost", script_name=script_root or None)
    identicon = urls.build("main.avatar", {"user_id": author.id})
    return AuthorLinks(
        profile=urls.build("main.user", {"username": author.username}),
        avatar=provider_avatar_url(
            author.avatar or provider, identicon=identicon, email=author.email, size=AVATAR_SIZE
        ),
    )


def post_path(url_map: Map, script_root: str, post_id: int) -> str:
    """The address of a post's page, built as url_for() builds it (remembered like the
    authors' links: a card needs it on every view)."""
    return url_map.bind("localhost", script_name=script_root or None).build(
        "posts.post", {"id": post_id}
    )


# Makes this request's action (or None: nothing to offer): for an action that depends on the
# request as well as on the post and viewer, e.g. on what the page was asked to show.
ActionFactory = Callable[[], CardAction | None]


# The usernames of the accounts among some lower-case names, by lower-case name (one query).
UsernameLookup = Callable[[Iterable[str]], Mapping[str, str]]


@dataclass
class _AppCards:
    render_body: Callable[[CardBody], CardHTML]
    links: Callable[[str, str, AuthorRow], AuthorLinks]
    post_urls: Callable[[str, int], str]
    find_usernames: UsernameLookup | None = None
    actions: list[CardAction] = field(default_factory=list)
    factories: list[ActionFactory] = field(default_factory=list)


class PostCards:
    """The Flask extension for post cards. `init_app()` gives each app a least-recently-used
    cache of POST_CARD_CACHE_SIZE rendered bodies (0: none), of as many authors' links and of
    as many posts' addresses. None needs invalidation: a changed post, author name, language
    or timezone makes a different key, and the stale entry ages out."""

    def init_app(self, app: Flask, *, find_usernames: UsernameLookup | None = None) -> None:
        """`find_usernames` says which of the people posts mention exist (their @name then
        links to their profile); without it, mentions stay text."""
        size = app.config["POST_CARD_CACHE_SIZE"]
        app.extensions["post_cards"] = _AppCards(
            render_body=lru_cache(maxsize=size)(card_body),
            links=lru_cache(maxsize=size)(partial(author_links, app.url_map)),
            post_urls=lru_cache(maxsize=size)(partial(post_path, app.url_map)),
            find_usernames=find_usernames,
        )

    @staticmethod
    def _for(app: Flask | None) -> _AppCards:
        return (app or current_app).extensions["post_cards"]

    def add_action(self, action: CardAction, *, app: Flask | None = None) -> None:
        """Offer `action` under every post card of `app` (default: the current app)."""
        self._for(app).actions.append(action)

    def add_action_factory(self, factory: ActionFactory, *, app: Flask | None = None) -> None:
        """Offer under every post card the action `factory` makes for each list of cards."""
        self._for(app).factories.append(factory)

    def cache_info(self, app: Flask | None = None) -> _CacheInfo:
        """Hits, misses and size of the cache of rendered bodies."""
        return self._for(app).render_body.cache_info()  # type: ignore[attr-defined]

    def cache_clear(self, app: Flask | None = None) -> None:
        """Forget every rendered body and every author's links."""
        cards = self._for(app)
        cards.render_body.cache_clear()  # type: ignore[attr-defined]
        cards.links.cache_clear()  # type: ignore[attr-defined]
        cards.post_urls.cache_clear()  # type: ignore[attr-defined]

    def context(
        self,
        *,
        now: datetime | None = None,
        actions: Sequence[CardAction] = (),
        highlight: Sequence[str] = (),
        posts: Sequence[PostRow] = (),
    ) -> CardContext:
        """The context of the cards of one list, for the current request and viewer: the app's
        actions, then `actions` (controls only this list offers); `highlight`: the words of a
        search, marked in the posts' text. The people that `posts` (the list) mention are
        looked up (one query, none when no post mentions anyone), so their names link to
        their profiles."""
        cards = self._for(None)
        script_root = request.script_root
        provider = current_app.config["AVATAR_PROVIDER"]
        viewer_id = current_user.id if current_user.is_authenticated else None
        return CardContext(
            viewer=CardViewer(user_id=viewer_id, locale=str(get_locale())),
            timezone=str(get_timezone()),
            now=now or datetime.now(UTC),
            said=said_patterns(),
            links=partial(cards.links, script_root, provider),
            post_url=partial(cards.post_urls, script_root),
            render_body=cards.render_body,
            actions=(
                *cards.actions,
                *(action for make in cards.factories if (action := make()) is not None),
                *actions,
            ),
            highlight=highlight_stems(highlight),
            mentions=_profiles_mentioned(posts, cards.find_usernames),
            tag_url=url_for("main.search", q="#"),
        )


def _profiles_mentioned(
    posts: Sequence[PostRow], find_usernames: UsernameLookup | None
) -> dict[str, str]:
    """The profile URLs of the people `posts` mention who exist, by lower-case name."""
    names = set().union(*(mentioned_names(post.body) for post in posts))
    if not names or find_usernames is None:
        return {}
    return {
        key: url_for("main.user", username=username)
        for key, username in find_usernames(names).items()
    }
