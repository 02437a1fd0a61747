"""Benchmark the site on the shared seeded data set: latency under load, server time, queries.

    .venv/bin/python bench/run.py [--db sqlite|postgresql] [--scale reference|large]

Generates the data set with ../shared/bench/seed_data.py (once, under bench/data/), loads it
with `flask seed load-csv` (once per database), serves the app with gunicorn (2 workers on a free
port of 127.0.0.1), and measures every endpoint with wrk (installed from Debian when missing,
else a bounded Python load generator). In-process, with the Flask test client, it also times
each page without HTTP and counts its SQL statements. Results go to bench/results/ as Markdown
and JSON, and into the marked section of bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
SCALES = {
    "reference": {"users": 2000, "follows": 50, "posts": 100_000},
    "large": {"users": 10_000, "follows": 100, "posts": 1_000_000},
}
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
READER, READER_PASSWORD = "user0001", "pw-user0001"
# Writes (post, follow) are made by a user whose posts the measured timelines do not show, and
# are undone at the end, so the data set stays the same from one run to the next.
WRITER_ID = 2
FOLLOW_TARGET_ID = 3


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    htmx: bool = False
    as_writer: bool = False
    form: dict[str, str] = field(default_factory=dict)
    # A POST endpoint whose effect is undone by the next request (follow / unfollow).
    toggle_path: str | None = None


@dataclass
class Measure:
    name: str
    method: str
    path: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    server_ms: float | None = None
    server_cpu_ms: float | None = None
    queries: int | None = None
    writes: int | None = None
    rounds: list[dict] = field(default_factory=list)

    def record_in_process(self, found: dict) -> None:
        """Keep what the in-process run saw: server time, CPU time, SQL statements, writes."""
        self.server_ms = found["server_ms"]
        self.server_cpu_ms = found["server_cpu_ms"]
        self.queries = found["queries"]
        self.writes = found["writes"]


# Deep pages are measured as the site links to them ("Older posts" points just past the last
# post shown, `?page=N&before=<id>`), and also as typed URLs (`?page=N`: LIMIT/OFFSET).
LINKED_PAGES = {"home": ("/", (2, 90)), "explore": ("/explore", (2, 200))}


def page_one_endpoints() -> list[Endpoint]:
    return [Endpoint("home page 1", "/"), Endpoint("explore page 1", "/explore")]


def endpoints(links: dict[tuple[str, int], str]) -> list[Endpoint]:
    """What the bench measures; `links` (from linked_pages) are the URLs the site's pager
    links give for the deeper pages."""
    writer, target = f"user{WRITER_ID:04d}", f"user{FOLLOW_TARGET_ID:04d}"
    home, explore = page_one_endpoints()
    return [
        Endpoint("ceiling: /avatar/1", "/avatar/1"),
        home,
        Endpoint("home page 90", links["home", 90]),
        Endpoint("home page 90, typed URL", "/?page=90"),
        Endpoint("home page 2", links["home", 2]),
        Endpoint("home page 2 (htmx fragment)", links["home", 2], htmx=True),
        explore,
        Endpoint("explore page 200", links["explore", 200]),
        Endpoint("explore page 200, typed URL", "/explore?page=200"),
        Endpoint("explore page 2", links["explore", 2]),
        Endpoint("explore page 2 (htmx fragment)", links["explore", 2], htmx=True),
        Endpoint("profile page 1", f"/user/{writer}"),
        Endpoint(
            "follow / unfollow (htmx)",
            f"/follow/{target}",
            method="POST",
            htmx=True,
            as_writer=True,
            toggle_path=f"/unfollow/{target}",
        ),
        Endpoint(
            "post (htmx)",
            "/",
            method="POST",
            htmx=True,
            as_writer=True,
            form={"post": "A benchmark post with <b>markup</b> & an ampersand."},
        ),
    ]


# --- data and database ------------------------------------------------------------------------


def flask_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "microblog:create_app",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", "bench-only-secret"),
    }


def generate_data(seed_script: Path, scale: str) -> Path:
    out = BENCH / "data" / scale
    if all((out / name).exists() for name in ("users.csv", "follows.csv", "posts.csv")):
        return out
    sizes = SCALES[scale]
    print(f"generating the {scale} data set in {out} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(seed_script),
            str(out),
            *("--users", str(sizes["users"])),
            *("--follows", str(sizes["follows"])),
            *("--posts", str(sizes["posts"])),
        ],
        check=True,
    )
    return out


def database_url(db: str, scale: str, pg_url: str) -> str:
    """SQLite: one file per scale; PostgreSQL: one schema per scale in the `--pg-url` database,
    so both scales can be served side by side."""
    if db == "sqlite":
        return f"sqlite:///{BENCH / 'data' / f'{scale}.db'}"
    separator = "&" if "?" in pg_url else "?"
    return f"{pg_url}{separator}options=-csearch_path%3D{pg_schema(scale)}"


def pg_schema(scale: str) -> str:
    return f"bench_{scale}"


def count_posts(engine) -> int | None:
    from sqlalchemy import text

    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM post")).scalar_one()
    except Exception:  # no schema yet
        return None


def load_database(url: str, data_dir: Path, scale: str, reload: bool) -> float | None:
    """Load the data set unless the database already holds exactly it; returns seconds taken."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        if not reload and count_posts(engine) == SCALES[scale]["posts"]:
            return None
        print(f"loading {data_dir} into {url} ...", flush=True)
        if engine.dialect.name == "sqlite":
            engine.dispose()
            Path(engine.url.database).unlink(missing_ok=True)
        else:
            schema = pg_schema(scale)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {schema}"))
        started = time.perf_counter()
        flask = str(VENV_BIN / "flask")
        env = flask_env(url)
        subprocess.run([flask, "db", "upgrade"], check=True, env=env, cwd=ROOT)
        subprocess.run([flask, "seed", "load-csv", str(data_dir)], check=True, env=env, cwd=ROOT)
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: statistics for the planner and a
            # visibility map, without which no index-only scan can skip the table.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        return time.perf_counter() - started
    finally:
        engine.dispose()


