"""Newest-first pages that continue from the item last seen (lists of people, messages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Select

from microblog.extensions import db

T = TypeVar("T")


class KeysetStatements(NamedTuple):
    """One list's three statements, with `limit`, `offset` and `cursor` parameters: by page
    number; the items just older than the item `cursor`; the items just newer (oldest
    first)."""

    by_number: Select[Any]
    older: Select[Any]
    newer: Select[Any]


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page, without counting the whole list: one more row than a page holds says there
    is a next page."""

    items: list[T]
    number: int
    per_page: int
    has_next: bool  # older items
    has_prev: bool  # newer items

    @property
    def is_empty(self) -> bool:
        return not self.items


def keyset_page(
    statements: KeysetStatements,
    params: Mapping[str, int],
    *,
    shape: Callable[..., T],
    page: int,
    per_page: int,
    before: object | None = None,
    after: object | None = None,
) -> KeysetPage[T]:
    """Page `page` in one query: the items just older than the item whose key is `before`, or
    newer than `after`, when given and something is there, else the `page`-th page (one more query).
    Nothing repeats or goes missing when the list grows meanwhile."""
    connection = db.session.connection()
    params = {**params, "limit": per_page + 1}
    if before is not None or after is not None:
        newer = before is None
        statement = statements.newer if newer else statements.older
        cursor = after if newer else before
        rows = connection.execute(statement, {**params, "cursor": cursor}).all()
        if rows:
            more = len(rows) > per_page
            kept = rows[:per_page][::-1] if newer else rows[:per_page]
            # The cursor item is on the other side, so there is always a page that way.
            return _page(
                kept, shape, page, per_page, has_next=newer or more, has_prev=not newer or more
            )
    rows = connection.execute(
        statements.by_number, {**params, "offset": (page - 1) * per_page}
    ).all()
    return _page(
        rows[:per_page], shape, page, per_page, has_next=len(rows) > per_page, has_prev=page > 1
    )


def _page(
    rows: Sequence[Any], shape: Callable[..., T], number: int, per_page: int, **more: bool
) -> KeysetPage[T]:
    return KeysetPage(items=[shape(*row) for row in rows], number=number, per_page=per_page, **more)
