"""Where the app's log goes: rotating files or standard output, and errors mailed to admins."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask
from flask.logging import default_handler

from microblog.services.email import SmtpSettings, build_message, deliver, in_background

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(pathname)s:%(lineno)d]: %(message)s"
ERROR_MAIL_INTERVAL_SECONDS = 600
LIMITER_LOGGER = "flask-limiter"


class ErrorMailHandler(logging.Handler):
    """Mails error records to the admins, in the background, and at most once per distinct
    error per `interval` seconds, so that an outage does not flood their inbox."""

    def __init__(
        self,
        *,
        settings: SmtpSettings,
        sender: str,
        admins: list[str],
        interval: float = ERROR_MAIL_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(level=logging.ERROR)
        self.settings = settings
        self.sender = sender
        self.admins = admins
        self.interval = interval
        self.clock = clock
        self._last_sent: dict[tuple, float] = {}
        # A mail that cannot be sent is logged; mailing that failure would loop.
        self.addFilter(lambda record: not record.name.startswith("microblog.mail"))

    @staticmethod
    def error_key(record: logging.LogRecord) -> tuple:
        """What makes two errors the same: the exception type and the line that raised it,
        or, without an exception, the place and wording of the log call."""
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            traceback = error.__traceback__
            while traceback is not None and traceback.tb_next is not None:
                traceback = traceback.tb_next
            where = (
                (traceback.tb_frame.f_code.co_filename, traceback.tb_lineno) if traceback else ()
            )
            return (type(error).__module__, type(error).__qualname__, *where)
        return (record.pathname, record.lineno, str(record.msg))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            now = self.clock()
            self._last_sent = {
                key: sent for key, sent in self._last_sent.items() if now - sent < self.interval
            }
            key = self.error_key(record)
            if key in self._last_sent:
                return
            self._last_sent[key] = now
            summary = record.getMessage().splitlines()[0][:150]
            message = build_message(
                subject=f"Microblog error: {summary}",
                sender=self.sender,
                recipients=self.admins,
                text_body=self.format(record),
            )
            in_background(deliver, self.settings, message)
        except Exception:
            self.handleError(record)


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "microblog_handler", False)


def remove_handlers(logger: logging.Logger) -> None:
    """Take off (and close) the handlers init_app added, e.g. from an earlier app in the same
    process: every app shares the logger named after the package."""
    for handler in [h for h in logger.handlers if _ours(h)]:
        logger.removeHandler(handler)
        handler.close()


def _add(logger: logging.Logger, handler: logging.Handler) -> None:
    handler.microblog_handler = True  # type: ignore[attr-defined]
    if handler.formatter is None:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Outside debug and testing, log INFO and above to rotating files in LOG_DIR (default
    `logs/`) or to standard output with LOG_TO_STDOUT. With MAIL_SERVER and ADMINS set (and
    not debugging), errors are also mailed to the admins."""
    logger = app.logger
    remove_handlers(logger)
    # Flask-Limiter logs to a logger of its own, which it silences (a NullHandler): its
    # warnings (Redis unreachable, the limits counting in memory meanwhile) belong in ours.
    limiter_logger = logging.getLogger(LIMITER_LOGGER)
    for handler in [h for h in limiter_logger.handlers if _ours(h)]:
        limiter_logger.removeHandler(handler)
    config = app.config
    if not app.debug and not app.testing:
        if config["LOG_TO_STDOUT"]:
            logger.removeHandler(default_handler)
            handler: logging.Handler = logging.StreamHandler(sys.stdout)
        else:
            log_dir = Path(config["LOG_DIR"] or Path(app.root_path).parent / "logs")
            log_dir.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                log_dir / "microblog.log",
                maxBytes=config["LOG_MAX_BYTES"],
                backupCount=config["LOG_BACKUP_COUNT"],
                encoding="utf-8",
            )
        handler.setLevel(logging.INFO)
        _add(logger, handler)
        logger.setLevel(logging.INFO)
        limiter_logger.addHandler(handler)
    settings = SmtpSettings.from_config(config)
    if settings is not None and config["ADMINS"] and not app.debug:
        _add(
            logger,
            ErrorMailHandler(
                settings=settings, sender=config["MAIL_DEFAULT_SENDER"], admins=config["ADMINS"]
            ),
        )
