"""Search: posts matching a query (paginated like every list) and people by username."""

from __future__ import annotations

from typing import Any

from apifairy import arguments, authenticate, other_responses, response

from microblog.api import bp
from microblog.api.auth import token_auth
from microblog.api.errors import api_abort
from microblog.api.resources import collection, post_resource, user_resource
from microblog.api.schemas import (
    PER_PAGE_MAX,
    error_responses,
    search_args_schema,
    search_result_schema,
)
from microblog.models import follow_stats_for
from microblog.services.search import parse_query, search_posts_counted, search_users


@bp.route("/search", methods=["GET"])
@authenticate(token_auth)
@arguments(search_args_schema)
@response(search_result_schema)
@other_responses(error_responses(400, 401, 404))
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Posts matching `q`, newest or best first, and the people whose name matches."""
    query = parse_query(args["q"])
    if query.is_empty:
        api_abort(400, "q: give at least one word, phrase or #tag to look for.")
    page = search_posts_counted(
        query, order=args["order"], page=args["page"], per_page=min(args["per_page"], PER_PAGE_MAX)
    )
    items = [post_resource(post) for post in page.items]
    result = collection(page, items, "api.search", q=args["q"], order=args["order"])
    users = search_users(args["q"])
    stats = follow_stats_for(users)
    result["users"] = [user_resource(user, stats[user.id]) for user in users]
    return result
