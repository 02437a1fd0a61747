"""Full-text search on every database: what is found, in which order, and that the index
stays exact as posts are written, edited and deleted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, text

from microblog.extensions import db
from microblog.models import Post
from microblog.services import search
from microblog.services.search import (
    MatchCount,
    PostgreSQLIndex,
    count_matches,
    match_count,
    parse_query,
    reindex,
    search_first_page,
    search_posts,
    search_users,
)

pytestmark = pytest.mark.alldb


@pytest.fixture
def posts(make_user, make_posts):
    """Write posts by susan (oldest first); returns a function giving their ids by body."""
    make_user("susan")
    make_user("susanna")
    made: dict[str, int] = {}

    def write(*bodies: str) -> dict[str, int]:
        for body in bodies:
            made[body] = make_posts("susan", body=body)[0]
        return made

    return write


def found(query, raw: str, **options) -> list[int]:
    return query(lambda: search_posts(raw, **options).ids)


def test_a_word_finds_the_posts_that_contain_it_newest_first(posts, query):
    ids = posts(
        "My garden is full of tomatoes",
        "Cycling along the river today",
        "Tomatoes again for dinner",
    )
    assert found(query, "tomatoes") == [
        ids["Tomatoes again for dinner"],
        ids["My garden is full of tomatoes"],
    ]
    assert found(query, "TOMATOES") == found(query, "tomatoes")
    assert found(query, "bicycle") == []


def test_every_word_must_be_there(posts, query):
    ids = posts("Red tomatoes in the garden", "Green tomatoes on the table", "A red bicycle")
    assert found(query, "red tomatoes") == [ids["Red tomatoes in the garden"]]


def test_quotes_find_a_phrase_and_minus_excludes_a_word(posts, query):
    ids = posts("The tomatoes are red and ripe", "Ripe red tomatoes today", "Tomatoes, green")
    assert found(query, '"red tomatoes"') == [ids["Ripe red tomatoes today"]]
    assert found(query, "tomatoes -green") == [
        ids["Ripe red tomatoes today"],
        ids["The tomatoes are red and ripe"],
    ]


def test_a_hashtag_finds_posts_that_carry_it(posts, query):
    ids = posts("Summer in the #garden", "The garden needs water", "#Garden party tonight")
    assert found(query, "#garden") == [ids["#Garden party tonight"], ids["Summer in the #garden"]]


def dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_english_words_match_their_other_forms_where_the_database_stems(app, posts, query):
    ids = posts("Watering the gardens every morning")
    # InnoDB's FULLTEXT index has no stemmer: there only the word as written is found.
    expected = [] if dialect(app) in {"mysql", "mariadb"} else list(ids.values())
    assert found(query, "garden") == expected
    assert found(query, "gardens") == list(ids.values())


def test_accents_need_not_be_typed_where_the_database_folds_them(app, posts, query):
    ids = posts("Café con leche en la terraza")
    # PostgreSQL keeps accents (folding them needs the unaccent extension).
    expected = [] if dialect(app) == "postgresql" else list(ids.values())
    assert found(query, "cafe") == expected
    assert found(query, "café") == list(ids.values())


def test_posts_are_stemmed_by_their_language_where_the_database_can(app, posts, query):
    body = "Hoy estamos cantando en el puerto con la luz de la tarde"
    ids = posts(body)

    def mark_spanish() -> None:
        db.session.get(Post, ids[body]).language = "es"
        db.session.commit()

    query(mark_spanish)
    # Only PostgreSQL has a Spanish stemmer (SQLite's is English, InnoDB has none).
    expected = list(ids.values()) if dialect(app) == "postgresql" else []
    assert found(query, "cantar") == expected
    assert found(query, "cantando") == list(ids.values())


def edit_post(query, post_id: int, body: str) -> None:
    def edit() -> None:
        db.session.get(Post, post_id).body = body
        db.session.commit()

    query(edit)


def delete_post(query, post_id: int) -> None:
    def delete() -> None:
        db.session.delete(db.session.get(Post, post_id))
        db.session.commit()

    query(delete)


def test_the_index_follows_edits_and_deletes(posts, query):
    ids = posts("Planting carrots this weekend", "Carrots and peas")
    first, second = ids["Planting carrots this weekend"], ids["Carrots and peas"]

    edit_post(query, first, "Planting potatoes this weekend")
    assert found(query, "carrots") == [second]
    assert found(query, "potatoes") == [first]

    delete_post(query, second)
    assert found(query, "carrots") == []
    assert found(query, "peas") == []


def test_relevance_puts_the_better_match_first(posts, query):
    ids = posts(
        "Sunflowers, sunflowers and more sunflowers in the field",
        *(f"Filler post number {n} about cycling" for n in range(6)),
        "One sunflowers picture",
    )
    best = ids["Sunflowers, sunflowers and more sunflowers in the field"]
    once = ids["One sunflowers picture"]
    assert found(query, "sunflowers") == [once, best]
    assert found(query, "sunflowers", order="relevance") == [best, once]


@pytest.mark.parametrize("recent_share", [50, 1], ids=["from-the-index", "newest-posts"])
def test_best_first_ranks_the_newest_matches(posts, query, monkeypatch, recent_share):
    monkeypatch.setattr(search, "RANKED_MAX", 3)
    monkeypatch.setattr(PostgreSQLIndex, "RECENT_SHARE", recent_share)
    ids = posts(
        "Sunflowers, sunflowers and more sunflowers in the field",
        *(f"Filler post number {n} about cycling" for n in range(6)),
        "One sunflowers picture",
        "Sunflowers and sunflowers again",
        "A sunflowers field",
    )
    # The oldest post is the best match, but not among the three newest matches.
    assert found(query, "sunflowers", order="relevance") == [
        ids["Sunflowers and sunflowers again"],
        ids["A sunflowers field"],
        ids["One sunflowers picture"],
    ]
    assert found(query, "sunflowers", order="relevance", page=2, per_page=2) == [
        ids["One sunflowers picture"]
    ]
    assert found(query, "sunflowers") == [
        ids["A sunflowers field"],
        ids["Sunflowers and sunflowers again"],
        ids["One sunflowers picture"],
        ids["Sunflowers, sunflowers and more sunflowers in the field"],
    ]


def test_results_come_a_page_at_a_time(posts, query):
    ids = posts(*(f"Harvest report {n}" for n in range(5)))
    newest_first = list(ids.values())[::-1]
    pages = [query(lambda p=p: search_posts("harvest", page=p, per_page=2)) for p in (1, 2, 3)]
    assert [page.ids for page in pages] == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert [page.has_next for page in pages] == [True, True, False]


HOSTILE = [
    '"unbalanced',
    "((( tomatoes",
    "tomatoes)",
    "AND OR NOT",
    "tomatoes AND",
    "NEAR(tomatoes garden)",
    "tomat*",
    "*",
    "-",
    "-tomatoes",
    "'; DROP TABLE post; --",
    "100% _under_score\\",
    "tomatoes\x00garden",
    "+tomatoes -+-+ @garden ~x <y >z",
    "tomatoes " * 150,
    "x" * 1000,
    "番茄 花园",
    "помидоры",
    "طماطم",
    '"""',
    "^tomatoes",
    "body:tomatoes",
    "{tomatoes}",
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_queries_give_results_or_nothing(posts, query, raw):
    ids = posts("Tomatoes in the garden", "番茄 花园", "помидоры в огороде")
    cursor = max(ids.values()) + 1
    for order in ("newest", "relevance"):
        hits = query(lambda order=order: search_posts(raw, order=order))
        assert isinstance(hits.ids, list)
        older = query(lambda order=order: search_posts(raw, order=order, page=2, before=cursor))
        assert isinstance(older.ids, list)
    assert query(lambda: count_matches(parse_query(raw))) >= 0


