"""Screenshots of the home timeline, a profile and the login page, on a desktop and a phone.

They are taken on every run (so a page that cannot render fails here too) and written to
docs/screenshots/ for the README only when UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import DESKTOP, Site, log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
POSTS = [
    ("ana", "Finished the first draft of my talk on hypermedia. Slides are plain HTML, of course."),
    ("miguel", "Reminder: a 303 after a POST keeps the Back button honest."),
    ("ana", "Coffee, then code review, then more coffee."),
    ("miguel", "Tried the site with the keyboard only today. Tab, Enter, Space: that's all."),
    ("zoe", "Hello, microblog! Reading more than writing for now."),
]


@pytest.fixture
def scene(site: Site) -> Site:
    site.add_user("zoe", about_me="Reader of long threads, writer of short posts.")
    site.add_user("ana", about_me="Talks about the web, hypermedia and good coffee.")
    site.add_user("miguel", about_me="Writes tutorials.")
    for author, body in POSTS:
        site.add_posts(author, 1, body=body)
    site.follow("zoe", "ana")
    site.follow("zoe", "miguel")
    site.follow("ana", "zoe")
    return site


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["home", "profile", "login"])
def test_screenshot(
    new_context: Callable[..., BrowserContext],
    scene: Site,
    tmp_path: Path,
    name: str,
    viewport: dict,
) -> None:
    page = new_context(viewport=viewport).new_page()
    if name == "login":
        page.goto("/auth/login")
    else:
        log_in(page, "zoe")
        page.goto("/" if name == "home" else "/user/ana")
    expect(page.locator("main h1")).to_be_visible()
    page.evaluate("() => document.fonts.ready")
    shot = page.screenshot(path=tmp_path / "shot.png", animations="disabled", caret="hide")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", shot[16:24])
    assert (width, height) == (viewport["width"], viewport["height"])
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        label = "desktop" if viewport == DESKTOP else "phone"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}-{label}.png").write_bytes(shot)
