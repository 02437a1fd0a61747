"""Error pages and alerts, what a 500 does behind the scenes, and where the log goes."""

import logging
import sys

import pytest
from flask import Blueprint, Flask, abort
from flask.logging import default_handler

from microblog import config, create_app, logs
from microblog.extensions import db
from microblog.logs import ErrorMailHandler
from microblog.models import User
from microblog.services.email import SmtpSettings, wait_for_pending_mail
from tests.helpers import reset_schema, soup

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
}


def add_failing_routes(app: Flask) -> None:
    """Views that fail on purpose, registered before the app serves its first request."""
    failing = Blueprint("failing", __name__)

    @failing.route("/test/abort/<int:code>")
    def abort_with(code: int) -> str:
        abort(code)

    @failing.route("/test/boom", methods=["GET", "POST"])
    def boom() -> str:
        db.session.add(User(username="ghost", email="ghost@example.com"))
        db.session.flush()
        # A second "susan" breaks the unique username: on PostgreSQL this also aborts the
        # transaction, so the error page only works if the handler rolled back first.
        db.session.add(User(username="SUSAN", email="other@example.com"))
        db.session.flush()
        return "unreachable"

    @failing.route("/test/other")
    def other() -> str:
        raise ValueError("a different bug")

    app.register_blueprint(failing)


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    add_failing_routes(app)
    return app


def request_error(browser, code: int, *, htmx: bool, **kwargs):
    """Make the app answer with `code`, as a browser (or htmx) would meet it."""
    if code == 404:
        return browser.get("/no/such/page", htmx=htmx, **kwargs)
    if code == 405:
        return browser.get("/auth/logout", htmx=htmx, **kwargs)
    if code == 413:
        return browser.post("/auth/login", {"username": "x" * 2_000_000}, htmx=htmx, **kwargs)
    if code == 500:
        return browser.post("/test/boom", htmx=htmx, **kwargs)
    return browser.get(f"/test/abort/{code}", htmx=htmx, **kwargs)


@pytest.mark.parametrize("code", sorted(TITLES))
def test_each_error_is_a_full_page_with_a_way_home(failing_app, browser, make_user, code):
    make_user("susan")
    response = request_error(browser, code, htmx=False)
    assert response.status_code == code
    page = soup(response)
    assert page.html["lang"] == "en"
    assert page.find("main").h1.get_text() == TITLES[code]
    assert page.find("main").find("a", string="Back to the home page")["href"] == "/"
    assert "Traceback" not in page.get_text()


@pytest.mark.parametrize("code", sorted(TITLES))
def test_each_error_is_an_alert_fragment_for_htmx(failing_app, browser, make_user, code):
    make_user("susan")
    response = request_error(browser, code, htmx=True)
    assert response.status_code == code
    assert "HX-Request" in response.headers["Vary"]
    fragment = soup(response)
    assert fragment.find("html") is None
    alert = fragment.find(role="alert")
    assert alert.strong.get_text() == TITLES[code]


def test_a_405_says_which_methods_are_allowed(browser):
    allowed = browser.get("/auth/logout").headers["Allow"].split(", ")
    assert "POST" in allowed and "GET" not in allowed


@pytest.mark.parametrize(
    ("code", "title"), [(404, "Página no encontrada"), (500, "Algo ha salido mal")]
)
def test_error_pages_speak_the_readers_language(failing_app, browser, make_user, code, title):
    make_user("susan")
    response = request_error(browser, code, htmx=False, headers={"Accept-Language": "es"})
    page = soup(response)
    assert page.html["lang"] == "es"
    assert page.find("main").h1.get_text() == title
    assert page.find("main").find("a", string="Volver a la página de inicio")


@pytest.mark.alldb
def test_a_500_rolls_back_keeps_the_session_usable_and_logs_where_it_happened(
    failing_app, browser, make_user, query, caplog
):
    susan_id = make_user("susan")
    browser.login("susan")
    response = browser.post("/test/boom")
    assert response.status_code == 500
    page = soup(response)
    profile = [a for a in page.find("nav").find_all("a") if a.get_text(strip=True) == "Profile"]
    assert [a["href"] for a in profile] == ["/user/susan"]
    assert "IntegrityError" not in page.get_text()
    assert query(lambda: User.by_username("ghost")) is None
    assert query(lambda: User.query.count()) == 1

    [record] = [r for r in caplog.records if r.name == "microblog" and r.levelno == logging.ERROR]
    assert record.getMessage() == f"Unhandled IntegrityError on POST /test/boom (user {susan_id})"
    assert record.exc_info is not None
    assert "Traceback (most recent call last)" in caplog.text
    assert "in boom" in caplog.text


def test_when_the_layout_fails_too_the_500_page_still_shows_without_it(
    failing_app, browser, make_user, monkeypatch, caplog
):
    from microblog.extensions import login_manager

    make_user("susan")
    browser.login("susan")

    def broken_loader(_user_id: str) -> None:
        raise RuntimeError("the user loader is broken")

    monkeypatch.setattr(login_manager, "_user_callback", broken_loader)
    response = browser.get("/explore")
    assert response.status_code == 500
    page = soup(response)
    assert page.h1.get_text() == "Something went wrong"
    assert page.find("a", string="Back to the home page")["href"] == "/"
    assert "the user loader is broken" not in page.get_text()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert messages == [
        "Unhandled RuntimeError on GET /explore (user unknown)",
        "The error page failed as well; sent it without layout",
    ]