def test_pages_continue_next_to_a_post_when_newest_first(posts, query):
    ids = list(posts(*(f"Harvest report {n}" for n in range(5))).values())

    def page(**cursor):
        hits = search_posts("harvest", page=2, per_page=2, **cursor)
        return hits.ids, hits.has_prev, hits.has_next

    assert query(lambda: page(before=ids[3])) == ([ids[2], ids[1]], True, True)
    assert query(lambda: page(before=ids[1])) == ([ids[0]], True, False)
    assert query(lambda: page(after=ids[1])) == ([ids[3], ids[2]], True, True)
    assert query(lambda: page(after=ids[3])) == ([ids[4]], False, True)


def test_matches_are_counted_up_to_a_limit(posts, query):
    posts(*(f"Harvest report {n}" for n in range(5)), "Nothing to see")
    harvest = parse_query("harvest")
    assert query(lambda: count_matches(harvest)) == 5
    assert query(lambda: count_matches(harvest, limit=3)) == 4  # "more than 3"
    assert query(lambda: count_matches(parse_query("#report"))) == 0
    assert query(lambda: count_matches(parse_query(""))) == 0


def test_matches_older_than_the_newest_posts_are_counted_too(posts, query, monkeypatch):
    # PostgreSQL counts among its newest posts first, then in the index: the count is exact
    # either way (the newest third of the posts here, so that most matches are older).
    monkeypatch.setattr(PostgreSQLIndex, "RECENT_SHARE", 3)
    posts(*(f"Harvest report {n}" for n in range(5)), "Nothing to see", "Nor here")
    harvest = parse_query("harvest")
    assert query(lambda: match_count(harvest)) == MatchCount(5, True)
    assert query(lambda: count_matches(harvest, limit=3)) == 4
    assert query(lambda: count_matches(harvest, limit=1)) == 2
    assert len(query(lambda: search_posts("harvest", few=True).ids)) == 5


