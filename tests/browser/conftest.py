"""Browser fixtures: Debian's Chromium driven by Playwright, one browser per session, a fresh
context per test, and the app served by a real HTTP server thread on 127.0.0.1 with its own
SQLite file. Every page a test opens is watched for console errors, uncaught exceptions and
Content-Security-Policy violations; any of them fails the test."""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

from microblog import create_app
from microblog.config import TestConfig
from microblog.extensions import db
from microblog.models import Post, PostList, User, paginate
from microblog.models.types import utcnow
from tests.conftest import empty_tables, reset_schema

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
# Without the background-networking flags Chromium keeps calling home on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
DESKTOP = {"width": 1280, "height": 900}
# What a browser set to each of the site's languages sends in Accept-Language.
BROWSER_LOCALES = {"en": "en-GB", "es": "es-ES", "de": "de-DE"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; with REQUIRE_BROWSER=1 (CI) a missing browser is a failure."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Site:
    """The app under test, served over HTTP, with shortcuts to its database."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    def add_user(self, username: str, *, about_me: str | None = None) -> None:
        with self.app.app_context():
            user = User(username=username, email=f"{username}@example.com", about_me=about_me)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.commit()

    def add_posts(self, username: str, count: int, *, body: str = "{username} post {n}") -> None:
        """`count` posts one minute apart, number `count` the newest."""
        with self.app.app_context():
            author = User.by_username(username)
            start = utcnow() - timedelta(minutes=count + 1)
            db.session.add_all(
                Post(
                    body=body.format(username=username, n=n),
                    author=author,
                    timestamp=start + timedelta(minutes=n),
                )
                for n in range(1, count + 1)
            )
            db.session.commit()

    def follow(self, follower: str, followed: str) -> None:
        with self.app.app_context():
            User.by_username(follower).follow(User.by_username(followed))
            db.session.commit()

    def rename_user(self, username: str, new_username: str) -> None:
        with self.app.app_context():
            User.by_username(username).username = new_username
            db.session.commit()

    def post_bodies_by(self, username: str) -> list[str]:
        with self.app.app_context():
            author = User.by_username(username)
            posts = paginate(PostList.by_author(author), page=1, per_page=10_000)
            return [post.body for post in posts.items]

    def translator(self, locale: str) -> Translator:
        return Translator(self.app, locale)


class Translator:
    """The app's own catalogs, so a test reads what a user of `locale` sees."""

    def __init__(self, app: Flask, locale: str) -> None:
        self.app = app
        self.locale = locale

    def _in_locale(self, function: Callable[..., str], *args: Any, **variables: Any) -> str:
        from flask_babel import force_locale

        with self.app.test_request_context(), force_locale(self.locale):
            return str(function(*args, **variables))

    def __call__(self, message: str, **variables: Any) -> str:
        from flask_babel import gettext

        return self._in_locale(gettext, message, **variables)

    def plural(self, singular: str, plural: str, num: int) -> str:
        from flask_babel import ngettext

        return self._in_locale(ngettext, singular, plural, num)

    def context(self, context: str, message: str) -> str:
        from flask_babel import pgettext

        return self._in_locale(pgettext, context, message)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a free port of 127.0.0.1; the thread stops with the session."""
    database = tmp_path_factory.mktemp("browser") / "microblog.db"
    app = create_app(
        TestConfig(f"sqlite:///{database}", SERVER_NAME=None, BASE_URL="http://127.0.0.1")
    )
    reset_schema(app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Links in mails point to the port the OS picked (the host alone is what TRUSTED_HOSTS checks).
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield Site(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def site(live_server: Site) -> Iterator[Site]:
    """The live site with an empty database for this test."""
    yield live_server
    empty_tables(live_server.app)


# Runs before any page script; reports violations as console errors, which the watcher collects.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber}`);
});
"""


class ProblemWatcher:
    """Collects console errors, uncaught exceptions and CSP violations of every page."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._expected: list[re.Pattern[str]] = []

    def expect(self, pattern: str) -> None:
        """Accept console errors matching `pattern` (e.g. the browser noting a 404 page)."""
        self._expected.append(re.compile(pattern))

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        text = f"{message.text} ({message.location.get('url', '?')})"
        if not any(pattern.search(text) for pattern in self._expected):
            self.problems.append(f"console error: {text}")


@pytest.fixture
def problems() -> ProblemWatcher:
    return ProblemWatcher()


@pytest.fixture
def new_context(
    chromium: Browser, site: Site, problems: ProblemWatcher
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (English, desktop size, JavaScript on, by default); every page in
    them is watched, and the test fails if any page logged an error. `language` is one of the
    site's languages ("en", "es"), set as a browser in that country would."""
    contexts: list[BrowserContext] = []

    def make(language: str = "en", **options: Any) -> BrowserContext:
        options.setdefault("locale", BROWSER_LOCALES[language])
        options.setdefault("viewport", DESKTOP)
        context = chromium.new_context(base_url=site.url, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_REPORTER)
        context.on("page", problems.watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems.problems, "\n".join(problems.problems)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page in a fresh English desktop context with JavaScript on."""
    return new_context().new_page()


def log_in(page: Page, username: str) -> None:
    """Log in through the login form (as a user would) and land on the home page."""
    page.goto("/auth/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page: Page, where: str) -> None:
    """Run axe-core with the WCAG 2.2 A/AA rules on the page as it is now: no violations.

    axe is evaluated through the DevTools protocol, so the page's CSP stays enforced and the
    CSP watcher still sees everything the page itself does. It waits for every request to end:
    nothing may stay marked busy for assistive technologies."""
    busy = page.locator("[aria-busy=true]")
    expect(busy, f"an element stays aria-busy on {where}").to_have_count(0)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map((node) => node.target.join(" ")),
            }));
        }""",
        AXE_TAGS,
    )
    report = [
        f"{v['id']} ({v['impact']}): {v['help']}\n    {v['helpUrl']}\n"
        + "\n".join(f"    at {target}" for target in v["targets"])
        for v in violations
    ]
    assert not report, f"axe-core violations on {where} ({page.url}):\n" + "\n".join(report)


def assert_no_horizontal_scroll(page: Page, where: str) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{where} scrolls sideways: {scroll_width}px > {width}px"
