"""What a profile shows about a user's connections (followers, following, posts, blocks),
for one user or a page of them in one query."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from microblog.extensions import db
from microblog.models.follows import blocks, followers
from microblog.models.post import Post
from microblog.models.user import User


@dataclass(frozen=True)
class FollowStats:
    """What a profile shows about a user's connections, loaded in one query."""

    followers: int
    following: int
    posts: int
    followed_by_viewer: bool
    blocked_by_viewer: bool = False
    blocks_viewer: bool = False


def follow_stats(user: User, viewer: User | None = None) -> FollowStats:
    """Follower, following and post counts of `user`, and how `viewer` relates to them."""
    return follow_stats_for([user], viewer)[user.id]


def follow_stats_for(users: list[User], viewer: User | None = None) -> dict[int, FollowStats]:
    """`follow_stats()` of many users in one query, by user id."""
    if not users:
        return {}
    viewer_id = viewer.id if viewer else -1

    def count(table: object, *conditions: object) -> object:
        query = select(func.count()).select_from(table).where(*conditions)
        return query.correlate(User).scalar_subquery()

    rows = db.session.execute(
        select(
            User.id,
            count(followers, followers.c.followed_id == User.id),
            count(followers, followers.c.follower_id == User.id),
            count(Post.__table__, Post.user_id == User.id),
            count(
                followers,
                followers.c.follower_id == viewer_id,
                followers.c.followed_id == User.id,
            ),
            count(blocks, blocks.c.blocker_id == viewer_id, blocks.c.blocked_id == User.id),
            count(blocks, blocks.c.blocker_id == User.id, blocks.c.blocked_id == viewer_id),
        ).where(User.id.in_([user.id for user in users]))
    )
    return {
        user_id: FollowStats(n_followers, n_following, n_posts, *map(bool, viewer_flags))
        for user_id, n_followers, n_following, n_posts, *viewer_flags in rows
    }
