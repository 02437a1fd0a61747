"""Search: posts matching a query (paginated like every list) and people by username."""

from __future__ import annotations

from typing import Any

from apifairy import arguments, authenticate, other_responses, response

from microblog.api import bp
from microblog.api.auth import token_auth
from microblog.api.errors import api_abort
from microblog.api.resources import post_collection, user_resource
from microblog.api.schemas import error_responses, search_args_schema, search_result_schema
from microblog.models import User
from microblog.services.search import matching_posts, parse_query, search_users


@bp.route("/search", methods=["GET"])
@authenticate(token_auth)
@arguments(search_args_schema)
@response(search_result_schema)
@other_responses(error_responses(400, 401))
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Posts matching `q`, newest or best first, and the people whose name matches."""
    query = parse_query(args["q"])
    if query.is_empty:
        api_abort(400, "q: give at least one word, phrase or #tag to look for.")
    paging = {"page": args["page"], "per_page": args["per_page"]}
    result = post_collection(
        matching_posts(query, order=args["order"]),
        paging,
        "api.search",
        q=args["q"],
        order=args["order"],
    )
    users = search_users(args["q"])
    stats = User.stats_for(users)
    result["users"] = [user_resource(user, stats[user.id]) for user in users]
    return result
