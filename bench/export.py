"""The export job: time and peak memory of exporting one user's posts, at several sizes.

    .venv/bin/python bench/export.py [--posts 1000,10000,100000] [--db-url URL] [--rounds 3]

For each size, one user gets that many posts in a fresh database (SQLite in a temporary
directory, or the PostgreSQL/MariaDB database of --db-url, whose tables are dropped and made
again), then a fresh child process runs the export job itself (microblog.services.exports,
as a worker runs it) against an SMTP sink in this process, which counts the bytes it gets and
checks the attachment. The child reports wall and CPU time (median of --rounds runs), the
peak of Python allocations during the job (tracemalloc, in a separate run, since tracing
slows it down) and how much its peak RSS grew during the job.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.data import at_least_one  # noqa: E402


class CountingSink:
    """An SMTP handler that keeps only the size of each mail and its decoded attachment's
    post count (so the sink's own memory is not the child's)."""

    def __init__(self) -> None:
        self.mails: list[dict] = []

    async def handle_DATA(self, _server, _session, envelope) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        [part] = list(message.iter_attachments())
        posts = json.loads(base64.b64decode(part.get_payload()))["posts"]
        self.mails.append({"bytes": len(envelope.content), "posts": len(posts)})
        envelope.content = b""
        return "250 OK"


def seed(db_url: str, count: int) -> None:
    """An empty schema with one user, `exporter`, and `count` posts of theirs."""
    from microblog import create_app
    from microblog.config import TestConfig
    from microblog.extensions import db
    from microblog.models import Post, User

    app = create_app(TestConfig(db_url))
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(username="exporter", email="exporter@example.com")
        db.session.add(user)
        db.session.commit()
        start = datetime(2025, 1, 1, tzinfo=UTC)
        batch = 5000
        for first in range(0, count, batch):
            db.session.execute(
                Post.__table__.insert(),
                [
                    {
                        "body": f"Post number {n}: a sentence of a usual length, with ñ and ü.",
                        "timestamp": start + timedelta(seconds=n),
                        "user_id": user.id,
                        "language": "en",
                    }
                    for n in range(first, min(count, first + batch))
                ],
            )
            db.session.commit()
        db.engine.dispose()


CHILD = r"""
import json, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from microblog import create_app
from microblog.config import TestConfig
from microblog.extensions import db
from microblog.models import Task, User
from microblog.services import exports

app = create_app(TestConfig(sys.argv[2], MAIL_SERVER="127.0.0.1", MAIL_PORT=int(sys.argv[3])))
traced = sys.argv[4] == "trace"

def rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

with app.app_context():
    user = User.by_username("exporter")
    task = Task.create(user_id=user.id, kind=exports.KIND, description="bench")
    db.session.commit()
    task.start()
    db.session.commit()
    before = rss_kib()
    if traced:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    exports.export_posts(task, locale="en")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    task.finish()
    db.session.commit()
    print(json.dumps({"wall": wall, "cpu": cpu, "traced_peak": peak,
                      "rss_growth_kib": rss_kib() - before, "rss_peak_kib": rss_kib()}))
"""


def run_child(db_url: str, port: int, mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(BENCH.parent), db_url, str(port), mode],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise SystemExit(f"the export failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--posts", default="1000,10000,100000")
    parser.add_argument("--db-url", default=None, help="default: SQLite in a temporary directory")
    parser.add_argument("--rounds", type=at_least_one, default=3)
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    sink = CountingSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Large enough for 100,000 posts (about 13 MB of JSON, 18 MB in base64).
    controller = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=200 * 2**20)
    controller.start()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db_url or f"sqlite:///{Path(tmp) / 'export.db'}"
        for count in (int(n) for n in args.posts.split(",")):
            seed(db_url, count)
            timed = [run_child(db_url, port, "time") for _ in range(args.rounds)]
            traced = run_child(db_url, port, "trace")
            mail = sink.mails[-1]
            assert mail["posts"] == count, mail
            rows.append(
                {
                    "posts": count,
                    "wall_s": statistics.median(r["wall"] for r in timed),
                    "cpu_s": statistics.median(r["cpu"] for r in timed),
                    "traced_peak_mib": traced["traced_peak"] / 2**20,
                    "rss_growth_mib": statistics.median(r["rss_growth_kib"] for r in timed) / 1024,
                    "mail_mib": mail["bytes"] / 2**20,
                }
            )
    controller.stop()
    backend = (args.db_url or "sqlite").split(":", 1)[0].split("+", 1)[0]
    print(f"Export job, {backend}, median of {args.rounds} runs; peaks measured during the job")
    print()
    print("| posts | wall s | CPU s | peak Python allocations | peak RSS growth | mail size |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['posts']:,} | {row['wall_s']:.2f} | {row['cpu_s']:.2f} "
            f"| {row['traced_peak_mib']:.2f} MiB | {row['rss_growth_mib']:.1f} MiB "
            f"| {row['mail_mib']:.1f} MiB |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
