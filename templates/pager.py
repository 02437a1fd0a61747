"""Newer / older links for a list that is not a list of posts (people, messages)."""

from __future__ import annotations

from typing import Protocol

from flask_babel import gettext as _
from htpy import Node, a, nav, span

from templates.hx import hx_link


class KeyedItem(Protocol):
    id: int


class ListPage(Protocol):
    items: list
    number: int
    has_next: bool
    has_prev: bool


class PageURL(Protocol):
    """The URL of page `number`; `before` / `after` (an item's id) continue next to it."""

    def __call__(self, number: int, *, before: int = ..., after: int = ...) -> str: ...


def list_pager(
    *, page: ListPage, url_for_page: PageURL, target: str, newer: str, older: str
) -> Node:
    """Links to the newer / older page that work as plain links and, with htmx, replace
    `target` (the list with its heading and pager); they continue next to the first / last
    item shown, so nothing repeats or goes missing when the list grows meanwhile."""
    if not page.has_prev and not page.has_next:
        return None
    newer_link = older_link = None
    if page.has_prev:
        url = (
            url_for_page(1)
            if page.number <= 2
            else url_for_page(page.number - 1, after=page.items[0].id)
        )
        newer_link = a(rel="prev", **hx_link(url, target=target))[newer]
    if page.has_next:
        url = url_for_page(page.number + 1, before=page.items[-1].id)
        older_link = a(rel="next", **hx_link(url, target=target))[older]
    # TRANSLATORS: the name screen readers give the newer / older navigation of a list.
    return nav(class_="pager", aria_label=_("Pages"))[
        span(class_="pager-prev")[newer_link],
        span(class_="pager-current")[_("Page %(number)d", number=page.number)],
        span(class_="pager-next")[older_link],
    ]
