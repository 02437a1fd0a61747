"""Posts and the timelines that list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Select, String, or_, select
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
        return query.options(joinedload(Post.author)).order_by(
            Post.timestamp.desc(), Post.id.desc()
        )

    @classmethod
    def explore(cls) -> Select[tuple[Post]]:
        """Everyone's posts, newest first, with their authors."""
        return cls._newest_first(select(cls))

    @classmethod
    def by_author(cls, user: User) -> Select[tuple[Post]]:
        """One user's posts, newest first."""
        return cls._newest_first(select(cls).where(cls.user_id == user.id))

    @classmethod
    def timeline_for(cls, user: User) -> Select[tuple[Post]]:
        """The home timeline: the user's own posts and those of everyone they follow."""
        followed = select(followers.c.followed_id).where(followers.c.follower_id == user.id)
        return cls._newest_first(
            select(cls).where(or_(cls.user_id == user.id, cls.user_id.in_(followed)))
        )


def paginate(query: Select[tuple[Post]], *, page: int, per_page: int) -> Page:
    """Load page `page` (1-based) of `query` in one query."""
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Page(
        items=list(rows[:per_page]), number=page, per_page=per_page, has_next=len(rows) > per_page
    )
