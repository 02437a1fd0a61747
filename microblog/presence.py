"""Which requests count as the user being here (and so may update their last seen time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import current_app, request
from flask_login import current_user

from microblog.extensions import db
from microblog.models.types import utcnow

View = TypeVar("View", bound=Callable)


def quiet(view: View) -> View:
    """Mark a view that a page calls by itself (a poll): it does not mean the user is here,
    and must never write to the database."""
    view.quiet = True  # type: ignore[attr-defined]
    return view


def is_quiet_request() -> bool:
    """Whether the current request goes to a view marked `quiet`."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "quiet", False))


def record_last_seen() -> None:
    """Note that the user was here (before each request), writing at most once per
    LAST_SEEN_INTERVAL_SECONDS."""
    if not current_user.is_authenticated or is_quiet_request():
        return
    interval = timedelta(seconds=current_app.config["LAST_SEEN_INTERVAL_SECONDS"])
    if current_user.touch_last_seen(utcnow(), interval):
        db.session.commit()
