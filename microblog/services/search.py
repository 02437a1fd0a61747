"""Full-text search of posts, in the database the site already runs on.

The tutorial's idea of an index with add, remove and query, behind one small interface
(`SearchIndex`), so another engine could be one more class. Each database keeps its own index
exact, in the same transaction as the post:

- SQLite: an FTS5 table with the post table as external content, kept by triggers;
- PostgreSQL: a generated `tsvector` column (stemmed by the post's language, plus every word
  as written) with a GIN index, queried with `websearch_to_tsquery`;
- MariaDB / MySQL: an InnoDB FULLTEXT index, queried in boolean mode.

So adding and removing happen in the database itself; `reindex()` rebuilds after imports.
Queries are read by one forgiving parser (words, "quoted phrases", -excluded words, #tags):
nothing a visitor types can be a syntax error in any of the three.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from sqlalchemy import (
    DDL,
    ColumnElement,
    Connection,
    Float,
    Select,
    and_,
    bindparam,
    column,
    event,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.engine import Engine

from microblog.extensions import db
from microblog.models.pagination import (
    POST_ROW_COLUMNS,
    CountedPage,
    PostRow,
    post_rows,
)
from microblog.models.post import Post
from microblog.models.user import User

Order = Literal["newest", "relevance"]
QUERY_MAX_LENGTH = 200  # characters of a query that are read; the rest is ignored
TERMS_MAX = 12
# Matches counted for "N results": past this, "more than N" (counting every match of a word
# that half the posts contain would cost more than the page itself).
COUNT_MAX = 1000

_QUOTED = re.compile(r'"([^"]*)"?')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked for, as the indexes understand it."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    text: str = ""  # the query as typed (trimmed), for PostgreSQL's own parser

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no word, phrase or tag that a post must contain."""
        return not (self.words or self.phrases or self.tags)

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """The words whose occurrences a result page marks."""
        return (*self.words, *(w for phrase in self.phrases for w in phrase), *self.tags)


def parse_query(raw: str) -> SearchQuery:
    """Read a query: words, "quoted phrases", -word to exclude, #tag; anything else (operators,
    brackets, control characters) is a separator."""
    cleaned = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in raw[:QUERY_MAX_LENGTH]
    ).strip()
    phrases = []
    for match in _QUOTED.finditer(cleaned):
        words = tuple(w.lower() for w in _WORD.findall(match.group(1)))
        if words:
            phrases.append(words)
    rest = _QUOTED.sub(" ", cleaned)
    words, excluded, tags = [], [], []
    for token in rest.split():
        found = [w.lower() for w in _WORD.findall(token)]
        if not found:
            continue
        if token.startswith("-") and len(token) > 1:
            excluded.extend(found)
        elif token.startswith("#") and len(found) == 1:
            tags.append(found[0])
        else:
            words.extend(found)
    single = [p[0] for p in phrases if len(p) == 1]
    return SearchQuery(
        words=_unique(words + single)[:TERMS_MAX],
        phrases=tuple(p for p in _unique(phrases) if len(p) > 1)[:TERMS_MAX],
        excluded=_unique(excluded)[:TERMS_MAX],
        tags=_unique(tags)[:TERMS_MAX],
        text=cleaned,
    )


