"""Soak and fault benchmark: gunicorn (2 workers, gunicorn.conf.py) on a PostgreSQL server of
its own and a Redis of its own, 32 logged-in users reading, posting and following at once.

1. steady: `--duration` seconds of load: no answer ≥ 500, every acknowledged post stored;
2. database restart: PostgreSQL stopped (as in a crash) in the middle of the load and started
   again: only clean 503s meanwhile (the "Back in a moment" page with Retry-After, JSON under
   /api), the site back within 5 s of the database, nothing acknowledged lost;
3. Redis stopped: pages keep working, rate limits fall back to memory with a logged warning.

Everything listens on 127.0.0.1 and is stopped at the end. A benchmark, not a test:

    .venv/bin/python bench/soak.py [--users 32] [--duration 60] [--out bench/results]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from servers import free_port  # noqa: E402
from servers.pg_cluster import PostgresCluster  # noqa: E402 - a server of our own

BIN = Path(sys.executable).parent
PASSWORD = "soak password 123"
CSRF = re.compile(r'hx-headers="\{&#34;X-CSRFToken&#34;: &#34;([^&]+)&#34;\}"')
RECOVERY_TARGET = 5.0


@dataclass
class Tally:
    """What the users saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    by_second: dict[int, collections.Counter] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    acknowledged: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)  # ≥ 500 other than a clean 503
    clean_503: int = 0
    last_503: float = 0.0  # when the last 503 was answered (monotonic)
    network_errors: int = 0
    latencies: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def record(self, kind: str, response: requests.Response | None, seconds: float) -> None:
        second = int(time.monotonic() - self.started)
        with self.lock:
            if response is None:
                self.network_errors += 1
                self.by_second[second]["network"] += 1
                return
            status = response.status_code
            self.statuses[status] += 1
            self.by_second[second][status] += 1
            self.latencies.append(seconds)
            if status == 503 and is_clean_503(response):
                self.clean_503 += 1
                self.last_503 = time.monotonic()
            elif status >= 500:
                self.bad.append(f"{kind} {status} {response.text[:200]!r}")


def is_clean_503(response: requests.Response) -> bool:
    if not response.headers.get("Retry-After"):
        return False
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.json().get("error") == "Service Unavailable"
    return "Back in a moment" in response.text


