"""While the database cannot be reached, every request gets a clean 503 ("Back in a
moment", Retry-After) made without asking the database anything: a page, an htmx alert, or
JSON under /api. (tests/db/test_outage_recovery.py stops a real PostgreSQL server.)"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from microblog import config, create_app, logs
from microblog.extensions import db
from microblog.models import Post
from microblog.outage import RETRY_AFTER_SECONDS, is_database_outage
from tests.helpers import ApiClient, Browser, browser_on, soup


class Outage:
    """Every SQL statement the app sends fails as it does when the server has gone away,
    until `end()`; `attempts` counts the statements that were tried meanwhile."""

    def __init__(self, app: Flask) -> None:
        with app.app_context():
            self.engine = db.engine
        self.attempts: list[str] = []

    def begin(self) -> Outage:
        sa.event.listen(self.engine, "before_cursor_execute", self._fail)
        return self

    def _fail(self, _conn, _cursor, statement, *_args) -> None:
        self.attempts.append(statement)
        raise sa.exc.OperationalError(
            statement, {}, Exception("server closed the connection unexpectedly")
        )

    def end(self) -> None:
        if sa.event.contains(self.engine, "before_cursor_execute", self._fail):
            sa.event.remove(self.engine, "before_cursor_execute", self._fail)


@pytest.fixture
def outage(app: Flask) -> Iterator[Outage]:
    down = Outage(app)
    yield down
    down.end()


def assert_outage_page(response, *, lang: str = "en", title: str = "Back in a moment") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.html["lang"] == lang
    main = page.find("main")
    assert main.h1.get_text() == title
    assert main.find("a", href="/")
    # Nothing that needs the database: no people to follow, no account, no ways in that
    # would only lead to another 503.
    assert page.find(id="suggestions-heading") is None
    assert page.find("header").find("a", href="/auth/login") is None
    assert page.find("details", class_="account-menu") is None
    assert "Traceback" not in page.get_text()
    assert "server closed" not in page.get_text()


@pytest.mark.parametrize("url", ["/auth/login", "/explore", "/user/susan", "/user/susan/followers"])
def test_a_visitor_gets_the_back_in_a_moment_page(browser, make_user, outage, url):
    make_user("susan")
    outage.begin()
    response = browser.get(url)
    assert_outage_page(response)


@pytest.mark.parametrize("url", ["/", "/explore", "/user/john", "/edit_profile"])
def test_a_logged_in_user_gets_it_without_a_single_query_more(susan, outage, url):
    outage.begin()
    response = susan.get(url)
    assert_outage_page(response)
    # Loading the session's user failed; the page itself asked nothing more.
    assert len(outage.attempts) == 1


def test_the_page_offers_to_try_the_same_address_again(susan, outage):
    outage.begin()
    page = soup(susan.get("/explore?page=2"))
    assert page.find("main").find("a", string="Try again")["href"] == "/explore?page=2"


def test_the_page_speaks_the_visitors_language_without_the_users_settings(susan, outage):
    outage.begin()
    response = susan.get("/explore", headers={"Accept-Language": "es"})
    assert_outage_page(response, lang="es", title="Volvemos enseguida")


def test_htmx_gets_an_alert_for_alerts(susan, outage):
    outage.begin()
    response = susan.get("/explore?page=2", htmx=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.find(role="alert").strong.get_text() == "Back in a moment"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_post_sent_during_the_outage_is_refused_and_not_stored(app, susan, query, htmx):
    susan.csrf_token()  # the page that gave the form was served before the outage
    down = Outage(app).begin()
    response = susan.post("/", {"post": "Lost in the outage?"}, htmx=htmx)
    down.end()
    assert response.status_code == 503
    assert query(lambda: db.session.scalar(sa.select(sa.func.count(Post.id)))) == 0
    # Once the database is back, the same session works again.
    assert susan.post("/", {"post": "After the outage"}).status_code == 303
    assert query(lambda: [post.body for post in db.session.scalars(sa.select(Post))]) == [
        "After the outage"
    ]


def test_a_refused_csrf_token_during_the_outage_is_a_503_not_a_bare_500(susan, outage):
    outage.begin()
    # The 400 page needs the layout, which needs the user: the outage answers instead.
    response = susan.post("/follow/john", csrf=False)
    assert_outage_page(response)


def test_the_api_answers_json(app, make_user):
    make_user("susan")
    api = ApiClient(app.test_client()).login("susan")
    down = Outage(app).begin()
    try:
        for response in (api.get("/api/users/1"), api.post("/api/posts", json={"body": "hi"})):
            assert response.status_code == 503
            assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            assert response.get_json()["error"] == "Service Unavailable"
            assert "database" in response.get_json()["message"]
    finally:
        down.end()


def test_each_request_logs_one_line_without_a_traceback(browser, outage, caplog):
    outage.begin()
    browser.get("/explore")
    [record] = [r for r in caplog.records if r.name == "microblog" and r.levelno >= logging.ERROR]
    assert record.getMessage() == (
        "Database unavailable on GET /explore: OperationalError: "
        "server closed the connection unexpectedly"
    )
    assert record.exc_info is None


def test_a_broken_statement_is_still_a_500(app):
    error = sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert not is_database_outage(error)
    assert is_database_outage(sa.exc.OperationalError("SELECT 1", {}, Exception("refused")))
    assert is_database_outage(sa.exc.InterfaceError("SELECT 1", {}, Exception("closed")))
    assert is_database_outage(sa.exc.TimeoutError("QueuePool limit reached"))
    invalidated = sa.exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_database_outage(invalidated)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections and never says a word, like a
    database server behind a network that drops its packets."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def test_a_database_server_that_does_not_answer_is_a_503_after_the_connect_timeout(
    silent_server,
):
    app = create_app(
        config.TestConfig(
            f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/test",
            DATABASE_CONNECT_TIMEOUT=1,
        )
    )
    started = time.monotonic()
    response = Browser(app.test_client()).get("/explore")
    waited = time.monotonic() - started
    assert response.status_code == 503
    assert 0.9 < waited < 10
    with app.app_context():
        db.engine.dispose()


def test_with_redis_unreachable_pages_work_and_a_mail_that_cannot_be_queued_is_logged(
    closed_port, caplog
):
    redis_url = f"redis://127.0.0.1:{closed_port}/0"
    browser = browser_on(
        REDIS_URL=redis_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=redis_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=closed_port,
    )
    assert browser.get("/explore").status_code == 200
    browser.login("susan")
    assert browser.post("/", {"post": "Redis is down, posting is not"}).status_code == 303
    browser.logout()
    asked = browser.post("/auth/reset_password_request", {"email": "susan@example.com"})
    assert asked.status_code == 303
    assert "Could not queue the mail" in caplog.text
    assert "falling back to in-memory storage" in caplog.text


def test_outside_testing_flask_limiters_warnings_reach_the_sites_log(capsys):
    # Flask-Limiter silences its own logger; its "falling back to in-memory storage" (see
    # the Redis test above) must reach the site's log, here standard output.
    app = create_app(config.TestConfig(TESTING=False, LOG_TO_STDOUT=True))
    limiter_logger = logging.getLogger(logs.LIMITER_LOGGER)
    try:
        limiter_logger.warning("Rate limit storage unreachable - falling back to in-memory")
        assert "falling back to in-memory" in capsys.readouterr().out
    finally:
        logs.remove_handlers(app.logger)
        for handler in list(limiter_logger.handlers):
            if not isinstance(handler, logging.NullHandler):
                limiter_logger.removeHandler(handler)
