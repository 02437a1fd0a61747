"""`/healthz`: whether this web process can reach what it needs, for load balancers and
orchestrators (JSON, no login, no session, no rate limit)."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify

from microblog.extensions import db, limiter

bp = Blueprint("health", __name__)

# A check that hangs is as bad as one that fails: give up after this many seconds.
REDIS_TIMEOUT_SECONDS = 2.0


def _check_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


def _check_redis() -> None:
    from redis import Redis

    client = Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def _run(check: Callable[[], None]) -> dict[str, object]:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        # Only the kind of error: the message may hold a host name or a password.
        current_app.logger.warning("Health check %s failed: %r", check.__name__, error)
        result: dict[str, object] = {"ok": False, "error": type(error).__name__}
    else:
        result = {"ok": True}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """200 with `{"status": "ok", ...}` when the database (and Redis, when REDIS_URL is set)
    answers; 503 with the failing check marked otherwise."""
    checks = {"database": _run(_check_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _run(_check_redis)
    healthy = all(check["ok"] for check in checks.values())
    response = jsonify(status="ok" if healthy else "unavailable", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
