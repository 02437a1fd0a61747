"""What the benchmark measures: the endpoints, the users it reads and writes as, and
the measurement of one endpoint."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

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
    # What the in-process run expects (a poll answers 204 when nothing changed).
    status: int = 200


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

    def summarize(self) -> None:
        """The medians of the rounds under load, and their errors all told."""
        self.rps = statistics.median(r["rps"] for r in self.rounds)
        self.p50_ms = statistics.median(r["p50_ms"] for r in self.rounds)
        self.p99_ms = statistics.median(r["p99_ms"] for r in self.rounds)
        self.errors = sum(r["errors"] for r in self.rounds)


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