@contextmanager
def pristine_writes(url: str) -> Iterator[None]:
    """Undo what the write benchmarks did: their posts and their follows."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        last_post = connection.execute(text("SELECT max(id) FROM post")).scalar_one()
        follows = connection.execute(
            text("SELECT followed_id FROM followers WHERE follower_id = :w"), {"w": WRITER_ID}
        ).scalars()
        was_following = FOLLOW_TARGET_ID in set(follows)
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM post WHERE id > :last"), {"last": last_post})
            connection.execute(
                text("DELETE FROM followers WHERE follower_id = :w AND followed_id = :t"),
                {"w": WRITER_ID, "t": FOLLOW_TARGET_ID},
            )
            if was_following:
                connection.execute(
                    text("INSERT INTO followers (follower_id, followed_id) VALUES (:w, :t)"),
                    {"w": WRITER_ID, "t": FOLLOW_TARGET_ID},
                )
        engine.dispose()


# --- query plans ------------------------------------------------------------------------------


def query_plans(url: str, per_page: int) -> dict[str, str]:
    """EXPLAIN of the SQL that loads the timeline and explore pages, first and deep."""
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": "bench-only-secret"})
    from sqlalchemy import event, text

    from microblog import create_app
    from microblog.extensions import db
    from microblog.models import PostList, User, paginate

    app = create_app()
    plans: dict[str, str] = {}
    with app.app_context():
        reader = User.by_username(READER)
        timeline, explore = PostList.timeline_for(reader), PostList.explore()

        def older_than_page(posts: PostList, number: int) -> int:
            return paginate(posts, page=number, per_page=per_page).items[-1].id

        cases = [
            ("home timeline page 1", timeline, 1, None),
            ("home timeline page 90 (link)", timeline, 90, older_than_page(timeline, 89)),
            ("home timeline page 90 (typed URL)", timeline, 90, None),
            ("explore page 1", explore, 1, None),
            ("explore page 200 (link)", explore, 200, older_than_page(explore, 199)),
            ("explore page 200 (typed URL)", explore, 200, None),
        ]
        for name, query, page, before in cases:
            statements: list[tuple[str, object]] = []

            def record(
                _conn, _cursor, statement, parameters, _context, _executemany, into=statements
            ):
                into.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", record)
            try:
                paginate(query, page=page, per_page=per_page, before=before)
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            db.session.rollback()
            lines = []
            for statement, parameters in statements:
                if db.engine.dialect.name == "sqlite":
                    rows = db.session.connection().exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                    lines += [_sqlite_plan_line(row) for row in rows]
                else:
                    rows = db.session.connection().exec_driver_sql(
                        "EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters
                    )
                    lines += [row[0] for row in rows]
                lines.append("")
            plans[name] = "\n".join(lines).rstrip()
            db.session.rollback()
        db.session.execute(text("SELECT 1"))
    return plans


def _sqlite_plan_line(row) -> str:
    return f"{row[0]:>3} {row[1]:>3}  {row[3]}"


# --- in-process: server time and SQL statements -----------------------------------------------


def in_process(cases: list[tuple[str, str, Endpoint]], repeat: int) -> dict[str, dict]:
    """Time GETs in the app itself (no HTTP) and count their SQL statements. `cases` are
    (key, database URL, endpoint); each URL gets its own app, logged in as the reader."""
    from sqlalchemy import event

    from microblog.extensions import db

    clients = {}
    for url in dict.fromkeys(url for _key, url, _endpoint in cases):
        clients[url] = _logged_in_client(url)
        with clients[url].application.app_context():
            engine = db.engine
        clients[url].engine = engine  # type: ignore[attr-defined]
    for _key, url, endpoint in cases:  # warm up; also settles last_seen (once a minute)
        clients[url].get(endpoint.path, headers=_hx(endpoint))

    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    times: dict[str, list[float]] = {key: [] for key, _url, _endpoint in cases}
    cpu_times: dict[str, list[float]] = {key: [] for key, _url, _endpoint in cases}
    counts: dict[str, tuple[int, int]] = {}
    for client in clients.values():
        event.listen(client.engine, "before_cursor_execute", record)
    try:
        for _ in range(repeat):  # interleaved, so a busy moment hits every page alike
            for key, url, endpoint in cases:
                statements.clear()
                started, cpu_started = time.perf_counter(), time.thread_time()
                response = clients[url].get(endpoint.path, headers=_hx(endpoint))
                times[key].append(time.perf_counter() - started)
                cpu_times[key].append(time.thread_time() - cpu_started)
                assert response.status_code == 200, (endpoint.path, response.status_code)
                writes = sum(
                    s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                    for s in statements
                )
                counts[key] = (len(statements), writes)
    finally:
        for client in clients.values():
            event.remove(client.engine, "before_cursor_execute", record)
    return {
        key: {
            "server_ms": statistics.median(values) * 1000,
            # CPU time of the app alone: less disturbed by other processes than wall time
            # (but without PostgreSQL's own work, which runs in the database server).
            "server_cpu_ms": statistics.median(cpu_times[key]) * 1000,
            "queries": counts[key][0],
            "writes": counts[key][1],
        }
        for key, values in times.items()
    }


def _logged_in_client(url: str):
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": "bench-only-secret"})
    from microblog import create_app

    client = create_app().test_client()
    token = _csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"username": READER, "password": READER_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, "in-process login failed"
    return client


def linked_pages(url: str) -> dict[tuple[str, int], str]:
    """The URL of the "Older posts" link on the page before each page in LINKED_PAGES."""
    client = _logged_in_client(url)
    links = {}
    for name, (path, numbers) in LINKED_PAGES.items():
        for number in numbers:
            html = client.get(f"{path}?page={number - 1}").get_data(as_text=True)
            anchor = re.search(r'<a [^>]*rel="next"[^>]*>', html)
            if not anchor:
                raise RuntimeError(f"no Older posts link on page {number - 1} of {path}")
            href = re.search(r'href="([^"]+)"', anchor.group(0)).group(1)
            links[name, number] = href.replace("&amp;", "&")
    return links


def _hx(endpoint: Endpoint) -> dict[str, str]:
    return {"HX-Request": "true"} if endpoint.htmx else {}


def _csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r"X-CSRFToken&quot;: &quot;([^&]+)&quot;", html
    )
    if not found:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, workers: int) -> Iterator[int]:
    """gunicorn serving the app on a free port of 127.0.0.1, stopped on the way out."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            *("--workers", str(workers)),
            *("--bind", f"127.0.0.1:{port}"),
            *("--log-level", "warning"),
            "microblog:create_app()",
        ],
        cwd=ROOT,
        env=flask_env(url),
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = http_request(port, "GET", "/avatar/1")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def http_request(
    port: int, method: str, path: str, headers: dict | None = None, body: str | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
        return response.status, {"set-cookie": "\n".join(cookies)}, response.read().decode()
    finally:
        connection.close()


@dataclass
class Session:
    cookie: str
    csrf: str


def log_in(port: int, username: str) -> Session:
    """Log in over HTTP once; the session cookie and CSRF token are reused by every request."""
    status, headers, html = http_request(port, "GET", "/auth/login")
    cookie = _cookie(headers)
    body = urllib.parse.urlencode(
        {"username": username, "password": f"pw-{username}", "csrf_token": _csrf_from(html)}
    )
    form_headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    status, headers, _ = http_request(port, "POST", "/auth/login", form_headers, body)
    if status != 303:
        raise RuntimeError(f"login as {username} failed ({status})")
    cookie = _cookie(headers) or cookie
    status, headers, html = http_request(port, "GET", "/explore", {"Cookie": cookie})
    return Session(cookie=_cookie(headers) or cookie, csrf=_csrf_from(html))


def _cookie(headers: dict[str, str]) -> str:
    pairs = [line.split(";", 1)[0] for line in headers["set-cookie"].splitlines() if line]
    return "; ".join(pairs)


# --- load generators --------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    """wrk from Debian, installed when missing (needs root); None means use the fallback."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...", flush=True)
        result = subprocess.run(
            ["apt-get", "install", "-y", "wrk"], capture_output=True, timeout=300, check=False
        )
        if result.returncode == 0:
            return shutil.which("wrk")
    print("wrk unavailable: using the bounded Python load generator", flush=True)
    return None


WRK_SCRIPT = """
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format(%(method)s, paths[(n %% #paths) + 1], nil, %(body)s)
end
"""


def request_headers(endpoint: Endpoint, session: Session) -> dict[str, str]:
    headers = {"Cookie": session.cookie}
    if endpoint.htmx:
        headers["HX-Request"] = "true"
    if endpoint.method == "POST":
        headers["X-CSRFToken"] = session.csrf
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return headers


def run_wrk(
    wrk: str, port: int, endpoint: Endpoint, session: Session, connections: int, seconds: float
) -> dict:
    headers = request_headers(endpoint, session)
    paths = [endpoint.path] + ([endpoint.toggle_path] if endpoint.toggle_path else [])
    body = urllib.parse.urlencode(endpoint.form) if endpoint.method == "POST" else None
    script = BENCH / "results" / "tmp" / "request.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        WRK_SCRIPT
        % {
            "paths": ", ".join(json.dumps(p) for p in paths),
            "method": json.dumps(endpoint.method),
            "body": json.dumps(body) if body is not None else "nil",
        }
    )
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}/")
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if run.returncode:
        raise RuntimeError(f"wrk failed: {run.stderr or run.stdout}")
    return parse_wrk(run.stdout)


