"""When the database cannot be reached: every request gets a clean 503 ("Back in a moment",
Retry-After; JSON under /api; an alert for htmx) made without the database, and the site
recovers by itself once the database is back (the pool checks a connection before each use)."""

from __future__ import annotations

from contextlib import suppress

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request
from flask_babel import force_locale
from flask_babel import gettext as _

from microblog.api.errors import api_error_response, is_api_request
from microblog.extensions import db, login_manager
from microblog.locales import visitor_locale
from microblog.responses import render
from templates.errors import error_alert, outage_page

# What the 503 asks clients to wait (Retry-After): the pool tries a connection before each
# use (pool_pre_ping), so the site is back as soon as the database is.
RETRY_AFTER_SECONDS = 5


def is_database_outage(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached or cannot serve right now (down,
    restarting, a dropped connection, every connection of the pool busy), as opposed to a
    bug in a statement (an IntegrityError, say), which is a 500."""
    if isinstance(error, sa.exc.TimeoutError):  # no free connection in the pool in time
        return True
    return isinstance(error, sa.exc.DBAPIError) and (
        error.connection_invalidated
        or isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)
    )


def _outage_texts() -> tuple[str, str]:
    return (
        _("Back in a moment"),
        _(
            "The site cannot reach its database just now. Nothing that was saved is lost; "
            "please try again in a few seconds."
        ),
    )


def database_unavailable(error: Exception) -> Response:
    """The answer to any request while the database is down: a 503 with Retry-After, as a
    page, an htmx alert or JSON under /api, made without asking the database anything."""
    with suppress(Exception):  # the connection may be gone already: nothing to roll back
        db.session.rollback()
    # One line per request, no traceback (an outage would flood the log); the admins get a
    # mail at most every ten minutes, as for every error.
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    current_app.logger.error(
        "Database unavailable on %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        reason[0] if reason else "",
    )
    # Loading the session's user needs the database: whatever runs after this (the layout,
    # rate limits' keys) sees a visitor.
    g._login_user = login_manager.anonymous_user()
    if is_api_request():
        with force_locale("en"):
            response = api_error_response(503, _outage_texts()[1])
    else:
        with force_locale(visitor_locale()):
            title, message = _outage_texts()
            retry_url = request.full_path.rstrip("?") if request.method == "GET" else None
            response = render(
                error_alert(title=title, message=message),
                page_content=outage_page(title=title, message=message, retry_url=retry_url),
                page_title=title,
                status=503,
                database=False,
            )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Give connections to a database server DATABASE_CONNECT_TIMEOUT seconds: a server that
    does not answer (a network that drops packets) then costs a 503, not a worker that hangs
    until gunicorn kills it."""
    seconds = app.config["DATABASE_CONNECT_TIMEOUT"]
    with app.app_context():
        engine = db.engine
    if engine.dialect.name not in {"postgresql", "mysql"} or not seconds:
        return
    timeout = max(1, round(seconds))  # psycopg and PyMySQL take whole seconds

    @sa.event.listens_for(engine, "do_connect")
    def give_up_connecting(_dialect: object, _record: object, _args: list, params: dict) -> None:
        params.setdefault("connect_timeout", timeout)
