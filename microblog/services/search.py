"""Full-text search of posts, in the database the site already runs on.

The tutorial's idea of an index with add, remove and query, behind one small interface
(`SearchIndex`), so another engine could be one more class. Each database keeps its own index
exact, in the same transaction as the post:

- SQLite: an FTS5 table with the post table as external content, kept by triggers;
- PostgreSQL: a generated `tsvector` column (stemmed by the post's language, plus every word
  as written) with a GIN index, queried word by word in each configuration;
- MariaDB / MySQL: an InnoDB FULLTEXT index, queried in boolean mode.

A post's #tags are terms of their own: the post's `tags` column ("#garden #tomatoes", set
with the body by the model) is indexed beside the text (a second FTS5 table without stemming;
`#tag` lexemes in the same tsvector; a FULLTEXT index of its own), so "#garden" is one lookup
in the index and never finds "#gardening" or a plain "garden".

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
    BindParameter,
    ColumnElement,
    Connection,
    Float,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    event,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from microblog.extensions import db
from microblog.models.pagination import (
    POST_ROW_COLUMNS,
    CountedPage,
    PostRow,
    as_post_rows,
    post_rows,
)
from microblog.models.post import Post, tags_of
from microblog.models.user import User

Order = Literal["newest", "relevance"]
QUERY_MAX_LENGTH = 200  # characters of a query that are read; the rest is ignored
TERMS_MAX = 12
# Matches counted for "N results": past this, "more than N". Finding the 101st match of two
# words that 0.6% of the posts share reads ~17,000 posts (5 ms at 1,000,000 posts on
# PostgreSQL); the 1,001st, ten times that: more than the page itself, for a number no reader
# pages through (see bench/README.md, Search).
COUNT_MAX = 100
# Best first ranks the newest this many matches (of a word in 7% of 1,000,000 posts, ranking
# all 74,000 took 280 ms; the newest thousand, a few): the best of what is being said now,
# 40 pages of it. Fewer matches than this are all ranked.
RANKED_MAX = 1000

_QUOTED = re.compile(r'"([^"]*)"?')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchQuery:
    """What a visitor asked for, as the indexes understand it."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    text: str = ""  # the query as typed (trimmed), to show

    @property
    def has_words(self) -> bool:
        """Words or phrases that the text of a post must contain (not only #tags)."""
        return bool(self.words or self.phrases)

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
        elif _is_tag(token, found):
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


def _is_tag(token: str, words: list[str]) -> bool:
    """#garden is a tag; #2024 is a number (as a post's text shows it), #a-b two words."""
    return token.startswith("#") and len(words) == 1 and not words[0].isdigit()


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

    def count(self, query: SearchQuery, limit: int) -> Select[Any]:
        """One statement giving (how many posts match `query`, no further than `limit` + 1;
        whether `filter(few=True)` suits the page)."""
        capped = self.filter(select(Post.id), query).limit(limit + 1).subquery()
        n = func.count()
        return select(n, n <= limit).select_from(capped)

    def first_page(
        self, query: SearchQuery, *, per_page: int, limit: int
    ) -> tuple[Select[Any], dict[str, Any]] | None:
        """One statement (and its parameters) giving the newest `per_page` + 1 matches with
        their authors and how many match (no further than `limit` + 1): a `matched` column,
        then POST_ROW_COLUMNS. None where the engine does better counting first, then reading
        the page."""
        return None

    def score(self, query: SearchQuery) -> ColumnElement[float]:
        """How well a post matches `query` (after `filter`): higher is better."""
        raise NotImplementedError

    def ranked(self, query: SearchQuery, limit: int) -> Select[Any]:
        """The newest `limit` matches of `query`, as (id, score)."""
        return (
            self.filter(select(Post.id.label("id"), self.score(query).label("score")), query)
            .order_by(self.post_id(query).desc())
            .limit(limit)
        )

    def post_id(self, query: SearchQuery) -> ColumnElement[int]:
        """The post's id as the index's matches for `query` give it: newest first is by id
        (see matching_posts), in the order the index can deliver without sorting them all."""
        return Post.id


