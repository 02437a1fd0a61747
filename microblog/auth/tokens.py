"""Signed links mailed to users: password reset (dead once the password has changed) and the
confirmation of a new email address (dead once the address has changed). Both expire."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from microblog.extensions import db
from microblog.models import User


class ResetTokenError(Exception):
    """A reset link that cannot be used; `status` is the HTTP status to answer with."""

    status = 400


class ResetTokenInvalid(ResetTokenError):
    """Not a link this site made (mistyped, cut short, or forged)."""


class ResetTokenExpired(ResetTokenError):
    """A real link, older than RESET_TOKEN_MINUTES."""

    status = 410


class ResetTokenUsed(ResetTokenError):
    """A real link, but the password has changed since it was made."""

    status = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="reset-password")


def _fingerprint(password_hash: str | None) -> str:
    # The token is signed, not encrypted: it carries a digest of the hash, never the hash.
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:32]


def make_reset_token(user_id: int, password_hash: str | None) -> str:
    """A token that lets user `user_id` choose a new password while this hash is current."""
    return _serializer().dumps({"id": user_id, "pw": _fingerprint(password_hash)})


def user_for_reset_token(token: str) -> User:
    """The user this token lets in, or a ResetTokenError saying why it does not."""
    max_age = current_app.config["RESET_TOKEN_MINUTES"] * 60
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ResetTokenExpired from error
    except BadData as error:
        raise ResetTokenInvalid from error
    user_id = data.get("id") if isinstance(data, dict) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise ResetTokenInvalid
    if not hmac.compare_digest(_fingerprint(user.password_hash), str(data.get("pw"))):
        raise ResetTokenUsed
    return user


def _email_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="change-email")


def make_email_change_token(user: User, new_email: str) -> str:
    """A token that moves `user` to `new_email`, while their address is still the current one
    (so it works once: after any change of address it is used up)."""
    return _email_serializer().dumps(
        {"id": user.id, "old": _fingerprint(user.email), "new": new_email}
    )


def email_change_for_token(token: str) -> tuple[User, str]:
    """The user and the new address this token confirms, or a ResetTokenError saying why
    it cannot be used."""
    max_age = current_app.config["EMAIL_CHANGE_TOKEN_MINUTES"] * 60
    try:
        data = _email_serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ResetTokenExpired from error
    except BadData as error:
        raise ResetTokenInvalid from error
    if not isinstance(data, dict) or not isinstance(data.get("new"), str):
        raise ResetTokenInvalid
    user_id = data.get("id")
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise ResetTokenInvalid
    if not hmac.compare_digest(_fingerprint(user.email), str(data.get("old"))):
        raise ResetTokenUsed
    return user, data["new"]
