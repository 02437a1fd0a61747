"""Shared fixtures: an app per test (on SQLite, or on every configured database for tests
marked `alldb`), a browser-like client, users, and a real SMTP server that keeps what it
receives. Helpers that test modules import live in tests/helpers.py."""

from __future__ import annotations

import copy
import logging
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from microblog import create_app
from microblog.config import TestConfig
from microblog.extensions import (
    apifairy,
    babel,
    csrf,
    db,
    htmx,
    limiter,
    login_manager,
    migrate,
    post_cards,
)
from microblog.logs import LIMITER_LOGGER
from microblog.models import Post, User
from microblog.models.types import utcnow
from microblog.services import tasks
from microblog.services.email import wait_for_pending_mail
from tests.helpers import (
    PASSWORD,
    SPANISH,
    Browser,
    SmtpSink,
    empty_tables,
    reset_schema,
    skip_or_fail,
)

# Under pytest-xdist (`make test` runs a worker per core) each worker has a database of its own
# on PostgreSQL and MariaDB (the configured name + "_gw0", "_gw1", …, created when missing) and
# a Redis database number of its own, so workers never see each other's rows or keys.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_redis_url(url: str) -> str:
    parts = urlsplit(url)
    number = (int(parts.path.strip("/") or 0) + 1 + int(WORKER.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{number}"))


if WORKER:
    os.environ["TEST_REDIS_URL"] = _worker_redis_url(
        os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )

CONFIGURED = {
    "sqlite": "sqlite://",
    "postgresql": os.environ.get(
        "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
    "mysql": os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}


def _for_this_worker(url: str) -> str:
    if not WORKER or url.startswith("sqlite"):
        return url
    parsed = sa.engine.make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


DATABASES = {backend: _for_this_worker(url) for backend, url in CONFIGURED.items()}
# The databases that tests marked `alldb` run on: all three unless TEST_DATABASES names some
# (`make test-fast` sets it to "sqlite").
ALLDB = [name.strip() for name in os.environ.get("TEST_DATABASES", ",".join(DATABASES)).split(",")]
_reachable: dict[str, str | None] = {}


def database_url(backend: str) -> str:
    """The URL of `backend`, skipping (or failing in CI) when it cannot be reached."""
    url = DATABASES[backend]
    if backend not in _reachable:
        error = None
        if backend != "sqlite":
            engine = sa.create_engine(CONFIGURED[backend], isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as connection:
                    if url != CONFIGURED[backend]:
                        _create_database(connection, sa.engine.make_url(url).database)
            except sa.exc.OperationalError as exc:
                error = str(exc.orig).splitlines()[0]
            finally:
                engine.dispose()
        _reachable[backend] = error
    if _reachable[backend]:
        skip_or_fail(f"{backend} is not reachable at {url}: {_reachable[backend]}")
    return url


def _create_database(connection: sa.Connection, name: str) -> None:
    """Create this worker's database next to the configured one, unless it exists."""
    if connection.dialect.name == "postgresql":
        found = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    else:
        connection.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{name}`"))


_schema_ready: set[str] = set()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests about the database itself (marked `alldb`: SQL, migrations, uniqueness, query
    counts, encodings) run on every database; every other test runs on SQLite only."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("alldb"):
        metafunc.parametrize("backend", ALLDB, indirect=True)


# Tests that take seconds each (an interpreter per module, browsers, servers and worker
# processes, fuzzing) run first, so that under xdist no worker is left with one of them at the
# end while the other has finished (with `--dist worksteal`, set in setup.cfg: xdist's default
# would give them all to the first worker). They run in this order: a worker that runs out
# takes the *last* half of what another has left, so what must not be split or left to the
# end (test_imports' one five-second fixture) comes first, and the many short fuzz cases last.
SLOW_FIRST = (
    "tests/unit/test_imports.py",
    "tests/browser/",
    "tests/deploy/",
    "tests/db/test_outage_recovery.py",
    "tests/jobs/",
    "tests/api/test_openapi.py",
    "tests/fuzz/",
)


def _slow_rank(item: pytest.Item) -> int:
    """Where an item goes in the run: by its place in SLOW_FIRST, the rest after."""
    return next(
        (rank for rank, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
        len(SLOW_FIRST),
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`alldb` on a test without a database would change nothing: refuse it (a module marked
    alldb may still hold a few tests that need no database). The slow ones go first."""
    for item in items:
        marked = any(mark.name == "alldb" for mark in item.own_markers)
        if marked and "backend" not in item.fixturenames:
            raise pytest.UsageError(f"{item.nodeid} is marked alldb but uses no app database")
    items.sort(key=_slow_rank)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The database of this test: SQLite unless the test is marked `alldb`."""
    return getattr(request, "param", "sqlite")


_pristine_sqlite: sqlite3.Connection | None = None


def _copy_pristine_sqlite(app: Flask) -> None:
    """Give the app's in-memory SQLite database the models' empty schema: a copy (SQLite's
    backup API) of one built once per worker by `reset_schema`, byte for byte what building it
    again would give, in a fraction of the time."""
    global _pristine_sqlite
    with app.app_context():
        if _pristine_sqlite is None:
            reset_schema(app)
            _pristine_sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            source, target = None, _pristine_sqlite
        else:
            source, target = _pristine_sqlite, None
        connection = db.engine.raw_connection()
        try:
            (source or connection.driver_connection).backup(target or connection.driver_connection)
        finally:
            connection.close()


def _shape(app: Flask) -> tuple:
    """What a test could change in an app besides its config and data: routes, hooks, error
    handlers, extensions, the classes it uses, the card actions and the listeners on its
    database engine. An app whose shape a test changed is not used again."""

    def hooks(registry: dict) -> dict:
        return {scope: list(funcs) for scope, funcs in registry.items() if funcs}

    def errors(spec: dict) -> dict:
        # Flask's lookup of a handler adds empty entries (a defaultdict) for each blueprint
        # it looks in: those are not handlers.
        handlers = {
            scope: {code: dict(found) for code, found in codes.items() if found}
            for scope, codes in spec.items()
        }
        return {scope: codes for scope, codes in handlers.items() if codes}

    cards = app.extensions["post_cards"]
    with app.app_context():
        engine = db.engine
    events = ("before_cursor_execute", "after_cursor_execute", "commit", "rollback", "begin")
    return (
        [(rule.rule, rule.endpoint, rule.methods) for rule in app.url_map.iter_rules()],
        dict(app.view_functions),
        dict(app.blueprints),
        hooks(app.before_request_funcs),
        hooks(app.after_request_funcs),
        hooks(app.teardown_request_funcs),
        list(app.teardown_appcontext_funcs),
        hooks(app.url_value_preprocessors),
        hooks(app.url_default_functions),
        errors(app.error_handler_spec),
        dict(app.extensions),
        (app.wsgi_app, app.request_class, app.response_class, app.session_interface, app.json),
        (list(cards.actions), list(cards.factories), cards.find_usernames),
        engine,
        [len(getattr(engine.dispatch, name)) for name in events],
    )


class _Reusable:
    """An app the `app` fixture made, kept for the next test of its worker on the same
    database, with what a test may change put back before each test: its config, its empty
    database and its caches. Making an app costs more than most tests (Werkzeug compiles
    every route, SQLAlchemy every statement anew for a new engine)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.config = copy.deepcopy(dict(app.config))
        self.shape = _shape(app)
        self.extensions = _shared_state(app)

    def usable(self) -> bool:
        """Whether no other app has been made since this one last ran a test: create_app()
        binds the extension objects all apps share (Flask-Limiter keeps whether limits are
        on, and their storage, in its own) and the site's logger to the app it makes."""
        return _shared_state(self.app) == self.extensions

    def renew(self) -> None:
        """As the app was when it was made (its database is emptied by the fixture)."""
        app = self.app
        # Flask refuses new routes and hooks once an app has served a request; a test that
        # adds some gets an app that has not (and it is not used again after that test).
        app._got_first_request = False
        app.config.clear()
        app.config.update(copy.deepcopy(self.config))
        post_cards.cache_clear(app)

    def still_as_made(self) -> bool:
        """Whether the test left the app as it was made, and made no other app (which would
        have bound the shared extension objects to itself)."""
        return _shared_state(self.app) == self.extensions and _shape(self.app) == self.shape


def _shared_state(app: Flask) -> tuple:
    shared = (db, migrate, login_manager, csrf, babel, htmx, limiter, apifairy, post_cards)
    loggers = (app.logger, logging.getLogger(LIMITER_LOGGER))
    return (
        [dict(vars(extension)) for extension in shared],
        [(logger.level, list(logger.handlers)) for logger in loggers],
    )


_reusable: dict[str, _Reusable] = {}


def _finished_background_work() -> bool:
    """Mail and jobs this test's requests started have finished (so none runs into the next
    test's database)."""
    return wait_for_pending_mail(timeout=30) and all(
        tasks.wait_for_threads(queue, timeout=30) for queue in tasks.QUEUES
    )


@pytest.fixture
def app(backend: str) -> Iterator[Flask]:
    """An app of this test's own as far as the test can tell: the TestConfig on an empty
    database, its caches empty. The same app object serves the next tests of the worker
    (see _Reusable) unless a test changed more than its config and data."""
    url = database_url(backend)
    kept = _reusable.pop(backend, None)
    if kept is not None and kept.usable():
        kept.renew()
        app = kept.app
    else:
        if kept is not None:
            _discard(kept.app)
        app = create_app(TestConfig(url))
        kept = _Reusable(app)
    if backend == "sqlite":
        _copy_pristine_sqlite(app)
    elif backend not in _schema_ready:
        reset_schema(app)
        _schema_ready.add(backend)
    yield app
    finished = _finished_background_work()
    with app.app_context():
        db.session.remove()
    if backend != "sqlite":
        empty_tables(app, dispose=False)
    if finished and kept.still_as_made():
        _reusable[backend] = kept
    else:
        _discard(app)


def _discard(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def susan(browser: Browser, make_user: Callable[..., int]) -> Browser:
    """A browser logged in as susan (about me: "Gardens & <bikes>"); john exists too."""
    make_user("susan", about_me="Gardens & <bikes>")
    make_user("john")
    browser.log_in_as("susan")
    return browser


@pytest.fixture
def make_user(app: Flask) -> Callable[..., int]:
    """Create a user and return their id (objects do not outlive the app context)."""

    def make(
        username: str = "susan",
        *,
        password: str = PASSWORD,
        email: str | None = None,
        about_me: str | None = None,
    ) -> int:
        with app.app_context():
            user = User(username=username, email=email or f"{username}@example.com")
            user.about_me = about_me
            user.set_password(password)
            db.session.add(user)
            db.session.flush()
            user_id = user.id  # read before the commit expires it (no SELECT to reload it)
            db.session.commit()
            return user_id

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
            db.session.flush()
            ids = [post.id for post in posts]
            db.session.commit()
            return ids

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


@pytest.fixture(scope="session")
def extracted_messages(tmp_path_factory: pytest.TempPathFactory):
    """The catalog template (.pot) extracted from the code, as `flask translate` makes it."""
    from babel.messages.pofile import read_po

    from microblog.cli import _extract

    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    _extract(pot)
    with pot.open("rb") as handle:
        return read_po(handle)


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


@pytest.fixture
def spanish_post(make_user: Callable[..., int], make_posts: Callable[..., list[int]], query) -> int:
    """ana and her post in Spanish (tests.helpers.SPANISH), its language known; its id."""
    make_user("ana")
    post_id = make_posts("ana", body=SPANISH)[0]

    def mark() -> None:
        db.session.get(Post, post_id).language = "es"
        db.session.commit()

    query(mark)
    return post_id