def refresh_tags(connection: Connection, *, batch: int = 5000) -> int:
    """Set every post's `tags` from its body again (after posts were written behind the
    model's back), a batch at a time; returns how many changed."""
    posts = Post.__table__
    change = (
        update(posts).where(posts.c.id == bindparam("post_id")).values(tags=bindparam("new_tags"))
    )
    changed, last = 0, 0
    while rows := connection.execute(
        select(posts.c.id, posts.c.body, posts.c.tags)
        .where(posts.c.id > last)
        .order_by(posts.c.id)
        .limit(batch)
    ).all():
        stale = [
            {"post_id": row.id, "new_tags": new}
            for row in rows
            if (new := tags_of(row.body)) != row.tags
        ]
        if stale:
            connection.execute(change, stale)
        changed += len(stale)
        last = rows[-1].id
    return changed


def _match(fts_table: str, name: str, expression: str) -> ColumnElement[bool]:
    return literal_column(fts_table).op("MATCH")(bindparam(name, expression))


_fts = table("post_fts", column("rowid"), column("rank"))
_tag_fts = table("post_tag_fts", column("rowid"), column("rank"))


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
        # Tags in a table of their own, unstemmed: "#gardening" is not "#garden".
        "CREATE VIRTUAL TABLE post_tag_fts USING fts5(tags, content='post', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        "CREATE TRIGGER post_tag_fts_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_tag_fts(rowid, tags) VALUES (new.id, new.tags); END",
        "CREATE TRIGGER post_tag_fts_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_tag_fts(post_tag_fts, rowid, tags) VALUES ('delete', old.id, old.tags); "
        "END",
        "CREATE TRIGGER post_tag_fts_update AFTER UPDATE OF tags ON post BEGIN "
        "INSERT INTO post_tag_fts(post_tag_fts, rowid, tags) VALUES ('delete', old.id, old.tags); "
        "INSERT INTO post_tag_fts(rowid, tags) VALUES (new.id, new.tags); END",
    )
    drop = ("DROP TABLE IF EXISTS post_fts", "DROP TABLE IF EXISTS post_tag_fts")
    names = tuple(
        f"{fts}{suffix}"
        for fts in ("post_fts", "post_tag_fts")
        for suffix in ("", "_data", "_idx", "_docsize", "_config")
    )

    def reindex(self, connection: Connection) -> None:
        connection.execute(text("INSERT INTO post_fts(post_fts) VALUES ('rebuild')"))
        connection.execute(text("INSERT INTO post_tag_fts(post_tag_fts) VALUES ('rebuild')"))

    @staticmethod
    def _quoted(words: tuple[str, ...]) -> str:
        """A term of FTS5's query syntax as a quoted string (so no character is an operator)."""
        return '"' + " ".join(words).replace('"', '""') + '"'

    @classmethod
    def match_expression(cls, query: SearchQuery) -> str:
        """The words and phrases of `query`, less its excluded words, in FTS5's syntax."""
        positive = [cls._quoted((w,)) for w in query.words]
        positive += [cls._quoted(phrase) for phrase in query.phrases]
        expression = " AND ".join(positive)
        for word in query.excluded:
            expression = f"({expression}) NOT {cls._quoted((word,))}"
        return expression

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        tags = " AND ".join(self._quoted((tag,)) for tag in query.tags)
        if query.has_words:
            statement = statement.join(_fts, _fts.c.rowid == Post.id).where(
                _match("post_fts", "fts_query", self.match_expression(query))
            )
            if tags:
                tagged = select(_tag_fts.c.rowid).where(_match("post_tag_fts", "fts_tags", tags))
                statement = statement.where(Post.id.in_(tagged))
            return statement
        # Only tags: their index finds the posts, in rowid order as the text's would.
        statement = statement.join(_tag_fts, _tag_fts.c.rowid == Post.id).where(
            _match("post_tag_fts", "fts_tags", tags)
        )
        if query.excluded:
            left_out = " OR ".join(self._quoted((word,)) for word in query.excluded)
            excluded = select(_fts.c.rowid).where(_match("post_fts", "fts_excluded", left_out))
            statement = statement.where(Post.id.not_in(excluded))
        return statement

    def score(self, query: SearchQuery) -> ColumnElement[float]:
        # FTS5's rank is bm25(), lower is better; read for the matches it returns only.
        return -(_fts if query.has_words else _tag_fts).c.rank

    def post_id(self, query: SearchQuery) -> ColumnElement[int]:
        # FTS5 walks its matches in rowid order and stops at the LIMIT; ordering by post.id
        # instead would sort every match (10 ms, not 0.2, for a word in 6% of 100,000 posts).
        return (_fts if query.has_words else _tag_fts).c.rowid


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


