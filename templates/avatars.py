"""The avatar image of a user (its URL comes from microblog.services.avatars)."""

from __future__ import annotations

from flask_babel import gettext as _
from htpy import Element, img


def avatar(*, src: str, username: str, size: int, alt: str | None = None) -> Element:
    """An avatar `<img>` with its size and a text alternative (empty when the name is next to
    it, so screen readers do not hear the name twice)."""
    text = _("Avatar of %(username)s", username=username) if alt is None else alt
    return img(".avatar", src=src, alt=text, width=size, height=size, loading="lazy")
