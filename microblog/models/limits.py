"""The sizes and shapes of what users type, in one place: the models' columns, the web forms
and the API's schemas all take their rules from here (so they can never disagree)."""

from __future__ import annotations

USERNAME_MIN_LENGTH = 2
USERNAME_MAX_LENGTH = 64
# Letters, digits, dots, dashes and underscores: a username is part of URLs and @mentions.
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
EMAIL_MAX_LENGTH = 120
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
ABOUT_ME_MAX_LENGTH = 140
BODY_MAX_LENGTH = 280  # a post
MESSAGE_MAX_LENGTH = 280  # a private message
LANGUAGE_MAX_LENGTH = 5  # the post table's language column: "en", "pt_BR"

# Ids and page numbers are 32-bit signed integers in every database: a larger number in a URL
# can only be a 404 (and would overflow the databases' arithmetic).
MAX_ID = 2**31 - 1


def is_id(number: int) -> bool:
    """Whether `number` can be the id of a row (or a page number)."""
    return 1 <= number <= MAX_ID