@dataclass(frozen=True)
class _Newest:
    """PostgreSQLIndex._newest_matches(): the ids, the walk's and the index's CTEs, and
    whether the walk found enough."""

    ids: Any
    recent: Any
    found: Any
    walked: ColumnElement[bool]


class PostgreSQLIndex(SearchIndex):
    dialects = ("postgresql",)
    create = (
        # Stemmed by the post's language (English when it is not known, as the site's default),
        # plus every word as written, so a query in any language finds its exact words.
        "ALTER TABLE post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"to_tsvector(CASE split_part(language, '-', 1) {_PG_CASE} ELSE 'english'::regconfig END, "
        "body) || to_tsvector('simple'::regconfig, body) "
        # and the post's tags as lexemes of their own, as written ("#garden"): no word is
        # ever one of those, as the text parser never keeps the "#".
        "|| array_to_tsvector(string_to_array(tags, ' '))) STORED",
        "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
    )
    names = ("search_vector", "ix_post_search_vector")
    # A query is read by each stemmer the site's readers are likely to write in, and as written.
    QUERY_CONFIGS = ("simple", "english", "spanish", "german")

    def reindex(self, connection: Connection) -> None:
        # The column is computed from the row; rewriting the rows recomputes it.
        connection.execute(text("UPDATE post SET body = body"))

    def _any_config(self, to_tsquery: Any, terms: BindParameter[str]) -> ColumnElement[Any]:
        """`terms` as each configuration reads them, any of which may match."""
        parts = [
            to_tsquery(literal_column(f"'{config}'::regconfig"), terms)
            for config in self.QUERY_CONFIGS
        ]
        combined = parts[0]
        for part in parts[1:]:
            combined = combined.op("||")(part)
        return combined.self_group()

    @staticmethod
    def _parameters(query: SearchQuery) -> dict[str, str]:
        """The values of `query`'s terms, by the names _tsquery() gives their parameters."""
        values = {f"word_{n}": word for n, word in enumerate(query.words)}
        values |= {f"phrase_{n}": " ".join(phrase) for n, phrase in enumerate(query.phrases)}
        values |= {f"excluded_{n}": word for n, word in enumerate(query.excluded)}
        if query.tags:
            # Lexemes as they are stored (tags are letters and digits: nothing to quote).
            values["tags"] = " & ".join(f"'#{tag}'" for tag in query.tags)
        return values

    def _tsquery(self, query: SearchQuery) -> ColumnElement[Any]:
        # Each word, phrase and exclusion on its own, read by every configuration: a word
        # is there if any stemmer finds it, and an excluded word is one no stemmer finds
        # (excluding only what one of them reads would let "-summer" through in Spanish).
        # A term is one parameter, named by its place, that each configuration reads: the
        # statement depends only on how many terms of each kind there are (see first_page).
        values = self._parameters(query)

        def term(name: str) -> BindParameter[str]:
            return bindparam(name, values[name], type_=String)

        terms = [
            self._any_config(func.plainto_tsquery, term(f"word_{n}"))
            for n in range(len(query.words))
        ]
        terms += [
            self._any_config(func.phraseto_tsquery, term(f"phrase_{n}"))
            for n in range(len(query.phrases))
        ]
        terms += [
            func.tsquery_not(self._any_config(func.plainto_tsquery, term(f"excluded_{n}")))
            for n in range(len(query.excluded))
        ]
        if query.tags:
            terms.append(cast(term("tags"), TSQUERY))
        combined = terms[0]
        for more in terms[1:]:
            combined = combined.op("&&")(more)
        return combined

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        matches = _search_vector.op("@@")(self._tsquery(query))
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

    # The newest 1/RECENT_SHARE of the posts (by id) are read for a count before the GIN
    # index is asked: a bound on the walk that grows with the table, as the index's lists do
    # (20,000 posts of 1,000,000; 2,000 of 100,000, where the index is cheaper still).
    RECENT_SHARE = 50

    def count(self, query: SearchQuery, limit: int) -> Select[Any]:
        # A plan that does not depend on the planner's guess of how common the words are
        # (which cannot tell a rare word from a common one here, see filter()): walk the
        # newest posts (RECENT_SHARE) by the primary key, newest first, until limit + 1 match
        # (a common word: done after a few hundred posts); only when fewer match there, count
        # from the GIN index (a materialized CTE, so that the planner cannot turn it back into
        # a walk of the whole table): a rare word has a short list in the index.
        matches = _search_vector.op("@@")(self._tsquery(query))
        recent = (
            select(Post.id)
            .where(Post.id >= self._recent_floor(), matches)
            .order_by(Post.id.desc())
            .limit(limit + 1)
            .subquery()
        )
        recent_count = select(func.count().label("n")).select_from(recent).subquery()
        found = (
            select(Post.id.label("id"))
            .where(_search_vector.op("@@")(self._tsquery(query)))
            .cte("matches")
            .prefix_with("MATERIALIZED")
        )
        all_count = (
            select(func.count())
            .select_from(select(found.c.id).limit(limit + 1).subquery())
            .scalar_subquery()
        )
        # CASE evaluates the second count only when the first is not enough; and then the
        # page too is better read from the index (few=True), however many match.
        common = recent_count.c.n > limit
        return select(case((common, recent_count.c.n), else_=all_count), ~common).select_from(
            recent_count
        )

    # first_page() statements by the shape of their query (see _tsquery): built once each.
    _first_pages: ClassVar[dict[tuple[int, ...], Select[Any]]] = {}

    def first_page(
        self, query: SearchQuery, *, per_page: int, limit: int
    ) -> tuple[Select[Any], dict[str, Any]] | None:
        shape = (
            len(query.words),
            len(query.phrases),
            len(query.excluded),
            bool(query.tags),
            per_page,
            limit,
            self.RECENT_SHARE,
        )
        statement = self._first_pages.get(shape)
        if statement is None:
            statement = self._first_pages[shape] = self._first_page(query, per_page, limit)
        return statement.execution_options(**CUSTOM_PLAN), self._parameters(query)

    def _first_page(self, query: SearchQuery, per_page: int, limit: int) -> Select[Any]:
        # count() and the page in one statement, so that the matches are found once (and the
        # query planned once): when more than `limit` are among the newest posts, the page is
        # the first of them; otherwise every match comes from the GIN index, which gives the
        # count and the page.
        newest = self._newest_matches(query, walk=limit + 1, take=per_page + 1, name="page")
        in_recent = select(func.count()).select_from(newest.recent).scalar_subquery()
        in_all = select(func.count()).select_from(newest.found).scalar_subquery()
        matched = case((newest.walked, in_recent), else_=func.least(in_all, limit + 1))
        return (
            select(matched.label("matched"), *POST_ROW_COLUMNS)
            .join(newest.ids, newest.ids.c.id == Post.id)
            .join(User, User.id == Post.user_id)
            .order_by(Post.id.desc())
            .limit(per_page + 1)
        )

    def _newest_matches(self, query: SearchQuery, *, walk: int, take: int, name: str) -> _Newest:
        """The newest matches of `query`: the newest posts walked by the primary key (up to
        `walk` matches) when `walk` match there, else the newest `take` from the GIN index
        (the walk would read the whole table for a rare word). Each branch is gated by a
        one-time filter: PostgreSQL runs only the CTE that the branch taken reads."""
        matches = _search_vector.op("@@")(self._tsquery(query))
        recent = (
            select(Post.id.label("id"))
            .where(Post.id >= self._recent_floor(), matches)
            .order_by(Post.id.desc())
            .limit(walk)
            .cte(f"{name}_recent")
            .prefix_with("MATERIALIZED")
        )
        found = select(Post.id.label("id")).where(matches).cte(f"{name}_found")
        found = found.prefix_with("MATERIALIZED")
        walked = select(func.count()).select_from(recent).scalar_subquery() >= walk
        ids = union_all(
            select(recent.c.id).where(walked),
            select(found.c.id).where(~walked).order_by(found.c.id.desc()).limit(take),
        ).subquery(f"{name}_ids")
        return _Newest(ids, recent, found, walked)

    def _recent_floor(self) -> ColumnElement[int]:
        """The smallest id of the newest 1/RECENT_SHARE of the posts (by id)."""
        newest = select(func.max(Post.id)).scalar_subquery()
        oldest = select(func.min(Post.id)).scalar_subquery()
        # Integer division (`//`): an id compared with a numeric could not use the index.
        return newest - (newest - oldest) // self.RECENT_SHARE

    def score(self, query: SearchQuery) -> ColumnElement[float]:
        return func.ts_rank(_search_vector, self._tsquery(query), type_=Float)

    def ranked(self, query: SearchQuery, limit: int) -> Select[Any]:
        pool = self._newest_matches(query, walk=limit, take=limit, name="ranked").ids
        # Each post's vector is read for its rank once the pool is known, by its primary key
        # (joined, the planner would rather read every post in order).
        scored = aliased(Post, name="scored")
        rank = func.ts_rank(literal_column("scored.search_vector"), self._tsquery(query))
        score = select(rank).where(scored.id == pool.c.id).scalar_subquery()
        return select(pool.c.id.label("id"), type_coerce(score, Float).label("score"))


class MySQLIndex(SearchIndex):
    dialects = ("mysql", "mariadb")
    create = (
        "ALTER TABLE post ADD FULLTEXT INDEX ix_post_body_fulltext (body)",
        "ALTER TABLE post ADD FULLTEXT INDEX ix_post_tags_fulltext (tags)",
    )
    names = ("ix_post_body_fulltext", "ix_post_tags_fulltext")

    def reindex(self, connection: Connection) -> None:
        connection.execute(text("OPTIMIZE TABLE post"))

    @staticmethod
    def boolean_query(query: SearchQuery) -> str:
        """InnoDB's boolean mode: +word must be there, -word must not, "a phrase"."""
        parts = [f"+{word}" for word in query.words]
        parts += ['+"' + " ".join(phrase) + '"' for phrase in query.phrases]
        parts += [f"-{word}" for word in query.excluded]
        return " ".join(parts)

    @staticmethod
    def _against(columns: str, name: str, expression: str, *, negate: bool = False) -> Any:
        match = f"MATCH ({columns}) AGAINST (:{name} IN BOOLEAN MODE)"
        return text(f"NOT {match}" if negate else match).bindparams(**{name: expression})

    def filter(
        self, statement: Select[Any], query: SearchQuery, *, few: bool = False
    ) -> Select[Any]:
        conditions = []
        if query.has_words:
            words = self.boolean_query(query)
            conditions.append(self._against("post.body", "fulltext_where", words))
        elif query.excluded:
            # Boolean mode finds nothing with only -words: leave out what has any of them.
            excluded = " ".join(query.excluded)
            conditions.append(
                self._against("post.body", "fulltext_excluded", excluded, negate=True)
            )
        if query.tags:
            tags = " ".join(f"+{tag}" for tag in query.tags)
            conditions.append(self._against("post.tags", "fulltext_tags", tags))
        return statement.where(*conditions)

    def score(self, query: SearchQuery) -> ColumnElement[float]:
        if query.has_words:
            words = self.boolean_query(query)
            rank = self._against("post.body", "fulltext_rank", words)
        else:
            tags = " ".join(f"+{tag}" for tag in query.tags)
            rank = self._against("post.tags", "fulltext_tag_rank", tags)
        return type_coerce(rank, Float)


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

# PostgreSQL plans a search statement for the words it is given: which of the walk and the
# GIN index is cheap depends on them (see first_page). psycopg prepares a statement run five
# times on a connection, and PostgreSQL then settles on one generic plan for every word: at
# 1,000,000 posts 18 ms instead of 0.6 for a common word, 77 instead of 8 for two. Statements
# with this execution option are never prepared, so each is planned for its own words; and
# planned without sequential scans: the planner, which cannot tell how common a word is (a
# query is read by four configurations, which multiplies its guess), would read the whole
# table for the matches of the index branch (100 ms, where the GIN index takes 6, for
# a word in 7% of 100,000 posts), and a search never needs to read every post.
CUSTOM_PLAN = {"search_custom_plan": True}


@event.listens_for(Engine, "do_execute")
def _execute_unprepared(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    if context.dialect.name != "postgresql" or not context.execution_options.get(
        "search_custom_plan"
    ):
        return False
    connection = cursor.connection
    connection.execute("SET LOCAL enable_seqscan = off", prepare=False)
    cursor.execute(statement, parameters, prepare=False)
    # The rows are fetched already (a client-side cursor): the rest of the transaction plans
    # as usual. (When the statement fails, the rollback undoes the setting.)
    connection.execute("SET LOCAL enable_seqscan = on", prepare=False)
    return True


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_posts(
    query: SearchQuery, *, order: Order = "newest", few: bool = False
) -> Select[Any]:
    """The posts matching `query` with their authors (POST_ROW_COLUMNS), newest or best first
    (`query` must not be empty); `few`: the index should find them first (match_count said)."""
    index = index_for(db.engine.dialect.name)
    if order == "relevance":
        return best_first(query)
    statement = index.filter(
        select(*POST_ROW_COLUMNS).join(User, User.id == Post.user_id), query, few=few
    )
    # Newest first by id, not by timestamp: posts get their ids in the order they are
    # published (and imports keep that order), and the index can give its matches by id
    # without reading and sorting every one of them.
    return statement.order_by(index.post_id(query).desc()).execution_options(**CUSTOM_PLAN)


def best_first(
    query: SearchQuery, *, offset: int = 0, limit: int | None = None, count: int | None = None
) -> Select[Any]:
    """The newest RANKED_MAX matches of `query` with their authors (POST_ROW_COLUMNS), best
    first (ties newest first, the same every time, as pages by number rely on it), from
    `offset`, `limit` of them: ranked and cut before the posts are read. With `count`, a
    `matched` column comes first: how many match, no further than `count` + 1."""
    ranked = index_for(db.engine.dialect.name).ranked(query, RANKED_MAX).cte("ranked")
    order = (ranked.c.score.desc(), ranked.c.id.desc())
    top = select(ranked.c.id, ranked.c.score).order_by(*order).offset(offset).limit(limit)
    top = top.subquery("top")
    columns: tuple[Any, ...] = POST_ROW_COLUMNS
    if count is not None:
        # Counted in the ranked matches (there are RANKED_MAX > COUNT_MAX at most).
        in_pool = select(func.count()).select_from(ranked).scalar_subquery()
        columns = (case((in_pool > count, count + 1), else_=in_pool).label("matched"), *columns)
    return (
        select(*columns)
        .join(top, top.c.id == Post.id)
        .join(User, User.id == Post.user_id)
        .order_by(top.c.score.desc(), top.c.id.desc())
        .execution_options(**CUSTOM_PLAN)
    )


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
    first, the page number decides. `few`: match_count() said that few posts match (or, on
    PostgreSQL, few of the newest), which helps some databases choose how to find them."""
    query = parse_query(raw)
    if query.is_empty:
        return PostHits([], page, per_page, False, query)
    offset = (page - 1) * per_page
    if order == "relevance":
        rows = post_rows(best_first(query, offset=offset, limit=per_page + 1))
        return _hits(rows, page, per_page, query)
    statement = matching_posts(query, order=order, few=few)
    if before is not None or after is not None:
        newer = before is None
        post_id = index_for(db.engine.dialect.name).post_id(query)
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
    return _hits(post_rows(statement.limit(per_page + 1).offset(offset)), page, per_page, query)


def _hits(rows: list[PostRow], page: int, per_page: int, query: SearchQuery) -> PostHits:
    """Page `page` from its rows and one more (there is a next page when it came)."""
    return PostHits(rows[:per_page], page, per_page, len(rows) > per_page, query, page > 1)


@dataclass(frozen=True)
class MatchCount:
    """How many posts match (no further than the limit + 1), and whether the page is better
    read with `few=True` (see search_posts)."""

    posts: int
    few: bool


def match_count(query: SearchQuery, *, limit: int = COUNT_MAX) -> MatchCount:
    """How many posts match `query`, counting no further than `limit` + 1 (one query)."""
    if query.is_empty:
        return MatchCount(0, True)
    index = index_for(db.engine.dialect.name)
    posts, few = db.session.execute(
        index.count(query, limit).execution_options(**CUSTOM_PLAN)
    ).one()
    return MatchCount(posts or 0, bool(few))


def count_matches(query: SearchQuery, *, limit: int = COUNT_MAX) -> int:
    """How many posts match `query`, counting no further than `limit` + 1 (one query)."""
    return match_count(query, limit=limit).posts


def search_first_page(
    query: SearchQuery, *, order: Order = "newest", per_page: int = 25, limit: int = COUNT_MAX
) -> tuple[PostHits, int]:
    """The first page of the posts matching `query`, newest or best first, and how many match
    (no further than `limit` + 1): one statement where the engine can, else two."""
    if query.is_empty:
        return PostHits([], 1, per_page, False, query), 0
    index = index_for(db.engine.dialect.name)
    combined: tuple[Select[Any], dict[str, Any]] | None
    if order == "relevance":
        combined = best_first(query, limit=per_page + 1, count=limit), {}
    else:
        combined = index.first_page(query, per_page=per_page, limit=limit)
    if combined is None:
        counted = match_count(query, limit=limit)
        hits = search_posts(query.text, order=order, per_page=per_page, few=counted.few)
        return hits, counted.posts
    rows = db.session.execute(*combined).all()
    matched = rows[0][0] if rows else 0
    return _hits(as_post_rows([row[1:] for row in rows]), 1, per_page, query), matched


def search_posts_counted(
    query: SearchQuery, *, order: Order = "newest", page: int = 1, per_page: int = 25
) -> CountedPage[PostRow]:
    """Page `page` of the posts matching `query`, and how many match in all (two queries)."""
    statement = matching_posts(query, order=order)
    counting = select(func.count()).select_from(statement.order_by(None).subquery())
    total = db.session.scalar(counting.execution_options(**CUSTOM_PLAN))
    offset = (page - 1) * per_page
    if order == "relevance":
        rows = post_rows(best_first(query, offset=offset, limit=per_page))
    else:
        rows = post_rows(statement.limit(per_page).offset(offset))
    return CountedPage(items=rows, number=page, per_page=per_page, total_items=total or 0)


def search_users(raw: str, *, limit: int = 5) -> list[User]:
    """People whose username starts with one of the query's words (or is it)."""
    query = parse_query(raw)
    names = [*query.words, *query.tags][:3]
    if not names:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(or_(*(_starts_with(User.username_key, name) for name in names)))
            .order_by(User.username_key)
            .limit(limit)
        )
    )


def _starts_with(key: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """`key` (a lower-cased column with a unique index) starting with `prefix`: a range of
    that index on every database (PostgreSQL reads no index for LIKE outside the C
    collation, nor SQLite for its case-blind LIKE), then LIKE on the few rows in it, so
    that no collation's order can let in a name that does not start so."""
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(
        key >= prefix,
        key < after,
        key.like(f"{_like_escape(prefix)}%", escape="\\"),
    )


def reindex(engine: Engine | None = None) -> None:
    """Rebuild the index from the posts (after a bulk import)."""
    engine = engine or db.engine
    with engine.begin() as connection:
        refresh_tags(connection)
        index_for(engine.dialect.name).reindex(connection)


__all__ = [
    "COUNT_MAX",
    "MatchCount",
    "PostHits",
    "SearchIndex",
    "SearchQuery",
    "count_matches",
    "include_in_migrations",
    "match_count",
    "matching_posts",
    "parse_query",
    "refresh_tags",
    "reindex",
    "search_first_page",
    "search_posts",
    "search_posts_counted",
    "search_users",
]
