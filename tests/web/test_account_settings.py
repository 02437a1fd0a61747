"""Account settings: changing the password (and with it ending every other session), and
logging in with an email address."""

from __future__ import annotations

import pytest
from flask import Flask

from microblog.models import User
from tests.helpers import PASSWORD, ApiClient, Browser, field_error, soup

NEW = "a brand new secret"


def change_password(browser: Browser, current: str = PASSWORD, new: str = NEW, **kwargs):
    data = {"current_password": current, "password": new, "password2": new}
    return browser.post("/auth/change_password", data, **kwargs)


def test_the_settings_page_links_to_each_account_setting(susan):
    page = soup(susan.get("/edit_profile"))
    account = page.find("section", attrs={"aria-labelledby": "account-heading"})
    links = {link.get_text(): link["href"] for link in account.find_all("a")}
    assert links["Change your password"] == "/auth/change_password"


def test_the_change_password_page_has_labelled_fields_and_a_way_back(susan):
    page = soup(susan.get("/auth/change_password"))
    assert page.h1.get_text() == "Change your password"
    form = page.find("form", id="change-password")
    assert form["action"] == form["hx-post"] == "/auth/change_password"
    for name, autocomplete in [
        ("current_password", "current-password"),
        ("password", "new-password"),
        ("password2", "new-password"),
    ]:
        control = form.find(attrs={"name": name})
        assert control["type"] == "password"
        assert control["autocomplete"] == autocomplete
        assert page.find("label", attrs={"for": control["id"]}).get_text()
    assert page.find("a", string="Back to your settings")["href"] == "/edit_profile"


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(
    app: Flask, susan, query
):
    elsewhere = Browser(app.test_client())
    elsewhere.login("susan")
    api = ApiClient(app.test_client()).login("susan")
    response = change_password(susan)
    assert response.status_code == 303
    assert response.headers["Location"] == "/edit_profile"
    flashes = soup(susan.get("/edit_profile")).find(id="flashes").get_text()
    assert "Your password has been changed." in flashes
    assert susan.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 303
    assert api.get("/api/users").status_code == 401
    user = query(lambda: User.by_username("susan"))
    assert user.check_password(NEW)
    assert not user.check_password(PASSWORD)


def test_with_htmx_the_form_comes_back_empty_saying_it_is_done(susan):
    response = change_password(susan, htmx=True)
    assert response.status_code == 200
    page = soup(response)
    form = page.find("form", id="change-password")
    assert form.find(role="status").get_text().startswith("Your password has been changed.")
    assert all(not control.get("value") for control in form.find_all("input", type="password"))
    assert "Your password has been changed." in page.find(id="announcer").get_text()
    assert susan.get("/").status_code == 200


def test_a_wrong_current_password_is_refused_next_to_its_field(susan, query):
    response = change_password(susan, current="not my password")
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    assert field_error(soup(response), "current_password") == "This is not your password."
    assert query(lambda: User.by_username("susan").check_password(PASSWORD))


def test_with_htmx_a_refused_change_is_the_form_alone(susan):
    response = change_password(susan, current="not my password", htmx=True)
    assert response.status_code == 422
    page = soup(response)
    assert page.find("form", id="change-password")
    assert page.find("h1") is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"password": PASSWORD, "password2": PASSWORD}, "password", "your current password"),
        ({"password2": "something else"}, "password2", "do not match"),
        ({"password": "short", "password2": "short"}, "password", "8 to 128"),
        ({"current_password": ""}, "current_password", "Please enter your current password."),
    ],
)
def test_a_new_password_must_be_new_match_and_follow_the_rules(susan, query, data, field, message):
    form = {"current_password": PASSWORD, "password": NEW, "password2": NEW, **data}
    response = susan.post("/auth/change_password", form)
    assert response.status_code == 422
    assert message in field_error(soup(response), field)
    assert query(lambda: User.by_username("susan").session_generation) == 0


def test_changing_the_password_needs_a_login_and_a_csrf_token(browser, make_user):
    make_user("susan")
    response = browser.get("/auth/change_password")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    browser.login("susan")
    assert change_password(browser, csrf=False).status_code == 400


def test_the_login_form_takes_an_email_address_whatever_its_case(browser, make_user):
    make_user("susan", email="susan@example.com")
    page = soup(browser.get("/auth/login"))
    control = page.find(attrs={"name": "username"})
    assert page.find("label", attrs={"for": control["id"]}).get_text() == "Username or email"
    response = browser.post(
        "/auth/login", {"username": " Susan@Example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert soup(browser.get("/")).h1.get_text() == "Hi, susan!"


def test_a_wrong_password_with_an_email_address_says_no_more_than_with_a_username(
    browser, make_user
):
    make_user("susan")
    texts = []
    for login in ("susan@example.com", "nobody@example.com", "susan", "nobody"):
        response = browser.post("/auth/login", {"username": login, "password": "wrong one"})
        assert response.status_code == 422
        texts.append(soup(response).find(id="form-errors").get_text())
    assert len(set(texts)) == 1


def test_api_tokens_can_be_asked_for_with_the_email_address(app: Flask, make_user):
    make_user("susan")
    assert ApiClient(app.test_client()).login("susan@example.com").token


def test_a_wrong_current_password_is_said_along_with_a_bad_new_one(susan):
    response = change_password(susan, current="not my password", new="susan")
    assert response.status_code == 422
    page = soup(response)
    assert field_error(page, "current_password") == "This is not your password."
    assert "8 to 128" in field_error(page, "password")
