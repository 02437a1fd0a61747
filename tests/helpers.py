"""What test modules share besides fixtures: reading pages, clients that act like a browser
or an API client, counting SQL statements, setting up or clearing a test database, and a real
SMTP server that keeps what it receives.

Test modules import from here (fixtures live in conftest.py), never from each other."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from flask import Flask, session
from flask.sessions import SessionMixin
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from werkzeug.test import TestResponse

from microblog.extensions import db
from microblog.services.email import wait_for_pending_mail

if TYPE_CHECKING:
    from pytest_httpserver import HTTPServer

PASSWORD = "correct horse battery"
# ana's post, and what the LibreTranslate stand-in makes of it in English.
SPANISH = "Hoy la luz de la tarde era perfecta para fotografiar el puerto."
ENGLISH = "Today the evening light was perfect for photographing the harbour."
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def fuzz_examples(full: int) -> int:
    """How many cases a Hypothesis test generates: `full`, or a third of it (at least 5) with
    TEST_FUZZ=quick, which `make test-fast` sets (`make test`, and so CI, generates them all).
    Each is derandomized: the same cases on every run of either."""
    return max(5, full // 3) if os.environ.get("TEST_FUZZ") == "quick" else full


def skip_or_fail(reason: str) -> None:
    """Skip locally; with REQUIRE_SERVICES=1 (CI) a missing service is a failure."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


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


def empty_tables(app: Flask, *, dispose: bool = True) -> None:
    """Delete every row of the models' tables (and close the connections, unless the app
    goes on being used)."""
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        if dispose:
            db.engine.dispose()


def browser_on(database_url: str = "sqlite://", **settings: object) -> Browser:
    """A browser (not logged in) on an app of its own, made with these settings on an empty
    database, where the user susan exists (password PASSWORD): for tests whose settings must
    be there before the app is made."""
    from microblog import create_app
    from microblog.config import TestConfig
    from microblog.models import User

    app = create_app(TestConfig(database_url, **settings))
    reset_schema(app)
    with app.app_context():
        user = User(username="susan", email="susan@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return Browser(app.test_client())


def soup(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def field_error(page: BeautifulSoup, field_id: str) -> str:
    """The error text linked to a field, checking the aria wiring on the way."""
    control = page.find(id=field_id)
    assert control["aria-invalid"] == "true"
    error = page.find(id=f"{field_id}-error")
    assert f"{field_id}-error" in control["aria-describedby"].split()
    return error.get_text()


def html_pages(app: Flask) -> list[str]:
    """Every page reachable by GET without parameters, and two profiles."""
    urls = ["/user/susan", "/user/john", "/user/nobody"]
    for rule in app.url_map.iter_rules():
        # The API and the health check answer JSON, in no language.
        html_endpoint = rule.endpoint != "static" and not rule.endpoint.startswith(
            ("api.", "health.")
        )
        if "GET" in rule.methods and not rule.arguments and html_endpoint:
            urls.append(rule.rule)
    return urls


class Browser:
    """A test client that behaves like a browser with and without htmx: it sends the CSRF
    token of its session, as a form field (plain forms) or an X-CSRFToken header (htmx)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        """The token every page of the current session carries, made the way Flask-WTF makes
        it for a page (a login starts a new session, with a new one), without asking for a
        page: reading one cost more than most tests."""
        with self._in_session() as _session:
            return generate_csrf()

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

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        """Log in with the login form; then the visit is noted as the page after the redirect
        notes it, so that the next request is only the one the test makes."""
        response = self.post("/auth/login", {"username": username, "password": password})
        assert response.status_code == 303, f"login as {username} failed"
        self._arrive()
        return response

    def log_in_as(self, username: str) -> None:
        """Log in without the form, for tests that are not about logging in: the session
        Flask-Login's login_user() makes after the form's check, and the visit noted, so the
        user and the session are as after login()."""
        from flask_login import login_user

        from microblog.models import User

        with self._in_session() as session:
            session.clear()
            user = User.by_username(username)
            assert user is not None, f"no user {username}"
            login_user(user)
        self._arrive()

    @contextmanager
    def _in_session(self) -> Iterator[SessionMixin]:
        """A request context of this browser (its address and user agent) holding a copy of
        its session; what the block leaves in the session is stored back in its cookie."""
        app = self.client.application
        environ = dict(self.client.environ_base)
        with (
            self.client.session_transaction() as stored,
            app.test_request_context(environ_base=environ),
        ):
            session.update(stored)
            yield session
            if dict(session) != dict(stored):
                stored.clear()
                stored.update(session)

    def _arrive(self) -> None:
        """What the first page after logging in does for the user before it renders: note
        that they were here (last seen). Rendering a page for it cost more than most tests."""
        from microblog.presence import record_last_seen

        with self._in_session():
            record_last_seen()

    def logout(self) -> TestResponse:
        return self.post("/auth/logout")


class ApiClient:
    """A test client that speaks JSON and sends a bearer token once it has one."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def get_token(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/tokens", auth=(username, password))
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def login(self, username: str, password: str = PASSWORD) -> ApiClient:
        self.token = self.get_token(username, password)
        return self

    def request(
        self, method: str, url: str, *, token: str | None = None, **kwargs: object
    ) -> TestResponse:
        headers = dict(kwargs.pop("headers", None) or {})
        token = token or self.token
        if token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("DELETE", url, **kwargs)


def assert_error(response: TestResponse, status: int, reason: str) -> dict:
    """A JSON error with the status's reason phrase, never an HTML page."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == reason
    assert isinstance(body["message"], str) and body["message"]
    return body


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


def teach_libretranslate(httpserver: HTTPServer, source: str = "es", target: str = "en") -> str:
    """Make the local HTTP server answer LibreTranslate's `POST /translate` for ana's post as
    the service documents it (JSON `q`, `source`, `target`, `format`; `translatedText` back);
    a request with any other body gets the server's 500. Returns the base URL to configure."""
    httpserver.expect_request(
        "/translate",
        method="POST",
        json={"q": SPANISH, "source": source, "target": target, "format": "text"},
    ).respond_with_json({"translatedText": ENGLISH})
    return httpserver.url_for("/")


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in order, but users' last_seen (which any request of a
    logged-in user may write): compare two to see whether a request stored anything. Call it
    inside an app context."""
    tables = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) != ("user", "last_seen")]
        rows = db.session.execute(sa.select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(row) for row in rows]
    db.session.rollback()
    return tables