def parse_wrk(output: str) -> dict:
    def duration_ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", output, re.MULTILINE))
    if "50" not in percentiles or "99" not in percentiles:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{output}")
    errors = sum(
        int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|Socket errors:.*?): (\d+)", output)
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": duration_ms(percentiles["50"]),
        "p99_ms": duration_ms(percentiles["99"]),
        "errors": errors,
    }


def run_python_load(
    port: int, endpoint: Endpoint, session: Session, connections: int, seconds: float
) -> dict:
    """A bounded stand-in for wrk: `connections` threads, keep-alive, for `seconds`."""
    headers = request_headers(endpoint, session)
    paths = [endpoint.path] + ([endpoint.toggle_path] if endpoint.toggle_path else [])
    body = urllib.parse.urlencode(endpoint.form) if endpoint.method == "POST" else None
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            started = time.perf_counter()
            connection.request(endpoint.method, paths[n % len(paths)], body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status >= 400:
                errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors[0],
    }


# --- the run ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except OSError:
        memory = "unknown"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "memory": memory, "loadavg_start": load}


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    )
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD"], cwd=ROOT).returncode
    return result.stdout.strip() + ("+dirty" if dirty else "")


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
        if wrk:
            return run_wrk(wrk, port, endpoint, session, connections, args.duration)
        return run_python_load(port, endpoint, session, connections, args.duration)

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
        _summarize(item)
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
                if wrk:
                    result = run_wrk(
                        wrk, ports[url], endpoint, sessions[url], args.connections, args.duration
                    )
                else:
                    result = run_python_load(
                        ports[url], endpoint, sessions[url], args.connections, args.duration
                    )
                measures[key].rounds.append(result)
                print(f"  round {round_ + 1}  {key:34} p50 {result['p50_ms']:7.2f} ms", flush=True)
    for item in measures.values():
        _summarize(item)
    return list(measures.values())


