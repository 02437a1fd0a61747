"""Choosing the reader's colour theme: light, dark, or (None) as their system has it."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_login import current_user

THEMES = ("light", "dark")
THEME_COOKIE = "theme"
COOKIE_MAX_AGE = 365 * 24 * 3600


def select_theme() -> str | None:
    """A user's saved theme (None: automatic, whatever a cookie says), else a visitor's
    choice from the footer (a cookie), else None: the system's setting decides."""
    if current_user.is_authenticated:
        return current_user.theme if current_user.theme in THEMES else None
    return visitor_theme()


def visitor_theme() -> str | None:
    """The theme chosen without asking the database: the footer's cookie, else None (also
    what the page of a database outage uses)."""
    chosen = request.cookies.get(THEME_COOKIE)
    return chosen if chosen in THEMES else None


def remember_theme(response: Response, theme: str | None) -> None:
    """Keep a visitor's choice for a year; choosing "automatic" forgets it."""
    if theme not in THEMES:
        response.delete_cookie(THEME_COOKIE)
        return
    response.set_cookie(
        THEME_COOKIE,
        theme,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
