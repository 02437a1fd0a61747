"""Sending email without making anyone wait: over SMTP from the job queue, or into the log."""

from __future__ import annotations

import base64
import logging
import re
import secrets
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import IO, TYPE_CHECKING, Any

from flask import current_app
from flask_babel import get_locale

from microblog.locales import supported_language
from microblog.services import tasks

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


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    """A logged-in connection to the SMTP server."""
    if settings.use_ssl:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.server, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    try:
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server. A server that is down or refuses is logged with
    the reason, never raised: the person who caused the mail has long had their answer."""
    try:
        with _connect(settings) as smtp:
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


# Base64 lines of 76 characters, as MIME writes them, come from 57 bytes each.
_BASE64_LINE_BYTES = 57
# Read the attachment this many base64 lines at a time (about 64 KiB).
_LINES_PER_CHUNK = 1150


def send_with_attachment(
    settings: SmtpSettings,
    message: EmailMessage,
    attachment: IO[bytes],
    *,
    filename: str,
    content_type: str,
) -> None:
    """Send `message` with the file `attachment` attached as `filename`, streaming the file
    to the SMTP server in base64 chunks: however big the file, the mail is never whole in
    memory. Raises smtplib.SMTPException or OSError when the server fails or refuses (the
    caller decides what a failed delivery means; here, a failed task)."""
    # The email package writes every header and boundary; a one-line placeholder attachment
    # marks where the file's base64 lines go.
    placeholder = secrets.token_bytes(_BASE64_LINE_BYTES)
    maintype, subtype = content_type.split("/")
    message.add_attachment(placeholder, maintype=maintype, subtype=subtype, filename=filename)
    marker = base64.b64encode(placeholder)
    head, tail = message.as_bytes(policy=policy.SMTP).split(marker + b"\r\n")
    # A line that starts with a dot is doubled for SMTP (RFC 5321 4.5.2); base64 has none.
    head, tail = (re.sub(rb"(?m)^\.", b"..", part) for part in (head, tail))
    sender = message["From"]
    recipients = [address.strip() for address in message["To"].split(",")]
    with _connect(settings) as smtp:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        smtp.send(head)
        while chunk := attachment.read(_BASE64_LINE_BYTES * _LINES_PER_CHUNK):
            smtp.send(base64.encodebytes(chunk).replace(b"\n", b"\r\n"))
        smtp.send(tail)
        if not tail.endswith(b"\r\n"):
            smtp.send(b"\r\n")
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)


def in_background(function: Callable[..., object], *args: object) -> threading.Thread:
    """Run `function(*args)` in a thread of its own, outside the job queue: for the mails
    that report errors, which must go out even when the queue (Redis) is what failed. The
    thread is not a daemon, so a process that shuts down still finishes the mails it has
    accepted (bounded by MAIL_TIMEOUT)."""

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
    queued_done = tasks.wait_for_threads(tasks.MAIL, max(0.0, deadline - time.monotonic()))
    return queued_done and not any(thread.is_alive() for thread in threads)


def deliver_queued(message: bytes) -> None:
    """The mail job: send `message` (as bytes, so that RQ can store it) with the settings of
    the app running the job. Failures are logged, as `deliver` does."""
    settings = SmtpSettings.from_config(current_app.config)
    parsed = message_from_bytes(message, policy=policy.default)
    if settings is None:
        logger.error("MAIL_SERVER is not set where the job ran; %r not sent", parsed["Subject"])
        return
    deliver(settings, parsed)  # type: ignore[arg-type] - policy.default parses EmailMessage


def send_email(
    *,
    subject: str,
    recipients: list[str],
    text_body: str,
    html_body: str,
    sender: str | None = None,
) -> None:
    """Send a mail without making the caller wait: a job on the queue delivers it over SMTP
    (a `flask worker`, or a thread of this process without Redis); without MAIL_SERVER it
    goes to the log. A queue that cannot be reached is logged, never raised."""
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
        return
    try:
        tasks.enqueue(deliver_queued, message.as_bytes(), queue=tasks.MAIL)
    except Exception as error:  # e.g. Redis is down: the page goes on, the admins hear of it
        logger.error(
            "Could not queue the mail %r to %s: %s", message["Subject"], message["To"], error
        )