def _summarize(item: Measure) -> None:
    item.rps = statistics.median(r["rps"] for r in item.rounds)
    item.p50_ms = statistics.median(r["p50_ms"] for r in item.rounds)
    item.p99_ms = statistics.median(r["p99_ms"] for r in item.rounds)
    item.errors = sum(r["errors"] for r in item.rounds)


def check_targets(measures: list[Measure], scales: list[Measure], small: str) -> list[dict]:
    by_name = {m.name: m for m in measures}
    checks: list[dict] = []

    def ratio(what: str, a: str, b: str, limit: float, attr: str = "p50_ms") -> None:
        if a in by_name and b in by_name:
            value = getattr(by_name[a], attr) / getattr(by_name[b], attr)
            checks.append({"target": what, "value": round(value, 2), "limit": limit})

    ratio("home page 1 / explore page 1 (p50)", "home page 1", "explore page 1", 3.0)
    ratio("home page 90 / home page 1 (p50)", "home page 90", "home page 1", 1.5)
    ratio("explore page 200 / explore page 1 (p50)", "explore page 200", "explore page 1", 1.5)
    for attr, label in (("server_ms", "server time"), ("server_cpu_ms", "server CPU time")):
        ratio(
            f"home page 2: htmx fragment / full page ({label})",
            "home page 2 (htmx fragment)",
            "home page 2",
            0.7,
            attr,
        )
        ratio(
            f"explore page 2: htmx fragment / full page ({label})",
            "explore page 2 (htmx fragment)",
            "explore page 2",
            0.7,
            attr,
        )
    ratio(
        "home page 90 / home page 1 (server time)", "home page 90", "home page 1", 1.5, "server_ms"
    )
    ratio(
        "explore page 200 / explore page 1 (server time)",
        "explore page 200",
        "explore page 1",
        1.5,
        "server_ms",
    )
    counted = [m for m in measures if m.queries is not None]
    if counted:
        worst = max(counted, key=lambda m: m.queries)
        checks.append(
            {
                "target": f"SQL statements per page (max: {worst.name})",
                "value": worst.queries,
                "limit": 5,
            }
        )
        checks.append(
            {
                "target": "database writes on a GET",
                "value": sum(m.writes for m in counted),
                "limit": 0,
            }
        )
    side_by_side = {m.name: m for m in scales}
    for name in ("home page 1", "explore page 1"):
        large = side_by_side.get(f"{name} @ large")
        reference = side_by_side.get(f"{name} @ {small}")
        if large and reference:
            for attr, label in (("p50_ms", "p50"), ("server_ms", "server time")):
                checks.append(
                    {
                        "target": f"{name}: large / {small} scale, side by side ({label})",
                        "value": round(getattr(large, attr) / getattr(reference, attr), 2),
                        "limit": 1.5,
                    }
                )
    for check in checks:
        check["met"] = check["value"] <= check["limit"]
    return checks


