"""`make screenshots`: the README's screenshots of the home timeline, a profile and the login
page, on a desktop and a phone, taken in Debian's Chromium and written to docs/screenshots/.

Run as `python -m tests.browser.screenshots`; it fails (exit status 1) when a page does not
render, logs a console error or a Content-Security-Policy violation, or comes out the wrong size."""

from __future__ import annotations

import os
import shutil
import struct
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from microblog import create_app
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
    log_in,
    serve,
)
from tests.helpers import reset_schema

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PAGES = {"home": "/", "profile": "/user/ana", "login": "/auth/login"}
POSTS = [
    ("ana", "Finished the first draft of my talk on hypermedia. Slides are plain HTML, of course."),
    ("miguel", "Reminder: a 303 after a POST keeps the Back button honest."),
    ("ana", "Coffee, then code review, then more coffee."),
    ("miguel", "Tried the site with the keyboard only today. Tab, Enter, Space: that's all."),
    ("zoe", "Hello, microblog! Reading more than writing for now."),
]


def set_the_scene(site: Site) -> None:
    """Three people who follow each other, with a few posts: zoe's home timeline is full."""
    site.add_user("zoe", about_me="Reader of long threads, writer of short posts.")
    site.add_user("ana", about_me="Talks about the web, hypermedia and good coffee.")
    site.add_user("miguel", about_me="Writes tutorials.")
    for author, body in POSTS:
        site.add_posts(author, 1, body=body)
    site.follow("zoe", "ana")
    site.follow("zoe", "miguel")
    site.follow("ana", "zoe")


def png_size(shot: bytes) -> tuple[int, int]:
    assert shot[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", shot[16:24])


def take_screenshots(site: Site, destination: Path) -> list[Path]:
    """One PNG per page and viewport in `destination`; the paths written."""
    written = []
    problems = ProblemWatcher()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, viewport in VIEWPORTS.items():
            for name, url in PAGES.items():
                context = chromium.new_context(
                    base_url=site.url, locale=BROWSER_LOCALES["en"], viewport=viewport
                )
                context.set_default_timeout(10_000)
                context.add_init_script(CSP_REPORTER)
                context.on("page", problems.watch)
                page = context.new_page()
                if name != "login":
                    log_in(page, "zoe")
                page.goto(url)
                expect(page.locator("main h1")).to_be_visible()
                page.evaluate("() => document.fonts.ready")
                shot = page.screenshot(animations="disabled", caret="hide")
                context.close()
                size = png_size(shot)
                expected = (viewport["width"], viewport["height"])
                assert size == expected, f"{name}-{label}: {size}, expected {expected}"
                path = destination / f"{name}-{label}.png"
                path.write_bytes(shot)
                written.append(path)
        chromium.close()
    assert not problems.problems, "\n".join(problems.problems)
    return written


def main() -> int:
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        print(
            f"screenshots: Chromium not found at {CHROMIUM} (apt-get install chromium)",
            file=sys.stderr,
        )
        return 1
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
