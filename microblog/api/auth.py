"""API authentication: HTTP Basic to get a token, then `Authorization: Bearer <token>`."""

from __future__ import annotations

from flask import Response
from flask_httpauth import HTTPBasicAuth, HTTPTokenAuth

from microblog.api.errors import api_error_response
from microblog.models import ApiToken, User
from microblog.ratelimits import note_failed_login

basic_auth = HTTPBasicAuth(realm="microblog API")
basic_auth.__doc__ = "Your username and password, only to get a token from POST /api/tokens."
token_auth = HTTPTokenAuth(scheme="Bearer", realm="microblog API")
token_auth.__doc__ = "A token from POST /api/tokens, sent as `Authorization: Bearer <token>`."


@basic_auth.verify_password
def verify_password(username: str, password: str) -> User | None:
    if not username or not password:
        return None
    user = User.authenticate(username, password)
    if user is None:
        note_failed_login()
    return user


@basic_auth.error_handler
def basic_auth_error(status: int) -> Response:
    # Flask-HTTPAuth adds the WWW-Authenticate header to this response.
    return api_error_response(
        status, "Send your username and password with HTTP Basic authentication."
    )


@token_auth.verify_token
def verify_token(token: str) -> User | None:
    return ApiToken.user_for(token) if token else None


@token_auth.error_handler
def token_auth_error(status: int) -> Response:
    return api_error_response(
        status,
        "Send a valid token as 'Authorization: Bearer <token>'; POST /api/tokens gives you one.",
    )


def token_user() -> User:
    """The user whose token authenticated this request."""
    return token_auth.current_user()


def request_token() -> str:
    """The bearer token this request was authenticated with."""
    return token_auth.get_auth().token
