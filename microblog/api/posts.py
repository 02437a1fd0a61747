"""Posts: everyone's, one user's, your timeline; publish, change and delete your own."""

from __future__ import annotations

from typing import Any

from apifairy import arguments, authenticate, other_responses, response
from flask import current_app, url_for

from microblog.api import bp
from microblog.api.auth import token_auth, token_user
from microblog.api.errors import api_abort, get_or_404
from microblog.api.input import json_body
from microblog.api.resources import post_collection, post_resource
from microblog.api.schemas import (
    LocationHeaderSchema,
    error_responses,
    pagination_schema,
    post_collection_schema,
    post_schema,
    translation_request_schema,
    translation_schema,
)
from microblog.extensions import db
from microblog.models import Post, PostList, PostRow, User
from microblog.ratelimits import api_edit_limit, api_post_limit, api_translation_limit
from microblog.services.languages import detect_language
from microblog.services.posts import remove_post, revise_post
from microblog.services.translation import (
    TranslationError,
    same_language,
    translate_post,
    translator_from_config,
)


@bp.route("/posts", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(post_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_posts(args: dict[str, int]) -> dict[str, Any]:
    """Everyone's posts, newest first (the Explore page)."""
    return post_collection(PostList.explore(), args, "api.get_posts")


@bp.route("/timeline", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(post_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_timeline(args: dict[str, int]) -> dict[str, Any]:
    """Your home timeline: your posts and those of the users you follow, newest first."""
    return post_collection(PostList.timeline_for(token_user()), args, "api.get_timeline")


@bp.route("/users/<int:id>/posts", methods=["GET"])
@authenticate(token_auth)
@arguments(pagination_schema)
@response(post_collection_schema)
@other_responses(error_responses(400, 401, 404))
def get_user_posts(args: dict[str, int], id: int) -> dict[str, Any]:
    """One user's posts, newest first."""
    user = get_or_404(User, id)
    return post_collection(PostList.by_author(user), args, "api.get_user_posts", id=id)


@bp.route("/posts/<int:id>", methods=["GET"])
@authenticate(token_auth)
@response(post_schema)
@other_responses(error_responses(401, 404))
def get_post(id: int) -> dict[str, Any]:
    """One post."""
    post = get_or_404(Post, id)
    return post_resource(PostRow.of(post, post.author))


@bp.route("/posts", methods=["POST"])
@authenticate(token_auth)
@api_post_limit
@json_body(post_schema)
@response(post_schema, 201, headers=LocationHeaderSchema)
@other_responses(error_responses(400, 401, 415, 429))
def create_post(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Publish a post as the token's user (the same rules as the web form), in the language
    given or else the one detected."""
    author = token_user()
    language = data.get("language") or detect_language(data["body"])
    post = Post(body=data["body"], author=author, language=language)
    db.session.add(post)
    db.session.flush()
    created = PostRow.of(post, author)  # before the commit expires what it shows
    db.session.commit()
    return post_resource(created), {"Location": url_for("api.get_post", id=created.id)}


@bp.route("/posts/<int:id>", methods=["PUT"])
@authenticate(token_auth)
@api_edit_limit
@json_body(post_schema)
@response(post_schema)
@other_responses(error_responses(400, 401, 403, 404, 415, 429))
def update_post(data: dict[str, Any], id: int) -> dict[str, Any]:
    """Change the text of one of your posts (the same rules as a new post), in the language
    given or else the one detected. Its `edited_at` says when, unless nothing changed."""
    post = get_or_404(Post, id)
    author = token_user()
    if post.user_id != author.id:
        api_abort(403, "You can only change your own posts.")
    revise_post(post, data["body"], language=data.get("language"))
    db.session.flush()
    edited = PostRow.of(post, author)  # before the commit expires what it shows
    db.session.commit()
    return post_resource(edited)


@bp.route("/posts/<int:id>", methods=["DELETE"])
@authenticate(token_auth)
@other_responses(error_responses(401, 403, 404))
def delete_post(id: int) -> tuple[str, int]:
    """Delete one of your posts."""
    post = get_or_404(Post, id)
    if post.user_id != token_user().id:
        api_abort(403, "You can only delete your own posts.")
    remove_post(post)
    db.session.commit()
    return "", 204


@bp.route("/posts/<int:id>/translate", methods=["POST"])
@authenticate(token_auth)
@api_translation_limit
@json_body(translation_request_schema)
@response(translation_schema)
@other_responses(error_responses(400, 401, 404, 415, 429, 502, 503))
def translate(data: dict[str, Any], id: int) -> dict[str, Any]:
    """A machine translation of a post into `target`, kept so it is made once per language."""
    post = get_or_404(Post, id)
    translator = translator_from_config(current_app.config)
    if translator is None:
        api_abort(503, "Translation is not set up on this site.")
    target = data["target"].replace("_", "-")
    if post.language is None:
        api_abort(400, "The language of this post is not known, so it cannot be translated.")
    if same_language(post.language, target):
        api_abort(400, f"This post is already in {post.language}.")
    try:
        translation = translate_post(
            post.id, post.body, source=post.language, target=target, translator=translator
        )
    except TranslationError:
        api_abort(502, "The translation service failed; try again later.")
    return {
        "post_id": post.id,
        "language": translation.language,
        "source_language": post.language,
        "body": translation.body,
        "provider": translation.provider,
        "links": {"post": url_for("api.get_post", id=post.id)},
    }
