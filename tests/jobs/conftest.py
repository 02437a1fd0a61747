"""Fixtures for background jobs: an app on a SQLite file (jobs run in other threads or
processes, which an in-memory database cannot serve), a real Redis, and real `flask worker`
processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

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


@pytest.fixture
def start_worker(worker_env: dict, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start `flask worker` (the real command, in its own process group) with extra
    environment; every worker still running is killed at the end."""
    started: list[subprocess.Popen] = []

    def start(*args: str, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "flask", "worker", *args],
            env={**worker_env, **env},
            cwd=tmp_path,  # no .env of the checkout's
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, 9)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def run_burst(start_worker: Callable[..., subprocess.Popen], **env: str) -> str:
    """Run a worker until the queues are empty; its output."""
    process = start_worker("--burst", **env)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    return output


@pytest.fixture
def file_browser(file_app: Flask) -> Browser:
    return Browser(file_app.test_client())
