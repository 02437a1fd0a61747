"""Sessions end when they should: a new password or "Log out everywhere else" ends every
other session, remember-me cookie and API token; login starts a new session; logout forgets
the remember-me cookie."""

from __future__ import annotations

import pytest
from flask import Flask

from microblog.auth.tokens import make_reset_token
from microblog.extensions import db
from microblog.models import User
from tests.helpers import PASSWORD, ApiClient, Browser, soup


def new_browser(app: Flask) -> Browser:
    return Browser(app.test_client())


def is_logged_in(browser: Browser) -> bool:
    """Whether the home page opens (a visitor is sent to the login page)."""
    return browser.get("/").status_code == 200


def log_in_remembered(browser: Browser, username: str = "susan") -> str:
    """Log in with "Remember me"; the remember-me cookie's value."""
    response = browser.post(
        "/auth/login", {"username": username, "password": PASSWORD, "remember_me": "y"}
    )
    assert response.status_code == 303
    browser._token = None
    return browser.client.get_cookie("remember_token").value


def with_cookie_alone(app: Flask, value: str) -> Browser:
    """A browser that has only a remember-me cookie (its session cookie expired)."""
    browser = new_browser(app)
    browser.client.set_cookie("remember_token", value, domain="localhost")
    return browser


def test_logout_everywhere_ends_the_other_sessions_and_keeps_this_one(app, make_user):
    make_user("susan")
    here, elsewhere = new_browser(app), new_browser(app)
    here.login("susan")
    elsewhere.login("susan")
    response = here.post("/auth/logout_everywhere")
    assert response.status_code == 303
    assert response.headers["Location"] == "/edit_profile"
    page = soup(here.get("/edit_profile"))
    assert "Every other session has ended." in page.find(id="flashes").get_text()
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)
    assert elsewhere.get("/").headers["Location"].startswith("/auth/login")


def test_logout_everywhere_ends_remember_me_cookies_on_their_own(app, make_user):
    make_user("susan")
    other_device = new_browser(app)
    cookie = log_in_remembered(other_device)
    assert is_logged_in(with_cookie_alone(app, cookie))
    here = new_browser(app)
    here.login("susan")
    here.post("/auth/logout_everywhere")
    assert not is_logged_in(with_cookie_alone(app, cookie))
    assert not is_logged_in(other_device)


def test_the_browser_that_asked_keeps_its_remember_me_cookie(app, make_user):
    make_user("susan")
    here = new_browser(app)
    old_cookie = log_in_remembered(here)
    here.post("/auth/logout_everywhere")
    new_cookie = here.client.get_cookie("remember_token").value
    assert new_cookie != old_cookie
    assert is_logged_in(with_cookie_alone(app, new_cookie))
    assert not is_logged_in(with_cookie_alone(app, old_cookie))


def test_a_browser_without_remember_me_gets_no_cookie_from_logout_everywhere(app, make_user):
    make_user("susan")
    here = new_browser(app)
    here.login("susan")
    here.post("/auth/logout_everywhere")
    assert here.client.get_cookie("remember_token") is None
    assert is_logged_in(here)


def test_logout_everywhere_ends_api_tokens(app, make_user):
    make_user("susan")
    api = ApiClient(app.test_client()).login("susan")
    assert api.get("/api/users").status_code == 200
    here = new_browser(app)
    here.login("susan")
    here.post("/auth/logout_everywhere")
    assert api.get("/api/users").status_code == 401
    # A token asked for afterwards works.
    assert api.login("susan").get("/api/users").status_code == 200


def test_logout_everywhere_with_htmx_answers_in_place(app, make_user):
    make_user("susan")
    here, elsewhere = new_browser(app), new_browser(app)
    here.login("susan")
    elsewhere.login("susan")
    response = here.post("/auth/logout_everywhere", htmx=True)
    assert response.status_code == 200
    page = soup(response)
    form = page.find("form", id="logout-everywhere")
    assert form["hx-post"] == form["action"] == "/auth/logout_everywhere"
    assert form.find(role="status").get_text() == "Every other session has ended."
    assert page.find(id="announcer").get_text() == "Every other session has ended."
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_logout_everywhere_is_on_the_settings_page(susan):
    page = soup(susan.get("/edit_profile"))
    form = page.find("form", id="logout-everywhere")
    assert form["method"] == "post"
    assert form.find("button").get_text() == "Log out everywhere else"


def test_logout_everywhere_needs_a_login_and_a_csrf_token(app, make_user, query):
    make_user("susan")
    visitor = new_browser(app)
    response = visitor.post("/auth/logout_everywhere")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    here = new_browser(app)
    here.login("susan")
    assert here.post("/auth/logout_everywhere", csrf=False).status_code == 400
    assert query(lambda: User.by_username("susan").session_generation) == 0
    assert here.get("/auth/logout_everywhere").status_code == 405


def test_a_password_reset_ends_every_session_cookie_and_token(app, make_user, query):
    make_user("susan")
    logged_in = new_browser(app)
    logged_in.login("susan")
    cookie = log_in_remembered(new_browser(app))
    api = ApiClient(app.test_client()).login("susan")
    with app.app_context():
        user = User.by_username("susan")
        path = f"/auth/reset_password/{make_reset_token(user.id, user.password_hash)}"
    visitor = new_browser(app)
    response = visitor.post(
        path, {"password": "a brand new secret", "password2": "a brand new secret"}
    )
    assert response.status_code == 303
    assert not is_logged_in(logged_in)
    assert not is_logged_in(with_cookie_alone(app, cookie))
    assert api.get("/api/users").status_code == 401
    assert api.client.post("/api/tokens", auth=("susan", PASSWORD)).status_code == 401
    assert ApiClient(app.test_client()).login("susan", "a brand new secret").token


def test_login_starts_a_new_session(app, make_user):
    make_user("susan")
    browser = new_browser(app)
    browser.get("/auth/login")
    with browser.client.session_transaction() as session:
        session["planted"] = "by someone else"
        before = session["csrf_token"] = "a token someone else knows"
    browser.login("susan")
    with browser.client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before
        assert session["_user_id"] == "1:0"


def test_logout_forgets_the_remember_me_cookie(app, make_user):
    make_user("susan")
    browser = new_browser(app)
    log_in_remembered(browser)
    response = browser.logout()
    assert response.status_code == 303
    assert browser.client.get_cookie("remember_token") is None
    assert not is_logged_in(browser)


@pytest.mark.parametrize("session_id", ["1", "1:1", "1:x", "x:0", ":0", "1:0:0", "1:" + "9" * 50])
def test_a_session_id_of_another_generation_or_shape_finds_nobody(app, make_user, session_id):
    make_user("susan")
    browser = new_browser(app)
    with browser.client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    assert not is_logged_in(browser)


def test_ending_sessions_raises_the_generation_once_per_call(app, make_user):
    make_user("susan")
    with app.app_context():
        user = User.by_username("susan")
        user.end_sessions()
        user.end_sessions()
        db.session.commit()
        assert user.session_generation == 2
        assert user.get_id() == f"{user.id}:2"
