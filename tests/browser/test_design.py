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


# ---- The composer and the rough edges ----


def test_the_counter_counts_down_warns_politely_and_never_cuts_text(
    page: Page, site: Site, problems
) -> None:
    problems.expect(r"status of 422 .*:\d+/\)$")
    site.add_user("zoe")
    log_in(page, "zoe")
    textarea = page.get_by_label("Say something")
    counter = page.locator("#post-counter")
    textarea.fill("x" * 250)
    expect(counter).to_have_text("30")
    expect(page.locator("#post-counter-status")).to_have_text("")
    textarea.press("End")
    page.keyboard.type("y" * 15)
    expect(counter).to_have_text("15")
    expect(page.locator("#post-counter-status")).to_have_text("Characters left: 20")
    # Pasted text that is too long stays whole; posting it gets the usual error.
    textarea.fill("z" * 300)
    expect(textarea).to_have_value("z" * 300)
    expect(counter).to_have_text("-20")
    expect(page.locator("#post-counter-status")).to_have_text("Characters over the limit: 20")
    textarea.press("Control+Enter")
    expect(page.locator("#post-form .field-error")).to_have_text(
        "A post has at most 280 characters."
    )
    expect(page.locator("#announcer")).to_contain_text("Your post was not published")
    # An input with an error is red as a textarea is.
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('#post')).borderTopWidth")
        == "2px"
    )
    textarea.fill("Posted with the keyboard shortcut")
    textarea.press("Control+Enter")
    expect(page.locator("#post-list .post-body").first).to_have_text(
        "Posted with the keyboard shortcut"
    )
    expect(page.locator("#announcer")).to_have_text("Post published.")


def test_text_inputs_with_errors_turn_red(page: Page, site: Site, problems) -> None:
    problems.expect(r"status of 422 .*/auth/register\)$")
    site.add_user("zoe")
    page.goto("/auth/register")
    page.get_by_label("Username", exact=True).fill("zoe")
    page.get_by_label("Email").fill("zoe2@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.locator("main").get_by_role("button", name="Register").click()
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    width, colour = page.evaluate(
        """() => { const style = getComputedStyle(document.querySelector('#username'));
        return [style.borderTopWidth, style.borderTopColor]; }"""
    )
    assert (width, colour) == ("2px", "rgb(180, 35, 24)")


def test_without_javascript_a_failed_form_focuses_its_error_summary(
    new_context: Callable[..., BrowserContext], site: Site, problems
) -> None:
    problems.expect(r"status of 422 .*/auth/register\)$")
    site.add_user("zoe")
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/auth/register")
    page.get_by_label("Username", exact=True).fill("zoe")
    page.get_by_label("Email").fill("zoe2@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.locator("main").get_by_role("button", name="Register").click()
    summary = page.locator("main .form-error")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"#username$"))
    # Only the username was the problem: the passwords are still there.
    expect(page.get_by_label("Password", exact=True)).to_have_value("a long enough password")


def test_an_old_error_goes_away_and_an_unreachable_server_says_so(
    page: Page, site: Site, problems
) -> None:
    site.add_user("zoe")
    site.add_user("ana")
    problems.expect(r"status of 404 .*/unfollow/ana\)$")
    problems.expect(r"^Response Status Error Code 404 from /unfollow/ana\b")
    # htmx logs the failed requests as errors; the alert is what the reader sees.
    problems.expect(r"^htmx:(sendError|afterRequest), ")
    problems.expect(r"^Failed to load resource: net::ERR_FAILED \(http://[^)]*:\d+/\)$")
    site.follow("zoe", "ana")
    log_in(page, "zoe")
    page.goto("/user/ana")
    site.rename_user("ana", "anna")
    page.get_by_role("button", name="Unfollow", exact=True).click()
    expect(page.locator("#alerts [role=alert]")).to_contain_text("There is no user called ana.")
    page.get_by_label("Language").focus()  # anything, then a request that succeeds:
    page.goto("/")
    page.get_by_label("Say something").fill("Fine now")
    page.locator("#post-form").get_by_role("button", name="Post").click()
    expect(page.locator("#post-list .post-body").first).to_have_text("Fine now")
    expect(page.locator("#alerts")).to_be_empty()
    # The server cannot be reached: an alert says so, and Try again sends the form again.
    page.route(
        "**/", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    page.get_by_label("Say something").fill("Through the outage")
    page.locator("#post-form").get_by_role("button", name="Post").click()
    alert = page.locator("#alerts [role=alert]")
    expect(alert).to_contain_text("The site could not be reached.")
    page.unroute("**/")
    alert.get_by_role("button", name="Try again").click()
    expect(page.locator("#post-list .post-body").first).to_have_text("Through the outage")
    expect(page.locator("#alerts")).to_be_empty()


def test_a_draft_survives_a_session_that_ran_out(
    new_context: Callable[..., BrowserContext], site: Site, problems
) -> None:
    problems.expect(r"status of 400 .*:\d+/\)$")
    problems.expect(r"^Response Status Error Code 400 from /,")
    site.add_user("zoe")
    context = new_context()
    page = context.new_page()
    log_in(page, "zoe")
    page.get_by_label("Say something").fill("Typed before the session ended")
    context.clear_cookies()
    page.locator("#post-form").get_by_role("button", name="Post").click()
    # Without a session the CSRF token is refused; reloading and logging in again keeps it.
    page.goto("/auth/login")
    page.get_by_label("Username or email", exact=True).fill("zoe")
    page.get_by_label("Password").fill("correct horse battery")
    page.locator("main form").get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Say something")).to_have_value("Typed before the session ended")
    page.locator("#post-form").get_by_role("button", name="Post").click()
    expect(page.locator("#post-list .post-body").first).to_have_text(
        "Typed before the session ended"
    )
    page.reload()
    expect(page.get_by_label("Say something")).to_have_value("")


def test_about_me_keeps_its_line_breaks_and_a_page_turn_its_title(page: Page, site: Site) -> None:
    site.add_user("zoe", about_me="First line\nSecond line")
    site.add_posts("zoe", 30)
    page.goto("/user/zoe")
    assert page.locator(".about-me").inner_text() == "First line\nSecond line"
    page.get_by_role("link", name="Older posts").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).to_have_title("zoe, page 2 · Microblog")


def test_the_ctrl_enter_shortcut_is_mentioned_only_where_it_works(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    site.add_user("zoe")
    for javascript in (True, False):
        page = new_context(java_script_enabled=javascript).new_page()
        log_in(page, "zoe")
        hint = page.locator("#post-form .hint")
        expect(hint).to_contain_text("Up to 280 characters.")
        shortcut = hint.get_by_text("Ctrl+Enter posts.")
        if javascript:
            expect(shortcut).to_be_visible()
        else:
            expect(shortcut).to_be_hidden()
        page.context.close()