def test_a_word_in_many_of_the_newest_posts_is_more_than_the_limit(posts, query, monkeypatch):
    monkeypatch.setattr(PostgreSQLIndex, "RECENT_SHARE", 1)  # every post is among the newest
    posts(*(f"Harvest report {n}" for n in range(5)))
    counted = query(lambda: match_count(parse_query("harvest"), limit=3))
    assert counted == MatchCount(4, False)  # "more than 3", and the page walks the newest


def first_page(query, raw: str, **options):
    """(the ids of the first page, whether there is a next, how many match) for `raw`."""

    def run():
        hits, matched = search_first_page(parse_query(raw), **options)
        return hits.ids, hits.has_next, matched

    return query(run)


@pytest.mark.parametrize("recent_share", [50, 3, 1], ids=["few-newest", "most-older", "all-new"])
def test_the_first_page_comes_with_how_many_match(posts, query, monkeypatch, recent_share):
    # PostgreSQL reads both in one statement, from its newest posts or from its index (the
    # share of posts counted as newest decides which); the others count, then read the page.
    monkeypatch.setattr(PostgreSQLIndex, "RECENT_SHARE", recent_share)
    ids = posts(*(f"Harvest report {n}" for n in range(5)), "Nothing to see", "A #harvest party")
    reports = [ids[f"Harvest report {n}"] for n in range(5)][::-1]
    assert first_page(query, "harvest report", per_page=2, limit=3) == (reports[:2], True, 4)
    assert first_page(query, "harvest report", per_page=2, limit=10) == (reports[:2], True, 5)
    assert first_page(query, "harvest -party", per_page=10) == (reports, False, 5)
    assert first_page(query, "#harvest") == ([ids["A #harvest party"]], False, 1)
    assert first_page(query, '"report 3"') == ([ids["Harvest report 3"]], False, 1)
    assert first_page(query, "zebra") == ([], False, 0)
    assert first_page(query, "-harvest") == ([], False, 0)
    # The same page as search_posts gives, newest or best first.
    for order in ("newest", "relevance"):
        page, _more, matched = first_page(query, "harvest", order=order, per_page=3)
        assert page == query(lambda o=order: search_posts("harvest", order=o, per_page=3).ids)
        assert matched == 6


