"""Browser journeys for search: results that follow the typing with htmx (focus kept in the
box, the address and the live region updated), the plain form with JavaScript off, the whole
way by keyboard, and axe-core on every state of the page, in English and Spanish."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import (
    DESKTOP,
    Site,
    assert_accessible,
    assert_no_horizontal_scroll,
    expect_visible_focus,
    log_in,
)


@pytest.fixture
def garden(site: Site) -> Iterator[Site]:
    site.add_user("ana", about_me="I write about gardens.")
    site.add_user("anabel")
    site.add_posts("ana", 30, body="Tomatoes from the #garden, day {n}, with @anabel")
    site.add_posts("anabel", 2, body="Cycling along the river, ride {n}")
    per_page = site.app.config["POSTS_PER_PAGE"]
    site.app.config["POSTS_PER_PAGE"] = 10
    yield site
    site.app.config["POSTS_PER_PAGE"] = per_page


def focused_id(page: Page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def result_ids(page: Page) -> list[str]:
    return page.locator("#search-results #post-list > li").evaluate_all(
        "items => items.map(item => item.id)"
    )


def test_results_follow_the_typing_and_focus_stays_in_the_box(page: Page, garden):
    page.goto("/search")
    expect(page.locator("#search-results .empty-state")).to_contain_text("Type a word")
    assert_accessible(page, "the empty search page")
    box = page.locator("#search-q")
    box.click()
    page.keyboard.type("tomato", delay=40)
    expect(page.locator("#search-results mark").first).to_have_text("Tomatoes")
    expect(page).to_have_url(re.compile(r"/search\?q=tomato&order=newest$"))
    expect(page.locator("#announcer")).to_have_text("30 results")
    expect(page).to_have_title(re.compile("^Search: tomato"))
    assert focused_id(page) == "search-q"
    assert len(result_ids(page)) == 10
    assert_accessible(page, "results swapped in while typing")

    # More words narrow the results; an empty box shows the hint again, not every post.
    page.keyboard.type(" zucchini", delay=20)
    expect(page.locator("#search-results .empty-state")).to_contain_text("Nothing matches")
    expect(page.locator("#announcer")).to_contain_text("Nothing matches")
    box.fill("")
    expect(page.locator("#search-results .empty-state")).to_contain_text("Type a word")
    assert focused_id(page) == "search-q"

    # People whose name matches come first; links in the posts lead on.
    box.fill("ana")
    people = page.locator("#search-results .search-people .person-name")
    expect(people).to_have_text(["ana", "anabel"])
    assert focused_id(page) == "search-q"


def test_order_and_pages_swap_in_place(page: Page, garden):
    page.goto("/search?q=tomatoes")
    newest = result_ids(page)
    page.get_by_label("Best match").check()
    expect(page).to_have_url(re.compile(r"order=relevance"))
    expect(page.locator("input[name=order][value=relevance]")).to_be_focused()
    assert sorted(result_ids(page)) != [] and len(result_ids(page)) == 10

    page.get_by_label("Newest first").check()
    expect(page).to_have_url(re.compile(r"order=newest"))
    expect(page.locator("#search-results #post-list > li").first).to_have_id(newest[0])
    page.locator("#search-results a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2&before="))
    expect(page.locator("#search-results-heading")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("Page 2")
    second = result_ids(page)
    assert not set(second) & set(newest)
    assert_accessible(page, "the second page of results")
    # Back restores the first page (htmx keeps no history cache: the page is loaded again).
    page.go_back()
    expect(page).to_have_url(re.compile(r"order=newest$"))
    expect(page.locator("#search-results #post-list > li").first).to_have_id(newest[0])


def test_a_tag_in_a_post_leads_to_its_search(page: Page, garden):
    page.goto("/explore")
    page.locator("#post-list a.hashtag", has_text="#garden").first.click()
    expect(page).to_have_url(re.compile(r"/search\?q=%23garden$"))
    expect(page.locator("#search-q")).to_have_value("#garden")
    expect(page.locator("#search-results #post-list > li")).to_have_count(10)


def test_search_works_without_javascript(new_context: Callable[..., BrowserContext], garden):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/explore")
    page.get_by_role("banner").get_by_label("Search posts and people").fill("river")
    page.get_by_role("banner").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=river$"))
    expect(page.locator("#search-results #post-list > li")).to_have_count(2)
    page.locator("#search-q").fill("tomatoes")
    page.get_by_label("Best match").check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=tomatoes&order=relevance$"))
    expect(page.locator("#search-results #post-list > li")).to_have_count(10)
    page.locator("#search-results a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#search-results #post-list > li")).to_have_count(10)
    # (axe-core needs JavaScript: the same pages are audited in the tests with it.)


def test_search_by_keyboard_alone(page: Page, garden):
    page.goto("/explore")
    # The header's box: after the skip link and the site's name.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused_id(page) == "header-search-q"
    expect_visible_focus(page)
    page.keyboard.type("cycling")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=cycling$"))
    # On the search page the box takes more words, and Tab reaches the order and the results.
    page.locator("#search-q").focus()
    page.keyboard.press("End")
    page.keyboard.type(" river", delay=20)
    expect(page.locator("#announcer")).to_have_text("2 results")
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the order
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"order=relevance"))
    expect(page.locator("input[name=order][value=relevance]")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#search-results')")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_search_page_is_accessible_and_fits_a_phone(
    new_context: Callable[..., BrowserContext], garden, language
):
    page = new_context(language=language, viewport={"width": 360, "height": 740}).new_page()
    page.goto("/search?q=tomatoes")
    assert_accessible(page, f"search results ({language})")
    assert_no_horizontal_scroll(page, f"search results on a phone ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "viewport", [{"width": 375, "height": 667}, DESKTOP], ids=["phone", "desktop"]
)
@pytest.mark.parametrize("member", [False, True], ids=["visitor", "member"])
def test_the_header_box_searches_from_any_page_at_any_width(
    new_context: Callable[..., BrowserContext], garden, language, viewport, member
):
    t = garden.translator(language)
    page = new_context(language=language, viewport=viewport).new_page()
    if member:
        log_in(page, "anabel")
    page.goto("/user/ana")
    box = page.get_by_role("search").get_by_label(t("Search posts and people"))
    expect(box).to_be_visible()
    # Wide enough to type in, and inside the window beside the header's other controls.
    size = box.bounding_box()
    assert size["width"] >= 150 and size["x"] + size["width"] <= viewport["width"]
    assert_accessible(page, f"a profile with the header's search box ({language})")
    assert_no_horizontal_scroll(page, f"the header's search box ({language})")
    box.fill("river")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=river$"))
    expect(page.locator("#search-q")).to_have_value("river")
    expect(page.locator("#search-results #post-list > li")).to_have_count(2)
    # The search page has one box, its own.
    expect(page.get_by_role("search")).to_have_count(1)
