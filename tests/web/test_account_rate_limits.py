"""Failed-login limits count per account, however it is named (username or email address),
and a wrong password typed in the account settings counts too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from microblog import config, create_app
from tests.helpers import PASSWORD, Browser, reset_schema


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app(config.TestConfig(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://"))
    reset_schema(app)
    yield app


def log_in(browser: Browser, login: str, password: str):
    return browser.post("/auth/login", {"username": login, "password": password})


def test_username_and_email_share_one_counter_of_failed_logins(browser, make_user):
    make_user("susan")
    names = ["susan", "SUSAN@example.com", "susan", "susan@example.com", "Susan"]
    answers = [log_in(browser, name, f"guess {n}").status_code for n, name in enumerate(names)]
    assert answers == [422] * 5
    assert log_in(browser, "susan@example.com", PASSWORD).status_code == 429
    assert log_in(browser, "susan", PASSWORD).status_code == 429


def test_wrong_current_passwords_in_the_settings_lock_the_account(browser, make_user):
    make_user("susan")
    browser.login("susan")
    wrong = {"current_password": "guess", "password": "a new secret", "password2": "a new secret"}
    answers = [browser.post("/auth/change_password", wrong).status_code for _ in range(5)]
    assert answers == [422] * 5
    right = {**wrong, "current_password": PASSWORD}
    assert browser.post("/auth/change_password", right).status_code == 429
    # The login form counts for the same account.
    other = Browser(browser.client.application.test_client())
    assert log_in(other, "susan", PASSWORD).status_code == 429


def test_a_right_current_password_costs_nothing(browser, make_user):
    make_user("susan")
    browser.login("susan")
    password = PASSWORD
    for n in range(6):
        new = f"new secret number {n}"
        data = {"current_password": password, "password": new, "password2": new}
        assert browser.post("/auth/change_password", data).status_code == 303
        password = new
