"""Machine translations of posts, kept so that a popular post goes to the provider once."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, event, select
from sqlalchemy.orm import Mapped, mapped_column

from microblog.extensions import db
from microblog.models.post import Post
from microblog.models.types import UTCDateTime, utcnow


def body_digest(body: str) -> str:
    """What a translation was made from: a post edited since has another digest."""
    return hashlib.sha256(body.encode()).hexdigest()


class PostTranslation(db.Model):
    """One post in one target language, as one provider translated it."""

    __tablename__ = "post_translation"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(40))
    source_digest: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("post_id", "language"),)

    @classmethod
    def cached(cls, post_id: int, language: str, body: str) -> PostTranslation | None:
        """The stored translation of this very text of the post, if there is one."""
        found = db.session.scalar(
            select(cls).where(cls.post_id == post_id, cls.language == language)
        )
        if found is None or found.source_digest != body_digest(body):
            return None
        return found

    @classmethod
    def store(
        cls, post_id: int, language: str, *, source: str, translated: str, provider: str
    ) -> PostTranslation:
        """Keep a translation, replacing one made from an older text of the post."""
        found = db.session.scalar(
            select(cls).where(cls.post_id == post_id, cls.language == language)
        )
        if found is None:
            found = cls(post_id=post_id, language=language)
            db.session.add(found)
        found.body = translated
        found.provider = provider
        found.source_digest = body_digest(source)
        found.created = utcnow()
        return found

    @classmethod
    def drop_for(cls, post_id: int) -> None:
        """Forget every translation of a post (its text changed, or it is gone)."""
        db.session.execute(delete(cls).where(cls.post_id == post_id))


@event.listens_for(Post, "before_delete")
def _drop_translations_of_deleted_post(_mapper, connection, post: Post) -> None:
    # The foreign key cascades on PostgreSQL and MariaDB; SQLite does not enforce it, and a
    # new post there may be given a deleted one's id.
    connection.execute(delete(PostTranslation).where(PostTranslation.post_id == post.id))
