"""The page of a list that a pager link asks for (`?page=N`, and `before` or `after`: the
cursor next to which it continues), read the same way by every list of the site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from flask import abort, current_app, request

from microblog.models.limits import is_id


class _Paged(Protocol):
    @property
    def is_empty(self) -> bool: ...


PageT = TypeVar("PageT", bound=_Paged)


def positive_arg(name: str) -> int | None:
    """The query argument `name` as a number from 1 to MAX_ID (larger page numbers and ids
    cannot exist, and would overflow a database integer); anything else is a 404."""
    value = request.args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or not is_id(int(value)):
        abort(404)
    return int(value)


@dataclass(frozen=True)
class PageRequest:
    """The page number and the cursor a pager link asks for."""

    number: int
    before: int | None
    after: int | None

    @property
    def is_first(self) -> bool:
        """The list's first page, as its plain address gives it."""
        return self.number == 1 and self.before is None and self.after is None


def page_request(cursor: Callable[[str], int | None] = positive_arg) -> PageRequest:
    """The page the request asks for; `cursor` reads `before` and `after` (an item's id,
    unless the list continues from something else). Both cursors at once is a 404."""
    number = positive_arg("page") or 1
    before, after = cursor("before"), cursor("after")
    if before is not None and after is not None:
        abort(404)
    return PageRequest(number, before, after)


def requested_page(
    load: Callable[..., PageT],
    asked: PageRequest | None = None,
    *,
    cursor: Callable[[str], int | None] = positive_arg,
) -> PageT:
    """The page the request asks for (or `asked`), loaded by
    `load(page=, per_page=, before=, after=)` with POSTS_PER_PAGE items. A page past the
    last one is a 404; an empty first page is an empty list, not an error."""
    asked = asked or page_request(cursor)
    page = load(
        page=asked.number,
        per_page=current_app.config["POSTS_PER_PAGE"],
        before=asked.before,
        after=asked.after,
    )
    if page.is_empty and not asked.is_first:
        abort(404)
    return page
