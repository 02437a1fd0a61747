"""Compare versions of the app side by side: in-process CPU time per page, interleaved.

    .venv/bin/python bench/compare.py NAME=CHECKOUT [NAME=CHECKOUT ...] [--rounds 150]

Each CHECKOUT (a worktree of another commit, say) is served by a process of its own, logged in
as user0001 on the SQLite database of the reference scale that bench/run.py filled; the pages
are asked of each process in turns, so a busy moment of the machine hits every version alike.
Prints a Markdown table of the median CPU (and wall) ms of the app thread, and the ratio of
each version to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.data import at_least_one, flask_env  # noqa: E402

PAGES = [
    ("home page 1", "/", False),
    ("home page 2", "/?page=2&before=98845", False),
    ("home page 2 (htmx fragment)", "/?page=2&before=98845", True),
    ("home page 90", "/?page=90&before=10445", False),
    ("explore page 1", "/explore", False),
    ("explore page 2", "/explore?page=2&before=99976", False),
    ("explore page 2 (htmx fragment)", "/explore?page=2&before=99976", True),
    ("explore page 200", "/explore?page=200&before=95026", False),
    ("profile page 1", "/user/user0002", False),
    ("ceiling: /avatar/1", "/avatar/1", False),
]

# Runs in each checkout: log in, then answer "path htmx" lines with "cpu wall" seconds.
WORKER = """
import json, re, sys, time
sys.path.insert(0, sys.argv[1])
from microblog import create_app
client = create_app().test_client()
html = client.get("/auth/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
form = {"username": "user0001", "password": "pw-user0001", "csrf_token": token}
assert client.post("/auth/login", data=form).status_code == 303, "login failed"
print("ready", flush=True)
for line in sys.stdin:
    path, htmx = json.loads(line)
    started, cpu_started = time.perf_counter(), time.thread_time()
    status = client.get(path, headers={"HX-Request": "true"} if htmx else {}).status_code
    cpu, wall = time.thread_time() - cpu_started, time.perf_counter() - started
    assert status == 200, (path, status)
    print(cpu, wall, flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("versions", nargs="+", metavar="NAME=CHECKOUT")
    parser.add_argument("--rounds", type=at_least_one, default=150)
    args = parser.parse_args(argv)
    database = f"sqlite:///{BENCH / 'data' / 'reference.db'}"
    workers = {}
    for version in args.versions:
        name, _, checkout = version.partition("=")
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(Path(checkout).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=checkout,
            env=flask_env(database),
        )
        if worker.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{name} did not start")
        workers[name] = worker

    def ask(worker: subprocess.Popen, path: str, htmx: bool) -> tuple[float, float]:
        worker.stdin.write(json.dumps([path, htmx]) + "\n")
        worker.stdin.flush()
        cpu, wall = worker.stdout.readline().split()
        return float(cpu), float(wall)

    for worker in workers.values():  # warm up: caches, connections, last_seen
        for _name, path, htmx in PAGES:
            for _ in range(10):
                ask(worker, path, htmx)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for number in range(args.rounds):
        for page, path, htmx in PAGES:
            order = list(workers) if number % 2 == 0 else list(reversed(workers))
            for name in order:
                times.setdefault((name, page), []).append(ask(workers[name], path, htmx))
    for worker in workers.values():
        worker.stdin.close()
        worker.wait(timeout=30)

    names = list(workers)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.rounds} rounds, interleaved, load average {load}: median CPU ms (wall ms)\n")
    print(
        "| page | " + " | ".join(names) + " | " + " | ".join(f"{n} / {names[0]}" for n in names[1:])
    )
    print("| --- |" + " ---: |" * (2 * len(names) - 1))
    for page, _path, _htmx in PAGES:
        cpu = {n: statistics.median(c for c, _w in times[n, page]) * 1000 for n in names}
        wall = {n: statistics.median(w for _c, w in times[n, page]) * 1000 for n in names}
        cells = [f"{cpu[n]:.2f} ({wall[n]:.2f})" for n in names]
        ratios = [f"{cpu[n] / cpu[names[0]]:.3f}" for n in names[1:]]
        print(f"| {page} | " + " | ".join(cells + ratios) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
