"""Users, their passwords, and following (the tables are in models/follows.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import (
    Select,
    String,
    delete,
    select,
    update,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from microblog.extensions import db
from microblog.models.follows import blocks, followers, insert_unless_present
from microblog.models.limits import (
    ABOUT_ME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    is_id,
)
from microblog.models.types import UTCDateTime, utcnow


@cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


def _dummy_hash() -> str:
    return _dummy_hash_for(current_app.config["PASSWORD_HASH_METHOD"])


class User(UserMixin, db.Model):
    """Someone with an account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH))
    # Lower-cased copies keep usernames and emails unique whatever their case, with a plain
    # unique index that SQLite, PostgreSQL and MariaDB all enforce the same way.
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX_LENGTH), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    about_me: Mapped[str | None] = mapped_column(String(ABOUT_ME_MAX_LENGTH))
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Preferences; None means automatic (the browser's language, the browser's timezone).
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # "light" or "dark"; None follows the system's setting (prefers-color-scheme).
    theme: Mapped[str | None] = mapped_column(String(16))
    # Where the avatar comes from ("local" identicon or "gravatar"); None: AVATAR_PROVIDER.
    avatar: Mapped[str | None] = mapped_column(String(16))
    # Part of the id that sessions and remember-me cookies carry (get_id): raising it ends
    # every one of them at once (end_sessions).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    # "Post" by name: models/post.py imports this module, not the other way round.
    posts: WriteOnlyMapped[Post] = relationship(  # noqa: F821
        back_populates="author", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    def get_id(self) -> str:
        """The id a session or a remember-me cookie keeps: the user's id and session
        generation, so that a cookie from before the last end_sessions() finds nobody."""
        return f"{self.id}:{self.session_generation}"

    @classmethod
    def by_session_id(cls, session_id: str, *, options: Sequence = ()) -> User | None:
        """The user a session's id (from get_id) belongs to, while its generation is
        current; None for an ended session, an unknown user or a malformed id."""
        user_id, sep, generation = session_id.partition(":")
        if not (sep and user_id.isdigit() and generation.isdigit()) or len(session_id) > 40:
            return None
        user = db.session.get(cls, int(user_id), options=list(options))
        if user is None or user.session_generation != int(generation):
            return None
        return user

    def end_sessions(self) -> None:
        """End every session, remember-me cookie and API token of this user (after a change
        of password, or when asked to). The caller commits, and logs the current browser in
        again if it should stay logged in. (API tokens carry the generation they were issued
        in, and ApiToken.user_for refuses the older ones.)"""
        db.session.execute(
            update(User)
            .where(User.id == self.id)
            .values(session_generation=User.session_generation + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(self, ["session_generation"])

    @validates("username")
    def _keep_username_key(self, _key: str, username: str) -> str:
        self.username_key = username.lower()
        return username

    @validates("email")
    def _normalize_email(self, _key: str, email: str) -> str:
        return email.strip().lower()

    @classmethod
    def by_username(cls, username: str) -> User | None:
        """The user with this username, whatever its case."""
        if len(username) > USERNAME_MAX_LENGTH or "\x00" in username:
            # Nobody has such a name, and PostgreSQL refuses NUL in a query parameter.
            return None
        return db.session.scalar(select(cls).where(cls.username_key == username.lower()))

    @classmethod
    def usernames_by_key(cls, keys: Iterable[str]) -> dict[str, str]:
        """The usernames of the accounts among `keys` (lower-case names), by key: who of the
        people a post mentions exists (one query; none for no keys)."""
        wanted = sorted({key for key in keys if len(key) <= USERNAME_MAX_LENGTH})
        if not wanted:
            return {}
        rows = db.session.execute(
            select(cls.username_key, cls.username).where(cls.username_key.in_(wanted))
        )
        return {key: username for key, username in rows}

    @classmethod
    def exists(cls, user_id: int) -> bool:
        """Whether there is an account with this id (a number too large for the column is none)."""
        if not is_id(user_id):
            return False
        return db.session.scalar(select(cls.id).where(cls.id == user_id)) is not None

    @classmethod
    def username_taken(cls, username: str, *, except_user: User | None = None) -> bool:
        """Whether another account already uses this username (ignoring case)."""
        found = cls.by_username(username)
        return found is not None and (except_user is None or found.id != except_user.id)

    @classmethod
    def by_email(cls, email: str) -> User | None:
        """The user with this email address, whatever its case."""
        email = email.strip().lower()
        if len(email) > EMAIL_MAX_LENGTH or "\x00" in email:
            return None  # as in by_username
        return db.session.scalar(select(cls).where(cls.email == email))

    @classmethod
    def by_login(cls, login: str) -> User | None:
        """The user a login form names: by email address when it has an @ (which no username
        has), else by username."""
        return cls.by_email(login) if "@" in login else cls.by_username(login)

    @classmethod
    def email_taken(cls, email: str, *, except_user: User | None = None) -> bool:
        """Whether another account already uses this email address (ignoring case)."""
        found = db.session.scalar(select(cls.id).where(cls.email == email.strip().lower()))
        return found is not None and (except_user is None or found != except_user.id)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )

    def replace_password(self, expected_hash: str | None, password: str) -> bool:
        """Set a new password, but only if the stored hash is still `expected_hash`; False when
        it changed meanwhile (two uses of one reset link at once). Every session, remember-me
        cookie and API token of the user ends with it. The caller commits."""
        new_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )
        unchanged = (
            User.password_hash.is_(None)
            if expected_hash is None
            else User.password_hash == expected_hash
        )
        result = db.session.execute(
            update(User)
            .where(User.id == self.id, unchanged)
            # A new password ends every session of the old one.
            .values(password_hash=new_hash, session_generation=User.session_generation + 1)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)

    @classmethod
    def authenticate(cls, login: str, password: str) -> User | None:
        """The user with these credentials (a username or an email address, and the
        password), or None. An unknown account costs the same password check as a known one,
        so timing does not tell which usernames or addresses exist."""
        user = cls.by_login(login)
        if user is None:
            check_password_hash(_dummy_hash(), password)
            return None
        return user if user.check_password(password) else None

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def is_following(self, user: User) -> bool:
        query = select(followers.c.follower_id).where(
            followers.c.follower_id == self.id, followers.c.followed_id == user.id
        )
        return db.session.scalar(query) is not None

    def follow(self, user: User) -> bool:
        """Start following `user`; False when already following. The caller commits.

        One statement that skips an existing row, rather than "check, then insert": two
        simultaneous requests (a double click, two tabs) must not end in a duplicate-key error.
        """
        if user.id == self.id:
            raise ValueError("a user cannot follow themselves")
        row = {"follower_id": self.id, "followed_id": user.id, "created": utcnow()}
        inserted = insert_unless_present(followers, row).returning(followers.c.follower_id)
        return db.session.execute(inserted).first() is not None

    def unfollow(self, user: User) -> bool:
        """Stop following `user`; False when not following. The caller commits."""
        result = db.session.execute(
            delete(followers).where(
                followers.c.follower_id == self.id, followers.c.followed_id == user.id
            )
        )
        return bool(result.rowcount)

    @classmethod
    def listing(cls) -> Select[tuple[User]]:
        """Every user, oldest account first."""
        return select(cls).order_by(cls.id)

    @classmethod
    def suggestions_for(cls, viewer: User | None, *, limit: int = 3) -> list[User]:
        """A few people to follow: the newest accounts that `viewer` is not (and does not
        follow yet, and neither blocks the other); everyone's newest for a visitor. Walks the
        primary key from its end, so it costs the same however many users there are."""
        query = select(cls).order_by(cls.id.desc()).limit(limit)
        if viewer is not None:
            followed = select(followers.c.followed_id).where(
                followers.c.follower_id == viewer.id, followers.c.followed_id == cls.id
            )
            blocked = select(blocks.c.blocker_id).where(
                ((blocks.c.blocker_id == viewer.id) & (blocks.c.blocked_id == cls.id))
                | ((blocks.c.blocker_id == cls.id) & (blocks.c.blocked_id == viewer.id))
            )
            query = query.where(cls.id != viewer.id, ~followed.exists(), ~blocked.exists())
        return list(db.session.scalars(query))

    def followers_query(self) -> Select[tuple[User]]:
        """The users who follow this one, in the order they joined."""
        followed_by = select(followers.c.follower_id).where(followers.c.followed_id == self.id)
        return select(User).where(User.id.in_(followed_by)).order_by(User.id)

    def following_query(self) -> Select[tuple[User]]:
        """The users this one follows, in the order they joined."""
        follows = select(followers.c.followed_id).where(followers.c.follower_id == self.id)
        return select(User).where(User.id.in_(follows)).order_by(User.id)

    def touch_last_seen(self, now: datetime, interval: timedelta) -> bool:
        """Record activity, at most once per `interval`; True when a write is due."""
        if self.last_seen is not None and now - self.last_seen < interval:
            return False
        self.last_seen = now
        return True
