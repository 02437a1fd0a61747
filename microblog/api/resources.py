"""What the API sends back: users, posts and paginated collections, as plain data for the
schemas in microblog.api.schemas to serialize."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Select

from microblog.api.auth import token_user
from microblog.api.errors import api_abort
from microblog.api.schemas import PER_PAGE_MAX
from microblog.models import (
    AuthorRow,
    CountedPage,
    FollowStats,
    Message,
    PostList,
    PostRow,
    User,
    follow_stats_for,
    paginate_counted,
    paginate_counted_posts,
)
from microblog.services.avatars import avatar_url

AVATAR_SIZE = 128


def user_links(user: User | AuthorRow) -> dict[str, str]:
    return {
        "self": url_for("api.get_user", id=user.id),
        "followers": url_for("api.get_followers", id=user.id),
        "following": url_for("api.get_following", id=user.id),
        "avatar": avatar_url(
            user_id=user.id, email=user.email, size=AVATAR_SIZE, provider=user.avatar
        ),
    }


def user_resource(user: User, stats: FollowStats) -> dict[str, Any]:
    """A user with their counts; the email address only for the token's own user."""
    resource = {
        "id": user.id,
        "username": user.username,
        "about_me": user.about_me,
        "last_seen": user.last_seen,
        "post_count": stats.posts,
        "follower_count": stats.followers,
        "following_count": stats.following,
        "links": user_links(user),
    }
    viewer = token_user()
    if viewer is not None and viewer.id == user.id:
        resource["email"] = user.email
    return resource


def post_resource(post: PostRow) -> dict[str, Any]:
    author = post.author
    return {
        "id": post.id,
        "body": post.body,
        "timestamp": post.timestamp,
        "edited_at": post.edited_at,
        "language": post.language,
        "author": {"id": author.id, "username": author.username, "links": user_links(author)},
        "links": {
            "self": url_for("api.get_post", id=post.id),
            "author": url_for("api.get_user", id=author.id),
        },
    }


def _person(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "links": user_links(user)}


def message_resource(message: Message, *, me: int) -> dict[str, Any]:
    """A private message as the token's user (`me`, its sender or recipient) sees it."""
    return {
        "id": message.id,
        "sender": _person(message.sender),
        "recipient": _person(message.recipient),
        "body": message.body,
        "timestamp": message.timestamp,
        "read": (message.read_at is not None) if message.recipient_id == me else None,
        "links": {
            "sender": url_for("api.get_user", id=message.sender_id),
            "recipient": url_for("api.get_user", id=message.recipient_id),
        },
    }


def _per_page(args: dict[str, int]) -> int:
    return min(args["per_page"], PER_PAGE_MAX)


def collection(
    page: CountedPage[Any], items: list[dict[str, Any]], endpoint: str, **url_values: object
) -> dict[str, Any]:
    if not items and page.number > 1:
        # As on the web: a page past the last one does not exist (an empty page 1 does).
        api_abort(404, f"There is no page {page.number}; the last one is {page.total_pages}.")

    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=page.per_page, **url_values)

    return {
        "items": items,
        "meta": {
            "page": page.number,
            "per_page": page.per_page,
            "total_pages": page.total_pages,
            "total_items": page.total_items,
        },
        "links": {
            "self": link(page.number),
            "next": link(page.number + 1) if page.has_next else None,
            "prev": link(page.number - 1) if page.has_prev else None,
        },
    }


def user_collection(
    query: Select[tuple[User]], args: dict[str, int], endpoint: str, **url_values: object
) -> dict[str, Any]:
    """One page of users with their counts: three queries whatever the page size."""
    page = paginate_counted(query, page=args["page"], per_page=_per_page(args))
    stats = follow_stats_for(page.items)
    items = [user_resource(user, stats[user.id]) for user in page.items]
    return collection(page, items, endpoint, **url_values)


def post_collection(
    posts: PostList, args: dict[str, int], endpoint: str, **url_values: object
) -> dict[str, Any]:
    """One page of posts with their authors: two queries (the count and the page)."""
    page = paginate_counted_posts(posts, page=args["page"], per_page=_per_page(args))
    return collection(page, [post_resource(post) for post in page.items], endpoint, **url_values)


def message_collection(
    query: Select[tuple[Message]], args: dict[str, int], endpoint: str
) -> dict[str, Any]:
    """One page of the token user's messages with both people: four queries (the count, the
    page, the senders and the recipients)."""
    page = paginate_counted(query, page=args["page"], per_page=_per_page(args))
    me = token_user().id
    items = [message_resource(message, me=me) for message in page.items]
    return collection(page, items, endpoint)