class User(threading.Thread):
    """One logged-in user: reads pages, posts, follows and unfollows, until told to stop."""

    def __init__(
        self, base: str, name: str, others: list[str], tally: Tally, stop: threading.Event
    ):
        super().__init__(daemon=True)
        self.base, self.name, self.others, self.tally, self.stop = base, name, others, tally, stop
        self.session = requests.Session()
        self.csrf = ""
        self.token = ""
        self.count = 0
        self.random = random.Random(name)

    def request(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.session.request(
                method, self.base + path, timeout=30, allow_redirects=False, **kwargs
            )
        except requests.RequestException:
            self.tally.record(kind, None, time.monotonic() - started)
            time.sleep(0.2)
            return None
        self.tally.record(kind, response, time.monotonic() - started)
        if response.status_code == 200 and (found := CSRF.search(response.text)):
            self.csrf = found.group(1)
        return response

    def log_in(self) -> bool:
        self.request("login page", "GET", "/auth/login")
        answer = self.request(
            "login",
            "POST",
            "/auth/login",
            data={"username": self.name, "password": PASSWORD, "csrf_token": self.csrf},
        )
        if answer is None or answer.status_code != 303:
            return False
        token = self.request("token", "POST", "/api/tokens", auth=(self.name, PASSWORD))
        if token is not None and token.status_code == 200:
            self.token = token.json()["token"]
        return True

    def run(self) -> None:
        while not self.stop.is_set() and not self.log_in():
            time.sleep(0.5)
        self.request("home", "GET", "/")
        while not self.stop.is_set():
            roll = self.random.random()
            if roll < 0.35:
                self.request("home", "GET", "/")
            elif roll < 0.55:
                self.request("explore", "GET", "/explore")
            elif roll < 0.65:
                self.request("profile", "GET", f"/user/{self.random.choice(self.others)}")
            elif roll < 0.70:
                self.request(
                    "api", "GET", "/api/timeline", headers={"Authorization": f"Bearer {self.token}"}
                )
            elif roll < 0.88:
                self.count += 1
                body = f"soak {self.name} {self.count} {time.time():.3f}"
                answer = self.request(
                    "post", "POST", "/", data={"post": body, "csrf_token": self.csrf}
                )
                if answer is not None and answer.status_code == 303:
                    with self.tally.lock:
                        self.tally.acknowledged.append(body)
            else:
                other = self.random.choice(self.others)
                action = self.random.choice(["follow", "unfollow"])
                self.request(action, "POST", f"/{action}/{other}", data={"csrf_token": self.csrf})


def run_users(base: str, names: list[str], seconds: float, events=()) -> Tally:
    """Run every user for `seconds`; `events` are (at second, callable) done meanwhile."""
    tally, stop = Tally(), threading.Event()
    users = [User(base, name, [n for n in names if n != name], tally, stop) for name in names]
    for user in users:
        user.start()
    timeline = {}
    for at, action in sorted(events, key=lambda e: e[0]):
        time.sleep(max(0.0, at - (time.monotonic() - tally.started)))
        timeline[action.__name__] = time.monotonic() - tally.started
        action()
    time.sleep(max(0.0, seconds - (time.monotonic() - tally.started)))
    stop.set()
    for user in users:
        user.join(timeout=40)
    tally.timeline = timeline  # type: ignore[attr-defined]
    return tally


def stored_bodies(database_url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT body FROM post")))
    finally:
        engine.dispose()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def summary(name: str, tally: Tally, seconds: float, database_url: str) -> dict:
    stored = stored_bodies(database_url)
    lost = [body for body in tally.acknowledged if body not in stored]
    return {
        "phase": name,
        "seconds": seconds,
        "requests": sum(tally.statuses.values()),
        "statuses": dict(sorted(tally.statuses.items())),
        "network_errors": tally.network_errors,
        "bad_5xx": len(tally.bad),
        "bad_examples": tally.bad[:5],
        "clean_503": tally.clean_503,
        "acknowledged_posts": len(tally.acknowledged),
        "lost_posts": len(lost),
        "p50_ms": round(percentile(tally.latencies, 0.5) * 1000),
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000),
        "timeline": getattr(tally, "timeline", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--outage", type=float, default=10, help="seconds PostgreSQL is down")
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    args = parser.parse_args()
    redis_server = shutil.which("redis-server")
    if not redis_server:
        sys.exit("soak: redis-server is needed (apt-get install redis-server)")
    work = Path(tempfile.mkdtemp(prefix="microblog-soak-"))
    results = []
    with PostgresCluster(settings={"max_connections": "100"}) as cluster:
        database_url = cluster.create_database("soak")
        redis_port, web_port = free_port(), free_port()
        redis = subprocess.Popen(
            [redis_server, "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "",
             "--appendonly", "no", "--dir", str(work)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "SECRET_KEY": "soak-" + "x" * 40,
            "BASE_URL": f"http://127.0.0.1:{web_port}",
            "TRUSTED_HOSTS": "",
            "TRUSTED_PROXIES": "0",
            "GUNICORN_BIND": f"127.0.0.1:{web_port}",
            "WEB_CONCURRENCY": "2",
            "LOG_TO_STDOUT": "1",
            "FLASK_APP": "microblog:create_app",
            # Limits on, counted in Redis, high enough for a load that posts 100 times a minute.
            "RATELIMIT_ENABLED": "true",
            "RATELIMIT_POSTS_PER_USER": "100000 per minute",
        }
        subprocess.run([BIN / "flask", "db", "upgrade"], env=env, check=True, cwd=PROJECT,
                       capture_output=True)  # fmt: skip
        names = [f"soak{n:02d}" for n in range(args.users)]
        make_users = (
            "from microblog import create_app\nfrom microblog.extensions import db\n"
            "from microblog.models import User\napp = create_app()\n"
            "with app.app_context():\n"
            f"    for name in {names!r}:\n"
            "        user = User(username=name, email=name + '@example.com')\n"
            f"        user.set_password({PASSWORD!r})\n"
            "        db.session.add(user)\n"
            "    db.session.commit()\n"
        )
        subprocess.run([BIN / "python", "-c", make_users], env=env, check=True, cwd=PROJECT)
        log = work / "gunicorn.log"
        with log.open("wb") as output:
            web = subprocess.Popen(
                [BIN / "gunicorn", "-c", str(PROJECT / "gunicorn.conf.py")],
                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        base = f"http://127.0.0.1:{web_port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if requests.get(base + "/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.3)
            print(f"soak: {args.users} users for {args.duration:.0f} s (steady)", flush=True)
            tally = run_users(base, names, args.duration)
            results.append(summary("steady", tally, args.duration, database_url))
            print(json.dumps(results[-1]), flush=True)

            outage_seconds = max(30.0, args.outage * 3)
            down_at, up_at = outage_seconds / 3, outage_seconds / 3 + args.outage
            back: dict[str, float] = {}

            def stop_postgresql() -> None:
                cluster.stop("immediate")

            def start_postgresql() -> None:
                cluster.start()
                back["at"] = time.monotonic()

            print(f"soak: PostgreSQL down from {down_at:.0f} s to {up_at:.0f} s", flush=True)
            tally = run_users(
                base, names, outage_seconds, [(down_at, stop_postgresql), (up_at, start_postgresql)]
            )
            result = summary("postgresql restarted", tally, outage_seconds, database_url)
            # Recovery: from PostgreSQL accepting connections again (pg_ctl start -w returned)
            # to the last 503 answered.
            result["database_down_at_s"] = round(tally.timeline["stop_postgresql"], 1)
            result["database_back_at_s"] = round(tally.timeline["start_postgresql"], 1)
            result["recovered_within_s"] = (
                round(max(0.0, tally.last_503 - back["at"]), 2) if tally.last_503 else None
            )
            result["per_second"] = {s: dict(c) for s, c in sorted(tally.by_second.items())}
            results.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "per_second"}), flush=True)

            print("soak: Redis stopped after 5 s", flush=True)

            def stop_redis() -> None:
                redis.send_signal(signal.SIGTERM)
                redis.wait(timeout=10)

            tally = run_users(base, names, 20, [(5, stop_redis)])
            result = summary("redis stopped", tally, 20, database_url)
            text = log.read_text(errors="replace")
            result["fallback_warning_logged"] = "falling back to in-memory storage" in text
            args.out.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, args.out / "soak-gunicorn.log")
            results.append(result)
            print(json.dumps(result), flush=True)
        finally:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)
            if redis.poll() is None:
                redis.terminate()
                redis.wait(timeout=10)
    shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"soak-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"soak: results in {out}")


if __name__ == "__main__":
    main()
