"""Private messages between two users, and the conversations they make."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from microblog.extensions import db
from microblog.models.keyset import KeysetPage, KeysetStatements, keyset_page
from microblog.models.limits import MESSAGE_MAX_LENGTH
from microblog.models.types import UTCDateTime, utcnow
from microblog.models.user import User


class Message(db.Model):
    """A private message from one user to another."""

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(MESSAGE_MAX_LENGTH))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None until the recipient opened the conversation.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sender: Mapped[User] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])

    __table_args__ = (
        # Unread counts (the badge) and "mark this conversation read".
        Index("ix_message_recipient_id_read_at", "recipient_id", "read_at"),
        # One conversation, newest first, from either side.
        Index("ix_message_sender_id_recipient_id_id", "sender_id", "recipient_id", "id"),
        Index("ix_message_recipient_id_sender_id_id", "recipient_id", "sender_id", "id"),
    )

    def __repr__(self) -> str:
        return f"<Message {self.id} from {self.sender_id} to {self.recipient_id}>"


# Loaded with the logged-in user (see auth's user loader), so the unread badge on every page
# and htmx response costs no query of its own.
User.unread_message_count = column_property(
    select(func.count(Message.id))
    .where(Message.recipient_id == User.id, Message.read_at.is_(None))
    .correlate_except(Message)
    .scalar_subquery(),
    deferred=True,
)


def unread_count(user: User) -> int:
    """How many messages `user` has not opened yet."""
    query = select(func.count(Message.id)).where(
        Message.recipient_id == user.id, Message.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def unread_changed_at(user: User) -> tuple[int, datetime | None]:
    """The unread count and when it last changed (a message arrived or was read), in one
    query: what the tutorial's notification feed reports."""
    row = db.session.execute(
        select(
            func.sum(case((Message.read_at.is_(None), 1), else_=0)),
            func.max(Message.timestamp),
            func.max(Message.read_at),
        ).where(Message.recipient_id == user.id)
    ).one()
    count, last_received, last_read = row
    moments = [moment for moment in (last_received, last_read) if moment is not None]
    # int(): MariaDB sums to a Decimal.
    return int(count or 0), max(moments) if moments else None


def mark_read(reader: User, sender: User) -> int:
    """Mark the messages `sender` sent to `reader` as read; how many were unread. The caller
    commits."""
    result = db.session.execute(
        update(Message)
        .where(
            Message.recipient_id == reader.id,
            Message.sender_id == sender.id,
            Message.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


class ListedMessage(NamedTuple):
    id: int
    body: str
    timestamp: datetime
    sender_id: int
    read_at: datetime | None


class ListedConversation(NamedTuple):
    """A conversation in the list: the other person, the newest message, unread count."""

    id: int  # the newest message's id: the list's cursor
    other_id: int
    other_username: str
    other_email: str
    body: str
    timestamp: datetime
    sent_by_me: bool
    unread: int


_ME = bindparam("me", type_=Integer)
_OTHER = bindparam("other", type_=Integer)
_CURSOR = bindparam("cursor", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)


def _conversation_statements() -> KeysetStatements:
    # Each conversation's newest message and unread count, grouped by the other person: sent
    # and received messages are read separately, so each half uses its own index.
    sent = select(
        Message.id.label("id"),
        Message.recipient_id.label("other_id"),
        literal_column("0").label("unread"),
    ).where(Message.sender_id == _ME)
    received = select(
        Message.id,
        Message.sender_id,
        case((Message.read_at.is_(None), 1), else_=0),
    ).where(Message.recipient_id == _ME)
    both = union_all(sent, received).subquery("both_ways")
    grouped = select(
        both.c.other_id,
        func.max(both.c.id).label("last_id"),
        func.sum(both.c.unread).label("unread"),
    ).group_by(both.c.other_id)

    def rows(keys: Select[Any], *, newer: bool = False) -> Select[Any]:
        order = keys.c.last_id.asc() if newer else keys.c.last_id.desc()
        return (
            select(
                Message.id,
                User.id,
                User.username,
                User.email,
                Message.body,
                Message.timestamp,
                Message.sender_id == _ME,
                keys.c.unread,
            )
            .join(keys, Message.id == keys.c.last_id)
            .join(User, User.id == keys.c.other_id)
            .order_by(order)
        )

    last_id = func.max(both.c.id)
    by_number = grouped.order_by(last_id.desc()).limit(_LIMIT).offset(_OFFSET).subquery("k")
    older = grouped.having(last_id < _CURSOR).order_by(last_id.desc()).limit(_LIMIT)
    newer = grouped.having(last_id > _CURSOR).order_by(last_id.asc()).limit(_LIMIT)
    return KeysetStatements(
        by_number=rows(by_number),
        older=rows(older.subquery("k")),
        newer=rows(newer.subquery("k"), newer=True),
    )


def _between_statements() -> KeysetStatements:
    between = or_(
        (Message.sender_id == _ME) & (Message.recipient_id == _OTHER),
        (Message.sender_id == _OTHER) & (Message.recipient_id == _ME),
    )
    base = select(
        Message.id, Message.body, Message.timestamp, Message.sender_id, Message.read_at
    ).where(between)
    newest_first = base.order_by(Message.id.desc()).limit(_LIMIT)
    return KeysetStatements(
        by_number=newest_first.offset(_OFFSET),
        older=newest_first.where(Message.id < _CURSOR),
        newer=base.where(Message.id > _CURSOR).order_by(Message.id.asc()).limit(_LIMIT),
    )


_CONVERSATIONS = _conversation_statements()


def _conversation(*row: Any) -> ListedConversation:
    *rest, unread = row
    return ListedConversation(*rest, unread=int(unread))  # MariaDB sums to a Decimal


_BETWEEN = _between_statements()


def conversations_page(
    user: User, *, page: int, per_page: int, before: int | None = None, after: int | None = None
) -> KeysetPage[ListedConversation]:
    """`user`'s conversations, the one with the newest message first, in one query."""
    return keyset_page(
        _CONVERSATIONS,
        {"me": user.id},
        shape=_conversation,
        page=page,
        per_page=per_page,
        before=before,
        after=after,
    )


def messages_page(
    user: User,
    other: User,
    *,
    page: int,
    per_page: int,
    before: int | None = None,
    after: int | None = None,
) -> KeysetPage[ListedMessage]:
    """The messages between `user` and `other`, both ways, newest first, in one query."""
    return keyset_page(
        _BETWEEN,
        {"me": user.id, "other": other.id},
        shape=ListedMessage,
        page=page,
        per_page=per_page,
        before=before,
        after=after,
    )
