"""Browser journeys for people: user cards by keyboard and pointer, messages with and
without JavaScript, the badge kept current, and axe-core on the new pages in two languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from microblog.extensions import db
from microblog.models import Message, User
from tests.browser.helpers import (
    ProblemWatcher,
    Site,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
)


@pytest.fixture
def people(site: Site) -> Site:
    site.add_user("zoe", about_me="Here to read.")
    site.add_user("ana", about_me="I write about gardens.")
    site.add_posts("ana", 3, body="{username} post {n}: words and more words")
    site.follow("ana", "zoe")
    return site


def send_message(site: Site, sender: str, recipient: str, body: str) -> None:
    with site.app.app_context():
        db.session.add(
            Message(
                sender=User.by_username(sender), recipient=User.by_username(recipient), body=body
            )
        )
        db.session.commit()


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_focus_opens_the_card_without_taking_focus_and_escape_closes_it(page: Page, people):
    log_in(page, "zoe")
    page.goto("/explore")
    author = page.locator("#post-list .post-meta a", has_text="ana").first
    author.focus()
    card = page.locator(".user-popup .user-card")
    expect(card).to_be_visible()
    expect(card.locator(".about-me")).to_have_text("I write about gardens.")
    expect(card.locator(".follow-counts")).to_contain_text("0 followers")
    # Focus stays on the link, and the card does not cover the line being read.
    assert page.evaluate("() => document.activeElement.textContent") == "ana"
    assert not boxes_overlap(author.bounding_box(), card.bounding_box())
    # The card is next in the tab order; Escape closes it and returns to the link.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.user-popup')")
    page.keyboard.press("Escape")
    expect(page.locator(".user-popup")).to_have_count(0)
    assert page.evaluate("() => document.activeElement.textContent") == "ana"
    # Coming back to the link does not open the card again.
    page.wait_for_timeout(800)
    expect(page.locator(".user-popup")).to_have_count(0)


def test_hover_shows_the_card_and_follow_works_inside_it(page: Page, people):
    log_in(page, "zoe")
    page.goto("/explore")
    author = page.locator("#post-list .post-meta a", has_text="ana").first
    author.hover()
    card = page.locator(".user-popup .user-card")
    expect(card).to_be_visible()
    card.get_by_role("button", name="Follow").click()
    expect(card.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(card.locator(".follow-counts")).to_contain_text("1 follower")
    with people.app.app_context():
        assert User.by_username("zoe").is_following(User.by_username("ana"))
    # Moving away closes it, for good.
    page.mouse.move(5, 880)
    expect(page.locator(".user-popup")).to_have_count(0)
    page.wait_for_timeout(800)
    expect(page.locator(".user-popup")).to_have_count(0)


def test_without_javascript_the_name_is_a_link_and_the_card_a_page(
    new_context: Callable[..., BrowserContext], people
):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "zoe")
    page.goto("/explore")
    page.locator("#post-list .post-meta a", has_text="ana").first.click()
    expect(page).to_have_url(f"{people.url}/user/ana")
    page.goto("/user/ana/popup")
    expect(page.get_by_role("heading", level=1)).to_have_text("ana")
    expect(page.locator("main .user-card .about-me")).to_have_text("I write about gardens.")


def test_sending_a_message_with_htmx_swaps_a_confirmation_and_clears_the_form(page: Page, people):
    log_in(page, "zoe")
    page.goto("/user/ana")
    page.locator(".profile-actions").get_by_role("link", name="Send message").click()
    expect(page).to_have_url(f"{people.url}/messages/ana")
    page.evaluate("() => { window.samePage = true; }")
    page.get_by_label("Message", exact=True).fill("Hello Ana, nice garden!")
    page.locator("#message-form").get_by_role("button", name="Send").click()
    expect(page.locator("#message-form .confirmation")).to_have_text(
        "Your message to ana has been sent."
    )
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    expect(page.locator("#message-list .message-body").first).to_have_text(
        "Hello Ana, nice garden!"
    )
    expect(page.locator("#messages .empty-state")).to_be_hidden()
    assert page.evaluate("() => window.samePage === true"), "no page load"
    assert_accessible(page, "a conversation after sending")


def test_sending_a_message_without_javascript(new_context: Callable[..., BrowserContext], people):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, "zoe")
    page.goto("/messages/ana")
    page.get_by_label("Message", exact=True).fill("Plain form")
    page.locator("#message-form").get_by_role("button", name="Send").click()
    expect(page).to_have_url(f"{people.url}/messages/ana")
    expect(page.locator("#flashes")).to_contain_text("Your message to ana has been sent.")
    expect(page.locator("#message-list .message-body").first).to_have_text("Plain form")


def test_badge_is_kept_current_by_htmx_responses_and_opening_clears_it(page: Page, people):
    log_in(page, "zoe")
    page.goto("/user/ana")
    header = page.get_by_role("banner")
    badge = page.locator("#unread-badge")
    expect(header.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    expect(badge.locator(".badge-count")).to_have_count(0)
    send_message(people, "ana", "zoe", "Are you there?")
    # Any htmx answer brings the badge along, and there stays one badge in the page.
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(badge.locator(".badge-count")).to_have_text("1")
    expect(badge).to_have_count(1)
    link = header.get_by_role("link", name="Messages, 1 unread", exact=True)
    expect(link).to_be_visible()
    # The navigation's Messages link carries no second number.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Messages", exact=True)).to_be_visible()
    expect(nav.locator(".badge-count")).to_have_count(0)
    link.click()
    page.get_by_role("link", name="ana", exact=True).click()
    expect(page.locator("#message-list .new-marker")).to_have_count(1)
    expect(badge.locator(".badge-count")).to_have_count(0)
    expect(header.get_by_role("link", name="Messages", exact=True)).to_be_visible()


def test_the_poll_brings_a_new_message_to_the_header_and_says_so(page: Page, people):
    page.clock.install()
    log_in(page, "zoe")
    page.goto("/explore")
    link = page.get_by_role("banner").get_by_role("link", name="Messages", exact=True)
    link.focus()
    send_message(people, "ana", "zoe", "Hello?")
    send_message(people, "ana", "zoe", "Still there?")
    page.clock.fast_forward("00:31")
    badge = page.locator("#unread-badge")
    expect(badge.locator(".badge-count")).to_have_text("2")
    expect(badge).to_have_count(1)
    expect(page.locator("#announcer")).to_have_text("2 unread messages")
    # The link keeps the focus, now with the count in its name.
    expect(
        page.get_by_role("banner").get_by_role("link", name="Messages, 2 unread", exact=True)
    ).to_be_focused()
    # Nothing new: the next poll leaves badge and announcer as they are.
    page.evaluate("() => { document.getElementById('announcer').textContent = ''; }")
    page.clock.fast_forward("00:31")
    page.wait_for_timeout(300)
    expect(page.locator("#announcer")).to_have_text("")
    expect(badge.locator(".badge-count")).to_have_text("2")


HEADER_WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", HEADER_WIDTHS)
@pytest.mark.parametrize("locale", ["en", "es", "de"])
def test_the_header_badge_fits_at_phone_and_desktop_widths(
    new_context: Callable[..., BrowserContext], people: Site, locale: str, width: str
):
    for n in range(12):
        send_message(people, "ana", "zoe", f"Message {n}")
    page = new_context(language=locale, viewport=HEADER_WIDTHS[width]).new_page()
    log_in(page, "zoe")
    page.goto("/explore")
    name = people.translator(locale).plural(
        "Messages, %(num)d unread", "Messages, %(num)d unread", 12
    )
    header = page.get_by_role("banner")
    link = header.get_by_role("link", name=name, exact=True)
    expect(link).to_be_visible()
    count = link.locator(".badge-count")
    expect(count).to_have_text("12")
    brand = header.locator(".brand").bounding_box()
    post = header.locator(".post-action").bounding_box()
    menu = header.locator(".account-menu summary").bounding_box()
    search = header.locator("search").bounding_box()
    box, number = link.bounding_box(), count.bounding_box()
    # The number sits on the envelope, inside the header, over nothing else.
    assert boxes_overlap(box, number)
    assert number["y"] >= header.bounding_box()["y"]
    for other in (brand, post, menu, search):
        assert not boxes_overlap(number, other) and not boxes_overlap(box, other)
    # One row: the name, the envelope, Post and the avatar (the phone's search box below).
    middle = brand["y"] + brand["height"] / 2
    for part in (box, post, menu):
        assert part["y"] <= middle <= part["y"] + part["height"]
    assert_no_horizontal_scroll(page, f"the header at {width} width")
    assert_accessible(page, f"the header with unread messages at {width} width")


@pytest.mark.parametrize("locale", ["en", "es"])
def test_people_and_message_pages_are_accessible(
    new_context: Callable[..., BrowserContext],
    people: Site,
    problems: ProblemWatcher,
    locale: str,
):
    send_message(people, "ana", "zoe", "A first message")
    send_message(people, "zoe", "ana", "A reply")
    people.add_user("max", about_me="Max reads everything.")
    people.follow("max", "zoe")
    page = new_context(language=locale).new_page()
    log_in(page, "zoe")
    name = people.translator(locale).plural(
        "Messages, %(num)d unread", "Messages, %(num)d unread", 1
    )
    expect(page.get_by_role("banner").get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page, "the home page with an unread message")
    page.goto("/user/ana")
    page.locator(".block-form button").click()  # blocked users page gets a row
    for url in (
        "/user/zoe/followers",
        "/user/zoe/following",
        "/messages",
        "/messages/ana",
        "/activity",
        "/blocked",
        "/user/ana/popup",
        "/user/ana",
    ):
        page.goto(url)
        assert page.evaluate("() => document.documentElement.lang") == locale
        assert_accessible(page, url)
        assert_no_horizontal_scroll(page, url)
    # And with a card open.
    page.goto("/user/zoe/followers")
    page.locator("#people .person-name").first.focus()
    expect(page.locator(".user-popup .user-card")).to_be_visible()
    assert_accessible(page, "a list with a user card open")
