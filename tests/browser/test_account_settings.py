"""Account settings in Chromium: change the password, log out everywhere else, change the
email address and delete the account, with htmx (answers in place, axe clean after every
swap) and with JavaScript off (plain forms and redirects)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from microblog.models import User
from tests.browser.helpers import PASSWORD, Site, assert_accessible, log_in

NEW_PASSWORD = "a much newer secret"


def user_exists(site: Site, username: str) -> bool:
    with site.app.app_context():
        return User.by_username(username) is not None


def test_settings_with_htmx_answer_in_place_and_stay_accessible(
    new_context: Callable[..., BrowserContext], site: Site, problems
) -> None:
    problems.expect(r"status of 422")
    site.add_user("zoe")
    page = new_context().new_page()
    other_device = new_context().new_page()
    log_in(page, "zoe")
    log_in(other_device, "zoe")

    page.goto("/edit_profile")
    account = page.get_by_role("region", name="Account")
    expect(account).to_contain_text("zoe@example.com")
    assert_accessible(page, "the settings page")

    account.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page, "the change password page")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_have_text("This is not your password.")
    assert page.url.endswith("/auth/change_password")
    assert_accessible(page, "the change password form with an error")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#change-password [role=status]")).to_contain_text(
        "Your password has been changed."
    )
    expect(page.locator("#announcer")).to_contain_text("Your password has been changed.")
    expect(page.get_by_label("Current password")).to_have_value("")
    assert_accessible(page, "the change password form after the change")
    # The other device is logged out; this one is not.
    other_device.goto("/")
    expect(other_device).to_have_url(re.compile(r"/auth/login"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto("/edit_profile")
    page.get_by_role("button", name="Log out everywhere else").click()
    expect(page.locator("#logout-everywhere [role=status]")).to_have_text(
        "Every other session has ended."
    )
    assert_accessible(page, "the settings page after logging out everywhere else")

    page.get_by_role("link", name="Change your email address").click()
    assert_accessible(page, "the change email page")
    page.get_by_label("New email address").fill("zoe.new@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#change-email [role=status]")).to_contain_text(
        "A link to confirm zoe.new@example.com is on its way there."
    )
    assert_accessible(page, "the change email form after sending the link")

    page.goto("/auth/delete_account")
    expect(page.get_by_role("note")).to_contain_text("This cannot be undone.")
    assert_accessible(page, "the delete account page")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.locator("#flashes")).to_contain_text("Your account and everything in it")
    assert_accessible(page, "the login page after deleting the account")
    assert not user_exists(site, "zoe")


def test_settings_without_javascript_are_plain_forms(
    new_context: Callable[..., BrowserContext], site: Site, problems
) -> None:
    problems.expect(r"status of 422")
    site.add_user("zoe")
    page: Page = new_context(java_script_enabled=False).new_page()
    log_in(page, "zoe")

    page.goto("/auth/change_password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    expect(page.locator("#current_password-error")).to_have_text("This is not your password.")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/edit_profile$"))
    expect(page.locator("#flashes")).to_contain_text("Your password has been changed.")

    page.get_by_role("button", name="Log out everywhere else").click()
    expect(page).to_have_url(re.compile(r"/edit_profile$"))
    expect(page.locator("#flashes")).to_contain_text("Every other session has ended.")

    page.get_by_role("link", name="Delete your account").click()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.locator("#flashes")).to_contain_text("Your account and everything in it")
    assert not user_exists(site, "zoe")
