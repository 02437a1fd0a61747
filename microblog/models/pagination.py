"""Pages of a list that also say how long the whole list is (the API's `_meta` needs it)."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from microblog.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class CountedPage(Generic[T]):
    """One page of a list, with the size of the whole list."""

    items: list[T]
    number: int
    per_page: int
    total_items: int

    @property
    def total_pages(self) -> int:
        return ceil(self.total_items / self.per_page)

    @property
    def has_next(self) -> bool:
        return self.number < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def paginate_counted(query: Select[tuple[T]], *, page: int, per_page: int) -> CountedPage[T]:
    """Load page `page` (1-based) of `query` and count the whole list: two queries, where
    `paginate()` needs one. A page past the end is empty, not an error."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return CountedPage(items=list(rows), number=page, per_page=per_page, total_items=total or 0)
