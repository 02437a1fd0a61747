"""Rate limits (Flask-Limiter): what one account or one address may do in a while, so that
nobody can guess passwords, flood mailboxes, inboxes or the timeline. Every limit is a setting
(RATELIMIT_* in microblog.config); RATELIMIT_ENABLED=false turns them all off.

Counters live in Redis when REDIS_URL is set (shared by every web process), in memory
otherwise. When Redis stops answering, the limits go on in memory with a logged warning
(and if even that fails, the request goes through: a limit never takes the site down).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many

from microblog.extensions import limiter
from microblog.models import User

View = TypeVar("View", bound=Callable[..., Any])


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _form_value(name: str) -> str:
    """A submitted field as a counter key: the same account whatever the case or spaces."""
    value = request.form.get(name, "")
    return value.strip().lower() or "-"


def _account(login: str) -> str:
    """The counter key of the account a login names, whether by username or by email
    address (so that switching between them does not double the tries); the typed name
    itself when no account has it. Looked up once per request."""
    keys = g.setdefault("login_accounts", {})
    if login not in keys:
        user = User.by_login(login) if login != "-" else None
        keys[login] = f"account:{user.id}" if user is not None else f"login:{login}"
    return keys[login]


def _login_form_account() -> str:
    return _account(_form_value("username"))


def _basic_auth_account() -> str:
    auth = request.authorization
    return _account((auth.username or "").strip().lower() if auth and auth.username else "-")


def _current_account() -> str:
    return f"account:{current_user.id}" if current_user.is_authenticated else "-"


def note_failed_login() -> None:
    """Count this request against the failed-login limits (a wrong password, an unknown
    account). Right passwords cost nothing, so a user who types well is never slowed."""
    g.failed_login = True


def _login_failed(_response: Response) -> bool:
    return bool(g.get("failed_login"))


def _succeeded(response: Response) -> bool:
    return response.status_code < 400


def _failed_logins(account: Callable[[], str]) -> Callable[[View], View]:
    """The failed-login limits, shared by the login form and POST /api/tokens: per account
    (then even the right password waits) and, more generously, per address."""
    per_account = limiter.shared_limit(
        _setting("RATELIMIT_LOGIN_FAILURES_PER_ACCOUNT"),
        scope="login-failures-account",
        key_func=account,
        methods=["POST"],
        deduct_when=_login_failed,
        error_message=lambda: _("Too many failed attempts to log in to this account."),
    )
    per_address = limiter.shared_limit(
        _setting("RATELIMIT_LOGIN_FAILURES_PER_IP"),
        scope="login-failures-ip",
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_login_failed,
        error_message=lambda: _("Too many failed attempts to log in from your network."),
    )
    return lambda view: per_address(per_account(view))


def login_limits(view: View) -> View:
    """The login form: failed logins per account (named by username or email address in the
    username field) and per address."""
    return _failed_logins(_login_form_account)(view)


def password_check_limits(view: View) -> View:
    """Forms where a logged-in user types their password again (changing it, the email
    address, deleting the account): a wrong one counts as a failed login of that account,
    so a borrowed session is no way to guess it. Below @login_required."""
    return _failed_logins(_current_account)(view)


def token_limits(view: View) -> View:
    """POST /api/tokens: the login form's failed-login limits (one counter for both, so the
    API is no way around them), and tokens issued per account."""
    issued = limiter.limit(
        _setting("RATELIMIT_API_TOKENS_PER_ACCOUNT"),
        key_func=_basic_auth_account,
        deduct_when=_succeeded,
        error_message=lambda: _("Too many tokens requested for this account."),
    )
    return _failed_logins(_basic_auth_account)(issued(view))


registration_limit = limiter.shared_limit(
    _setting("RATELIMIT_REGISTRATIONS_PER_IP"),
    scope="registrations",
    methods=["POST"],
    error_message=lambda: _("Too many sign-ups from your network."),
)


def mail_limits(address_field: str) -> Callable[[View], View]:
    """Mails a form sends to the address typed in `address_field` (reset links, address
    confirmations): a few per address, however many people ask, and a few more per
    requesting network. Only requests that would send a mail count per address."""
    per_address = limiter.shared_limit(
        _setting("RATELIMIT_MAILS_PER_ADDRESS"),
        scope="mails-address",
        key_func=lambda: _form_value(address_field),
        methods=["POST"],
        deduct_when=_succeeded,
        error_message=lambda: _("Too many mails have been sent to this address."),
    )
    per_network = limiter.shared_limit(
        _setting("RATELIMIT_MAILS_PER_IP"),
        scope="mails-ip",
        methods=["POST"],
        error_message=lambda: _("Too many mail requests from your network."),
    )
    return lambda view: per_network(per_address(view))


def _user_key() -> str:
    # The account, not get_id(): that changes when sessions end, and the counters must not.
    return f"user:{current_user.id}" if current_user.is_authenticated else "-"


def _api_user_key() -> str:
    # Where Flask-HTTPAuth keeps the token's user (the API's token_user()).
    user = g.get("flask_httpauth_user")
    return f"user:{user.id}" if user else "-"


def note_message_sent() -> None:
    """Count this request against the message limits: a message was stored. (A refusal is
    not always an error status: a browser gets a redirect with a flash.)"""
    g.message_sent = True


def _message_sent(_response: Response) -> bool:
    return bool(g.get("message_sent"))


def _per_user(
    setting: str,
    scope: str,
    message: Callable[[], str],
    counts: Callable[[Response], bool] | None,
    api_method: str = "POST",
) -> tuple[Callable[[View], View], Callable[[View], View]]:
    """A limit per user, as decorators for the web (the logged-in user: below
    @login_required; its POSTs count) and for the API (the token's user: below
    @authenticate; its `api_method` requests count), with one counter (one `scope`) for both.
    `counts` says which answers count (None: every one), so that a refused post or message
    costs nothing."""

    def limit(key: Callable[[], str], method: str) -> Callable[[View], View]:
        return limiter.shared_limit(
            _setting(setting),
            scope=scope,
            key_func=key,
            methods=[method],
            deduct_when=counts,
            error_message=message,
        )

    return limit(_user_key, "POST"), limit(_api_user_key, api_method)


# Posts one user publishes.
post_limit, api_post_limit = _per_user(
    "RATELIMIT_POSTS_PER_USER",
    "posts",
    lambda: _("You have posted a lot in a short time."),
    _succeeded,
)
# Edits one user saves (the web form's POST, the API's PUT), so that changing a post over
# and over is no way around the posting limit, nor a load on the search index.
edit_limit, api_edit_limit = _per_user(
    "RATELIMIT_EDITS_PER_USER",
    "edits",
    lambda: _("You have edited your posts a lot in a short time."),
    _succeeded,
    api_method="PUT",
)
# Private messages one user sends, so that nobody can flood other people's inboxes; the
# views call note_message_sent().
message_limit, api_message_limit = _per_user(
    "RATELIMIT_MESSAGES_PER_USER",
    "messages",
    lambda: _("You have sent a lot of messages in a short time."),
    _message_sent,
)
# Translations one user asks for (each may cost a call to a paid service), so the site is
# never an open translation proxy.
translation_limit, api_translation_limit = _per_user(
    "RATELIMIT_TRANSLATIONS_PER_USER",
    "translations",
    lambda: _("You have asked for many translations in a short time."),
    None,
)


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets it through again."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, current.reset_at - int(time.time()))


def breached_limit_message(error: RateLimitExceeded) -> str | None:
    """What the broken limit says about itself (which limit it is), if anything."""
    message = error.limit.error_message
    return message() if callable(message) else message


LIMIT_SETTINGS = (
    "RATELIMIT_LOGIN_FAILURES_PER_ACCOUNT",
    "RATELIMIT_LOGIN_FAILURES_PER_IP",
    "RATELIMIT_API_TOKENS_PER_ACCOUNT",
    "RATELIMIT_REGISTRATIONS_PER_IP",
    "RATELIMIT_MAILS_PER_ADDRESS",
    "RATELIMIT_MAILS_PER_IP",
    "RATELIMIT_POSTS_PER_USER",
    "RATELIMIT_EDITS_PER_USER",
    "RATELIMIT_MESSAGES_PER_USER",
    "RATELIMIT_TRANSLATIONS_PER_USER",
)


def init_app(app: Flask) -> None:
    """Bind the limiter to `app`, after checking that every limit setting can be read."""
    for name in LIMIT_SETTINGS:
        try:
            parse_many(app.config[name])
        except ValueError:
            sys.exit(
                f"microblog: {name}={app.config[name]!r} is not a rate limit; "
                "write it like '5 per 15 minutes' (several with ';')."
            )
    limiter.init_app(app)
    # The limiter is one object for every app of the process (its decorators are made at
    # import time), and init_app leaves its "storage is down, counting in memory" flag as an
    # earlier app left it: each app starts on its own storage, and says so if that is down.
    limiter._storage_dead = False
