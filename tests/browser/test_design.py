"""The frame of every page in a real browser: landmarks, the columns and the phone's bottom
bar, and the theme picker with and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import Site, assert_accessible, log_in

PHONE = {"width": 360, "height": 740}
BACKGROUNDS = {"light": "rgb(243, 245, 248)", "dark": "rgb(14, 18, 23)"}


def background(page: Page) -> str:
    return page.evaluate("() => getComputedStyle(document.documentElement).backgroundColor")


def test_landmarks_and_columns_on_a_desktop(page: Page, site: Site) -> None:
    site.add_user("zoe")
    site.add_user("ana", about_me="Writes.")
    log_in(page, "zoe")
    page.goto("/explore")
    for role in ("banner", "main", "complementary", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    nav = page.get_by_role("navigation", name="Main")
    main = page.get_by_role("main")
    aside = page.get_by_role("complementary", name="More")
    nav_box, main_box, aside_box = nav.bounding_box(), main.bounding_box(), aside.bounding_box()
    # Three columns side by side: navigation, content, the side column.
    assert nav_box["x"] + nav_box["width"] <= main_box["x"]
    assert main_box["x"] + main_box["width"] <= aside_box["x"]
    expect(aside.get_by_role("link", name="ana")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Post")).to_be_visible()


def test_the_post_action_puts_the_cursor_in_the_composer(page: Page, site: Site) -> None:
    site.add_user("zoe")
    log_in(page, "zoe")
    page.goto("/explore")
    page.get_by_role("banner").get_by_role("link", name="Post").click()
    expect(page).to_have_url(re.compile(r"/#post$"))
    expect(page.get_by_label("Say something")).to_be_focused()


def test_on_a_phone_the_navigation_is_a_bar_at_the_bottom(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    site.add_user("zoe")
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "zoe")
    nav = page.get_by_role("navigation", name="Main")
    box = nav.bounding_box()
    assert box["y"] + box["height"] == PHONE["height"]
    assert box["width"] == PHONE["width"]
    for label in ("Home", "Explore", "Profile"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    # The last of the page scrolls clear of the bar.
    page.keyboard.press("End")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    footer_box = page.get_by_role("contentinfo").get_by_role("combobox").last.bounding_box()
    assert footer_box["y"] + footer_box["height"] <= box["y"]


def test_a_visitor_picks_dark_then_automatic_with_javascript(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    page = new_context(color_scheme="light").new_page()
    page.goto("/explore")
    assert background(page) == BACKGROUNDS["light"]
    picker = page.locator("footer form.theme-picker")
    # With JavaScript there is no button: choosing applies the theme at once.
    expect(picker.get_by_role("button")).to_be_hidden()
    picker.get_by_label("Theme").select_option("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page).to_have_url(re.compile(r"/explore$"))
    assert background(page) == BACKGROUNDS["dark"]
    assert_accessible(page, "Explore in the dark theme chosen by a visitor")
    page.goto("/auth/register")
    assert background(page) == BACKGROUNDS["dark"]
    page.locator("footer form.theme-picker").get_by_label("Theme").select_option("")
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))
    assert background(page) == BACKGROUNDS["light"]


def test_a_keyboard_user_moving_through_the_themes_is_not_sent_away(page: Page, site: Site) -> None:
    page.goto("/explore")
    page.evaluate("() => { window.marker = 'still here'; }")
    select = page.locator("footer form.theme-picker").get_by_label("Theme")
    select.focus()
    page.keyboard.press("ArrowDown")
    picker = page.locator("footer form.theme-picker")
    expect(picker.get_by_role("button", name="Change theme")).to_be_visible()
    assert page.evaluate("() => window.marker") == "still here"
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_a_theme_is_picked_without_javascript_and_follows_the_user(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    site.add_user("zoe")
    page = new_context(java_script_enabled=False, color_scheme="light").new_page()
    log_in(page, "zoe")
    picker = page.locator("footer form.theme-picker")
    picker.get_by_label("Theme").select_option("dark")
    picker.get_by_role("button", name="Change theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == BACKGROUNDS["dark"]
    # Saved on the profile: another browser of zoe's gets it too.
    elsewhere = new_context(color_scheme="light").new_page()
    log_in(elsewhere, "zoe")
    expect(elsewhere.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(elsewhere) == BACKGROUNDS["dark"]


def test_the_language_picker_applies_a_choice_at_once_with_javascript(
    page: Page, site: Site
) -> None:
    page.goto("/explore")
    picker = page.locator("footer form.language-picker")
    expect(picker.get_by_role("button")).to_be_hidden()
    picker.get_by_label("Language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entdecken")
