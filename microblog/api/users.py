"""Users: register, read, update yourself, and who follows whom (the tutorial's API)."""

from __future__ import annotations

from typing import Any

from apifairy import arguments, authenticate, other_responses, response
from flask import url_for
from sqlalchemy.exc import IntegrityError

from microblog.api import bp
from microblog.api.auth import token_auth, token_user
from microblog.api.errors import api_abort, get_or_404
from microblog.api.input import json_body
from microblog.api.resources import user_collection, user_resource
from microblog.api.schemas import (
    LocationHeaderSchema,
    error_responses,
    new_user_schema,
    pagination_schema,
    user_changes_schema,
    user_collection_schema,
    user_schema,
)
from microblog.extensions import db
from microblog.models import User, follow_stats
from microblog.ratelimits import registration_limit


def _commit_account_changes() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Someone took the name or address between validation and commit.
        db.session.rollback()
        api_abort(400, "This username or email address is taken. Please choose another one.")


@bp.route("/users", methods=["POST"])
@registration_limit
@json_body(new_user_schema)
@response(user_schema, 201, headers=LocationHeaderSchema)
@other_responses(error_responses(400, 415, 429))
def create_user(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Register a new user (no token needed)."""
    user = User(username=data["username"], email=data["email"], about_me=data.get("about_me"))
    user.set_password(data["password"])
    db.session.add(user)
    _commit_account_changes()
    return user_resource(user, follow_stats(user)), {
        "Location": url_for("api.get_user", id=user.id)
    }


@bp.route("/users", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(user_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_users(args: dict[str, int]) -> dict[str, Any]:
    """All users, oldest account first."""
    return user_collection(User.listing(), args, "api.get_users")


@bp.route("/users/me", methods=["GET"])
@authenticate(token_auth)
@response(user_schema)
@other_responses(error_responses(401))
def get_me() -> dict[str, Any]:
    """The token's own user, with the email address (so a client learns its id)."""
    user = token_user()
    return user_resource(user, follow_stats(user))


@bp.route("/users/<int:id>", methods=["GET"])
@authenticate(token_auth)
@response(user_schema)
@other_responses(error_responses(401, 404))
def get_user(id: int) -> dict[str, Any]:
    """One user (with the email address when it is your own)."""
    user = get_or_404(User, id)
    return user_resource(user, follow_stats(user))


@bp.route("/users/<int:id>", methods=["PUT"])
@authenticate(token_auth)
@json_body(user_changes_schema)
@response(user_schema)
@other_responses(error_responses(400, 401, 403, 404, 415))
def update_user(data: dict[str, Any], id: int) -> dict[str, Any]:
    """Change your own username or about me.

    The email address cannot be changed here (only sent unchanged): a new address must be
    confirmed by a link mailed to it, which Settings on the website does."""
    user = get_or_404(User, id)
    if user.id != token_user().id:
        api_abort(403, "You can only change your own user.")
    for field in ("username", "email", "about_me"):
        if field in data:
            setattr(user, field, data[field])
    _commit_account_changes()
    return user_resource(user, follow_stats(user))


@bp.route("/users/<int:id>/followers", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(user_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_followers(args: dict[str, int], id: int) -> dict[str, Any]:
    """The users who follow this user."""
    user = get_or_404(User, id)
    return user_collection(user.followers_query(), args, "api.get_followers", id=id)


@bp.route("/users/<int:id>/following", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(user_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_following(args: dict[str, int], id: int) -> dict[str, Any]:
    """The users this user follows."""
    user = get_or_404(User, id)
    return user_collection(user.following_query(), args, "api.get_following", id=id)


@bp.route("/users/<int:id>/followers", methods=["POST"])
@authenticate(token_auth)
@other_responses(error_responses(400, 401, 404))
def follow(id: int) -> tuple[str, int]:
    """Follow this user (as the token's user). Following someone twice changes nothing."""
    user = get_or_404(User, id)
    if user.id == token_user().id:
        api_abort(400, "You cannot follow yourself.")
    token_user().follow(user)
    db.session.commit()
    return "", 204


@bp.route("/users/<int:id>/followers", methods=["DELETE"])
@authenticate(token_auth)
@other_responses(error_responses(400, 401, 404))
def unfollow(id: int) -> tuple[str, int]:
    """Stop following this user (as the token's user)."""
    user = get_or_404(User, id)
    if user.id == token_user().id:
        api_abort(400, "You cannot unfollow yourself.")
    token_user().unfollow(user)
    db.session.commit()
    return "", 204
