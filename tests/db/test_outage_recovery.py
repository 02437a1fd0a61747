"""A real database outage: the app runs on a PostgreSQL server of its own, which is stopped
in the middle (every request gets the 503) and started again: the site recovers by itself
within 5 s, and everything it acknowledged is still there."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from microblog import config, create_app
from microblog.extensions import db
from microblog.models import Post, User
from servers.pg_cluster import ClusterUnavailable, PostgresCluster
from tests.helpers import PASSWORD, ApiClient, Browser, reset_schema, skip_or_fail, soup

RECOVERY_SECONDS = 5


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    try:
        server = PostgresCluster().__enter__()
    except ClusterUnavailable as error:
        skip_or_fail(f"cannot run a PostgreSQL server of our own: {error}")
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def app_on_cluster(cluster: PostgresCluster) -> Iterator[Flask]:
    app = create_app(config.TestConfig(cluster.url()))
    reset_schema(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_postgresql_stopped_and_started_503s_then_recovers_losing_nothing(cluster, app_on_cluster):
    app = app_on_cluster
    with app.app_context():
        for name in ("susan", "john"):
            user = User(username=name, email=f"{name}@example.com")
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
    susan = Browser(app.test_client())
    susan.login("susan")
    api = ApiClient(app.test_client()).login("john")

    acknowledged = []
    for number in range(3):
        body = f"Before the outage {number}"
        assert susan.post("/", {"post": body}).status_code == 303
        acknowledged.append(body)
    assert api.post("/api/posts", json={"body": "From the API"}).status_code == 201
    acknowledged.append("From the API")

    cluster.stop("fast")
    page = susan.get("/explore")
    assert page.status_code == 503
    assert page.headers["Retry-After"]
    assert soup(page).find("main").h1.get_text() == "Back in a moment"
    alert = susan.post("/", {"post": "Written during the outage"}, htmx=True)
    assert alert.status_code == 503
    assert soup(alert).find(role="alert")
    refused = api.post("/api/posts", json={"body": "Sent during the outage"})
    assert refused.status_code == 503
    assert refused.get_json()["error"] == "Service Unavailable"
    assert Browser(app.test_client()).get("/auth/login").status_code == 503

    cluster.start()
    back = time.monotonic()
    deadline = back + RECOVERY_SECONDS
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(susan.get("/explore").status_code)
        if statuses[-1] == 200:
            break
        time.sleep(0.05)
    assert statuses[-1] == 200, f"not recovered {RECOVERY_SECONDS} s after the restart"
    assert set(statuses[:-1]) <= {503}

    assert susan.post("/", {"post": "After the outage"}).status_code == 303
    acknowledged.append("After the outage")
    assert api.post("/api/posts", json={"body": "API after"}).status_code == 201
    acknowledged.append("API after")
    with app.app_context():
        stored = db.session.scalars(sa.select(Post.body).order_by(Post.id)).all()
    assert stored == acknowledged
