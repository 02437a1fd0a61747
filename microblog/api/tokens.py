"""Tokens: trade a username and password for a bearer token, and revoke it."""

from __future__ import annotations

from datetime import timedelta

from apifairy import authenticate, other_responses, response
from flask import current_app

from microblog.api import bp
from microblog.api.auth import basic_auth, request_token, token_auth
from microblog.api.schemas import error_responses, token_schema
from microblog.extensions import db
from microblog.models import ApiToken
from microblog.ratelimits import token_limits


@bp.route("/tokens", methods=["POST"])
@token_limits
@authenticate(basic_auth)
@response(token_schema)
@other_responses(error_responses(401, 429))
def new_token() -> dict[str, str]:
    """Get a token (HTTP Basic authentication with your username and password).

    The token works for API_TOKEN_MINUTES (60 by default). Every call gives a new one.
    """
    lifetime = timedelta(minutes=current_app.config["API_TOKEN_MINUTES"])
    token = ApiToken.issue(basic_auth.current_user(), lifetime=lifetime)
    db.session.commit()
    return {"token": token}


@bp.route("/tokens", methods=["DELETE"])
@authenticate(token_auth)
@other_responses(error_responses(401))
def revoke_token() -> tuple[str, int]:
    """Revoke the token this request is sent with; it stops working at once."""
    ApiToken.revoke(request_token())
    db.session.commit()
    return "", 204
