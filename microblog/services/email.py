"""Sending email without making anyone wait: over SMTP in the background, or into the log."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import get_locale

from microblog.locales import supported_language

if TYPE_CHECKING:
    from microblog.models import User

# Its own logger, so that a mail that cannot be sent is never itself mailed to the admins.
logger = logging.getLogger("microblog.mail")

_pending: set[threading.Thread] = set()
_pending_lock = threading.Lock()


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server: a plain snapshot of the app's MAIL_* settings, so that
    delivery needs no application context (a thread, a job worker, a logging handler)."""

    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """The settings in `config`, or None when no MAIL_SERVER is configured."""
        if not config.get("MAIL_SERVER"):
            return None
        return cls(
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=config["MAIL_TIMEOUT"],
        )


def recipient_locale(user: User | None) -> str:
    """The language to write to `user` in: the one saved on their profile, else the language
    of the current request (usually the same person)."""
    if user is not None and supported_language(user.language):
        return user.language
    return str(get_locale() or "en")


def build_message(
    *,
    subject: str,
    sender: str,
    recipients: list[str],
    text_body: str,
    html_body: str | None = None,
) -> EmailMessage:
    """A MIME message: the plain text, and the HTML as its alternative when there is one."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text_body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    return message


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server. A server that is down or refuses is logged with
    the reason, never raised: the person who caused the mail has long had their answer."""
    try:
        if settings.use_ssl:
            context = ssl.create_default_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.server, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        logger.error(
            "Could not send the mail %r to %s via %s:%s: %s",
            message["Subject"],
            message["To"],
            settings.server,
            settings.port,
            error,
        )
        return
    if refused:
        logger.error("The mail server refused %r for %s", message["Subject"], refused)


def in_background(function: Callable[..., object], *args: object) -> threading.Thread:
    """Run `function(*args)` in a thread of its own. The thread is not a daemon, so a process
    that shuts down still finishes the mails it has accepted (bounded by MAIL_TIMEOUT)."""

    def run() -> None:
        try:
            function(*args)
        finally:
            with _pending_lock:
                _pending.discard(thread)

    thread = threading.Thread(target=run, name="send-mail")
    with _pending_lock:
        _pending.add(thread)
    thread.start()
    return thread


def wait_for_pending_mail(timeout: float = 30.0) -> bool:
    """Wait until every mail handed over so far is delivered or given up; False if some are
    still going after `timeout` seconds. For commands that exit right after sending, and tests."""
    deadline = time.monotonic() + timeout
    with _pending_lock:
        threads = list(_pending)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def send_email(
    *,
    subject: str,
    recipients: list[str],
    text_body: str,
    html_body: str,
    sender: str | None = None,
) -> threading.Thread | None:
    """Send a mail without making the caller wait: in a background thread over SMTP, or to
    the log when MAIL_SERVER is not set. Takes plain data only, so a job can run it later.
    Returns the sending thread, if any."""
    config = current_app.config
    message = build_message(
        subject=subject,
        sender=sender or config["MAIL_DEFAULT_SENDER"],
        recipients=recipients,
        text_body=text_body,
        html_body=html_body,
    )
    settings = SmtpSettings.from_config(config)
    if settings is None:
        logger.info(
            "MAIL_SERVER is not set, so this mail was logged instead of sent.\n"
            "To: %s\nSubject: %s\n\n%s",
            message["To"],
            subject,
            text_body,
        )
        return None
    return in_background(deliver, settings, message)
