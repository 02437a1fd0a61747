"""What browser tests (and `make screenshots`) share: Chromium's settings, the app served on
127.0.0.1 by a real HTTP server thread, shortcuts to its database, the watcher of console
errors and CSP violations, logging in, the axe-core and layout checks, and moving by Tab with
a visible focus."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug.serving import make_server

from microblog.extensions import db
from microblog.models import Post, PostList, User, paginate
from microblog.models.types import utcnow
from tests.helpers import PASSWORD

# Debian's old headless shell (package chromium-headless-shell) is the Blink of the full
# browser without its windowing layers, what Playwright itself runs headless: the browser
# tests use about 40% less CPU with it. The full browser is used when the shell is missing.
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get(
    "CHROMIUM", HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else "/usr/bin/chromium"
)
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
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# What a browser set to each of the site's languages sends in Accept-Language.
BROWSER_LOCALES = {"en": "en-GB", "es": "es-ES", "de": "de-DE"}


def skip_or_fail(reason: str) -> None:
    """Skip locally; with REQUIRE_BROWSER=1 (CI) a missing browser is a failure."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


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


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 in a thread, until the block ends; its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


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


# Describes the focused element, and whether a sighted keyboard user can see the focus.
FOCUS_STATE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const text = (element.innerText || element.value || element.name || "").trim().slice(0, 40);
  return {
    description: `<${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}> ${text}`,
    visible: element.matches(":focus-visible") && outline,
  };
}"""


def expect_visible_focus(page: Page) -> None:
    """The focused element shows its focus (waiting a moment for the browser to paint it)."""
    try:
        page.wait_for_function(
            f"() => {{ const state = ({FOCUS_STATE})(); return state !== null && state.visible; }}",
            timeout=2_000,
        )
    except PlaywrightTimeoutError:
        state = page.evaluate(FOCUS_STATE)
        assert state is not None, "the focus was lost (it is on the body)"
        raise AssertionError(f"no visible focus on {state['description']}") from None


def tab_to(page: Page, target: Locator, *, key: str = "Tab", limit: int = 40) -> None:
    """Press `key` until `target` has the focus, checking that every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(FOCUS_STATE) is not None:
            expect_visible_focus(page)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} presses of {key}")
