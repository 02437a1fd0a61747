"""Deleting an account with everything that is the user's: every row that refers to the user,
and every row that refers to those (a post's translations), found from the schema's foreign
keys, so that a table added later is covered without a change here."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, delete, or_, select

from microblog.extensions import db
from microblog.models.user import User


def _delete_with_dependents(table: Table, condition: ColumnElement[bool], seen: set[str]) -> None:
    """DELETE the rows of `table` that match `condition`, after the rows of other tables
    that point at them. The databases would cascade too (every foreign key to a user says
    ON DELETE CASCADE), but SQLite enforces foreign keys only when asked per connection, so
    the deletes are spelled out and work the same on all three."""
    for other in db.metadata.sorted_tables:
        if other.name in seen:
            continue
        keys = [fk for fk in other.foreign_keys if fk.column.table is table]
        if not keys:
            continue
        pointing = or_(*(fk.parent.in_(select(fk.column).where(condition)) for fk in keys))
        _delete_with_dependents(other, pointing, seen | {other.name})
    db.session.execute(delete(table).where(condition))


def delete_account(user: User) -> None:
    """Delete `user` and all that is theirs: posts (and their translations), messages sent
    and received, follows and blocks both ways, API tokens, tasks. The username and email
    address are free afterwards. The caller commits."""
    users: Table = User.__table__  # type: ignore[assignment]
    _delete_with_dependents(users, users.c.id == user.id, {users.name})
    db.session.expunge(user)
