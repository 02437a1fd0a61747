"""The journey by keyboard alone: every control is reached with Tab, used with Enter or Space,
shows where the focus is, and after a swap the focus lands where DESIGN.md says."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.helpers import PASSWORD, Site, expect_visible_focus, tab_to


def test_journey_by_keyboard_alone(page: Page, site: Site) -> None:
    site.add_user("zoe")
    site.add_user("ana")
    site.add_posts("ana", 30)
    site.follow("zoe", "ana")
    nav = page.get_by_role("navigation", name="Main")

    page.goto("/auth/login")
    tab_to(page, page.get_by_role("link", name="Skip to main content"))
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("zoe")
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_label("Remember me"))
    page.keyboard.press("Space")
    expect(page.get_by_label("Remember me")).to_be_checked()
    tab_to(page, page.locator("main").get_by_role("button", name="Log in"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, zoe!")

    # Post: focus returns to the emptied textarea.
    textarea = page.get_by_label("Say something")
    tab_to(page, textarea)
    page.keyboard.type("Typed, not clicked")
    tab_to(page, page.locator("#post-form").get_by_role("button", name="Post"))
    page.keyboard.press("Space")
    expect(page.locator("#post-list .post-body").first).to_have_text("Typed, not clicked")
    expect(textarea).to_have_value("")
    expect(textarea).to_be_focused()
    expect_visible_focus(page)

    # Pagination: focus goes to the heading of the new list.
    tab_to(page, page.get_by_role("link", name="Older posts"), limit=80)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?page=2&before=\d+$"))
    expect(page.locator("#posts-heading")).to_be_focused()
    expect_visible_focus(page)
    tab_to(page, page.get_by_role("link", name="Newer posts"), limit=80)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?page=1$"))
    expect(page.locator("#posts-heading")).to_be_focused()
    expect_visible_focus(page)

    # Someone's profile, from a post's author link; unfollow and follow again.
    tab_to(page, page.locator("#post-list").get_by_role("link", name="ana").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("ana")
    unfollow = page.get_by_role("button", name="Unfollow", exact=True)
    tab_to(page, unfollow)
    page.keyboard.press("Enter")
    follow = page.get_by_role("button", name="Follow", exact=True)
    expect(follow).to_be_focused()
    expect_visible_focus(page)
    page.keyboard.press("Space")
    expect(unfollow).to_be_focused()
    expect(page.locator(".follow-counts")).to_contain_text("1 follower")

    # Own profile, edit it, save with Enter.
    tab_to(page, nav.get_by_role("link", name="Profile"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("zoe")
    tab_to(page, page.get_by_role("link", name="Edit your profile"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit your profile")
    tab_to(page, page.get_by_label("About me"))
    page.keyboard.type("Keyboard person.")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(page.locator(".about-me")).to_have_text("Keyboard person.")

    # Explore, then log out.
    tab_to(page, nav.get_by_role("link", name="Explore"), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Explore")
    header = page.get_by_role("banner")
    # A new page: focus starts at its top, so the header is a few Tabs away.
    tab_to(page, header.locator("summary"))
    page.keyboard.press("Enter")
    tab_to(page, header.get_by_role("button", name="Log out"))
    page.keyboard.press("Space")
    expect(header.get_by_role("link", name="Log in")).to_be_visible()


def test_skip_link_and_registration_by_keyboard(page: Page, site: Site) -> None:
    page.goto("/auth/register")
    tab_to(page, page.get_by_role("link", name="Skip to main content"), limit=1)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # The first Tab after the skip link lands in the form, past the header.
    tab_to(page, page.get_by_label("Username"), limit=1)
    page.keyboard.type("kim")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type("kim@example.com")
    tab_to(page, page.get_by_label("Password", exact=True))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_label("Repeat password"))
    page.keyboard.type(PASSWORD)
    tab_to(page, page.locator("main").get_by_role("button", name="Register"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hi, kim!")
