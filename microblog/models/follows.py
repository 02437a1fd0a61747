"""Who follows whom and who blocks whom: the two tables that link users to users."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Insert

from microblog.extensions import db
from microblog.models.types import UTCDateTime, utcnow

followers = Table(
    "followers",
    db.metadata,
    Column("follower_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "whom does X follow"; this index serves "who follows X".
    Column(
        "followed_id",
        Integer,
        ForeignKey("user.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    # When the follow began: lists of people show the newest first, /activity shows them.
    Column("created", UTCDateTime(), nullable=False, default=utcnow),
    Index("ix_followers_followed_id_created", "followed_id", "created"),
    Index("ix_followers_follower_id_created", "follower_id", "created"),
)

# Who blocks whom: a blocked user cannot follow or message the one who blocked them.
blocks = Table(
    "blocks",
    db.metadata,
    Column("blocker_id", Integer, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    # The primary key serves "whom did X block"; this index serves "who blocked X".
    Column(
        "blocked_id",
        Integer,
        ForeignKey("user.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    Column("created", UTCDateTime(), nullable=False, default=utcnow),
)


def insert_unless_present(table: Table, row: dict[str, object]) -> Insert:
    """INSERT that does nothing when the row's key already exists, in each database's words.
    (Ask with RETURNING whether it inserted: rowcount is -1 on PostgreSQL.)"""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).values(row).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(row).on_conflict_do_nothing()
    return insert(table).values(row).prefix_with("IGNORE")  # MySQL and MariaDB
