"""Benchmark the unread badge's poll next to the ceiling route, in the same run.

    .venv/bin/python bench/poll.py [--db sqlite|postgresql] [--scale reference|large]

Every logged-in page asks `/messages/unread?count=N` every 30 s (htmx, `HX-Request`); the
answer is 204 while N is still the viewer's unread count, and the new badge when it is not.
For the run the reader (user0001) has messages: READ_MESSAGES read ones and UNREAD_MESSAGES
unread, from other users, deleted after. Measured, interleaved: the ceiling (`/avatar/1`, a
route of the same app that renders no component), the poll when nothing changed (204), and
the poll when the count changed (the badge and its announcement). Target (issue 15): the
unchanged poll within 1.5x of the ceiling, server time. Reuses run.py's steps: data.py,
in_process.py, server.py (gunicorn), load.py (wrk or the Python stand-in). Results go to
bench/results/poll-<db>-<scale>-<time>.md and .json and into the marked section of
bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import (
    add_data_arguments,
    prepared_database,
)
from bench.endpoints import Endpoint, Measure
from bench.load import add_load_arguments, measure_reads
from bench.report import (
    endpoints_table,
    machine,
    run_conditions,
    run_record,
    save_results,
    targets_table,
    update_readme,
)

READER_ID = 1
READ_MESSAGES, UNREAD_MESSAGES = 40, 3
CEILING = "ceiling: /avatar/1"
UNCHANGED = "badge poll, nothing changed (204)"
CHANGED = "badge poll, count changed (the badge)"
LIMIT = 1.5


@contextmanager
def reader_messages(url: str) -> Iterator[None]:
    """The reader's messages for the run: some read, a few unread; deleted afterwards."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        last = connection.execute(text("SELECT coalesce(max(id), 0) FROM message")).scalar_one()
        for n in range(READ_MESSAGES + UNREAD_MESSAGES):
            connection.execute(
                text(
                    "INSERT INTO message (sender_id, recipient_id, body, timestamp, read_at) "
                    "VALUES (:sender, :reader, :body, :now, :read)"
                ),
                {
                    "sender": 2 + n % 10,
                    "reader": READER_ID,
                    "body": f"Benchmark message {n}",
                    "now": datetime.now(UTC).replace(tzinfo=None),
                    "read": datetime.now(UTC).replace(tzinfo=None) if n < READ_MESSAGES else None,
                },
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM message WHERE id > :last"), {"last": last})
        engine.dispose()


def endpoints() -> list[Endpoint]:
    poll = "/messages/unread?count={}"
    return [
        Endpoint(CEILING, "/avatar/1"),
        Endpoint(UNCHANGED, poll.format(UNREAD_MESSAGES), htmx=True, status=204),
        Endpoint(CHANGED, poll.format(UNREAD_MESSAGES - 1), htmx=True),
    ]


def check_targets(measures: list[Measure]) -> list[dict]:
    """Each poll / the ceiling: server time, server CPU time and p50 under load (≤ 1.5 for
    the poll that finds nothing changed, which is nearly every poll; the other is shown)."""
    by_name = {m.name: m for m in measures}
    ceiling = by_name[CEILING]
    checks = []
    for name in (UNCHANGED, CHANGED):
        for attr, label in (
            ("server_ms", "server time"),
            ("server_cpu_ms", "server CPU time"),
            ("p50_ms", "p50"),
        ):
            if not getattr(ceiling, attr):
                continue
            value = round(getattr(by_name[name], attr) / getattr(ceiling, attr), 2)
            checks.append(
                {
                    "target": f"{name} / ceiling ({label})",
                    "value": value,
                    "limit": LIMIT if name == UNCHANGED else None,
                    "met": value <= LIMIT if name == UNCHANGED else None,
                }
            )
    return checks


def markdown(result: dict) -> str:
    data = result["data"]
    lines = [
        f"**{result['db']}, {result['scale']} scale** ({data['users']:,} users, "
        f"{data['posts']:,} posts; the reader has {READ_MESSAGES} read and {UNREAD_MESSAGES} "
        f"unread messages) — {run_conditions(result, in_process=True)}",
    ]
    table = endpoints_table(result["endpoints"], writes=True)
    return "\n".join([*lines, "", *table, "", *targets_table(result["targets"])]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_data_arguments(parser)
    add_load_arguments(parser, in_process_repeat=300)
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    args = parser.parse_args(argv)

    url = prepared_database(args)
    started = datetime.now(UTC)
    info = machine()
    targets = endpoints()
    with reader_messages(url):
        measures = measure_reads(args, url, targets)
    result = run_record(args, started, info, measures)
    result["targets"] = check_targets(measures)
    table = markdown(result)
    save_results(f"poll-{args.db}-{args.scale}-{started.strftime('%Y%m%dT%H%M')}", result, table)
    if not args.no_readme:
        update_readme(f"poll-{args.db}-{args.scale}", table)
    print("\n" + table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
