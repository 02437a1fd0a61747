"""Posts, and which posts a timeline holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, String, event, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from microblog.extensions import db
from microblog.models.follows import followers
from microblog.models.limits import BODY_MAX_LENGTH, LANGUAGE_MAX_LENGTH
from microblog.models.types import UTCDateTime, utcnow
from microblog.models.user import User
from templates.post_text import hashtags

# Lower case can be longer than the text it comes from ("İ" is two characters).
TAGS_MAX_LENGTH = 2 * BODY_MAX_LENGTH


def tags_of(body: str) -> str:
    """What a post's `tags` column holds for `body`: its #tags, lower case, once each,
    separated by spaces ("#garden #tomatoes"), or "" for none."""
    return " ".join(f"#{tag}" for tag in hashtags(body))


class Post(db.Model):
    """A short public message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(BODY_MAX_LENGTH))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX_LENGTH))
    # The post's #tags (tags_of(body)), kept with the body whenever it is set, so that the
    # search index finds a tag as a term of its own rather than by reading the text.
    tags: Mapped[str] = mapped_column(String(TAGS_MAX_LENGTH), default="", server_default="")
    # When the author last changed the text; None for a post never edited.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship(back_populates="posts")

    __table_args__ = (
        # "all posts, newest first" (explore) reads this index backwards.
        Index("ix_post_timestamp_id", "timestamp", "id"),
        # "posts by these authors, newest first" (timelines, profiles) reads this one.
        Index("ix_post_user_id_timestamp_id", "user_id", "timestamp", "id"),
    )

    def __repr__(self) -> str:
        return f"<Post {self.id} by {self.user_id}>"


@event.listens_for(Post.body, "set")
def _keep_tags(target: Post, value: str, _old: object, _initiator: object) -> None:
    target.tags = tags_of(value or "")


def in_timeline_of(user_id: ColumnElement[int]) -> ColumnElement[bool]:
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
