"""Lists of posts a page at a time, as plain rows: keyset pages for the site, counted pages
for the API (and counted pages of any ORM query, for the API's lists of users)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select

from microblog.extensions import db
from microblog.models.post import Post, in_timeline_of
from microblog.models.rows import AuthorRow, PostRow
from microblog.models.user import User

T = TypeVar("T")


# What a statement selects to be read as PostRows (see post_rows()).
POST_ROW_COLUMNS = (
    Post.id,
    Post.body,
    Post.timestamp,
    Post.language,
    Post.edited_at,
    User.id,
    User.username,
    User.email,
    User.avatar,
)


@dataclass(frozen=True)
class Page:
    """One page of a newest-first list of posts, without counting the whole list: there are
    older posts when one more row than a page holds came back."""

    items: list[PostRow]
    number: int
    per_page: int
    has_next: bool  # older posts
    has_prev: bool  # newer posts

    @property
    def is_empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class CountedPage(Generic[T]):
    """One page of a list, with the size of the whole list (the API's `_meta` needs it)."""

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


NEWEST_FIRST = (Post.timestamp.desc(), Post.id.desc())
OLDEST_FIRST = (Post.timestamp.asc(), Post.id.asc())

_USER_ID = bindparam("user_id", type_=Integer)
_LIMIT = bindparam("limit", type_=Integer)
_OFFSET = bindparam("offset", type_=Integer)
_CURSOR = bindparam("cursor", type_=Integer)

# The post a page starts after or before ("cursor"), looked up in the same statement.
_cursor_post = Post.__table__.alias("cursor_post")
_CURSOR_TIME = (
    select(_cursor_post.c.timestamp).where(_cursor_post.c.id == _CURSOR).scalar_subquery()
)
# Strictly older / newer than the cursor in (timestamp, id) order. The first condition is a
# plain range on the timestamp that every database can read from the indexes; the second
# settles posts made in the same microsecond.
OLDER_THAN_CURSOR = (Post.timestamp <= _CURSOR_TIME) & (
    (Post.timestamp < _CURSOR_TIME) | (Post.id < _CURSOR)
)
NEWER_THAN_CURSOR = (Post.timestamp >= _CURSOR_TIME) & (
    (Post.timestamp > _CURSOR_TIME) | (Post.id > _CURSOR)
)


def _page_rows(
    where: ColumnElement[bool] | None, *, cursor: ColumnElement[bool] | None = None, newer=False
) -> Select[Any]:
    """The rows of one page of the posts matching `where`, with their authors: by number
    (LIMIT/OFFSET), or next to a cursor post (`cursor`: OLDER_THAN_CURSOR or
    NEWER_THAN_CURSOR, oldest first when `newer`).

    A deferred join: the subquery pages through post ids only, which the (…, timestamp, id)
    indexes answer without reading the table; only the rows of this page are then read, with
    their authors. Next to a cursor no rows are skipped at all, so page 90 costs what page 1
    does; by number, the rows of earlier pages are skipped in the index.
    """
    order = OLDEST_FIRST if newer else NEWEST_FIRST
    keys = select(Post.id).order_by(*order).limit(_LIMIT)
    keys = keys.where(cursor) if cursor is not None else keys.offset(_OFFSET)
    if where is not None:
        keys = keys.where(where)
    keys = keys.subquery("page_keys")
    return (
        select(*POST_ROW_COLUMNS)
        .join(keys, Post.id == keys.c.id)
        .join(User, User.id == Post.user_id)
        .order_by(*order)
    )


class _Statements(NamedTuple):
    by_number: Select[Any]
    older: Select[Any]
    newer: Select[Any]
    count: Select[Any]


def _statements(where: ColumnElement[bool] | None) -> _Statements:
    count = select(func.count()).select_from(Post)
    return _Statements(
        by_number=_page_rows(where),
        older=_page_rows(where, cursor=OLDER_THAN_CURSOR),
        newer=_page_rows(where, cursor=NEWER_THAN_CURSOR, newer=True),
        count=count if where is None else count.where(where),
    )


@dataclass(frozen=True)
class PostList:
    """A newest-first list of posts, shown a page at a time by the site and by the API. Its
    statements are built once per kind of list, with the user as a parameter: building and
    keying a statement of this size costs SQLAlchemy more than running it."""

    statements: _Statements
    params: dict[str, int]

    @classmethod
    def explore(cls) -> PostList:
        """Everyone's posts."""
        return cls(_EXPLORE, {})

    @classmethod
    def by_author(cls, user: User) -> PostList:
        """One user's posts."""
        return cls(_BY_AUTHOR, {"user_id": user.id})

    @classmethod
    def timeline_for(cls, user: User) -> PostList:
        """The home timeline: the user's own posts and those of everyone they follow."""
        return cls(_TIMELINE, {"user_id": user.id})


_EXPLORE = _statements(None)
_BY_AUTHOR = _statements(Post.user_id == _USER_ID)
_TIMELINE = _statements(in_timeline_of(_USER_ID))


def paginate(
    posts: PostList,
    *,
    page: int,
    per_page: int,
    before: int | None = None,
    after: int | None = None,
) -> Page:
    """Page `page` (1-based) of `posts`, with their authors, in one query: the posts just
    older than post `before`, or just newer than post `after`, or else the `page`-th page.

    The page of an older/newer link stays in place when someone posts meanwhile (nothing is
    shown twice or skipped), and is as cheap deep in the list as at its top. When nothing is
    next to the cursor (its post is gone, or the URL was made by hand), the page number
    decides (one more query).
    """
    params = {**posts.params, "limit": per_page + 1}
    if before is not None or after is not None:
        newer = before is None
        statement = posts.statements.newer if newer else posts.statements.older
        rows = post_rows(statement, {**params, "cursor": after if newer else before})
        if rows:
            more = len(rows) > per_page
            kept = rows[:per_page][::-1] if newer else rows[:per_page]  # newest first
            # The cursor post is on the other side, so there is always a page that way.
            return Page(kept, page, per_page, has_next=newer or more, has_prev=not newer or more)
    rows = post_rows(posts.statements.by_number, {**params, "offset": (page - 1) * per_page})
    more = len(rows) > per_page
    return Page(rows[:per_page], page, per_page, has_next=more, has_prev=page > 1)


def paginate_counted_posts(posts: PostList, *, page: int, per_page: int) -> CountedPage[PostRow]:
    """Page `page` (1-based) of `posts` and the length of the whole list: two queries. A page
    past the end is empty, not an error."""
    total = db.session.execute(posts.statements.count, posts.params).scalar_one()
    params = {**posts.params, "limit": per_page, "offset": (page - 1) * per_page}
    rows = post_rows(posts.statements.by_number, params)
    return CountedPage(items=rows, number=page, per_page=per_page, total_items=total)


def paginate_counted(query: Select[tuple[T]], *, page: int, per_page: int) -> CountedPage[T]:
    """Load page `page` (1-based) of an ORM `query` and count the whole list: two queries.
    A page past the end is empty, not an error."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return CountedPage(items=list(rows), number=page, per_page=per_page, total_items=total or 0)


_ONE_POST = (
    select(*POST_ROW_COLUMNS)
    .join(User, User.id == Post.user_id)
    .where(Post.id == bindparam("post_id", type_=Integer))
)


def post_row(post_id: int) -> PostRow | None:
    """One post with its author, in one query; None when there is no such post."""
    rows = post_rows(_ONE_POST, {"post_id": post_id})
    return rows[0] if rows else None


def post_rows(statement: Select[Any], params: dict[str, Any] | None = None) -> list[PostRow]:
    """The PostRows of a statement selecting POST_ROW_COLUMNS."""
    result: Sequence[Row[Any]] = db.session.execute(statement, params or {}).all()
    return as_post_rows(result)


def as_post_rows(rows: Sequence[Sequence[Any]]) -> list[PostRow]:
    """Rows of the POST_ROW_COLUMNS (in that order) as PostRows."""
    return [
        PostRow(post_id, body, timestamp, language, AuthorRow(*author), edited_at)
        for post_id, body, timestamp, language, edited_at, *author in rows
    ]
