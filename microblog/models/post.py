"""Posts and the timelines that list them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow
from microblog.models.user import User, followers

BODY_MAX_LENGTH = 280


@dataclass(frozen=True)
class Page:
    """One page of a newest-first list, without counting the whole list: there are older
    posts when one more row than a page holds came back."""

    items: list[ListedPost]
    number: int
    per_page: int
    has_next: bool  # older posts
    has_prev: bool  # newer posts

    @property
    def is_empty(self) -> bool:
        return not self.items


class Post(db.Model):
    """A short public message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(BODY_MAX_LENGTH))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    language: Mapped[str | None] = mapped_column(String(5))

    author: Mapped[User] = relationship(back_populates="posts")

    __table_args__ = (
        # "all posts, newest first" (explore) reads this index backwards.
        Index("ix_post_timestamp_id", "timestamp", "id"),
        # "posts by these authors, newest first" (timelines, profiles) reads this one.
        Index("ix_post_user_id_timestamp_id", "user_id", "timestamp", "id"),
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} by {self.user_id}>"

    @staticmethod
    def _newest_first(query: Select[tuple[Post]]) -> Select[tuple[Post]]:
        return query.order_by(*NEWEST_FIRST)

    @classmethod
    def explore(cls) -> Select[tuple[Post]]:
        """Everyone's posts, newest first."""
        return cls._newest_first(select(cls))

    @classmethod
    def by_author(cls, user: User) -> Select[tuple[Post]]:
        """One user's posts, newest first."""
        return cls._newest_first(select(cls).where(cls.user_id == user.id))

    @classmethod
    def timeline_for(cls, user: User) -> Select[tuple[Post]]:
        """The home timeline: the user's own posts and those of everyone they follow."""
        return cls._newest_first(select(cls).where(_in_timeline_of(literal(user.id))))


NEWEST_FIRST = (Post.timestamp.desc(), Post.id.desc())


