"""Who follows whom and who blocks whom: the two tables that link users to users."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Insert

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow


def _user_to_user(name: str, from_id: str, to_id: str, *indexes: Index) -> Table:
    """A table of (user, user) pairs with the time each began; a row goes with either user."""
    return Table(
        name,
        db.metadata,
        Column(from_id, Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
        # The primary key serves "whom does X follow/block"; this index serves the other way.
        Column(
            to_id,
            Integer,
            ForeignKey("user.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
        Column("created", UTCDateTime(), nullable=False, default=utcnow),
        *indexes,
    )


# Who follows whom, since when: lists of people show the newest first, /activity shows them.
followers = _user_to_user(
    "followers",
    "follower_id",
    "followed_id",
    Index("ix_followers_followed_id_created", "followed_id", "created"),
    Index("ix_followers_follower_id_created", "follower_id", "created"),
)

# Who blocks whom: a blocked user cannot follow or message the one who blocked them.
blocks = _user_to_user("blocks", "blocker_id", "blocked_id")


def insert_unless_present(table: Table, row: dict[str, object]) -> Insert:
    """INSERT that does nothing when the row's key already exists, in each database's words.
    (Ask with RETURNING whether it inserted: rowcount is -1 on PostgreSQL.)"""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).values(row).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(row).on_conflict_do_nothing()
    return insert(table).values(row).prefix_with("IGNORE")  # MySQL and MariaDB
