"""Browser fixtures: Debian's Chromium driven by Playwright, one browser per session, a fresh
context per test, and the app served by a real HTTP server thread on 127.0.0.1 with its own
SQLite file. Every page a test opens is watched for console errors, uncaught exceptions and
Content-Security-Policy violations; any of them fails the test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from microblog import create_app
from microblog.config import TestConfig
from tests.browser.helpers import (
    BROWSER_LOCALES,
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_REPORTER,
    DESKTOP,
    ProblemWatcher,
    Site,
    serve,
    skip_or_fail,
)
from tests.helpers import empty_tables, reset_schema


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium-headless-shell)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on a free port of 127.0.0.1; the thread stops with the session."""
    database = tmp_path_factory.mktemp("browser") / "microblog.db"
    app = create_app(
        TestConfig(f"sqlite:///{database}", SERVER_NAME=None, BASE_URL="http://127.0.0.1")
    )
    reset_schema(app)
    with serve(app) as url:
        # Links in mails point to the port the OS picked (the host alone is what TRUSTED_HOSTS
        # checks).
        app.config["BASE_URL"] = url
        yield Site(app, url)


@pytest.fixture
def site(live_server: Site) -> Iterator[Site]:
    """The live site with an empty database for this test."""
    yield live_server
    empty_tables(live_server.app)


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