def _in_timeline_of(user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Posts by the user or by anyone they follow."""
    # One IN list of authors (rather than "me OR followed") lets every database read each
    # author's slice of ix_post_user_id_timestamp_id; with the OR, PostgreSQL scans all
    # posts newest first and filters them, which on a deep page means most of the table.
    authors = (
        select(followers.c.followed_id)
        .where(followers.c.follower_id == user_id)
        .union_all(select(user_id))
    )
    return Post.user_id.in_(authors)


class ListedAuthor(NamedTuple):
    id: int
    username: str
    email: str


class ListedPost(NamedTuple):
    """A post as a list of posts shows it: plain values read in one row with its author's,
    rather than two ORM objects (a fifth of the cost of loading them)."""

    id: int
    body: str
    timestamp: datetime
    language: str | None
    author: ListedAuthor


_USER_ID = bindparam("user_id", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)
_CURSOR = bindparam("cursor", type_=Integer)

# The post a page starts after or before ("cursor"), looked up in the same statement.
_cursor_post = Post.__table__.alias("cursor_post")
_CURSOR_TIME = (
    select(_cursor_post.c.timestamp).where(_cursor_post.c.id == _CURSOR).scalar_subquery()
)
# Strictly older / newer than the cursor in (timestamp, id) order. The first condition is a
# plain range on the timestamp that every database can read from the indexes; the second
# settles posts made in the same microsecond.
_OLDER = (Post.timestamp <= _CURSOR_TIME) & ((Post.timestamp < _CURSOR_TIME) | (Post.id < _CURSOR))
_NEWER = (Post.timestamp >= _CURSOR_TIME) & ((Post.timestamp > _CURSOR_TIME) | (Post.id > _CURSOR))
OLDEST_FIRST = (Post.timestamp.asc(), Post.id.asc())


def _page_rows(
    where: ColumnElement[bool] | None, *, cursor: ColumnElement[bool] | None = None, newer=False
) -> Select[Any]:
    """The rows of one page of the posts matching `where`, with their authors: by number
    (LIMIT/OFFSET), or next to a cursor post (`cursor`: _OLDER or _NEWER, oldest first when
    `newer`).

    A deferred join: the subquery pages through post ids only, which the (…, timestamp, id)
    indexes answer without reading the table; only the rows of this page are then read, with
    their authors. Next to a cursor no rows are skipped at all, so page 90 costs what page 1
    does; by number, the rows of earlier pages are skipped in the index.
    """
    order = OLDEST_FIRST if newer else NEWEST_FIRST
    keys = select(Post.id).order_by(*order).limit(_LIMIT)
    keys = keys.where(cursor) if cursor is not None else keys.offset(_OFFSET)
    if where is not None:
        keys = keys.where(where)
    keys = keys.subquery("page_keys")
    return (
        select(
            Post.id, Post.body, Post.timestamp, Post.language, User.id, User.username, User.email
        )
        .join(keys, Post.id == keys.c.id)
        .join(User, User.id == Post.user_id)
        .order_by(*order)
    )


class _PageStatements(NamedTuple):
    by_number: Select[Any]
    older: Select[Any]
    newer: Select[Any]


def _page_statements(where: ColumnElement[bool] | None) -> _PageStatements:
    return _PageStatements(
        by_number=_page_rows(where),
        older=_page_rows(where, cursor=_OLDER),
        newer=_page_rows(where, cursor=_NEWER, newer=True),
    )


@dataclass(frozen=True)
class PostList:
    """A newest-first list of posts that the web shows a page at a time. Its statements are
    built once per kind of list, with the user as a parameter: building and keying a statement
    of this size costs SQLAlchemy more than running it."""

    statements: _PageStatements
    params: dict[str, int]

    @classmethod
    def explore(cls) -> PostList:
        """Everyone's posts."""
        return cls(_EXPLORE_PAGES, {})

    @classmethod
    def by_author(cls, user: User) -> PostList:
        """One user's posts."""
        return cls(_AUTHOR_PAGES, {"user_id": user.id})

    @classmethod
    def timeline_for(cls, user: User) -> PostList:
        """The user's own posts and those of everyone they follow."""
        return cls(_TIMELINE_PAGES, {"user_id": user.id})


_EXPLORE_PAGES = _page_statements(None)
_AUTHOR_PAGES = _page_statements(Post.user_id == _USER_ID)
_TIMELINE_PAGES = _page_statements(_in_timeline_of(_USER_ID))


def paginate(
    posts: PostList,
    *,
    page: int,
    per_page: int,
    before: int | None = None,
    after: int | None = None,
) -> Page:
    """Page `page` (1-based) of `posts`, with their authors, in one query: the posts just
    older than post `before`, or just newer than post `after`, or else the `page`-th page.

    The page of an older/newer link stays in place when someone posts meanwhile (nothing is
    shown twice or skipped), and is as cheap deep in the list as at its top. When nothing is
    next to the cursor (its post is gone, or the URL was made by hand), the page number
    decides (one more query).
    """
    params = {**posts.params, "limit": per_page + 1}
    if before is not None or after is not None:
        newer = before is None
        statement = posts.statements.newer if newer else posts.statements.older
        rows = _rows(statement, {**params, "cursor": after if newer else before})
        if rows:
            more = len(rows) > per_page
            kept = rows[:per_page][::-1] if newer else rows[:per_page]  # newest first
            # The cursor post is on the other side, so there is always a page that way.
            return _page(kept, page, per_page, has_next=newer or more, has_prev=not newer or more)
    params["offset"] = (page - 1) * per_page
    rows = _rows(posts.statements.by_number, params)
    return _page(rows[:per_page], page, per_page, has_next=len(rows) > per_page, has_prev=page > 1)


def _rows(statement: Select[Any], params: dict[str, int]) -> Sequence[Row[Any]]:
    # On the session's connection, in its transaction, but past the ORM's execution layer:
    # these are plain rows, and the ORM's wrapping of them costs more than SQLite's query.
    return db.session.connection().execute(statement, params).all()


def _page(rows: Sequence[Row[Any]], number: int, per_page: int, **more: bool) -> Page:
    items = [
        ListedPost(post_id, body, timestamp, language, ListedAuthor(*author))
        for post_id, body, timestamp, language, *author in rows
    ]
    return Page(items=items, number=number, per_page=per_page, **more)
