"""API tokens: random bearer tokens that the database knows only by their hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, contains_eager, mapped_column, relationship

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow
from microblog.models.user import User


def _digest(token: str) -> str:
    # A token has 256 random bits, so a fast unsalted hash is enough: nobody can guess a
    # preimage, and a leaked table holds no token that can be sent back to the API.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token given to an API client; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    expires: Mapped[datetime] = mapped_column(UTCDateTime())
    # The user's session generation when the token was issued: once it is raised (a new
    # password, "log out everywhere"), the token is refused.
    generation: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of {self.user_id}>"

    @classmethod
    def issue(cls, user: User, *, lifetime: timedelta) -> str:
        """A new token for `user`, valid for `lifetime`; the caller commits. The user's expired
        and ended tokens are swept away at the same time, so the table does not grow forever."""
        now = utcnow()
        db.session.execute(
            delete(cls).where(
                cls.user_id == user.id,
                (cls.expires <= now) | (cls.generation != user.session_generation),
            )
        )
        token = secrets.token_urlsafe(32)
        db.session.add(
            cls(
                token_hash=_digest(token),
                user_id=user.id,
                expires=now + lifetime,
                generation=user.session_generation,
            )
        )
        return token

    @classmethod
    def user_for(cls, token: str) -> User | None:
        """The user a live token belongs to, or None for an unknown, revoked or expired one,
        or one issued before the user's sessions were last ended."""
        found = db.session.scalar(
            select(cls)
            .join(cls.user)
            .options(contains_eager(cls.user))
            .where(
                cls.token_hash == _digest(token),
                cls.expires > utcnow(),
                cls.generation == User.session_generation,
            )
        )
        return found.user if found else None

    @classmethod
    def revoke(cls, token: str) -> None:
        """Make `token` unusable from now on; the caller commits."""
        db.session.execute(delete(cls).where(cls.token_hash == _digest(token)))