def test_in_debug_mode_the_error_goes_to_the_debugger(failing_app, browser):
    failing_app.debug = True
    with pytest.raises(ValueError, match="a different bug"):
        browser.get("/test/other")


@pytest.fixture
def admin_mailing_app(smtp_sink):
    """An app that mails its errors to an admin through the SMTP sink."""
    app = create_app(
        config.TestConfig(
            "sqlite://",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=smtp_sink.port,
            ADMINS=["admin@example.com"],
            MAIL_DEFAULT_SENDER="errors@example.com",
        )
    )
    reset_schema(app)
    add_failing_routes(app)
    with app.app_context():
        db.session.add(User(username="susan", email="susan@example.com"))
        db.session.commit()
    yield app
    wait_for_pending_mail()
    logs.remove_handlers(app.logger)


def test_a_500_mails_the_admins_once_per_distinct_error(admin_mailing_app, smtp_sink):
    client = admin_mailing_app.test_client()
    for url in ("/test/boom", "/test/boom", "/test/other", "/test/boom"):
        assert client.get(url).status_code == 500
    # Each mail goes out on its own thread, so they may arrive in either order. A long
    # subject is folded; Python's parser keeps the space that the fold leaves.
    mails = {mail["Subject"].strip(): mail for mail in smtp_sink.received()}
    assert len(smtp_sink.received()) == 2
    assert sorted(mails) == [
        "Microblog error: Unhandled IntegrityError on GET /test/boom (user anonymous)",
        "Microblog error: Unhandled ValueError on GET /test/other (user anonymous)",
    ]
    first = mails["Microblog error: Unhandled IntegrityError on GET /test/boom (user anonymous)"]
    assert first["To"] == "admin@example.com"
    assert first["From"] == "errors@example.com"
    body = first.get_content()
    assert "Traceback (most recent call last)" in body
    assert "in boom" in body


def test_the_same_error_is_mailed_again_after_ten_minutes(smtp_sink):
    now = [1000.0]
    handler = ErrorMailHandler(
        settings=SmtpSettings("127.0.0.1", smtp_sink.port, False, False, None, None, 10),
        sender="errors@example.com",
        admins=["admin@example.com"],
        clock=lambda: now[0],
    )
    logger = logging.getLogger("tests.throttle")

    def log_error() -> None:
        try:
            raise RuntimeError("down again")
        except RuntimeError:
            handler.handle(
                logger.makeRecord(logger.name, logging.ERROR, "x", 1, "outage", (), sys.exc_info())
            )

    log_error()
    now[0] += 599
    log_error()
    now[0] += 2
    log_error()
    assert len(smtp_sink.received()) == 2


def test_mail_failures_are_never_mailed_to_the_admins(smtp_sink):
    handler = ErrorMailHandler(
        settings=SmtpSettings("127.0.0.1", smtp_sink.port, False, False, None, None, 10),
        sender="errors@example.com",
        admins=["admin@example.com"],
    )
    record = logging.getLogger("microblog.mail").makeRecord(
        "microblog.mail", logging.ERROR, "x", 1, "Could not send", (), None
    )
    handler.handle(record)
    assert smtp_sink.received() == []


@pytest.fixture
def production_logger():
    """Put the package's shared logger back as it was after a test that configures it."""
    logger = logging.getLogger("microblog")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logs.remove_handlers(logger)
    logger.setLevel(level)
    for handler in handlers:
        if handler not in logger.handlers:
            logger.addHandler(handler)


def test_outside_debug_and_testing_the_log_goes_to_rotating_files(tmp_path, production_logger):
    app = create_app(
        config.TestConfig(
            "sqlite://",
            TESTING=False,
            LOG_DIR=str(tmp_path),
            LOG_MAX_BYTES=2000,
            LOG_BACKUP_COUNT=3,
        )
    )
    [handler] = [
        h for h in app.logger.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert (handler.maxBytes, handler.backupCount) == (2000, 3)
    # Each line names the source file by its absolute path, so its length depends on where
    # the checkout is; 60 lines of over 200 bytes fill more than the four files anywhere.
    padding = "." * 200
    for number in range(60):
        app.logger.info("line %d of the log %s", number, padding)
    handler.flush()
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["microblog.log", "microblog.log.1", "microblog.log.2", "microblog.log.3"]
    assert "INFO microblog" in (tmp_path / "microblog.log").read_text()
    assert "line 59 of the log" in (tmp_path / "microblog.log").read_text()


def test_log_to_stdout_for_containers(tmp_path, production_logger, capsys):
    app = create_app(
        config.TestConfig("sqlite://", TESTING=False, LOG_TO_STDOUT=True, LOG_DIR=str(tmp_path))
    )
    app.logger.warning("hello from the container")
    assert "hello from the container" in capsys.readouterr().out
    assert default_handler not in app.logger.handlers
    assert list(tmp_path.iterdir()) == []
