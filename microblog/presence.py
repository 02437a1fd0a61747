"""Which requests count as the user being here (and so may update their last seen time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request

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
