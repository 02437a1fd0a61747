"""The viewer's unread-messages count, shown on every page: read with the user in one query
when the session loads them, and kept here for the rest of the request (a commit expires the
user object, and reading the count from it again would cost queries)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_login import current_user

from microblog.models import User
from microblog.models.message import unread_changed_at, unread_count


def remember_unread(count: int) -> None:
    """The count as it is now (as loaded, or after a view changed it)."""
    g.unread_messages = count


def unread_messages() -> int:
    """How many messages the logged-in viewer has not opened (0 for a visitor)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_messages" not in g:
        g.unread_messages = unread_count(current_user)
    return g.unread_messages


def notification_feed(user: User, since: float) -> list[dict[str, Any]]:
    """The tutorial's notification feed for `user` (the web's /notifications and the API's
    /api/notifications): `[{name, data, timestamp}]`, what changed after `since` (a Unix
    time), in one query."""
    count, changed = unread_changed_at(user)
    feed = []
    if changed is not None and changed.timestamp() > since:
        feed.append(
            {"name": "unread_message_count", "data": count, "timestamp": changed.timestamp()}
        )
    return feed
