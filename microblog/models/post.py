"""Posts and the timelines that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Select, String, literal, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow
from microblog.models.user import followers

if TYPE_CHECKING:
    from microblog.models.user import User

BODY_MAX_LENGTH = 280


@dataclass(frozen=True)
class Page:
    """One page of a list, without counting the whole list: there is a next page when one
    more row than a page holds came back."""

    items: list[Post]
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
        # One IN list of authors (rather than "me OR followed") lets every database read each
        # author's slice of ix_post_user_id_timestamp_id; with the OR, PostgreSQL scans all
        # posts newest first and filters them, which on a deep page means most of the table.
        authors = (
            select(followers.c.followed_id)
            .where(followers.c.follower_id == user.id)
            .union_all(select(literal(user.id)))
        )
        return cls._newest_first(select(cls).where(cls.user_id.in_(authors)))


NEWEST_FIRST = (Post.timestamp.desc(), Post.id.desc())


def paginate(query: Select[tuple[Post]], *, page: int, per_page: int) -> Page:
    """Load page `page` (1-based) of `query`, a newest-first list of posts, with their authors,
    in one query.

    A deferred join: the subquery pages through post ids only, which the (…, timestamp, id)
    indexes answer without reading the table, so skipping the rows of earlier pages stays cheap;
    only the rows of this page are then read, with their authors.
    """
    keys = (
        query.with_only_columns(Post.id)
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
        .subquery("page_keys")
    )
    rows = db.session.scalars(
        select(Post)
        .join(keys, Post.id == keys.c.id)
        .options(joinedload(Post.author))
        .order_by(*NEWEST_FIRST)
    ).all()
    return Page(
        items=list(rows[:per_page]), number=page, per_page=per_page, has_next=len(rows) > per_page
    )
