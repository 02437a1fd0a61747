"""Error responses: a full page for browsers, an alert fragment for htmx."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask_babel import force_locale, format_timedelta
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from microblog.api.errors import api_error_response, is_api_request
from microblog.extensions import db
from microblog.locales import visitor_locale
from microblog.outage import database_unavailable, is_database_outage
from microblog.ratelimits import breached_limit_message, retry_after_seconds
from microblog.responses import render
from microblog.site_url import public_url
from templates.errors import error_alert, error_page


def _texts(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("Forbidden"), _("You are not allowed to do that.")),
        404: (_("Page not found"), _("There is nothing at this address.")),
        405: (_("Method not allowed"), _("This address does not accept that kind of request.")),
        413: (_("Too large"), _("What you sent is larger than this site accepts.")),
        429: (_("Too many requests"), _("Please wait a moment before trying again.")),
        500: (
            _("Something went wrong"),
            _("An unexpected error happened. It has been logged; please try again later."),
        ),
    }
    return texts.get(code, (_("Error"), _("The request could not be completed.")))


def error_response(
    code: int, *, message: str | None = None, back_to: str | None = None
) -> Response:
    """The error page (or, for htmx, the alert for #alerts) with status `code`. It is also
    the answer to a change that cannot be made (following yourself, messaging someone who
    blocks you): nothing is changed, and the page leads back to `back_to`, the page the
    change was asked from, as well as home."""
    if is_api_request():
        # Under /api every error is JSON, even a 404 for an unknown URL or a 500.
        return api_error_response(code, message)
    title, default_message = _texts(code)
    text = message or default_message
    return render(
        error_alert(title=title, message=text),
        page_content=error_page(title=title, message=text, back_url=back_to),
        page_title=title,
        status=code,
    )


def handle_http_exception(error: HTTPException) -> Response:
    code = error.code or 500
    response = error_response(code)
    if code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_csrf_error(_error: CSRFError) -> Response:
    return error_response(
        400,
        message=_(
            "Your session expired or the form was tampered with. Reload the page and try again."
        ),
    )


def handle_untrusted_host(_error: SecurityError) -> Response:
    """A request for a host that is not this site's (TRUSTED_HOSTS): a 400 that links to the
    real address. Without a trusted host Flask has no URL adapter, so there is no layout."""
    message = "This site does not answer at this host name."
    if is_api_request():
        return api_error_response(400, message)
    with force_locale(visitor_locale()):
        title, message = _("Bad request"), _("This site does not answer at this host name.")
        content = error_page(title=title, message=message, home_url=public_url("main.index"))
        return Response(str(content), 400)


def handle_rate_limit(error: RateLimitExceeded) -> Response:
    """The 429: which limit, and when to try again (in English under /api), with
    Retry-After."""
    seconds = retry_after_seconds()

    def message() -> str:
        when = format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=1.1)
        # TRANSLATORS: %(when)s is a time from now, such as "in 15 minutes".
        again = _("Please try again %(when)s.", when=when)
        parts = [breached_limit_message(error), again]
        return " ".join(part for part in parts if part)

    if is_api_request():
        with force_locale("en"):
            text = message()
    else:
        text = message()
    response = error_response(429, message=text)
    response.headers["Retry-After"] = str(seconds)
    return response


def _user_id() -> str:
    try:
        # The account's id (get_id() also carries the session generation).
        return str(current_user.id) if current_user.is_authenticated else "anonymous"
    except Exception:  # the database may be what failed
        return "unknown"


def handle_unexpected_error(error: Exception) -> Response:
    """Roll back what the failed request wrote, log the error with where it happened (the
    admins get a mail when configured), and answer with the 500 page. In debug mode the
    error goes on to Werkzeug's debugger instead."""
    db.session.rollback()
    current_app.logger.error(
        "Unhandled %s on %s %s (user %s)",
        type(error).__name__,
        request.method,
        request.path,
        _user_id(),
        exc_info=error,
    )
    if current_app.debug:
        raise error
    try:
        return error_response(InternalServerError.code)
    except Exception:
        # The layout needs the current user, so a database outage breaks the page too:
        # answer with the bare error content rather than the server's blank 500.
        current_app.logger.exception("The error page failed as well; sent it without layout")
        with force_locale(visitor_locale()):
            title, message = _texts(InternalServerError.code)
            return Response(str(error_page(title=title, message=message)), 500)


def handle_database_error(error: sa.exc.DBAPIError | sa.exc.TimeoutError) -> Response:
    """A database that cannot be reached is a 503; any other database error is a bug: 500."""
    if is_database_outage(error):
        return database_unavailable(error)
    return handle_unexpected_error(error)


Handler = TypeVar("Handler", bound=Callable[[Any], Response])


def _outage_safe(handler: Handler) -> Handler:
    """`handler`, answering with the outage's 503 when the database fails under it (the
    reader's language and the layout load the logged-in user)."""

    @wraps(handler)
    def handle(error: Any) -> Response:
        try:
            return handler(error)
        except (sa.exc.DBAPIError, sa.exc.TimeoutError) as failure:
            if not is_database_outage(failure):
                raise
            return database_unavailable(failure)

    return handle  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _outage_safe(handle_csrf_error))
    app.register_error_handler(SecurityError, _outage_safe(handle_untrusted_host))
    app.register_error_handler(RateLimitExceeded, _outage_safe(handle_rate_limit))
    app.register_error_handler(HTTPException, _outage_safe(handle_http_exception))
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected_error)
