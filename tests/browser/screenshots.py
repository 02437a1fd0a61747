"""`make screenshots`: the README's screenshots of the home timeline, a profile, a search and
the welcome page, in the light and the dark theme, on a desktop and a phone, taken in Debian's
Chromium from `make run`'s own demo data (`flask seed demo`) and written to docs/screenshots/.

Run as `python -m tests.browser.screenshots`; it fails (exit status 1) when a page does not
render, logs a console error or a Content-Security-Policy violation, or comes out the wrong size."""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
from itertools import product
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from microblog import create_app
from microblog.cli import DEMO_PASSWORD
from microblog.config import TestConfig
from tests.browser.helpers import (
    BROWSER_LOCALES,
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_REPORTER,
    DESKTOP,
    PHONE,
    ProblemWatcher,
    Site,
    serve,
)
from tests.helpers import reset_schema

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
THEMES = ("light", "dark")
PAGES = {
    "home": "/",
    "profile": "/user/ana",
    "search": "/search?q=photos",
    "login": "/auth/login",
}


def set_the_scene(site: Site) -> None:
    """`make run`'s demo data: susan, miguel and ana, who follow each other, and their posts."""
    result = site.app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output


def log_in_as_susan(page: Page) -> None:
    page.goto("/auth/login")
    page.locator("input[name=username]").fill("susan")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page.locator(".account-menu")).to_be_visible()


def png_size(shot: bytes) -> tuple[int, int]:
    assert shot[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", shot[16:24])


def take_screenshots(site: Site, destination: Path) -> list[Path]:
    """One PNG per theme, viewport and page in `destination`; the paths written."""
    written = []
    problems = ProblemWatcher()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for theme, (label, viewport), (name, url) in product(
            THEMES, VIEWPORTS.items(), PAGES.items()
        ):
            context = chromium.new_context(
                base_url=site.url,
                locale=BROWSER_LOCALES["en"],
                viewport=viewport,
                color_scheme=theme,
            )
            context.set_default_timeout(10_000)
            context.add_init_script(CSP_REPORTER)
            context.on("page", problems.watch)
            page = context.new_page()
            if name != "login":
                log_in_as_susan(page)
            page.goto(url)
            expect(page.locator("main h1")).to_be_visible()
            page.evaluate("() => document.fonts.ready")
            shot = page.screenshot(animations="disabled", caret="hide")
            context.close()
            size = png_size(shot)
            expected = (viewport["width"], viewport["height"])
            assert size == expected, f"{name}-{label}: {size}, expected {expected}"
            path = destination / f"{name}-{label}-{theme}.png"
            path.write_bytes(shot)
            written.append(path)
        chromium.close()
    assert not problems.problems, "\n".join(problems.problems)
    return written


def main() -> int:
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        print(
            f"screenshots: Chromium not found at {CHROMIUM}"
            " (apt-get install chromium-headless-shell)",
            file=sys.stderr,
        )
        return 1
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            TestConfig(
                f"sqlite:///{scratch}/microblog.db", SERVER_NAME=None, BASE_URL="http://127.0.0.1"
            )
        )
        reset_schema(app)
        with serve(app) as url:
            app.config["BASE_URL"] = url
            site = Site(app, url)
            set_the_scene(site)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            try:
                written = take_screenshots(site, SCREENSHOTS)
            except AssertionError as problem:
                print(f"screenshots: {problem}", file=sys.stderr)
                return 1
    for path in written:
        print(f"wrote {path.relative_to(SCREENSHOTS.parents[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
