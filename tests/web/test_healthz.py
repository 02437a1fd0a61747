"""/healthz: what a load balancer sees when the database or Redis is up or down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from microblog import config, create_app
from tests.helpers import skip_or_fail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> str:
    """A Redis that answers (skipped locally, a failure in CI, when there is none)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        client.close()
    return REDIS_URL


def test_healthz_is_200_with_json_when_the_database_answers(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert "redis" not in body["checks"]  # not configured, not checked
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_sets_no_cookie_and_needs_no_login(app):
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is None


def test_healthz_is_503_when_the_database_is_down(closed_port):
    url = f"postgresql+psycopg://postgres:secret-pw@127.0.0.1:{closed_port}/nowhere"
    app = create_app(config.TestConfig(url))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    # The reason goes to the log, not to whoever asks: no address or password in the body.
    assert "secret-pw" not in response.get_data(as_text=True)
    assert str(closed_port) not in response.get_data(as_text=True)


def test_healthz_checks_redis_when_it_is_configured(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["redis"]["ok"] is True


def test_healthz_is_503_when_redis_is_down_though_the_database_is_up(app, closed_port):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port}/0"
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["redis"] == {"ok": False, "error": "ConnectionError", "ms": checks["redis"]["ms"]}


# Flask-Limiter's instance is shared by every app of a process and keeps the default and
# application-wide limits it was given, so this runs in a fresh interpreter of its own.
UNDER_LIMITS = """
import json
from microblog import create_app
from microblog.config import TestConfig
from microblog.extensions import db

app = create_app(TestConfig(
    RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute", RATELIMIT_APPLICATION="5 per minute"
))
with app.app_context():
    db.create_all()
client = app.test_client()
pages = [client.get("/auth/login").status_code for _ in range(3)]
health = [client.get("/healthz") for _ in range(50)]
print(json.dumps({
    "pages": pages,
    "health": sorted({r.status_code for r in health}),
    "cookies": [r.headers.get("Set-Cookie") for r in health if "Set-Cookie" in r.headers],
}))
"""


def test_healthz_is_never_rate_limited_and_sets_no_cookie_under_limits_for_every_page():
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", UNDER_LIMITS],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["pages"] == [200, 200, 429]  # the limits are on for every other page
    assert seen["health"] == [200]
    assert seen["cookies"] == []
