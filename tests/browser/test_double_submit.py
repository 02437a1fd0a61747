"""Clicking Post twice in quick succession publishes the post once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import Site, log_in


def test_double_clicking_post_publishes_one_post(page: Page, site: Site) -> None:
    site.add_user("zoe")
    log_in(page, "zoe")
    page.get_by_label("Say something").fill("Only once, please")
    page.locator("#post-form").get_by_role("button", name="Post").dblclick()
    expect(page.locator("#announcer")).to_have_text("Post published.")
    # Let any second request finish before counting (bounded: 500 ms of network silence).
    page.wait_for_load_state("networkidle")
    expect(page.locator("#post-list .post-body")).to_have_text(["Only once, please"])
    assert site.post_bodies_by("zoe") == ["Only once, please"]
