"""The main journey through the site, with htmx and with JavaScript off: register, log in,
post, follow someone, read the timeline page by page, unfollow, log out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    PASSWORD,
    Site,
    Translator,
    assert_accessible,
)

SEEDED_POSTS = 30  # more than one page of 25


@pytest.fixture
def ana(site: Site) -> str:
    """Someone to follow, with more than a page of posts."""
    site.add_user("ana", about_me="I write a lot.")
    site.add_posts("ana", SEEDED_POSTS)
    return "ana"


def mark_window(page: Page) -> None:
    """Leave a marker on the window; it survives swaps and disappears with a page load."""
    page.evaluate("() => { window.journeyMarker = 'no page load'; }")


def expect_no_page_load(page: Page) -> None:
    assert page.evaluate("() => window.journeyMarker") == "no page load", "the page reloaded"


def register(page: Page, t: Translator, username: str, *, audit: bool) -> None:
    page.goto("/auth/register")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register"))
    if audit:
        assert_accessible(page, "the register page")
    page.get_by_label(t("Username")).fill(username)
    page.get_by_label(t("Email")).fill(f"{username}@example.com")
    page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t("Repeat password")).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=t("Register")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#flashes")).to_contain_text(
        t("Welcome, %(username)s! Your account is ready.", username=username)
    )


def log_out(page: Page, t: Translator) -> None:
    header = page.get_by_role("banner")
    header.locator("summary", has_text=t("Your account")).click()
    header.get_by_role("button", name=t("Log out")).click()
    expect(page.locator("#flashes")).to_have_text(t("You have been logged out."))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Welcome to %(site)s", site=t("Microblog"))
    )
    expect(header.get_by_role("link", name=t("Log in"))).to_be_visible()


def log_in(page: Page, t: Translator, username: str, *, audit: bool) -> None:
    page.get_by_role("banner").get_by_role("link", name=t("Log in")).click()
    expect(page.get_by_role("heading", level=2, name=t("Log in"))).to_be_visible()
    if audit:
        assert_accessible(page, "the login page")
    page.get_by_label(t("Username")).fill(username)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Hi, %(username)s!", username=username)
    )
    if audit:
        assert_accessible(page, "the home page")


def post_bodies(page: Page):
    return page.locator("#post-list .post-body")


def follower_count(t: Translator, num: int) -> str:
    return t.plural("%(num)d follower", "%(num)d followers", num)


def open_profile_from_explore(page: Page, t: Translator, username: str, *, audit: bool) -> None:
    page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Explore")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Explore"))
    if audit:
        assert_accessible(page, "the explore page")
    page.locator("#post-list").get_by_role("link", name=username, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(username)
    if audit:
        assert_accessible(page, f"{username}'s profile")


def go_home(page: Page, t: Translator) -> None:
    page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Home")).click()
    expect(page).to_have_url(re.compile(r"/$"))


def expect_complete_home_page(page: Page, t: Translator, username: str) -> None:
    """The whole page (layout, heading, form and list), not a bare fragment."""
    expect(page.get_by_role("navigation", name=t("Main"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Hi, %(username)s!", username=username)
    )
    expect(page.locator("#post-form textarea")).to_be_visible()
    expect(page.locator("footer")).to_be_visible()


@pytest.mark.parametrize("locale", ["en", "es"])
def test_htmx_journey_swaps_in_place_and_keeps_history_whole(
    new_context, site: Site, ana: str, locale: str
) -> None:
    t = site.translator(locale)
    page = new_context(language=locale).new_page()

    register(page, t, "zoe", audit=True)
    log_out(page, t)
    log_in(page, t, "zoe", audit=True)

    # Post: the post appears in place, the form is emptied and focused, and it is announced.
    mark_window(page)
    textarea = page.get_by_label(t("Say something"))
    textarea.fill("My first post")
    page.locator("#post-form").get_by_role("button").click()
    expect(post_bodies(page).first).to_have_text("My first post")
    expect(page.locator("#announcer")).to_have_text(t("Post published."))
    textarea = page.get_by_label(t("Say something"))
    expect(textarea).to_have_value("")
    expect(textarea).to_be_focused()
    expect_no_page_load(page)
    assert_accessible(page, "the home page after posting")

    # Follow: the button says what it will do next and the count changes in place.
    open_profile_from_explore(page, t, ana, audit=True)
    counts = page.locator(".follow-counts")
    expect(counts).to_contain_text(follower_count(t, 0))
    mark_window(page)
    page.get_by_role("button", name=t("Follow"), exact=True).click()
    expect(page.get_by_role("button", name=t("Unfollow"), exact=True)).to_be_visible()
    expect(counts).to_contain_text(follower_count(t, 1))
    expect(page.locator("#announcer")).to_have_text(
        t("You are following %(username)s.", username=ana)
    )
    expect_no_page_load(page)
    assert_accessible(page, "a profile after following")

    # The home timeline now has their posts, newest first, one page of 25 at a time.
    go_home(page, t)
    expect(post_bodies(page)).to_have_count(25)
    expect(post_bodies(page).nth(0)).to_have_text("My first post")
    expect(post_bodies(page).nth(1)).to_have_text(f"ana post {SEEDED_POSTS}")
    assert_accessible(page, "the home timeline")

    mark_window(page)
    page.get_by_role("link", name=t("Older posts")).click()
    expect(page).to_have_url(re.compile(r"/\?page=2&before=\d+$"))
    expect(post_bodies(page)).to_have_count(SEEDED_POSTS + 1 - 25)
    expect(post_bodies(page).last).to_have_text("ana post 1")
    expect(page.locator("#posts-heading")).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(t("Page %(number)d", number=2))
    expect_no_page_load(page)
    assert_accessible(page, "the second page of the timeline")

    page.get_by_role("link", name=t("Newer posts")).click()
    expect(page).to_have_url(re.compile(r"/\?page=1$"))
    expect(post_bodies(page).nth(1)).to_have_text(f"ana post {SEEDED_POSTS}")
    expect(page.locator("#posts-heading")).to_be_focused()
    expect_no_page_load(page)
    assert_accessible(page, "the first page of the timeline, swapped back")

    # Back and Reload show whole pages, never the fragment htmx fetched.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?page=2&before=\d+$"))
    expect_complete_home_page(page, t, "zoe")
    expect(post_bodies(page).last).to_have_text("ana post 1")
    page.reload()
    expect_complete_home_page(page, t, "zoe")
    expect(post_bodies(page).last).to_have_text("ana post 1")
    assert_accessible(page, "the second page after Back and Reload")

    # Unfollow, in place again.
    open_profile_from_explore(page, t, ana, audit=True)
    mark_window(page)
    page.get_by_role("button", name=t("Unfollow"), exact=True).click()
    expect(page.get_by_role("button", name=t("Follow"), exact=True)).to_be_visible()
    expect(counts).to_contain_text(follower_count(t, 0))
    expect(page.locator("#announcer")).to_have_text(
        t("You are not following %(username)s anymore.", username=ana)
    )
    expect_no_page_load(page)
    assert_accessible(page, "a profile after unfollowing")

    go_home(page, t)
    expect(post_bodies(page)).to_have_count(1)
    log_out(page, t)
    assert_accessible(page, "the login page after logging out")
    assert site.post_bodies_by("zoe") == ["My first post"]


@pytest.mark.parametrize("locale", ["en", "es"])
def test_journey_without_javascript_reaches_the_same_states_by_page_loads(
    new_context, site: Site, ana: str, locale: str
) -> None:
    t = site.translator(locale)
    page = new_context(language=locale, java_script_enabled=False).new_page()

    register(page, t, "zoe", audit=False)
    log_out(page, t)
    log_in(page, t, "zoe", audit=False)

    textarea = page.get_by_label(t("Say something"))
    textarea.fill("My first post")
    with page.expect_navigation():
        page.locator("#post-form").get_by_role("button").click()
    expect(page.locator("#flashes")).to_contain_text(t("Your post is now live!"))
    expect(post_bodies(page).first).to_have_text("My first post")
    expect(page.get_by_label(t("Say something"))).to_have_value("")

    open_profile_from_explore(page, t, ana, audit=False)
    expect(page.locator(".follow-counts")).to_contain_text(follower_count(t, 0))
    with page.expect_navigation():
        page.get_by_role("button", name=t("Follow"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ana)
    expect(page.locator("#flashes")).to_contain_text(
        t("You are following %(username)s.", username=ana)
    )
    expect(page.get_by_role("button", name=t("Unfollow"), exact=True)).to_be_visible()
    expect(page.locator(".follow-counts")).to_contain_text(follower_count(t, 1))

    go_home(page, t)
    expect(post_bodies(page)).to_have_count(25)
    expect(post_bodies(page).nth(1)).to_have_text(f"ana post {SEEDED_POSTS}")

    with page.expect_navigation():
        page.get_by_role("link", name=t("Older posts")).click()
    expect(page).to_have_url(re.compile(r"/\?page=2&before=\d+$"))
    expect_complete_home_page(page, t, "zoe")
    expect(post_bodies(page).last).to_have_text("ana post 1")

    with page.expect_navigation():
        page.get_by_role("link", name=t("Newer posts")).click()
    expect(page).to_have_url(re.compile(r"/\?page=1$"))
    expect_complete_home_page(page, t, "zoe")
    expect(post_bodies(page).nth(1)).to_have_text(f"ana post {SEEDED_POSTS}")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/\?page=2&before=\d+$"))
    expect_complete_home_page(page, t, "zoe")
    expect(post_bodies(page).last).to_have_text("ana post 1")

    open_profile_from_explore(page, t, ana, audit=False)
    with page.expect_navigation():
        page.get_by_role("button", name=t("Unfollow"), exact=True).click()
    expect(page.locator("#flashes")).to_contain_text(
        t("You are not following %(username)s anymore.", username=ana)
    )
    expect(page.get_by_role("button", name=t("Follow"), exact=True)).to_be_visible()
    expect(page.locator(".follow-counts")).to_contain_text(follower_count(t, 0))

    go_home(page, t)
    expect(post_bodies(page)).to_have_count(1)
    log_out(page, t)
    assert site.post_bodies_by("zoe") == ["My first post"]
