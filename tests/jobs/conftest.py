"""Fixtures for background jobs: an app on a SQLite file (jobs run in other threads or
processes, which an in-memory database cannot serve), a real Redis, and `flask worker`
processes (forked from this one, see ForkedWorker)."""

from __future__ import annotations

import gc
import logging
import os
import select
import signal
import subprocess
import sys
import time
import traceback
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import flask.cli
import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from microblog import create_app
from microblog.config import TestConfig
from microblog.services import tasks
from servers.redis_server import RedisServer, RedisUnavailable
from tests.helpers import Browser, reset_schema, skip_or_fail

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def database_file(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.db'}"


@pytest.fixture
def file_app(database_file: str) -> Iterator[Flask]:
    """An app on a SQLite file whose jobs run in this process's threads."""
    app = create_app(TestConfig(database_file))
    reset_schema(app)
    yield app
    assert tasks.wait_for_threads(tasks.JOBS, timeout=30), "jobs still running after 30 s"


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis (TEST_REDIS_URL), skipped locally or failed in CI when unreachable."""
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except RedisError as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    yield REDIS_URL
    connection.close()


@pytest.fixture
def queue_prefix(redis_url: str) -> Iterator[str]:
    """Queue names of this test's own, and everything RQ kept about them removed after."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    connection = Redis.from_url(redis_url)
    keys = list(connection.scan_iter(f"*{prefix}*"))
    for registry in connection.scan_iter(f"rq:*:{prefix}:*"):
        if connection.type(registry) == b"zset":
            for member in connection.zrange(registry, 0, -1):
                job = member.decode().split(":")[0]
                keys += [f"rq:job:{job}", f"rq:executions:{job}"]
                keys += connection.scan_iter(f"rq:execution:{job}:*")
    if keys:
        connection.delete(*keys)
    connection.close()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server of this test's own, which it may stop and start."""
    try:
        server = RedisServer()
    except RedisUnavailable as error:
        skip_or_fail(str(error))
        raise
    try:
        server.start()
    except RedisUnavailable as error:
        server.remove()
        skip_or_fail(str(error))
        raise
    yield server
    server.remove()


@pytest.fixture
def redis_app(database_file: str, redis_url: str, queue_prefix: str) -> Flask:
    """An app on a SQLite file whose jobs go to Redis, for `flask worker` processes."""
    app = create_app(TestConfig(database_file, REDIS_URL=redis_url, TASK_QUEUE_PREFIX=queue_prefix))
    reset_schema(app)
    return app


@pytest.fixture
def worker_env(database_file: str, redis_url: str, queue_prefix: str, tmp_path: Path) -> dict:
    """The environment of a `flask worker` serving `redis_app`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "DATABASE_", "REDIS_", "TASK_", "FLASK_"))
    }
    env.update(
        FLASK_APP="microblog:create_app",
        PYTHONPATH=str(PROJECT_ROOT),
        DATABASE_URL=database_file,
        REDIS_URL=redis_url,
        TASK_QUEUE_PREFIX=queue_prefix,
        SECRET_KEY="worker-test-secret",
        BASE_URL="http://localhost",
        LOG_TO_STDOUT="1",
        RELEASE_FILE=str(tmp_path / "release"),
    )
    return env


class ForkedWorker:
    """`flask worker` in a forked copy of this process: in a session of its own, with its own
    environment and folder, it runs the `flask` command's own entry point, which builds the
    app from that environment as `python -m flask worker` would, and its output goes to a
    pipe. The same command as a new interpreter costs 1.4 s of CPU to import what this
    process has imported already (tests/deploy run the real executable). A Popen look-alike:
    `pid`, `stdout`, `poll`, `wait`, `terminate`, `communicate`, `returncode`."""

    def __init__(self, args: tuple[str, ...], env: dict[str, str], cwd: Path) -> None:
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12 warns that this process has threads (the SMTP server's, xdist's):
            # the child only builds an app of its own and never takes their locks.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child, which never returns
            os._exit(self._child(read, write, args, env, cwd))
        os.close(write)
        self.stdout = open(read, "rb", buffering=0)  # noqa: SIM115 - closed by start_worker
        self.returncode: int | None = None

    @staticmethod
    def _child(read: int, write: int, args, env: dict[str, str], cwd: Path) -> int:
        code = 1
        try:
            gc.freeze()  # what it inherited is never collected here: no scans of it
            os.setsid()
            os.close(read)
            os.dup2(write, 1)
            os.dup2(write, 2)
            os.close(write)
            sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(number, signal.SIG_DFL)
            logging.root.handlers.clear()  # pytest's, which capture in this process
            warnings.resetwarnings()  # pytest's "error", which a worker does not run with
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(env)
            sys.argv = ["flask", "worker", *args]
            flask.cli.main()
            code = 0
        except SystemExit as exit_:
            if isinstance(exit_.code, str):
                print(exit_.code, file=sys.stderr)
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
        except BaseException:  # reported, as an interpreter would
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("flask worker", timeout)
            time.sleep(0.02)
        return self.returncode

    def terminate(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGTERM)

    def communicate(self, timeout: float | None = None) -> tuple[str, None]:
        """Everything it wrote until it closed its output, once it has ended."""
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        chunks = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.stdout], [], [], left)[0]:
                raise subprocess.TimeoutExpired("flask worker", timeout)
            chunk = self.stdout.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
        self.wait(max(0.0, deadline - time.monotonic()))
        return b"".join(chunks).decode("utf-8", errors="replace"), None


@pytest.fixture
def start_worker(worker_env: dict, tmp_path: Path) -> Iterator[Callable[..., ForkedWorker]]:
    """Start `flask worker` (a ForkedWorker, in its own session) with extra environment; every
    worker still running is killed at the end."""
    started: list[ForkedWorker] = []

    def start(*args: str, **env: str) -> ForkedWorker:
        worker = ForkedWorker(args, {**worker_env, **env}, tmp_path)  # no .env of the checkout's
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        worker.stdout.close()


def run_burst(start_worker: Callable[..., ForkedWorker], **env: str) -> str:
    """Run a worker until the queues are empty; its output."""
    process = start_worker("--burst", **env)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    return output


@pytest.fixture
def file_browser(file_app: Flask) -> Browser:
    return Browser(file_app.test_client())
