"""The password rules (8 to 128 characters, not the username or email address, not one of
the 10,000 most common passwords) on registration, reset, change and the API, each refusal
said next to the field, in the reader's language."""

from __future__ import annotations

import pytest
from flask import Flask

from microblog.auth.tokens import make_reset_token
from microblog.models import User
from microblog.passwords import common_passwords, password_problem
from tests.helpers import PASSWORD, ApiClient, field_error, soup

COMMON = "The first ones anybody tries"
REGISTER = {"username": "newbie", "email": "newbie@example.com"}


def test_the_shipped_list_has_the_10000_most_common_passwords(app: Flask):
    listed = common_passwords()
    assert len(listed) >= 9900  # a few differ only by case
    assert {"password", "123456789", "qwertyuiop", "iloveyou", "sunshine"} <= listed
    assert common_passwords() is listed  # read once


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "8 to 128"),
        ("x" * 129, "8 to 128"),
        ("Newbie.User", "your username"),
        (" newbie.user ", "your username"),
        ("NEWBIE@example.com", "your email address"),
        ("Password1", "most common"),
        ("qwertyuiop", "most common"),
        ("sunshine", "most common"),
    ],
)
def test_the_rule_says_what_is_wrong(app: Flask, password, problem):
    with app.test_request_context():
        said = password_problem(password, username="newbie.user", email="newbie@example.com")
    assert problem in said


@pytest.mark.parametrize(
    "password", ["tulip-gd", "x" * 128, "correct horse battery", "Ünïcödé pässwörd"]
)
def test_other_passwords_may_be_used(app: Flask, password):
    with app.test_request_context():
        assert password_problem(password, username="newbie", email="newbie@example.com") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("newbie", None),  # too short: the length rule alone speaks
        ("Newbie@Example.com", "cannot be your email address"),
        ("sunshine", "most common passwords"),
    ],
)
def test_registration_refuses_next_to_the_password_field(browser, query, password, message):
    data = {"username": "newbie.long", "email": "newbie@example.com"}
    if password == "newbie":
        data["username"] = "newbie"
    response = browser.post("/auth/register", {**data, "password": password, "password2": password})
    assert response.status_code == 422
    error = field_error(soup(response), "password")
    assert (message or "8 to 128") in error
    assert error.count(".") <= 2  # one message, not the length rule and another
    assert query(lambda: User.query.count()) == 0


def test_registration_refuses_the_username_as_password(browser):
    data = {"username": "Gardener2024", "email": "g@example.com"}
    response = browser.post(
        "/auth/register", {**data, "password": "gardener2024", "password2": "gardener2024"}
    )
    assert response.status_code == 422
    assert "cannot be your username" in field_error(soup(response), "password")


def test_the_refusal_speaks_the_readers_language(browser):
    response = browser.post(
        "/auth/register",
        {**REGISTER, "password": "sunshine", "password2": "sunshine"},
        headers={"Accept-Language": "es"},
    )
    assert "10.000 contraseñas más comunes" in field_error(soup(response), "password")
    response = browser.post(
        "/auth/register",
        {**REGISTER, "password": "sunshine", "password2": "sunshine"},
        headers={"Accept-Language": "de"},
    )
    assert "10.000 häufigsten Passwörter" in field_error(soup(response), "password")


def test_a_reset_refuses_the_accounts_own_username(app: Flask, browser, make_user, query):
    make_user("gardener", email="gardener@example.com")
    with app.app_context():
        user = User.by_username("gardener")
        path = f"/auth/reset_password/{make_reset_token(user.id, user.password_hash)}"
    for password, message in [("GARDENER@example.com", "email address"), ("iloveyou", COMMON)]:
        response = browser.post(path, {"password": password, "password2": password})
        assert response.status_code == 422
        assert message.lower() in field_error(soup(response), "password").lower()
    assert query(lambda: User.by_username("gardener").check_password(PASSWORD))


def test_a_change_refuses_common_passwords_and_the_username(browser, make_user, query):
    make_user("gardener")
    browser.login("gardener")
    for password, message in [("Gardener", "your username"), ("Password1", COMMON)]:
        data = {"current_password": PASSWORD, "password": password, "password2": password}
        response = browser.post("/auth/change_password", data)
        assert response.status_code == 422
        assert message.lower() in field_error(soup(response), "password").lower()
    assert query(lambda: User.by_username("gardener").check_password(PASSWORD))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("sunshine", "most common passwords"),
        ("newbie@example.com", "cannot be your email address"),
        ("short", "8 to 128"),
    ],
)
def test_the_api_registration_follows_the_same_rules_in_english(
    app: Flask, query, password, message
):
    response = ApiClient(app.test_client()).post(
        "/api/users",
        json={"username": "newbie", "email": "newbie@example.com", "password": password},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 400
    assert message in " ".join(response.get_json()["errors"]["password"])
    assert query(lambda: User.query.count()) == 0
