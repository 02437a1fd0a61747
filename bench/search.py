"""Benchmark search next to explore, in the same run, on the shared data set.

    .venv/bin/python bench/search.py [--db sqlite|postgresql] [--scale reference|large]

A one-word query ("coffee", in about 5% of the posts), a two-word one ("coffee python"), a
hashtag ("#coffee", which 1% of the posts carry for the run) and a word of no post, newest
first (plus the one word best first, its next page and its htmx fragment as one types),
against explore page 1. Target (issue 14): a search page within 2x of an explore page, p50
under load and server time. Reuses run.py's steps: data.py (data set, databases), in_process.py
(server time and SQL statements), server.py (gunicorn), load.py (wrk or the Python stand-in).
Results go to bench/results/search-<db>-<scale>-<time>.md and .json and, with the query plans,
into the marked sections of bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import (
    add_data_arguments,
    flask_env,
    prepared_database,
)
from bench.endpoints import Endpoint, Measure
from bench.in_process import _logged_in_client
from bench.load import add_load_arguments, measure_reads
from bench.report import (
    endpoints_table,
    machine,
    plans_markdown,
    run_conditions,
    run_record,
    save_results,
    targets_table,
    update_readme,
)

TAG = "coffee"
TAG_SUFFIX = f" #{TAG}"
TAGGED_EVERY = 100  # one post in a hundred carries the tag during the run
EXPLORE = "explore page 1"
SEARCHES = {
    "search: one word": "/search?q=coffee",
    "search: one word, best first": "/search?q=coffee&order=relevance",
    "search: two words": "/search?q=coffee+python",
    "search: hashtag": "/search?q=%23coffee",
    "search: no match": "/search?q=zebra",
}


@contextmanager
def tagged_posts(url: str) -> Iterator[int]:
    """One post in TAGGED_EVERY ends with " #coffee" while the benchmark runs (the data set
    has no hashtags), in its text and its tags, as the model would set them; the index
    follows, as for any edit, and the posts are restored after."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    where = f"id % {TAGGED_EVERY} = 0"
    with engine.begin() as connection:
        # A run that was interrupted left its tags: take them off first.
        _untag(connection)
        count = connection.execute(
            text(
                "UPDATE post SET body = body || :suffix, "
                f"tags = CASE tags WHEN '' THEN :tag ELSE tags || :suffix END WHERE {where}"
            ),
            {"suffix": TAG_SUFFIX, "tag": f"#{TAG}"},
        ).rowcount
    _settle(engine)
    try:
        yield count
    finally:
        with engine.begin() as connection:
            _untag(connection)
        engine.dispose()


def _settle(engine) -> None:
    """On PostgreSQL, VACUUM ANALYZE the posts, as autovacuum would soon after edits: the
    tagging leaves 1% of the posts as dead rows and their new index entries in the GIN
    index's pending list, which every search then scans one by one (the two words read the
    index in 5.9 ms instead of 1.4 at 100,000 posts), an artefact of the run, not of the site."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE) post"))


def _untag(connection) -> None:
    from sqlalchemy import text

    connection.execute(
        text(
            "UPDATE post SET body = substr(body, 1, length(body) - :n), "
            "tags = CASE tags WHEN :tag THEN '' ELSE substr(tags, 1, length(tags) - :n) END "
            f"WHERE id % {TAGGED_EVERY} = 0 AND body LIKE :pattern"
        ),
        {"n": len(TAG_SUFFIX), "pattern": f"%{TAG_SUFFIX}", "tag": f"#{TAG}"},
    )


def endpoints(url: str) -> list[Endpoint]:
    """Explore page 1, each search, the next page of the one-word search as its "Older posts"
    link gives it, and the htmx fragment that typing the word swaps in."""
    client = _logged_in_client(url)
    html = client.get(SEARCHES["search: one word"]).get_data(as_text=True)
    anchor = re.search(r'<a [^>]*rel="next"[^>]*>', html)
    if anchor is None:
        raise RuntimeError("the one-word search has no next page")
    page_2 = re.search(r'href="([^"]+)"', anchor.group(0)).group(1).replace("&amp;", "&")
    return [
        Endpoint(EXPLORE, "/explore"),
        *(Endpoint(name, path) for name, path in SEARCHES.items()),
        Endpoint("search: one word, page 2", page_2),
        Endpoint(
            "search: one word (htmx, as one types)",
            f"{SEARCHES['search: one word']}&order=newest",
            htmx=True,
        ),
    ]


def check_targets(measures: list[Measure], limit: float = 2.0) -> list[dict]:
    """Each search page / explore page 1: p50 under load and server time (≤ 2)."""
    by_name = {m.name: m for m in measures}
    explore = by_name[EXPLORE]
    checks = []
    for m in measures:
        if m.name == EXPLORE:
            continue
        for attr, label in (("p50_ms", "p50"), ("server_ms", "server time")):
            value = round(getattr(m, attr) / getattr(explore, attr), 2)
            checks.append(
                {
                    "target": f"{m.name} / {EXPLORE} ({label})",
                    "value": value,
                    "limit": limit,
                    "met": value <= limit,
                }
            )
    return checks


def query_plans(url: str) -> dict[str, str]:
    """EXPLAIN of the statements that find the posts of each search (and count them)."""
    os.environ.update(flask_env(url))
    from sqlalchemy import event

    from microblog import create_app
    from microblog.extensions import db

    app = create_app()
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    plans: dict[str, str] = {}
    for name, path in SEARCHES.items():
        if "best first" in name or "no match" in name:
            continue
        statements: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many, into=statements):
            if "_fts" in statement or "search_vector" in statement or "MATCH" in statement:
                into.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        lines: list[str] = []
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                # As the site runs them (search.CUSTOM_PLAN): no sequential scans.
                connection.exec_driver_sql("SET enable_seqscan = off")
            for statement, parameters in statements:
                if engine.dialect.name == "sqlite":
                    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                    lines += [f"{row[0]:>3} {row[1]:>3}  {row[3]}" for row in rows]
                else:
                    rows = connection.exec_driver_sql(
                        "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters
                    )
                    lines += [row[0] for row in rows]
                lines.append("")
        plans[f"{name} ({path})"] = "\n".join(lines).rstrip()
    return plans


def markdown(result: dict) -> str:
    lines = [
        f"**{result['db']}, {result['scale']} scale** ({result['data']['posts']:,} posts, "
        f"{result['tagged']:,} of them tagged #{TAG} for the run) — {run_conditions(result)}",
    ]
    table = endpoints_table(result["endpoints"])
    return "\n".join([*lines, "", *table, "", *targets_table(result["targets"])]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_data_arguments(parser)
    add_load_arguments(parser, in_process_repeat=30)
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    args = parser.parse_args(argv)

    url = prepared_database(args)
    started = datetime.now(UTC)
    info = machine()
    with tagged_posts(url) as tagged:
        targets = endpoints(url)
        measures = measure_reads(args, url, targets)
        plans = query_plans(url)
    result = {**run_record(args, started, info, measures), "tagged": tagged, "plans": plans}
    result["targets"] = check_targets(measures)
    table = markdown(result)
    stem = f"search-{args.db}-{args.scale}-{started.strftime('%Y%m%dT%H%M')}"
    save_results(stem, result, table + "\n" + plans_markdown(plans))
    if not args.no_readme:
        update_readme(f"search-{args.db}-{args.scale}", table)
        update_readme(f"plans-search-{args.db}-{args.scale}", plans_markdown(plans))
    print("\n" + table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
