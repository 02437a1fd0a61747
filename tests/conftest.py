"""Shared fixtures: an app per test on each configured database, a browser-like client,
users, a SQL query counter, and a real SMTP server that keeps what it receives."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from microblog import create_app
from microblog.config import TestConfig
from microblog.extensions import db
from microblog.models import Post, User
from microblog.models.types import utcnow
from microblog.services.email import wait_for_pending_mail

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
DATABASES = {
    "sqlite": "sqlite://",
    "postgresql": os.environ.get(
        "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
_reachable: dict[str, str | None] = {}


def skip_or_fail(reason: str) -> None:
    """Skip locally; with REQUIRE_SERVICES=1 (CI) a missing service is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def database_url(backend: str) -> str:
    """The URL of `backend`, skipping (or failing in CI) when it cannot be reached."""
    url = DATABASES[backend]
    if backend not in _reachable:
        error = None
        if backend != "sqlite":
            engine = sa.create_engine(url)
            try:
                with engine.connect():
                    pass
            except sa.exc.OperationalError as exc:
                error = str(exc.orig).splitlines()[0]
            finally:
                engine.dispose()
        _reachable[backend] = error
    if _reachable[backend]:
        skip_or_fail(f"{backend} is not reachable at {url}: {_reachable[backend]}")
    return url


def drop_every_table(app: Flask) -> None:
    """Drop every table in the database, not only the models': a shared test database may
    hold tables left by an older schema or another branch (CI reuses the machine's servers
    as they were left)."""
    with app.app_context():
        existing = sa.MetaData()
        existing.reflect(db.engine)
        existing.drop_all(db.engine)


def reset_schema(app: Flask) -> None:
    """An empty database with the models' tables."""
    drop_every_table(app)
    with app.app_context():
        db.create_all()


def empty_tables(app: Flask) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


_schema_ready: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app(backend: str) -> Iterator[Flask]:
    app = create_app(TestConfig(database_url(backend)))
    if backend == "sqlite" or backend not in _schema_ready:
        reset_schema(app)
        _schema_ready.add(backend)
    yield app
    if backend != "sqlite":
        empty_tables(app)


@pytest.fixture
def sqlite_app() -> Flask:
    """An app on SQLite only, for tests whose subject is not the database."""
    app = create_app(TestConfig("sqlite://"))
    reset_schema(app)
    return app


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


class Browser:
    """A test client that behaves like a browser with and without htmx: it sends the CSRF
    token a page gave it, as a form field (plain forms) or an X-CSRFToken header (htmx)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            page = soup(self.client.get("/explore"))
            self._token = json.loads(page.body["hx-headers"])["X-CSRFToken"]
        return self._token

    @staticmethod
    def _headers(htmx: bool, headers: dict | None, url: str) -> dict:
        result = dict(headers or {})
        if htmx:
            result.setdefault("HX-Request", "true")
            result.setdefault("HX-Current-URL", f"http://localhost{url}")
        return result

    def get(self, url: str, *, htmx: bool = False, **kwargs: object) -> TestResponse:
        headers = self._headers(htmx, kwargs.pop("headers", None), url)
        return self.client.get(url, headers=headers, **kwargs)

    def post(
        self,
        url: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        **kwargs: object,
    ) -> TestResponse:
        data = dict(data or {})
        headers = self._headers(htmx, kwargs.pop("headers", None), url)
        if csrf:
            if htmx:
                headers["X-CSRFToken"] = self.csrf_token()
            else:
                data["csrf_token"] = self.csrf_token()
        return self.client.post(url, data=data, headers=headers, **kwargs)

    def login(self, username: str, password: str = "correct horse battery") -> TestResponse:
        response = self.post("/auth/login", {"username": username, "password": password})
        assert response.status_code == 303, f"login as {username} failed"
        return response

    def logout(self) -> TestResponse:
        response = self.post("/auth/logout")
        self._token = None
        return response


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def make_user(app: Flask) -> Callable[..., int]:
    """Create a user and return their id (objects do not outlive the app context)."""

    def make(
        username: str = "susan",
        *,
        password: str = "correct horse battery",
        email: str | None = None,
        about_me: str | None = None,
    ) -> int:
        with app.app_context():
            user = User(username=username, email=email or f"{username}@example.com")
            user.about_me = about_me
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def make_posts(app: Flask) -> Callable[..., list[int]]:
    """Add `count` posts by `username`, one minute apart, the last one newest."""

    def make(username: str, count: int = 1, *, body: str = "Post number {n}") -> list[int]:
        with app.app_context():
            author = User.by_username(username)
            start = utcnow() - timedelta(minutes=count + 1)
            posts = [
                Post(body=body.format(n=n), author=author, timestamp=start + timedelta(minutes=n))
                for n in range(1, count + 1)
            ]
            db.session.add_all(posts)
            db.session.commit()
            return [post.id for post in posts]

    return make


@pytest.fixture
def follow(app: Flask) -> Callable[[str, str], None]:
    def make(follower: str, followed: str) -> None:
        with app.app_context():
            User.by_username(follower).follow(User.by_username(followed))
            db.session.commit()

    return make


@pytest.fixture
def query(app: Flask) -> Callable:
    """Run a function inside an app context, e.g. to read the database after a request."""

    def run(function: Callable):
        with app.app_context():
            return function()

    return run


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture(scope="session")
def extracted_messages(tmp_path_factory: pytest.TempPathFactory):
    """The catalog template (.pot) extracted from the code, as `flask translate` makes it."""
    from babel.messages.pofile import read_po

    from microblog.cli import _extract

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    _extract(pot)
    with pot.open("rb") as handle:
        return read_po(handle)


class _SinkController(Controller):
    """aiosmtpd's threaded server, listening on a port the OS picks (port 0)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts every mail (or refuses the recipients in
    `refuse`) and keeps them."""

    def __init__(self) -> None:
        self._received: list[EmailMessage] = []
        self.refuse: set[str] = set()
        # Cleared by a test to keep the server from answering DATA until the test sets it.
        self.answering = threading.Event()
        self.answering.set()
        self.controller = _SinkController(self, hostname="127.0.0.1", port=0)

    async def handle_RCPT(self, _server, _session, envelope, address, _options) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope) -> str:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.answering.wait, 30)
        self._received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    @property
    def port(self) -> int:
        return self.controller.port

    # A method, not a property: aiosmtpd inspects every attribute of its handler.
    def received(self) -> list[EmailMessage]:
        """Every mail received, once the app's background sending has finished."""
        assert wait_for_pending_mail(timeout=30), "mail still being sent after 30 s"
        return list(self._received)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    wait_for_pending_mail(timeout=30)
    sink.controller.stop()


@pytest.fixture
def mailbox(app: Flask, smtp_sink: SmtpSink) -> SmtpSink:
    """The app sends its mail over SMTP to a sink on 127.0.0.1; the sink's messages."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    return smtp_sink


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 where nothing listens: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
