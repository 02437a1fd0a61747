"""Avatar images: local identicons by default, Gravatar when configured."""

from __future__ import annotations

import hashlib
from typing import Protocol

from flask import current_app, url_for
from flask_babel import gettext as _
from htpy import Element, img

GRAVATAR_HOST = "https://www.gravatar.com"


class HasAvatar(Protocol):
    id: int
    username: str
    email: str


def avatar_url(user: HasAvatar, size: int) -> str:
    if current_app.config["AVATAR_PROVIDER"] == "gravatar":
        digest = hashlib.md5(user.email.lower().encode(), usedforsecurity=False).hexdigest()
        return f"{GRAVATAR_HOST}/avatar/{digest}?d=identicon&s={size}"
    return url_for("main.avatar", user_id=user.id)


def avatar(user: HasAvatar, *, size: int, alt: str | None = None) -> Element:
    """An avatar `<img>` with its size and a text alternative (empty when the name is next to
    it, so screen readers do not hear the name twice)."""
    text = _("Avatar of %(username)s", username=user.username) if alt is None else alt
    return img(
        ".avatar", src=avatar_url(user, size), alt=text, width=size, height=size, loading="lazy"
    )