def markdown(result: dict) -> str:
    data = result["data"]
    m = result["machine"]
    lines = [
        f"**{result['db']}, {result['scale']} scale** ({data['users']:,} users x "
        f"{data['follows']} follows x {data['posts']:,} posts) — {result['date']}, "
        f"commit {result['commit']}, {m['nproc']} x {m['cpu']}, {m['memory']}, "
        f"load average at start {m['loadavg_start']}; gunicorn {result['settings']['workers']} "
        f"workers, {result['settings']['load_generator']} with {result['settings']['connections']} "
        f"connections, {result['settings']['rounds']} rounds x {result['settings']['duration']} s "
        "per endpoint (medians).",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | server ms | server CPU ms | SQL | writes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for e in result["endpoints"]:
        server = f"{e['server_ms']:.2f}" if e["server_ms"] is not None else "-"
        cpu = f"{e['server_cpu_ms']:.2f}" if e["server_cpu_ms"] is not None else "-"
        queries = str(e["queries"]) if e["queries"] is not None else "-"
        writes = str(e["writes"]) if e["writes"] is not None else "-"
        errors = f" ({e['errors']} errors)" if e["errors"] else ""
        lines.append(
            f"| {e['method']} `{e['path']}` {e['name']}{errors} | {e['rps']:.0f} | "
            f"{e['p50_ms']:.2f} | {e['p99_ms']:.2f} | {server} | {cpu} | {queries} | {writes} |"
        )
    if result.get("scale_comparison"):
        lines += [
            "",
            "Page 1 at both scales, served side by side and measured in turns:",
            "",
            "| endpoint @ scale | req/s | p50 ms | p99 ms | server ms | server CPU ms | SQL |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for e in result["scale_comparison"]:
            lines.append(
                f"| {e['name']} | {e['rps']:.0f} | {e['p50_ms']:.2f} | {e['p99_ms']:.2f} | "
                f"{e['server_ms']:.2f} | {e['server_cpu_ms']:.2f} | {e['queries']} |"
            )
    lines += ["", "| target | value | limit | met |", "| --- | ---: | ---: | --- |"]
    for c in result["targets"]:
        lines.append(
            f"| {c['target']} | {c['value']} | {c['limit']} | {'yes' if c['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def plans_markdown(plans: dict[str, str]) -> str:
    return "".join(f"{name}:\n\n```\n{plan}\n```\n" for name, plan in plans.items())


def update_readme(key: str, table: str) -> None:
    readme = BENCH / "README.md"
    if not readme.exists():
        return
    text = readme.read_text()
    begin, end = f"<!-- BEGIN {key} -->", f"<!-- END {key} -->"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        readme.write_text(f"{before}{begin}\n{table}{end}{after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="reference")
    parser.add_argument(
        "--seed-script", type=Path, default=ROOT.parent / "shared" / "bench" / "seed_data.py"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL database to fill")
    parser.add_argument("--reload", action="store_true", help="load the data even if present")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--duration", type=float, default=2, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--in-process-repeat", type=int, default=30)
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
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "db": args.db,
        "scale": args.scale,
        "data": SCALES[args.scale],
        "load_seconds": load_seconds,
        "machine": {**info, "loadavg_end": " ".join(f"{x:.2f}" for x in os.getloadavg())},
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "duration": args.duration,
            "rounds": args.rounds,
            "load_generator": "wrk" if shutil.which("wrk") else "python",
        },
        "endpoints": [asdict(m) for m in measures],
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
