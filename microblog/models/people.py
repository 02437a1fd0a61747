"""Lists of people, a page at a time: followers, following, blocked users."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Table, bindparam, exists, select

from microblog.models.follows import blocks, followers
from microblog.models.keyset import KeysetPage, KeysetStatements, keyset_page
from microblog.models.user import User


class ListedPerson(NamedTuple):
    """One row of a list of people: who, since when, and whether the viewer follows them."""

    id: int
    username: str
    email: str
    about_me: str | None
    since: datetime
    followed_by_viewer: bool


_OWNER = bindparam("owner", type_=Integer)
_VIEWER = bindparam("viewer", type_=Integer)
_CURSOR = bindparam("cursor", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)


def _statements(table: Table, owner: str, person: str) -> KeysetStatements:
    """The three ways to load a page of the people `owner` has a `table` row with: by page
    number, just older than the person `cursor`, just newer than them (oldest first)."""
    owner_col, person_col, since = table.c[owner], table.c[person], table.c.created
    viewer_follows = followers.alias("viewer_follows")
    cursor_row = table.alias("cursor_row")
    cursor_time = (
        select(cursor_row.c.created)
        .where(cursor_row.c[owner] == _OWNER, cursor_row.c[person] == _CURSOR)
        .scalar_subquery()
    )
    base = (
        select(
            User.id,
            User.username,
            User.email,
            User.about_me,
            since,
            exists()
            .where(viewer_follows.c.follower_id == _VIEWER)
            .where(viewer_follows.c.followed_id == User.id),
        )
        .join(table, person_col == User.id)
        .where(owner_col == _OWNER)
        .limit(_LIMIT)
    )
    newest_first = base.order_by(since.desc(), person_col.desc())
    older = (since <= cursor_time) & ((since < cursor_time) | (person_col < _CURSOR))
    newer = (since >= cursor_time) & ((since > cursor_time) | (person_col > _CURSOR))
    return KeysetStatements(
        by_number=newest_first.offset(_OFFSET),
        older=newest_first.where(older),
        newer=base.where(newer).order_by(since.asc(), person_col.asc()),
    )


_FOLLOWERS = _statements(followers, "followed_id", "follower_id")
_FOLLOWING = _statements(followers, "follower_id", "followed_id")
_BLOCKED = _statements(blocks, "blocker_id", "blocked_id")
LISTS = {"followers": _FOLLOWERS, "following": _FOLLOWING, "blocked": _BLOCKED}


def people_page(
    kind: str,
    owner: User,
    *,
    viewer: User | None,
    page: int,
    per_page: int,
    before: int | None = None,
    after: int | None = None,
) -> KeysetPage[ListedPerson]:
    """Page `page` of `owner`'s followers / following / blocked users (`kind`), newest first,
    in one query, next to the person `before` (older) or `after` (newer) when given."""
    params = {"owner": owner.id, "viewer": viewer.id if viewer else -1}
    return keyset_page(
        LISTS[kind], params, shape=_person, page=page, per_page=per_page, before=before, after=after
    )


def _person(*row: Any) -> ListedPerson:
    return ListedPerson(*row[:5], followed_by_viewer=bool(row[5]))