def _unique(items: list[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class PostHits:
    """One page of matching posts (with their authors), newest or best first."""

    items: list[PostRow]
    number: int
    per_page: int
    has_next: bool
    query: SearchQuery = field(default_factory=SearchQuery)
    has_prev: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def ids(self) -> list[int]:
        return [post.id for post in self.items]


class SearchIndex:
    """What every engine does: build its index, rebuild it, and match posts."""

    dialects: ClassVar[tuple[str, ...]] = ()
    create: ClassVar[tuple[str, ...]] = ()  # DDL run after the post table is created
    drop: ClassVar[tuple[str, ...]] = ()  # DDL run before it is dropped
    # Names of the index's own tables, columns and indexes (not in the models).
    names: ClassVar[tuple[str, ...]] = ()

    def reindex(self, connection: Connection) -> None:
        raise NotImplementedError

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        """`statement` (on Post) narrowed to the posts matching the words of `query`; `few`:
        the caller knows that few posts match (it counted them)."""
        raise NotImplementedError

    def best_first(self, query: SearchQuery) -> list[Any]:
        """ORDER BY clauses putting the best matches first (after `filter`), in an order that
        is the same every time (pages by number rely on it)."""
        raise NotImplementedError

    @property
    def post_id(self) -> ColumnElement[int]:
        """The post's id as the index's matches give it: newest first is by id (see
        matching_posts), in the order the index can deliver without sorting them all."""
        return Post.id

    def tag_conditions(self, query: SearchQuery) -> list[ColumnElement[bool]]:
        """What a post must also hold for the query's #tags: the index finds the word, the
        post must carry it as a hashtag. LIKE first: it leaves the regular expression few
        rows to read."""
        return [
            condition
            for tag in query.tags
            for condition in (
                func.lower(Post.body).like(f"%#{_like_escape(tag)}%", escape="\\"),
                self.has_tag(tag),
            )
        ]

    def has_tag(self, tag: str) -> ColumnElement[bool]:
        """Posts that carry `tag` (letters and digits, lower case) as a hashtag: "#garden", not
        "#gardening" (which the index's stemmer finds for "garden")."""
        # POSIX classes, as PostgreSQL's, MySQL's (ICU) and MariaDB's (PCRE) regexps read them;
        # what a post's text links as a tag (templates.post_text) reads the same.
        pattern = f"(^|[^[:alnum:]_&#/])#{tag}([^[:alnum:]_]|$)"
        return Post.body.regexp_match(pattern, flags="i")


_fts = table("post_fts", column("rowid"), column("rank"))


class SQLiteIndex(SearchIndex):
    dialects = ("sqlite",)
    create = (
        "CREATE VIRTUAL TABLE post_fts USING fts5(body, content='post', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
        "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
        "CREATE TRIGGER post_fts_update AFTER UPDATE OF body ON post BEGIN "
        "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); "
        "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    )
    drop = ("DROP TABLE IF EXISTS post_fts",)
    names = ("post_fts", "post_fts_data", "post_fts_idx", "post_fts_docsize", "post_fts_config")

    def reindex(self, connection: Connection) -> None:
        connection.execute(text("INSERT INTO post_fts(post_fts) VALUES ('rebuild')"))

    @staticmethod
    def match_expression(query: SearchQuery) -> str:
        """FTS5's query syntax, every term a quoted string (so no character is an operator)."""

        def quoted(words: tuple[str, ...]) -> str:
            return '"' + " ".join(words).replace('"', '""') + '"'

        positive = [quoted((w,)) for w in (*query.words, *query.tags)]
        positive += [quoted(phrase) for phrase in query.phrases]
        expression = " AND ".join(positive)
        for word in query.excluded:
            expression = f"({expression}) NOT {quoted((word,))}"
        return expression

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        match = literal_column("post_fts").op("MATCH")(
            bindparam("fts_query", self.match_expression(query))
        )
        return statement.join(_fts, _fts.c.rowid == Post.id).where(
            match, *self.tag_conditions(query)
        )

    def best_first(self, query: SearchQuery) -> list[Any]:
        # FTS5's rank is bm25(): lower is better. Alone, so that FTS5 orders its matches
        # itself (a second key would sort them all again: 15 ms, not 8, for 6,000 matches);
        # among equal ranks its order is the rowid's.
        return [_fts.c.rank.asc()]

    @property
    def post_id(self) -> ColumnElement[int]:
        # FTS5 walks its matches in rowid order and stops at the LIMIT; ordering by post.id
        # instead would sort every match (10 ms, not 0.2, for a word in 6% of 100,000 posts).
        return _fts.c.rowid

    def has_tag(self, tag: str) -> ColumnElement[bool]:
        # SQLAlchemy gives SQLite connections a REGEXP function: Python's regular expressions
        # (to which it passes no flags: they are written in the pattern).
        return Post.body.regexp_match(rf"(?i)(?<![\w&#/])#{re.escape(tag)}(?!\w)")


# PostgreSQL's own stemmers, by the language codes posts carry.
PG_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}
_PG_CASE = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in PG_CONFIGS.items())
_search_vector = literal_column("post.search_vector")


class PostgreSQLIndex(SearchIndex):
    dialects = ("postgresql",)
    create = (
        # Stemmed by the post's language (English when it is not known, as the site's default),
        # plus every word as written, so a query in any language finds its exact words.
        "ALTER TABLE post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"to_tsvector(CASE split_part(language, '-', 1) {_PG_CASE} ELSE 'english'::regconfig END, "
        "body) || to_tsvector('simple'::regconfig, body)) STORED",
        "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
    )
    names = ("search_vector", "ix_post_search_vector")
    # A query is read by each stemmer the site's readers are likely to write in, and as written.
    QUERY_CONFIGS = ("simple", "english", "spanish", "german")

    def reindex(self, connection: Connection) -> None:
        # The column is computed from the row; rewriting the rows recomputes it.
        connection.execute(text("UPDATE post SET body = body"))

    def _tsquery(self, query: SearchQuery) -> ColumnElement[Any]:
        parts = [
            func.websearch_to_tsquery(literal_column(f"'{config}'::regconfig"), query.text)
            for config in self.QUERY_CONFIGS
        ]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined.op("||")(part)
        return combined

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        matches = and_(_search_vector.op("@@")(self._tsquery(query)), *self.tag_conditions(query))
        if not few:
            return statement.where(matches)
        # The planner cannot tell a rare word from a common one (a query is read by four
        # configurations, which multiplies its guess) and walks the posts newest first,
        # checking each: fast for a common word, the whole table for a rare one (33 ms for a
        # word of no post, at 100,000 posts). When few match, read them from the GIN index
        # first (a materialized CTE keeps the planner from undoing that).
        found = (
            select(Post.id.label("id")).where(matches).cte("matches").prefix_with("MATERIALIZED")
        )
        return statement.join(found, found.c.id == Post.id)

    def best_first(self, query: SearchQuery) -> list[Any]:
        return [
            func.ts_rank(_search_vector, self._tsquery(query), type_=Float).desc(),
            Post.id.desc(),
        ]


class MySQLIndex(SearchIndex):
    dialects = ("mysql", "mariadb")
    create = ("ALTER TABLE post ADD FULLTEXT INDEX ix_post_body_fulltext (body)",)
    names = ("ix_post_body_fulltext",)

    def reindex(self, connection: Connection) -> None:
        connection.execute(text("OPTIMIZE TABLE post"))

    @staticmethod
    def boolean_query(query: SearchQuery) -> str:
        """InnoDB's boolean mode: +word must be there, -word must not, "a phrase"."""
        parts = [f"+{word}" for word in (*query.words, *query.tags)]
        parts += ['+"' + " ".join(phrase) + '"' for phrase in query.phrases]
        parts += [f"-{word}" for word in query.excluded]
        return " ".join(parts)

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        return statement.where(
            text("MATCH (post.body) AGAINST (:fulltext_where IN BOOLEAN MODE)").bindparams(
                fulltext_where=self.boolean_query(query)
            ),
            *self.tag_conditions(query),
        )

    def best_first(self, query: SearchQuery) -> list[Any]:
        return [
            text("MATCH (post.body) AGAINST (:fulltext_rank IN BOOLEAN MODE) DESC").bindparams(
                fulltext_rank=self.boolean_query(query)
            ),
            Post.id.desc(),
        ]


INDEXES: tuple[type[SearchIndex], ...] = (SQLiteIndex, PostgreSQLIndex, MySQLIndex)
INDEX_NAMES = frozenset(name for index in INDEXES for name in index.names)


def index_for(dialect: str) -> SearchIndex:
    for index in INDEXES:
        if dialect in index.dialects:
            return index()
    raise LookupError(f"no full-text index for the {dialect} database")


def include_in_migrations(name: str | None, _type: str, _parents: object) -> bool:
    """Alembic's `include_name`: the search index's own tables, columns and indexes are made
    by their migration and DDL here, not by the models, so comparisons leave them out."""
    return name not in INDEX_NAMES


def _install_ddl() -> None:
    table = Post.__table__
    for index in INDEXES:
        for dialect in index.dialects:
            for statement in index.create:
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
            for statement in index.drop:
                event.listen(table, "before_drop", DDL(statement).execute_if(dialect=dialect))


_install_ddl()


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_posts(
    query: SearchQuery, *, order: Order = "newest", few: bool = False
) -> Select[Any]:
    """The posts matching `query` with their authors (POST_ROW_COLUMNS), newest or best first
    (`query` must not be empty); `few`: no more than COUNT_MAX match (count_matches said)."""
    index = index_for(db.engine.dialect.name)
    statement = index.filter(
        select(*POST_ROW_COLUMNS).join(User, User.id == Post.user_id), query, few=few
    )
    if order == "relevance":
        return statement.order_by(*index.best_first(query))
    # Newest first by id, not by timestamp: posts get their ids in the order they are
    # published (and imports keep that order), and the index can give its matches by id
    # without reading and sorting every one of them.
    return statement.order_by(index.post_id.desc())


def search_posts(
    raw: str,
    *,
    order: Order = "newest",
    page: int = 1,
    per_page: int = 25,
    before: int | None = None,
    after: int | None = None,
    few: bool = False,
) -> PostHits:
    """Page `page` of the posts matching `raw`, newest or best first, in one query. Newest
    first, a page may continue next to a post, as the timelines do: just older than post
    `before` or just newer than post `after` (nothing repeats or goes missing when people post
    meanwhile, and a deep page costs what the first does); when nothing is there, or best
    first, the page number decides. `few`: no more than COUNT_MAX posts match (as
    count_matches() said), which helps some databases choose how to find them."""
    query = parse_query(raw)
    if query.is_empty:
        return PostHits([], page, per_page, False, query)
    statement = matching_posts(query, order=order, few=few)
    if order == "newest" and (before is not None or after is not None):
        newer = before is None
        post_id = index_for(db.engine.dialect.name).post_id
        if newer:
            statement = statement.where(post_id > after).order_by(None).order_by(post_id.asc())
        else:
            statement = statement.where(post_id < before)
        rows = post_rows(statement.limit(per_page + 1))
        if rows:
            more = len(rows) > per_page
            kept = rows[:per_page][::-1] if newer else rows[:per_page]
            # The cursor post is on the other side, so there is always a page that way.
            return PostHits(kept, page, per_page, newer or more, query, not newer or more)
        statement = matching_posts(query, order=order, few=few)
    rows = post_rows(statement.limit(per_page + 1).offset((page - 1) * per_page))
    return PostHits(rows[:per_page], page, per_page, len(rows) > per_page, query, page > 1)


def count_matches(query: SearchQuery, *, limit: int = COUNT_MAX) -> int:
    """How many posts match `query`, counting no further than `limit` + 1 (one query)."""
    if query.is_empty:
        return 0
    index = index_for(db.engine.dialect.name)
    statement = index.filter(select(Post.id), query)
    capped = statement.limit(limit + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(capped)) or 0


def search_posts_counted(
    query: SearchQuery, *, order: Order = "newest", page: int = 1, per_page: int = 25
) -> CountedPage[PostRow]:
    """Page `page` of the posts matching `query`, and how many match in all (two queries)."""
    statement = matching_posts(query, order=order)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = post_rows(statement.limit(per_page).offset((page - 1) * per_page))
    return CountedPage(items=rows, number=page, per_page=per_page, total_items=total or 0)


def search_users(raw: str, *, limit: int = 5) -> list[User]:
    """People whose username starts with one of the query's words (or is it)."""
    query = parse_query(raw)
    names = [*query.words, *query.tags][:3]
    if not names:
        return []
    conditions = [
        func.lower(User.username).like(f"{_like_escape(name)}%", escape="\\") for name in names
    ]
    return list(
        db.session.scalars(
            select(User).where(or_(*conditions)).order_by(User.username).limit(limit)
        )
    )


def reindex(engine: Engine | None = None) -> None:
    """Rebuild the index from the posts (after a bulk import)."""
    engine = engine or db.engine
    with engine.begin() as connection:
        index_for(engine.dialect.name).reindex(connection)


__all__ = [
    "COUNT_MAX",
    "PostHits",
    "SearchIndex",
    "SearchQuery",
    "count_matches",
    "include_in_migrations",
    "matching_posts",
    "parse_query",
    "reindex",
    "search_posts",
    "search_posts_counted",
    "search_users",
]
