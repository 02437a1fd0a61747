"""Editing and deleting one's own post in a real browser: in place with htmx (Escape, focus,
the live region), with JavaScript off (pages and redirects), and by keyboard alone; axe finds
nothing at each step."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ProblemWatcher,
    Site,
    Translator,
    assert_accessible,
    expect_visible_focus,
    log_in,
    tab_to,
)


@pytest.fixture
def susan(site: Site) -> Site:
    """susan with three posts (the newest "susan post 3"), and ana with one."""
    site.add_user("susan")
    site.add_user("ana")
    site.add_posts("ana", 1)
    site.add_posts("susan", 3)
    return site


def card_of(page: Page, text: str):
    return page.locator("#post-list li.post", has_text=text)


def mark_window(page: Page) -> None:
    page.evaluate("() => { window.journeyMarker = 'no page load'; }")


def expect_no_page_load(page: Page) -> None:
    assert page.evaluate("() => window.journeyMarker") == "no page load", "the page reloaded"


@pytest.mark.parametrize("locale", ["en", "es"])
def test_edit_and_delete_in_place_with_htmx(
    new_context, susan: Site, problems: ProblemWatcher, locale: str
) -> None:
    # The browser notes the refused edit's 422 in the console; htmx swaps it in as designed.
    problems.expect(r"status of 422 .*/post/\d+/edit\)$")
    t = Translator(susan.app, locale)
    page = new_context(locale).new_page()
    log_in(page, "susan")
    page.goto("/explore")
    mark_window(page)
    # Only the author's cards offer the controls.
    expect(card_of(page, "ana post 1").locator(".post-edit, .post-delete")).to_have_count(0)
    card = card_of(page, "susan post 2")
    assert_accessible(page, "explore with the author's controls")

    # Edit: the card becomes the form, the text in the textarea and the focus on it.
    card.get_by_role("link", name=t("Edit")).click()
    textarea = page.get_by_label(t("Your post"))
    expect(textarea).to_be_focused()
    expect(textarea).to_have_value("susan post 2")
    assert_accessible(page, "a card being edited")
    # Escape is Cancel: the card comes back, the focus on its Edit button.
    page.keyboard.press("Escape")
    edit = card.get_by_role("link", name=t("Edit"))
    expect(edit).to_be_focused()
    expect(card.locator(".post-body")).to_have_text("susan post 2")

    # An edit that breaks the rules keeps the form, with the error next to the field.
    edit.click()
    textarea.fill("x" * 281)  # (an empty one the browser itself refuses: it is required)
    page.locator("#post-list").get_by_role("button", name=t("Save")).click()
    expect(page.locator(".field-error")).to_have_text(
        t("A post has at most %(max)d characters.", max=280)
    )
    expect(textarea).to_be_focused()
    assert_accessible(page, "an edit with an error")

    textarea.fill("susan post 2, now with more thought in it")
    page.locator("#post-list").get_by_role("button", name=t("Save")).click()
    edited = card_of(page, "now with more thought")
    expect(edited.locator(".post-edited")).to_have_text(t("edited"))
    expect(edited.locator(".post-edited")).to_have_attribute("title", re.compile(r"\d"))
    expect(page.locator("#announcer")).to_have_text(t("Post updated."))
    expect(edited.get_by_role("link", name=t("Edit"))).to_be_focused()
    assert_accessible(page, "an edited card")

    # Delete asks in the card; Cancel puts the controls back, focus on Delete.
    edited.get_by_role("link", name=t("Delete")).click()
    question = edited.get_by_text(t("Delete this post?"))
    expect(question).to_be_focused()
    assert_accessible(page, "the question before deleting")
    edited.get_by_role("link", name=t("Cancel")).click()
    expect(edited.get_by_role("link", name=t("Delete"))).to_be_focused()

    edited.get_by_role("link", name=t("Delete")).click()
    edited.get_by_role("button", name=t("Delete")).click()
    expect(card_of(page, "now with more thought")).to_have_count(0)
    expect(page.locator("#announcer")).to_have_text(t("Post deleted."))
    # The focus goes to the post that took its place, not to the top of the page.
    expect(card_of(page, "susan post 1").locator("a.post-time")).to_be_focused()
    expect_no_page_load(page)
    assert_accessible(page, "explore after deleting")
    assert susan.post_bodies_by("susan") == ["susan post 3", "susan post 1"]
    page.reload()
    expect(page.locator("#post-list .post-body")).to_have_count(3)
    expect(card_of(page, "now with more thought")).to_have_count(0)


def test_deleting_with_htmx_on_the_posts_own_page_goes_to_the_profile(
    page: Page, susan: Site
) -> None:
    log_in(page, "susan")
    page.goto("/explore")
    card_of(page, "susan post 3").locator("a.post-time").click()
    expect(page).to_have_url(re.compile(r"/post/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Post by susan")
    expect(page).to_have_title(re.compile("^susan: “susan post 3”"))
    assert_accessible(page, "a post's own page")
    page.locator("main").get_by_role("link", name="Delete").click()
    page.locator("main").get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/user/susan$"))
    expect(page.locator("#flashes")).to_have_text("Your post was deleted.")
    assert susan.post_bodies_by("susan") == ["susan post 2", "susan post 1"]


def test_edit_and_delete_without_javascript(
    new_context, susan: Site, problems: ProblemWatcher
) -> None:
    problems.expect(r"status of 422 .*/post/\d+/edit\)$")
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "susan")
    page.goto("/explore")
    card_of(page, "susan post 2").get_by_role("link", name="Edit").click()

    expect(page).to_have_url(re.compile(r"/post/\d+/edit\?next=/explore$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your post")
    page.get_by_label("Your post").fill("x" * 281)
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".form-error")
    expect(summary).to_contain_text("A post has at most 280 characters.")
    expect(summary).to_be_focused()
    page.get_by_label("Your post").fill("Edited on a page of its own")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/explore$"))
    expect(page.locator("#flashes")).to_have_text("Your post was updated.")
    edited = card_of(page, "Edited on a page of its own")
    expect(edited.locator(".post-edited")).to_have_text("edited")

    edited.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this post?")
    page.locator("main").get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/explore$"))
    assert susan.post_bodies_by("susan") == [
        "susan post 3",
        "Edited on a page of its own",
        "susan post 1",
    ]

    card_of(page, "Edited on a page of its own").get_by_role("link", name="Delete").click()
    page.locator("main").get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(r"/explore$"))
    expect(page.locator("#flashes")).to_have_text("Your post was deleted.")
    expect(card_of(page, "Edited on a page of its own")).to_have_count(0)
    assert susan.post_bodies_by("susan") == ["susan post 3", "susan post 1"]


def test_the_pages_of_editing_and_deleting_are_accessible(
    page: Page, susan: Site, problems: ProblemWatcher
) -> None:
    # (axe runs with JavaScript on; these pages are the same without it, less htmx.)
    problems.expect(r"status of 422 .*/post/\d+/edit\)$")
    log_in(page, "susan")
    page.goto("/explore")
    card_of(page, "susan post 2").locator("a.post-time").click()
    post_url = page.url
    assert_accessible(page, "a post's own page")
    page.goto(f"{post_url}/edit")
    assert_accessible(page, "the edit page")
    page.get_by_label("Your post").fill("x" * 281)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".form-error")).to_be_focused()
    assert_accessible(page, "the edit page with an error")
    page.goto(f"{post_url}/delete")
    assert_accessible(page, "the delete page")


def test_edit_and_delete_by_keyboard_alone(page: Page, susan: Site) -> None:
    log_in(page, "susan")
    page.goto("/explore")
    card = card_of(page, "susan post 3")

    edit = card.get_by_role("link", name="Edit")
    tab_to(page, edit)
    page.keyboard.press("Enter")
    textarea = page.get_by_label("Your post")
    expect(textarea).to_be_focused()
    expect_visible_focus(page)
    page.keyboard.press("End")
    page.keyboard.type(", typed")
    page.keyboard.press("Control+Enter")  # saves, as in the composer
    expect(card.locator(".post-body")).to_have_text("susan post 3, typed")
    expect(edit).to_be_focused()
    expect_visible_focus(page)

    delete = card.get_by_role("link", name="Delete")
    tab_to(page, delete)
    page.keyboard.press("Enter")
    expect(card.get_by_text("Delete this post?")).to_be_focused()
    page.keyboard.press("Escape")
    expect(delete).to_be_focused()
    expect_visible_focus(page)
    page.keyboard.press("Enter")
    tab_to(page, card.get_by_role("button", name="Delete"))
    page.keyboard.press("Enter")
    expect(card_of(page, "typed")).to_have_count(0)
    # The newest post was deleted: the focus is on the one now at the top.
    expect(page.locator("#post-list li.post").first.locator("a.post-time")).to_be_focused()
    expect_visible_focus(page)
    assert susan.post_bodies_by("susan") == ["susan post 2", "susan post 1"]