def test_the_first_page_follows_new_posts_and_deletes(posts, query):
    ids = posts("Harvest one", "Harvest two")
    assert first_page(query, "harvest") == ([ids["Harvest two"], ids["Harvest one"]], False, 2)
    ids = posts("Harvest three")

    def delete():
        db.session.delete(db.session.get(Post, ids["Harvest two"]))
        db.session.commit()

    query(delete)
    assert first_page(query, "harvest") == ([ids["Harvest three"], ids["Harvest one"]], False, 2)


def test_a_query_of_only_exclusions_or_punctuation_finds_nothing(posts, query):
    posts("Tomatoes in the garden")
    assert found(query, "-tomatoes") == []
    assert found(query, "!!! ???") == []
    assert query(lambda: search_posts("   ").query.is_empty)


def test_people_are_found_by_the_start_of_their_username(posts, query):
    posts()
    names = query(lambda: [user.username for user in search_users("SUSAN")])
    assert names == ["susan", "susanna"]
    assert query(lambda: search_users("%")) == []
    assert query(lambda: search_users("_usan")) == []


def test_reindex_rebuilds_the_index(app, posts, query):
    ids = posts("Beekeeping diary, day one")
    if dialect(app) == "sqlite":
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("INSERT INTO post_fts(post_fts) VALUES ('delete-all')"))
        assert found(query, "beekeeping") == []
    with app.app_context():
        reindex()
    assert found(query, "beekeeping") == list(ids.values())
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert found(query, "beekeeping") == list(ids.values())


def test_the_parser_reads_words_phrases_exclusions_and_tags():
    parsed = parse_query('Red "ripe tomatoes" -green #Garden (x) NOT\x00')
    assert parsed.words == ("red", "x", "not")
    assert parsed.phrases == (("ripe", "tomatoes"),)
    assert parsed.excluded == ("green",)
    assert parsed.tags == ("garden",)


def test_a_hashtag_is_not_found_inside_a_longer_one(posts, query):
    ids = posts(
        "Gardening tips #gardening",
        "My #garden, at last",
        "#garden",
        "Email me at me@x.org/#garden_party",
        "Sunny #GARDEN!",
    )
    assert sorted(found(query, "#garden")) == sorted(
        [ids["My #garden, at last"], ids["#garden"], ids["Sunny #GARDEN!"]]
    )
    assert found(query, "#gardening") == [ids["Gardening tips #gardening"]]


def test_knowing_that_few_match_changes_how_they_are_found_not_what(posts, query):
    posts(*(f"Harvest report {n}" for n in range(5)), "A #harvest party", "Nothing else")
    for raw in ("harvest", "#harvest", "report -party", "zebra"):
        for order in ("newest", "relevance"):
            assert query(
                lambda raw=raw, order=order: search_posts(raw, order=order, few=True).ids
            ) == query(lambda raw=raw, order=order: search_posts(raw, order=order).ids)


def test_tags_are_kept_with_the_body_and_found_as_terms_of_their_own(posts, query):
    ids = posts(
        "Summer in the #Garden with #tomatoes",
        "The garden and the tomatoes",
        "Issue #421, see https://example.org/#garden",
    )
    tagged = ids["Summer in the #Garden with #tomatoes"]
    stored = query(lambda: {post.id: post.tags for post in db.session.scalars(select(Post))})
    assert stored == {
        tagged: "#garden #tomatoes",
        ids["The garden and the tomatoes"]: "",
        ids["Issue #421, see https://example.org/#garden"]: "",
    }
    assert found(query, "#garden") == [tagged]
    assert found(query, "#garden #tomatoes") == [tagged]
    assert found(query, "#garden summer") == [tagged]
    assert found(query, "#garden -summer") == []
    assert found(query, "#tomatoes -winter") == [tagged]
    assert found(query, "#garden tomatoes", order="relevance") == [tagged]
    assert found(query, "#garden", order="relevance") == [tagged]
    # A number is a word, as a post's text shows it: #421 is not a tag.
    assert query(lambda: parse_query("#421").words) == ("421",)
    assert found(query, "#421") == [ids["Issue #421, see https://example.org/#garden"]]


