"""What happened to a user: new followers and messages received, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, case, literal_column, null, select, union_all

from microblog.models.follows import followers
from microblog.models.keyset import KeysetPage, KeysetStatements, keyset_page
from microblog.models.message import Message
from microblog.models.types import UTCDateTime
from microblog.models.user import User

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ListedEvent(NamedTuple):
    """Someone followed the user, or sent them a message."""

    id: int  # the moment in microseconds since 1970: the list's cursor
    kind: str  # "follow" or "message"
    at: datetime
    body: str | None
    unread: bool
    user_id: int
    username: str
    email: str


def to_cursor(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_cursor(cursor: int) -> datetime:
    return EPOCH + timedelta(microseconds=cursor)


_ME = bindparam("me", type_=Integer)
_CURSOR = bindparam("cursor", type_=UTCDateTime())
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)


def _statements() -> KeysetStatements:
    follows = select(
        literal_column("'follow'").label("kind"),
        followers.c.created.label("at"),
        null().label("body"),
        literal_column("0").label("unread"),
        followers.c.follower_id.label("user_id"),
    ).where(followers.c.followed_id == _ME)
    received = select(
        literal_column("'message'"),
        Message.timestamp,
        Message.body,
        case((Message.read_at.is_(None), 1), else_=0),
        Message.sender_id,
    ).where(Message.recipient_id == _ME)
    events = union_all(follows, received).subquery("events")
    base = (
        select(
            events.c.kind,
            events.c.at,
            events.c.body,
            events.c.unread,
            User.id,
            User.username,
            User.email,
        )
        .join(User, User.id == events.c.user_id)
        .limit(_LIMIT)
    )
    newest_first = base.order_by(events.c.at.desc())
    return KeysetStatements(
        by_number=newest_first.offset(_OFFSET),
        older=newest_first.where(events.c.at < _CURSOR),
        newer=base.where(events.c.at > _CURSOR).order_by(events.c.at.asc()),
    )


_EVENTS = _statements()


def _event(kind: str, at: datetime, body: str | None, unread: Any, *user: Any) -> ListedEvent:
    return ListedEvent(to_cursor(at), kind, at, body, bool(unread), *user)


def activity_page(
    user: User, *, page: int, per_page: int, before: int | None = None, after: int | None = None
) -> KeysetPage[ListedEvent]:
    """`user`'s new followers and messages received, newest first, in one query."""
    return keyset_page(
        _EVENTS,
        {"me": user.id},
        shape=_event,
        page=page,
        per_page=per_page,
        before=None if before is None else from_cursor(before),
        after=None if after is None else from_cursor(after),
    )
