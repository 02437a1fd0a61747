"""Benchmark the site on the shared seeded data set: latency under load, server time, queries.

    .venv/bin/python bench/run.py [--db sqlite|postgresql] [--scale reference|large]

Generates the data set with ../shared/bench/seed_data.py (once, under bench/data/), loads it
with `flask seed load-csv` (once per database), serves the app with gunicorn (2 workers on a free
port of 127.0.0.1), and measures every endpoint with wrk (installed from Debian when missing,
else a bounded Python load generator). In-process, with the Flask test client, it also times
each page without HTTP and counts its SQL statements. Results go to bench/results/ as Markdown
and JSON, and into the marked section of bench/README.md.

This module runs the steps; each lives in a module of its own: endpoints.py (what is measured),
data.py (data set and databases), in_process.py (server time and SQL in the app itself),
server.py (gunicorn and logging in over HTTP), load.py (wrk or the Python stand-in), plans.py
(EXPLAIN), report.py (targets, Markdown, README).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.data import (
    BENCH,
    SCALES,
    add_data_arguments,
    database_url,
    generate_data,
    load_database,
    pristine_writes,
)
from bench.endpoints import READER, WRITER_ID, Endpoint, Measure, endpoints, page_one_endpoints
from bench.in_process import in_process, linked_pages
from bench.load import add_load_arguments, ensure_wrk, run_load
from bench.plans import query_plans
from bench.report import (
    check_targets,
    machine,
    markdown,
    plans_markdown,
    run_record,
    update_readme,
)
from bench.server import Session, gunicorn, log_in


def measure(args: argparse.Namespace, url: str) -> list[Measure]:
    links = linked_pages(url)
    targets = [e for e in endpoints(links) if not args.only or re.search(args.only, e.name)]
    measures = {e.name: Measure(e.name, e.method, e.path) for e in targets}
    print("in-process server time and SQL statements ...", flush=True)
    gets = [(e.name, url, e) for e in targets if e.method == "GET"]
    for name, found in in_process(gets, args.in_process_repeat).items():
        measures[name].record_in_process(found)

    wrk = ensure_wrk()
    reads = [e for e in targets if e.method == "GET"]
    writes = [e for e in targets if e.method != "GET"]

    def load(port: int, endpoint: Endpoint, session: Session) -> dict:
        # One user's follow / unfollow clicks come one after the other; two connections would
        # race each other (two follows at once both pass the "already following?" check).
        connections = 1 if endpoint.toggle_path else args.connections
        return run_load(wrk, port, endpoint, session, connections, args.duration)

    with gunicorn(url, args.workers) as port, pristine_writes(url):
        reader = log_in(port, READER)
        writer = log_in(port, f"user{WRITER_ID:04d}")
        # Reads first on the pristine data, then writes; rounds interleave the endpoints.
        for group in (reads, writes):
            for round_ in range(args.rounds):
                for endpoint in group:
                    result = load(port, endpoint, writer if endpoint.as_writer else reader)
                    measures[endpoint.name].rounds.append(result)
                    print(
                        f"  round {round_ + 1}  {endpoint.name:34} {result['rps']:8.1f} req/s"
                        f"  p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms",
                        flush=True,
                    )
    for item in measures.values():
        item.summarize()
    return list(measures.values())


def compare_scales(args: argparse.Namespace, urls: dict[str, str]) -> list[Measure]:
    """Page 1 of the home timeline and of explore on two data sets, served side by side and
    measured in turns, so that both see the same machine."""
    picked = page_one_endpoints()
    cases = [(f"{e.name} @ {scale}", url, e) for e in picked for scale, url in urls.items()]
    measures = {key: Measure(key, e.method, e.path) for key, _url, e in cases}
    print("scales side by side: in-process ...", flush=True)
    for key, found in in_process(cases, args.in_process_repeat).items():
        measures[key].record_in_process(found)
    wrk = ensure_wrk()
    with ExitStack() as stack:
        ports = {url: stack.enter_context(gunicorn(url, args.workers)) for url in urls.values()}
        sessions = {url: log_in(port, READER) for url, port in ports.items()}
        for round_ in range(args.rounds):
            for key, url, endpoint in cases:
                result = run_load(
                    wrk, ports[url], endpoint, sessions[url], args.connections, args.duration
                )
                measures[key].rounds.append(result)
                print(f"  round {round_ + 1}  {key:34} p50 {result['p50_ms']:7.2f} ms", flush=True)
    for item in measures.values():
        item.summarize()
    return list(measures.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_data_arguments(parser)
    add_load_arguments(parser, in_process_repeat=30)
    parser.add_argument("--only", help="regular expression: measure matching endpoints only")
    parser.add_argument(
        "--compare-with",
        choices=sorted(SCALES),
        default="reference",
        help="at the large scale, also serve this scale and compare page 1 side by side",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md alone")
    args = parser.parse_args(argv)

    data_dir = generate_data(args.seed_script, args.scale)
    url = database_url(args.db, args.scale, args.pg_url)
    load_seconds = load_database(url, data_dir, args.scale, args.reload)
    started = datetime.now(UTC)
    info = machine()
    measures = measure(args, url)
    plans = query_plans(url, per_page=25)
    scales: list[Measure] = []
    if args.scale == "large" and args.compare_with != "large":
        small = args.compare_with
        small_url = database_url(args.db, small, args.pg_url)
        load_database(small_url, generate_data(args.seed_script, small), small, False)
        scales = compare_scales(args, {small: small_url, "large": url})
    result = {
        **run_record(args, started, info, measures),
        "load_seconds": load_seconds,
        "plans": plans,
    }
    result["scale_comparison"] = [asdict(m) for m in scales]
    result["targets"] = check_targets(measures, scales, args.compare_with)
    table = markdown(result)
    out = BENCH / "results"
    stem = f"{args.db}-{args.scale}-{started.strftime('%Y%m%dT%H%M')}"
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"{stem}.md").write_text(table + "\n" + plans_markdown(plans))
    if not args.only:
        (out / f"latest-{args.db}-{args.scale}.json").write_text(
            json.dumps(result, indent=2) + "\n"
        )
        if not args.no_readme:
            update_readme(f"{args.db}-{args.scale}", table)
            update_readme(f"plans-{args.db}-{args.scale}", plans_markdown(plans))
    print("\n" + table)
    print(f"written: bench/results/{stem}.md and .json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
