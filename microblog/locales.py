"""Choosing the reader's language and timezone for each request (Flask-Babel's selectors)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from zoneinfo import available_timezones

import pytz
from babel import Locale
from flask import Response, current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
# Set by static/js/app.js from the browser's Intl API; never trusted without validation.
TIMEZONE_COOKIE = "tz"
COOKIE_MAX_AGE = 365 * 24 * 3600
SOURCE_LANGUAGE = "en"


def discover_languages(translations: Path) -> list[str]:
    """English (the language of the code) and every language with a catalog, so a
    translator adds a language without touching Python."""
    found = sorted(path.parent.parent.name for path in translations.glob("*/LC_MESSAGES/*.po"))
    return [SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE)]


@cache
def language_name(code: str) -> str:
    """A language's name in that language ("Deutsch", "Español"), as readers look for it."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


@cache
def timezone_names() -> frozenset[str]:
    """IANA timezone names this site accepts: known to the system (zoneinfo) and to pytz,
    which Flask-Babel uses to convert dates; "localtime" and the like are not zones."""
    return frozenset(available_timezones()) & pytz.all_timezones_set


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in timezone_names()


def supported_language(code: str | None) -> str | None:
    return code if code in current_app.config["LANGUAGES"] else None


def select_locale() -> str | None:
    """The reader's language: a user's saved choice, else their browser's; a visitor's
    choice in the footer (a cookie), else their browser's; else English."""
    if not has_request_context():
        return None
    if current_user.is_authenticated:
        # "Automatic" on the profile means the browser's language, whatever language a
        # visitor picked in the footer before logging in (the cookie).
        return supported_language(current_user.language) or browser_locale()
    return visitor_locale()


def visitor_locale() -> str:
    """The language chosen without asking the database: the footer's cookie, else the best
    match of Accept-Language, else English (also what an error page uses when the database
    is what failed)."""
    return supported_language(request.cookies.get(LANGUAGE_COOKIE)) or browser_locale()


def browser_locale() -> str:
    """The best match of the browser's Accept-Language, else English."""
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str | None:
    """The reader's timezone: saved on their profile, else the browser's (the cookie app.js
    sets), else UTC."""
    if not has_request_context():
        return None
    if current_user.is_authenticated and is_timezone(current_user.timezone):
        return current_user.timezone
    from_browser = request.cookies.get(TIMEZONE_COOKIE)
    return from_browser if is_timezone(from_browser) else "UTC"


def remember_language(response: Response, code: str) -> None:
    """Keep a visitor's choice of language for a year (and after a logged-in user logs out)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def vary_on_language(response: Response) -> Response:
    """Pages depend on the reader's Accept-Language and on the language and timezone
    cookies, so shared caches must keep one copy per combination. Static files and avatars
    do not, and stay cacheable by everyone."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response
