"""Blocks: a user can stop another from following or messaging them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select

from microblog.extensions import db
from microblog.models.follows import blocks, followers, insert_unless_present
from microblog.models.stats import FollowStats
from microblog.models.types import utcnow
from microblog.models.user import User


def block(blocker: User, blocked: User) -> bool:
    """`blocker` blocks `blocked`, and neither follows the other any more; False when the block
    was already there. The caller commits."""
    if blocker.id == blocked.id:
        raise ValueError("a user cannot block themselves")
    db.session.execute(
        delete(followers).where(
            or_(
                (followers.c.follower_id == blocked.id) & (followers.c.followed_id == blocker.id),
                (followers.c.follower_id == blocker.id) & (followers.c.followed_id == blocked.id),
            )
        )
    )
    row = {"blocker_id": blocker.id, "blocked_id": blocked.id, "created": utcnow()}
    inserted = insert_unless_present(blocks, row).returning(blocks.c.blocker_id)
    return db.session.execute(inserted).first() is not None


def unblock(blocker: User, blocked: User) -> bool:
    """Lift a block; False when there was none. The caller commits."""
    result = db.session.execute(
        delete(blocks).where(blocks.c.blocker_id == blocker.id, blocks.c.blocked_id == blocked.id)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class Relation:
    """What `viewer` may do about `user`'s profile."""

    is_self: bool
    blocked: bool  # the viewer blocks the user
    blocked_by: bool  # the user blocks the viewer
    logged_in: bool

    @property
    def can_follow(self) -> bool:
        """Follow and message: logged in, someone else, and neither blocks the other."""
        return self.logged_in and not (self.is_self or self.blocked or self.blocked_by)


def relation_from(viewer: User | None, user: User, stats: FollowStats) -> Relation:
    """`viewer`'s relation to `user`, from the stats loaded for the viewer (no query)."""
    return Relation(
        is_self=viewer is not None and viewer.id == user.id,
        blocked=stats.blocked_by_viewer,
        blocked_by=stats.blocks_viewer,
        logged_in=viewer is not None,
    )


def relation(viewer: User | None, user: User) -> Relation:
    """`viewer`'s relation to `user`, in one query (none for a visitor or oneself)."""
    if viewer is None or viewer.id == user.id:
        return Relation(
            is_self=viewer is not None,
            blocked=False,
            blocked_by=False,
            logged_in=viewer is not None,
        )
    rows = db.session.execute(
        select(blocks.c.blocker_id).where(
            or_(
                (blocks.c.blocker_id == viewer.id) & (blocks.c.blocked_id == user.id),
                (blocks.c.blocker_id == user.id) & (blocks.c.blocked_id == viewer.id),
            )
        )
    ).all()
    blockers = {blocker_id for (blocker_id,) in rows}
    return Relation(
        is_self=False, blocked=viewer.id in blockers, blocked_by=user.id in blockers, logged_in=True
    )
