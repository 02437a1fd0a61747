"""Mails about an account: the password reset link, and those of a change of address."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from microblog.auth.tokens import make_email_change_token, make_reset_token
from microblog.models import User
from microblog.services.email import recipient_locale, send_email
from microblog.site_url import public_url
from templates.emails import (
    account_mail_html,
    account_mail_text,
    reset_password_html,
    reset_password_text,
)


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


def _send_account_mail(
    user: User,
    address: str,
    *,
    subject: Callable[[], str],
    paragraphs: Callable[[], list[str]],
    url: str | None = None,
    link_text: Callable[[], str] | None = None,
    after: Callable[[], list[str]] = list,
) -> None:
    """A mail about `user`'s account to `address`, written in the user's language."""
    with force_locale(recipient_locale(user)):
        title, texts, more = subject(), paragraphs(), after()
        html_body = account_mail_html(
            subject=title,
            paragraphs=texts,
            url=url,
            link_text=link_text() if link_text else None,
            after=more,
        )
        text_body = account_mail_text(paragraphs=texts, url=url, after=more)
    send_email(subject=title, recipients=[address], text_body=text_body, html_body=str(html_body))


def send_email_change_mails(user: User, new_email: str) -> None:
    """Ask for a change of `user`'s address to `new_email`: a confirmation link mailed there,
    or, when another account has that address, a notice to its owner instead (the one who
    asked is told the same either way, so nobody learns which addresses have accounts)."""
    owner = User.by_email(new_email)
    if owner is not None:
        _send_account_mail(
            owner,
            owner.email,
            # TRANSLATORS: subject of the mail to someone whose address another account asked for.
            subject=lambda: _("Someone tried to use your email address on Microblog"),
            paragraphs=lambda: [
                _("Hi %(username)s,", username=owner.username),
                _(
                    "Someone asked to move another Microblog account to this email address. "
                    "It is already the address of your account, so nothing has changed."
                ),
                _("If that was you: you can log in with this address as it is."),
            ],
        )
        return
    minutes = current_app.config["EMAIL_CHANGE_TOKEN_MINUTES"]
    url = public_url("auth.confirm_email", token=make_email_change_token(user, new_email))
    _send_account_mail(
        user,
        new_email,
        # TRANSLATORS: subject of the mail that confirms a new email address.
        subject=lambda: _("Confirm your new Microblog email address"),
        paragraphs=lambda: [
            _("Hi %(username)s,", username=user.username),
            _(
                "Someone, hopefully you, asked to use this address for the Microblog account "
                "%(username)s.",
                username=user.username,
            ),
            _("To confirm, open this link:"),
        ],
        url=url,
        link_text=lambda: _("Confirm this address"),
        after=lambda: [
            ngettext(
                "The link works once, within %(num)d minute.",
                "The link works once, within %(num)d minutes.",
                minutes,
            ),
            _("If you did not ask for this, ignore this mail: nothing changes."),
        ],
    )


def send_email_changed_notice(user: User, old_email: str) -> None:
    """Tell the old address that the account moved to another one."""
    _send_account_mail(
        user,
        old_email,
        # TRANSLATORS: subject of the mail to the old address after a change of address.
        subject=lambda: _("Your Microblog email address has changed"),
        paragraphs=lambda: [
            _("Hi %(username)s,", username=user.username),
            _(
                "The email address of your Microblog account is now %(email)s. Mail about "
                "your account goes there from now on.",
                email=user.email,
            ),
            _(
                "If you did not make this change, someone else knows your password: contact "
                "the site's administrators."
            ),
        ],
    )
