"""Every page, in English, Spanish and German, in the light and the dark theme, logged in and
out, on a desktop and a 360 px phone:
no axe-core violations (WCAG 2.2 A/AA), no sideways scrolling, and (through the watcher in
conftest) no console errors or CSP violations."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    ProblemWatcher,
    Site,
    Translator,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
)

LONG_NAME = "a_username_as_long_as_the_site_allows_which_is_sixty_four_chars_"


@pytest.fixture
def people(site: Site) -> Site:
    site.add_user("zoe", about_me="Here to read.")
    site.add_user("ana", about_me="I write a lot, " * 8)
    site.add_posts("ana", 30, body="{username} post {n}: " + "words and more words " * 6)
    site.add_posts("zoe", 2, body="An unbreakable https://example.com/" + "x" * 120 + " {n}")
    site.follow("zoe", "ana")
    site.add_user(LONG_NAME, about_me="Nameless no more.")
    site.add_posts(LONG_NAME, 1, body="Longest name here.")
    return site


def check(page: Page, where: str) -> None:
    assert_accessible(page, where)
    assert_no_horizontal_scroll(page, where)


def visit_forms_with_errors_logged_out(page: Page, t: Translator) -> None:
    page.goto("/auth/login")
    page.get_by_label(t("Username or email"), exact=True).fill("zoe")
    page.get_by_label(t("Password")).fill("not the password")
    page.locator("main").get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_role("alert")).to_have_text(t("Invalid username or password."))
    check(page, "the login form with an error")

    page.goto("/auth/register")
    page.get_by_label(t("Username"), exact=True).fill("ana")
    page.get_by_label(t("Email")).fill("someone@example.com")
    page.get_by_label(t("Password"), exact=True).fill("short")
    page.get_by_label(t("Repeat password")).fill("different")
    page.locator("main").get_by_role("button", name=t("Register")).click()
    expect(page.locator(".field-error")).to_have_count(3)
    check(page, "the register form with errors")


def visit_forms_with_errors_logged_in(page: Page, t: Translator, people: Site) -> None:
    page.goto("/")
    page.get_by_label(t("Say something")).fill("   ")
    page.locator("#post-form").get_by_role("button").click()
    expect(page.locator("#post-form .field-error")).to_have_text(
        t("Write something before posting.")
    )
    check(page, "the post form swapped in with an error")

    page.goto("/edit_profile")
    page.get_by_label(t("Username"), exact=True).fill("ana")
    page.locator("main").get_by_role("button", name=t("Save")).click()
    expect(page.locator(".field-error")).to_have_text(
        t("This username is taken. Please choose another one.")
    )
    check(page, "the edit profile form with an error")

    # An htmx action that fails shows an alert in #alerts.
    page.goto("/user/ana")
    people.rename_user("ana", "anna")
    page.get_by_role("button", name=t("Unfollow"), exact=True).click()
    expect(page.locator("#alerts [role=alert]")).to_contain_text(
        t("There is no user called %(username)s.", username="ana")
    )
    check(page, "a profile with an error alert swapped in")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("logged_in", [False, True], ids=["visitor", "member"])
# Each language and each theme, at both sizes, logged in and out (English in the light theme
# is audited along the journeys of test_journeys.py).
@pytest.mark.parametrize(
    ("locale", "color_scheme"), [("en", "dark"), ("es", "light"), ("de", "dark")]
)
def test_every_page_is_accessible_and_fits(
    new_context: Callable[..., BrowserContext],
    people: Site,
    problems: ProblemWatcher,
    locale: str,
    color_scheme: str,
    logged_in: bool,
    viewport: dict,
) -> None:
    t = people.translator(locale)
    # The browser notes every 4xx response in the console; these are the expected ones.
    problems.expect(r"status of 404 .*/(no-such-page|unfollow/ana)\)$")
    problems.expect(r"status of 400 .*/auth/reset_password/not-a-token\)$")
    problems.expect(r"^Response Status Error Code 404 from /unfollow/ana\b")
    problems.expect(r"status of 422 .*:\d+/(auth/login|auth/register|edit_profile)?\)$")
    page = new_context(language=locale, viewport=viewport, color_scheme=color_scheme).new_page()
    if logged_in:
        log_in(page, "zoe")
        pages = {
            "/": t("Hi, %(username)s!", username="zoe"),
            "/?page=2": t("Hi, %(username)s!", username="zoe"),
            "/explore": t("Explore"),
            "/user/zoe": "zoe",
            "/user/ana": "ana",
            "/edit_profile": t("Edit your profile"),
            "/no-such-page": t("Page not found"),
        }
    else:
        pages = {
            "/explore": t("Explore"),
            "/user/ana": "ana",
            f"/user/{LONG_NAME}": LONG_NAME,
            "/auth/login": t("Welcome to %(site)s", site=t("Microblog")),
            "/auth/register": t("Register"),
            "/auth/reset_password_request": t("Reset your password"),
            "/auth/reset_password/not-a-token": t("This link is not valid"),
            "/language": t("Language"),
            "/api/docs": t("API documentation"),
            "/no-such-page": t("Page not found"),
        }
    for url, heading in pages.items():
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate("() => document.documentElement.lang") == locale
        check(page, url)
    if logged_in:
        visit_forms_with_errors_logged_in(page, t, people)
    else:
        visit_forms_with_errors_logged_out(page, t)
