"""In the app itself, with Flask's test client: server time, CPU time and SQL
statements of each page, without HTTP."""

from __future__ import annotations

import os
import re
import statistics
import time

from bench.data import flask_env
from bench.endpoints import LINKED_PAGES, READER, READER_PASSWORD, Endpoint
from bench.server import csrf_from


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
                assert response.status_code == endpoint.status, (
                    endpoint.path,
                    response.status_code,
                )
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
    os.environ.update(flask_env(url))
    from microblog import create_app

    client = create_app().test_client()
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
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