def test_the_tag_index_follows_edits_and_deletes(posts, query):
    ids = posts("Harvest day #garden", "Rain again #garden")
    first, second = ids["Harvest day #garden"], ids["Rain again #garden"]

    edit_post(query, first, "Harvest day #allotment")
    assert found(query, "#garden") == [second]
    assert found(query, "#allotment") == [first]
    assert query(lambda: db.session.get(Post, first).tags) == "#allotment"

    delete_post(query, second)
    assert found(query, "#garden") == []
    assert query(lambda: count_matches(parse_query("#garden"))) == 0


def test_reindex_reads_the_tags_of_posts_written_behind_the_models_back(app, posts, query):
    ids = posts("A quiet day")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE post SET body = 'A quiet day #rest'"))
    assert found(query, "#rest") == []
    with app.app_context():
        reindex()
    assert found(query, "#rest") == list(ids.values())
    assert query(lambda: db.session.get(Post, ids["A quiet day"]).tags) == "#rest"


def statements_of(function) -> list[tuple[str, object]]:
    """The SQL statements (with their parameters) that `function` runs; in an app context."""
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert function()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_tag_search_is_a_lookup_in_the_tag_index(app, posts, query):
    posts("Summer in the #garden")
    with app.app_context():
        statements = statements_of(lambda: search_posts("#garden").ids)
        (statement, parameters), *_ = [(s, p) for s, p in statements if " LIMIT " in s]
        # No regular expression or LIKE over the text: the index holds the tag as a term.
        assert not re.search(r"REGEXP|LIKE|~", statement, re.IGNORECASE)
        index = {
            "sqlite": "post_tag_fts MATCH",
            "postgresql": "AS TSQUERY",
            "mysql": "MATCH (post.tags)",
            "mariadb": "MATCH (post.tags)",
        }
        assert index[db.engine.dialect.name] in statement
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = [row[3] for row in rows]
            assert any(step.startswith("SCAN post_tag_fts VIRTUAL TABLE") for step in plan)


def test_people_are_found_through_the_index_of_usernames(app, posts, make_user, query):
    posts()
    for name in ("Susie", "sus_an", "ana", "asusan"):
        make_user(name)
    names = query(lambda: [user.username for user in search_users("sus")])
    # (In the database's own order: "_" sorts before or after letters by its collation.)
    assert sorted(names) == ["Susie", "sus_an", "susan", "susanna"]
    assert query(lambda: [user.username for user in search_users("SUSA")]) == [
        "susan",
        "susanna",
    ]
    with app.app_context():
        ((statement, parameters),) = statements_of(lambda: search_users("sus"))
        name = db.engine.dialect.name
        with db.engine.connect() as connection:
            if name == "sqlite":
                rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = " ".join(row[3] for row in rows)
                assert "USING INDEX" in plan and "username_key>" in plan
            elif name == "postgresql":
                # A handful of rows: without this the planner would rather read them all.
                connection.exec_driver_sql("SET enable_seqscan = off")
                rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
                plan = " ".join(row[0] for row in rows)
                assert "uq_user_username_key" in plan and "Index Cond" in plan
            else:
                rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
                (row,) = rows.mappings()
                # (Whether it reads the index or the five rows is the optimizer's choice.)
                assert "uq_user_username_key" in row["possible_keys"]


def test_search_statements_are_planned_for_their_own_words(posts, query, backend):
    # A prepared statement gets one generic plan for every word on PostgreSQL (psycopg
    # prepares what a connection runs five times): search statements are never prepared.
    posts(*(f"Harvest report {n}" for n in range(3)))

    def run_often():
        for order in ("newest", "relevance"):
            for _ in range(8):
                search_first_page(parse_query("harvest"), order=order)
                search_posts("harvest", order=order, page=2, per_page=1)
                match_count(parse_query("harvest"))
        if backend != "postgresql":
            return [], "on"
        prepared = text("SELECT statement FROM pg_prepared_statements")
        found = [s for s in db.session.scalars(prepared) if "search_vector" in s]
        # Planned without sequential scans, and the rest of the transaction as usual.
        return found, db.session.scalar(text("SHOW enable_seqscan"))

    assert query(run_often) == ([], "on")
