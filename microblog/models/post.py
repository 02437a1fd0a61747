"""Posts and the timelines that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
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
    """One page of a list, without counting the whole list: there is a next page when one
    more row than a page holds came back."""

    items: list[ListedPost]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

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


def _page_rows(where: ColumnElement[bool] | None) -> Select[Any]:
    """The rows of one page of the newest-first posts matching `where`, with their authors.

    A deferred join: the subquery pages through post ids only, which the (…, timestamp, id)
    indexes answer without reading the table, so skipping the rows of earlier pages stays cheap;
    only the rows of this page are then read, with their authors.
    """
    keys = select(Post.id).order_by(*NEWEST_FIRST).limit(_LIMIT).offset(_OFFSET)
    if where is not None:
        keys = keys.where(where)
    keys = keys.subquery("page_keys")
    return (
        select(
            Post.id, Post.body, Post.timestamp, Post.language, User.id, User.username, User.email
        )
        .join(keys, Post.id == keys.c.id)
        .join(User, User.id == Post.user_id)
        .order_by(*NEWEST_FIRST)
    )


@dataclass(frozen=True)
class PostList:
    """A newest-first list of posts that the web shows a page at a time. The statement is
    built once per kind of list, with the user as a parameter: building and keying a statement
    of this size costs SQLAlchemy more than running it."""

    statement: Select[Any]
    params: dict[str, int]

    @classmethod
    def explore(cls) -> PostList:
        """Everyone's posts."""
        return cls(_EXPLORE_PAGE, {})

    @classmethod
    def by_author(cls, user: User) -> PostList:
        """One user's posts."""
        return cls(_AUTHOR_PAGE, {"user_id": user.id})

    @classmethod
    def timeline_for(cls, user: User) -> PostList:
        """The user's own posts and those of everyone they follow."""
        return cls(_TIMELINE_PAGE, {"user_id": user.id})


_EXPLORE_PAGE = _page_rows(None)
_AUTHOR_PAGE = _page_rows(Post.user_id == _USER_ID)
_TIMELINE_PAGE = _page_rows(_in_timeline_of(_USER_ID))


def paginate(posts: PostList, *, page: int, per_page: int) -> Page:
    """Page `page` (1-based) of `posts`, with their authors, in one query."""
    params = {**posts.params, "limit": per_page + 1, "offset": (page - 1) * per_page}
    rows = db.session.execute(posts.statement, params).all()
    items = [
        ListedPost(post_id, body, timestamp, language, ListedAuthor(*author))
        for post_id, body, timestamp, language, *author in rows[:per_page]
    ]
    return Page(items=items, number=page, per_page=per_page, has_next=len(rows) > per_page)
