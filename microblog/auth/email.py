"""The password reset mail."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from microblog.auth.tokens import make_reset_token
from microblog.models import User
from microblog.services.email import recipient_locale, send_email
from microblog.site_url import public_url
from templates.emails import reset_password_html, reset_password_text


def send_password_reset_email(address: str) -> None:
    """Mail a reset link to the account using `address`. When there is none, do the same
    work (look up, sign, render) and only skip the sending, which happens in the background
    anyway: neither the answer nor its timing tells whether the address has an account."""
    user = User.by_email(address)
    token = make_reset_token(user.id if user else 0, user.password_hash if user else None)
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    with force_locale(recipient_locale(user)):
        # TRANSLATORS: the subject of the password reset mail.
        subject = _("Reset your Microblog password")
        reset_url = public_url("auth.reset_password", token=token)
        username = user.username if user else address
        text_body = reset_password_text(username=username, reset_url=reset_url, minutes=minutes)
        html_body = str(
            reset_password_html(
                subject=subject, username=username, reset_url=reset_url, minutes=minutes
            )
        )
    if user is not None:
        send_email(
            subject=subject, recipients=[user.email], text_body=text_body, html_body=html_body
        )
