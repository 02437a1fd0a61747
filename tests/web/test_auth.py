"""Registering, logging in and out, and the login-required rule."""

import pytest

from microblog.models import User
from tests.helpers import field_error, soup

VALID = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password": "long enough password",
    "password2": "long enough password",
}


def test_register_page_has_labelled_fields(browser):
    page = soup(browser.get("/auth/register"))
    for name in ("username", "email", "password", "password2"):
        control = page.find(attrs={"name": name})
        assert page.find("label", attrs={"for": control["id"]}).get_text().strip()
    assert page.find(attrs={"name": "email"})["type"] == "email"


def test_register_creates_the_account_and_logs_in(browser, query):
    response = browser.post("/auth/register", VALID)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    home = soup(browser.get("/"))
    assert "Welcome, newbie!" in home.find(id="flashes").get_text()
    user = query(lambda: User.by_username("newbie"))
    assert user.email == "newbie@example.com"
    assert user.check_password("long enough password")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"username": ""}, "username", "Please choose a username."),
        ({"username": "has space"}, "username", "letters, digits"),
        ({"username": "x" * 65}, "username", "2 to 64"),
        ({"username": "Taken"}, "username", "This username is taken"),
        ({"email": "not-an-email"}, "email", "does not look like an email"),
        ({"email": "TAKEN@example.com"}, "email", "already exists"),
        ({"password": "short", "password2": "short"}, "password", "8 to 128"),
        ({"password2": "something else entirely"}, "password2", "do not match"),
    ],
)
@pytest.mark.alldb
def test_register_rejects_bad_input_next_to_the_field(
    browser, make_user, query, changes, field, message
):
    make_user("taken", email="taken@example.com")
    response = browser.post("/auth/register", {**VALID, **changes})
    assert response.status_code == 422
    assert message in field_error(soup(response), field)
    assert query(lambda: User.query.count()) == 1


def test_register_keeps_what_was_typed_except_passwords(browser):
    page = soup(browser.post("/auth/register", {**VALID, "password2": "different password"}))
    assert page.find(id="username")["value"] == "newbie"
    assert page.find(id="email")["value"] == "newbie@example.com"
    assert not page.find(id="password").get("value")


def test_login_with_wrong_password_or_unknown_user_gets_one_neutral_message(browser, make_user):
    make_user("susan")
    wrong_password = browser.post("/auth/login", {"username": "susan", "password": "nope"})
    unknown_user = browser.post("/auth/login", {"username": "nobody", "password": "nope"})
    for response in (wrong_password, unknown_user):
        assert response.status_code == 422
        alert = soup(response).find(class_="form-error")
        assert alert["role"] == "alert"
        assert alert.get_text() == "Invalid username or password."


def test_login_with_empty_fields_shows_field_errors(browser):
    response = browser.post("/auth/login", {"username": "", "password": ""})
    assert response.status_code == 422
    page = soup(response)
    assert "Please enter your username or email address." in field_error(page, "username")
    assert "Please enter your password." in field_error(page, "password")


def test_login_and_logout(browser, make_user):
    make_user("susan")
    response = browser.login("susan")
    assert response.headers["Location"] == "/"
    assert soup(browser.get("/")).h1.get_text() == "Hi, susan!"
    response = browser.logout()
    assert response.status_code == 303
    assert browser.get("/").status_code == 303


def test_remember_me_sets_a_long_lived_cookie(browser, make_user):
    make_user("susan")
    response = browser.post(
        "/auth/login",
        {"username": "susan", "password": "correct horse battery", "remember_me": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0]


def test_logout_is_post_only(browser, make_user):
    make_user("susan")
    browser.login("susan")
    assert browser.get("/auth/logout").status_code == 405
    assert browser.get("/").status_code == 200  # still logged in


@pytest.mark.parametrize("url", ["/", "/index", "/edit_profile", "/index?page=2"])
def test_login_required_pages_redirect_to_login_with_next(browser, url):
    response = browser.get(url)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_login_follows_next_on_this_site(browser, make_user):
    make_user("susan")
    response = browser.get("/edit_profile")
    login_url = response.headers["Location"]
    login_page = soup(browser.get(login_url))
    action = login_page.find("form", action=lambda a: a and "login" in a)["action"]
    response = browser.post(action, {"username": "susan", "password": "correct horse battery"})
    assert response.headers["Location"] == "/edit_profile"


@pytest.mark.parametrize(
    "evil", ["//evil.example", "/\\evil.example", "https://evil.example/", "http:evil.example"]
)
def test_login_ignores_next_pointing_off_site(browser, make_user, evil):
    make_user("susan")
    response = browser.post(
        "/auth/login",
        {"username": "susan", "password": "correct horse battery"},
        query_string={"next": evil},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_htmx_request_to_a_login_required_page_is_sent_to_login_with_hx_redirect(browser):
    response = browser.post(
        "/follow/susan", htmx=True, headers={"HX-Current-URL": "http://localhost/user/susan"}
    )
    assert response.headers["HX-Redirect"] == "/auth/login?next=/user/susan"


def test_logged_in_users_visiting_login_or_register_go_home(browser, make_user):
    make_user("susan")
    browser.login("susan")
    assert browser.get("/auth/login").headers["Location"] == "/"
    assert browser.get("/auth/register").headers["Location"] == "/"
