"""Live translation in a real browser: with htmx (mouse and keyboard) the translation appears
under the post and is announced; without JavaScript the page comes back with it. A local
LibreTranslate stand-in answers as the service documents."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pytest_httpserver import HTTPServer

from microblog.extensions import db
from microblog.models import Post, User
from tests.browser.helpers import Site, assert_accessible, log_in
from tests.helpers import ENGLISH, SPANISH, teach_libretranslate


@pytest.fixture
def spanish_post(site: Site, httpserver: HTTPServer) -> Iterator[int]:
    """susan (who reads English) and ana's Spanish post, with LibreTranslate configured."""
    site.add_user("susan")
    site.add_user("ana")
    site.add_posts("ana", 1, body=SPANISH)
    with site.app.app_context():
        post = db.session.scalars(db.select(Post).where(Post.author == User.by_username("ana")))
        post = post.one()
        post.language = "es"
        db.session.commit()
        post_id = post.id
    url = teach_libretranslate(httpserver)
    site.app.config.update(LIBRETRANSLATE_URL=url, TRANSLATION_TIMEOUT=2)
    yield post_id
    site.app.config.update(LIBRETRANSLATE_URL=None)


def card(page: Page, post_id: int):
    return page.locator(f"#post-{post_id}")


def test_with_htmx_the_translation_appears_under_the_post_and_is_announced(
    page: Page, spanish_post: int
):
    log_in(page, "susan")
    page.goto("/explore")
    post = card(page, spanish_post)
    expect(post.locator(".post-body")).to_have_attribute("lang", "es")
    post.get_by_role("button", name="Translate").click()

    translation = post.locator(".translation-body")
    expect(translation).to_have_text(ENGLISH)
    expect(translation).to_have_attribute("lang", "en")
    expect(post.locator(".translation-label")).to_have_text(
        "Machine translation by LibreTranslate:"
    )
    expect(page.locator("#announcer")).to_have_text("Translated from Spanish by LibreTranslate.")
    assert page.url.endswith("/explore"), "htmx answers in place"
    assert_accessible(page, "a post with its translation")

    post.get_by_role("link", name="Show original").click()
    expect(post.locator(".translation-body")).to_have_count(0)
    expect(post.get_by_role("button", name="Translate")).to_be_visible()


def test_by_keyboard_alone(page: Page, spanish_post: int):
    log_in(page, "susan")
    page.goto("/explore")
    post = card(page, spanish_post)
    button = post.get_by_role("button", name="Translate")
    # Tab from the post's author link until the Translate button has focus (bounded).
    post.locator("a").first.focus()
    for _ in range(10):
        if button.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(post.locator(".translation-body")).to_have_text(ENGLISH)
    original = post.get_by_role("link", name="Show original")
    original.focus()
    page.keyboard.press("Enter")
    expect(post.get_by_role("button", name="Translate")).to_be_visible()


def test_without_javascript_the_page_comes_back_with_the_translation(
    new_context, spanish_post: int
):
    no_script = new_context(java_script_enabled=False)
    page = no_script.new_page()
    log_in(page, "susan")
    page.goto("/explore")
    card(page, spanish_post).get_by_role("button", name="Translate").click()
    post = card(page, spanish_post)
    expect(post.locator(".translation-body")).to_have_text(ENGLISH)
    expect(post.locator(".translation-body")).to_have_attribute("lang", "en")
    assert re.search(r"/explore\?translated=\d+#post-\d+$", page.url), page.url
    # axe needs JavaScript: the same address and session in a browser that has it shows the
    # same page (nothing on it depends on the script).
    checker = new_context(storage_state=no_script.storage_state()).new_page()
    checker.goto(page.url)
    expect(card(checker, spanish_post).locator(".translation-body")).to_have_text(ENGLISH)
    assert_accessible(checker, "the page that came back with a translation")

    post.get_by_role("link", name="Show original").click()
    expect(card(page, spanish_post).get_by_role("button", name="Translate")).to_be_visible()
    expect(card(page, spanish_post).locator(".translation-body")).to_have_count(0)


def test_a_spanish_reader_gets_no_button(new_context, spanish_post: int):
    page = new_context("es").new_page()
    log_in(page, "susan")
    page.goto("/explore")
    expect(card(page, spanish_post).locator(".post-body")).to_be_visible()
    expect(card(page, spanish_post).locator("form.post-translation")).to_have_count(0)
