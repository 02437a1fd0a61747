"""What people may type: the rules for user text (posts, about me, messages, usernames), shared
by the web forms and the API so that both refuse the same things with the same words.

Text is refused when it holds what no reader can see or no database can store: control
characters other than newline and tab (NUL first of all: PostgreSQL cannot store it), bidi
overrides that make text read backwards (the "Trojan Source" trick), lone surrogates and
noncharacters. Text made only of invisible characters (zero-width spaces, fillers) counts as
empty. The direction marks LRM and RLM stay allowed: right-to-left writers need them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from flask_babel import force_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError as SchemaError
from wtforms import Field, Form
from wtforms.validators import ValidationError

# Characters that change the direction of the text around them until a terminator: embeddings,
# overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ALLOWED_CONTROLS = frozenset("\n\t")
# Letters and symbols that render as nothing, although Unicode does not file them as spaces or
# format characters: Hangul fillers, the braille blank, the Mongolian vowel separator's friends.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")
# Categories that show nothing by themselves: spaces, format characters (ZWSP, ZWJ, BOM…),
# combining marks without a base, other controls.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})
# At most one empty line between two paragraphs: a post is not a tower of blank lines.
BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
# Lines a post may have: 280 one-letter lines would make one post several screens tall.
POST_MAX_LINES = 20
ABOUT_ME_MAX_LINES = 8

MESSAGES = {
    "control": _l(
        "This text contains an invisible control character (%(code)s). Please remove it."
    ),
    "bidi": _l(
        "This text contains a character that reverses the direction of the text around it "
        "(%(code)s). Please remove it."
    ),
    "unicode": _l("This text contains a character that is not valid Unicode (%(code)s)."),
    "dots": _l("A username cannot be only dots: it would not work in a web address."),
    "reserved": _l("This username is reserved. Please choose another one."),
}

# Names that would pass for the site itself or its staff, or read like one of its addresses.
RESERVED_USERNAMES = frozenset(
    {
        "about", "abuse", "account", "admin", "administrator", "api", "auth", "avatar",
        "edit_profile", "explore", "follow", "help", "index", "language", "login", "logout",
        "messages", "microblog", "mod", "moderator", "notifications", "postmaster", "register",
        "root", "search", "security", "settings", "static", "support", "system", "unfollow",
        "user", "users", "webmaster", "www",
    }
)  # fmt: skip


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _kind(char: str) -> str | None:
    """Why `char` may not appear in user text, or None when it may."""
    if char in ALLOWED_CONTROLS:
        return None
    if char in BIDI_CONTROLS:
        return "bidi"
    category = unicodedata.category(char)
    if category == "Cc":
        return "control"
    if category == "Cs" or (ord(char) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(char) <= 0xFDEF:
        return "unicode"
    return None


def text_problem(text: str) -> str | None:
    """What is wrong with `text` as user text, said for the user (in the current language),
    or None when it is fine."""
    for char in text:
        kind = _kind(char)
        if kind is not None:
            return str(MESSAGES[kind] % {"code": _code(char)})
    return None


def english_text_problem(text: str) -> str | None:
    """text_problem() in English, for the API (its messages are not translated)."""
    with force_locale("en"):
        return text_problem(text)


def is_visible(char: str) -> bool:
    return char not in INVISIBLE_LETTERS and unicodedata.category(char) not in INVISIBLE_CATEGORIES


def has_visible(text: str) -> bool:
    """Whether anything of `text` shows on screen."""
    return any(is_visible(char) for char in text)


def clean_line(value: object) -> object:
    """A one-line field as typed: without the spaces around it (a pasted name, a phone
    keyboard), and empty when nothing of it shows. Non-text values pass through untouched."""
    if not isinstance(value, str):
        return value
    return value.strip() if has_visible(value) else ""


def clean_text(value: object) -> object:
    """A multi-line field as typed: clean_line(), with the browser's CRLF line ends made
    plain newlines and runs of blank lines cut down to one empty line."""
    value = clean_line(value)
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return BLANK_LINES.sub("\n\n", value)


def username_problem(username: str) -> str | None:
    """What is wrong with `username` beyond its pattern and length, or None."""
    if not username.strip("."):
        return str(MESSAGES["dots"])
    if username.lower() in RESERVED_USERNAMES:
        return str(MESSAGES["reserved"])
    return None


class UserText:
    """WTForms validator: the field's text follows the rules of this module."""

    field_flags: dict[str, bool] = {}

    def __call__(self, _form: Form, field: Field) -> None:
        if isinstance(field.data, str):
            problem = text_problem(field.data)
            if problem:
                raise ValidationError(problem)


def line_count(text: str) -> int:
    return text.count("\n") + 1


class LineLimit:
    """WTForms validator: at most `max_lines` lines (after clean_text())."""

    field_flags: dict[str, bool] = {}

    def __init__(self, max_lines: int) -> None:
        self.max_lines = max_lines

    def __call__(self, _form: Form, field: Field) -> None:
        if isinstance(field.data, str) and line_count(field.data) > self.max_lines:
            raise ValidationError(line_limit_message(self.max_lines))


def line_limit_message(max_lines: int) -> str:
    return str(
        lazy_ngettext(
            "This text has at most %(num)d line.", "This text has at most %(num)d lines.", max_lines
        )
    )


def schema_line_limit(max_lines: int) -> Callable[[str], None]:
    """LineLimit as a marshmallow validator (in English)."""

    def validate(value: str) -> None:
        if line_count(value) > max_lines:
            with force_locale("en"):
                raise SchemaError(line_limit_message(max_lines))

    return validate


class Username:
    """WTForms validator: a username that can be addressed and does not pose as the site."""

    field_flags: dict[str, bool] = {}

    def __call__(self, _form: Form, field: Field) -> None:
        if isinstance(field.data, str):
            problem = username_problem(field.data)
            if problem:
                raise ValidationError(problem)


def schema_user_text(value: str) -> None:
    """The user-text rule as a marshmallow validator, for the API's schemas (in English)."""
    problem = english_text_problem(value)
    if problem:
        raise SchemaError(problem)


def schema_username(value: str) -> None:
    """The username rule as a marshmallow validator (in English)."""
    with force_locale("en"):
        problem = username_problem(value)
    if problem:
        raise SchemaError(problem)
