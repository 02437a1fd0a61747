"""The password rules, in one place for the web forms and the API: 8 to 128 characters, not
the account's username or email address, not one of the 10,000 most common passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

from microblog.models.limits import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The list shipped in microblog/data (see its README), read once per process."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip())


def password_problem(
    password: str, *, username: str | None = None, email: str | None = None
) -> str | None:
    """Why `password` may not be the password of the account with this username and email
    address (in the reader's language), or None when it may."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        return _(
            "A password has %(min)d to %(max)d characters.",
            min=PASSWORD_MIN_LENGTH,
            max=PASSWORD_MAX_LENGTH,
        )
    folded = password.strip().casefold()
    if username and folded == username.strip().casefold():
        return _("Your password cannot be your username.")
    if email and folded == email.strip().casefold():
        return _("Your password cannot be your email address.")
    if folded in common_passwords():
        return _(
            "This is one of the 10,000 most common passwords, the first ones anybody tries. "
            "Please choose another."
        )
    return None
