"""Rate limits, turned on: failed logins, sign-ups, mails, posts, private messages and API
tokens, counted in memory and in a real Redis."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from microblog import config, create_app
from microblog.extensions import db
from microblog.models import Message, Post, User
from tests.helpers import Browser, browser_on, reset_schema, skip_or_fail, soup

PASSWORD = "correct horse battery"
REDIS_URL = "redis://127.0.0.1:6379/4"


def redis_url() -> str:
    """The tests' Redis database, emptied; skips (or fails in CI) when Redis is not there."""
    url = os.environ.get("TEST_REDIS_URL", REDIS_URL)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {url}: {error}")
    return url


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else redis_url()


@pytest.fixture
def limits() -> dict[str, str]:
    """Limit settings a test changes before the app is made."""
    return {}


@pytest.fixture
def app(storage: str, limits: dict[str, str]) -> Iterator[Flask]:
    app = create_app(
        config.TestConfig(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage, **limits)
    )
    reset_schema(app)
    yield app


def log_in(browser, username: str, password: str, **kwargs):
    return browser.post("/auth/login", {"username": username, "password": password}, **kwargs)


def assert_too_many(response, words: str) -> str:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3601
    text = soup(response).get_text(" ")
    assert words in text and "try again in" in text
    return text


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(browser, make_user):
    make_user("susan")
    make_user("bob")

    answers = [log_in(browser, "susan", f"guess {n}").status_code for n in range(5)]
    locked = log_in(browser, "SUSAN ", PASSWORD)

    assert answers == [422] * 5
    assert_too_many(locked, "Too many failed attempts to log in to this account")
    assert "15 minutes" in soup(locked).get_text()
    # Another account is not locked by susan's attacker.
    assert log_in(browser, "bob", PASSWORD).status_code == 303


def test_right_passwords_never_count(browser, make_user):
    make_user("susan")

    for _ in range(8):
        assert log_in(browser, "susan", PASSWORD).status_code == 303
        browser.logout()


@pytest.mark.parametrize("limits", [{"RATELIMIT_LOGIN_FAILURES_PER_IP": "3 per hour"}])
def test_failed_logins_from_one_address_are_limited_across_accounts(browser, make_user):
    for name in ("ann", "bob", "cat", "dan"):
        make_user(name)

    answers = [log_in(browser, name, "guess").status_code for name in ("ann", "bob", "cat")]
    blocked = log_in(browser, "dan", PASSWORD)

    assert answers == [422] * 3
    assert_too_many(blocked, "from your network")


def test_the_429_is_an_alert_for_htmx(browser, make_user):
    make_user("susan")
    for n in range(5):
        log_in(browser, "susan", f"guess {n}")

    response = log_in(browser, "susan", PASSWORD, htmx=True)

    assert response.status_code == 429
    alert = soup(response).find(role="alert")
    assert alert is not None and "try again in" in alert.get_text()
    assert soup(response).find("html") is None


def test_the_429_page_speaks_the_readers_language(browser, make_user):
    make_user("susan")
    for n in range(5):
        log_in(browser, "susan", f"guess {n}")

    response = log_in(browser, "susan", PASSWORD, headers={"Accept-Language": "es"})

    assert response.status_code == 429
    assert soup(response).html["lang"] == "es"
    assert "dentro de 15 minutos" in soup(response).get_text()


def test_wrong_api_passwords_lock_the_web_login_too_and_the_api_answers_json(app, make_user):
    make_user("susan")
    client = app.test_client()

    answers = [client.post("/api/tokens", auth=("susan", "guess")).status_code for _ in range(5)]
    api_locked = client.post("/api/tokens", auth=("susan", PASSWORD))
    web_locked = log_in(Browser(app.test_client()), "susan", PASSWORD)

    assert answers == [401] * 5
    assert api_locked.status_code == 429 and api_locked.mimetype == "application/json"
    assert int(api_locked.headers["Retry-After"]) > 0
    assert "try again in 15 minutes" in api_locked.get_json()["message"]
    assert web_locked.status_code == 429


@pytest.mark.parametrize("limits", [{"RATELIMIT_API_TOKENS_PER_ACCOUNT": "2 per hour"}])
def test_tokens_issued_per_account_are_limited(app, make_user):
    make_user("susan")
    client = app.test_client()

    answers = [client.post("/api/tokens", auth=("susan", PASSWORD)).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


@pytest.mark.parametrize("limits", [{"RATELIMIT_REGISTRATIONS_PER_IP": "2 per 5 minutes"}])
def test_sign_ups_from_one_address_are_limited_on_the_web_and_the_api(app, browser, query):
    def register(name: str):
        return browser.post(
            "/auth/register",
            {"username": name, "email": f"{name}@example.com", "password": PASSWORD,
             "password2": PASSWORD},
        )  # fmt: skip

    first = register("ann")
    browser.logout()
    second = app.test_client().post(
        "/api/users", json={"username": "bob", "email": "bob@example.com", "password": PASSWORD}
    )
    third = register("cat")

    assert (first.status_code, second.status_code) == (303, 201)
    assert_too_many(third, "Too many sign-ups")
    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(User))) == 2


def test_reset_mails_to_one_address_stop_after_three_an_hour(browser, make_user, mailbox):
    make_user("susan")

    def ask(email: str):
        return browser.post("/auth/reset_password_request", {"email": email})

    answers = [ask("susan@example.com").status_code for _ in range(3)]
    fourth = ask(" Susan@Example.com")

    assert answers == [303] * 3
    assert_too_many(fourth, "Too many mails have been sent to this address")
    assert [mail["To"] for mail in mailbox.received()] == ["susan@example.com"] * 3
    # Someone else's address is not blocked by it.
    assert ask("bob@example.com").status_code == 303


@pytest.mark.parametrize("limits", [{"RATELIMIT_MAILS_PER_IP": "2 per 5 minutes"}])
def test_mail_requests_from_one_address_are_limited(browser, make_user):
    answers = [
        browser.post("/auth/reset_password_request", {"email": f"x{n}@example.com"}).status_code
        for n in range(3)
    ]

    assert answers == [303, 303, 429]


@pytest.mark.parametrize("limits", [{"RATELIMIT_POSTS_PER_USER": "2 per minute"}])
def test_posts_per_user_are_limited_on_the_web_and_the_api_together(app, browser, make_user, query):
    make_user("susan")
    browser.login("susan")
    token = app.test_client().post("/api/tokens", auth=("susan", PASSWORD)).get_json()["token"]

    web = browser.post("/index", {"post": "one"})
    api = app.test_client().post(
        "/api/posts", json={"body": "two"}, headers={"Authorization": f"Bearer {token}"}
    )
    third = browser.post("/index", {"post": "three"}, htmx=True)

    assert (web.status_code, api.status_code) == (303, 201)
    assert third.status_code == 429
    assert "You have posted a lot" in soup(third).find(role="alert").get_text()
    bodies = query(lambda: sorted(db.session.scalars(sa.select(Post.body))))
    assert bodies == ["one", "two"]


@pytest.mark.parametrize("limits", [{"RATELIMIT_POSTS_PER_USER": "2 per minute"}])
def test_refused_posts_do_not_count(browser, make_user):
    make_user("susan")
    browser.login("susan")

    refused = [browser.post("/index", {"post": ""}).status_code for _ in range(3)]
    published = [browser.post("/index", {"post": f"post {n}"}).status_code for n in range(2)]

    assert refused == [422] * 3 and published == [303, 303]


@pytest.mark.parametrize("limits", [{"RATELIMIT_EDITS_PER_USER": "2 per minute"}])
def test_edits_per_user_are_limited_on_the_web_and_the_api_together(
    app, browser, make_user, make_posts, query
):
    make_user("susan")
    (post_id,) = make_posts("susan", body="first version")
    browser.login("susan")
    token = app.test_client().post("/api/tokens", auth=("susan", PASSWORD)).get_json()["token"]
    api = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}

    refused = browser.post(f"/post/{post_id}/edit", {"post": ""})
    web = browser.post(f"/post/{post_id}/edit", {"post": "second version"})
    by_api = api.put(f"/api/posts/{post_id}", json={"body": "third version"}, headers=auth)
    third = browser.post(f"/post/{post_id}/edit", {"post": "fourth version"}, htmx=True)
    fourth = browser.post(f"/post/{post_id}/edit", {"post": "fifth version"})
    fifth = api.put(f"/api/posts/{post_id}", json={"body": "sixth version"}, headers=auth)

    # A refused edit costs nothing; past the limit the post keeps its text, the form is still
    # there to read (GET), and the API says why.
    assert (refused.status_code, web.status_code, by_api.status_code) == (422, 303, 200)
    assert third.status_code == 429
    assert "You have edited your posts a lot" in soup(third).find(role="alert").get_text()
    assert_too_many(fourth, "You have edited your posts a lot")
    assert fifth.status_code == 429
    assert "edited your posts a lot" in fifth.get_json()["message"]
    assert query(lambda: db.session.get(Post, post_id).body) == "third version"
    assert browser.get(f"/post/{post_id}/edit").status_code == 200
    # Posting is a limit of its own.
    assert browser.post("/index", {"post": "a new post"}).status_code == 303


def sent_messages(query) -> list[str]:
    return query(lambda: sorted(db.session.scalars(sa.select(Message.body))))


@pytest.mark.parametrize("limits", [{"RATELIMIT_MESSAGES_PER_USER": "2 per minute"}])
def test_messages_per_user_are_limited_on_the_web_and_the_api_together(
    app, browser, make_user, query
):
    make_user("susan")
    john, mary = make_user("john"), make_user("mary")
    browser.login("susan")
    token = app.test_client().post("/api/tokens", auth=("susan", PASSWORD)).get_json()["token"]
    api = app.test_client()

    web = browser.post("/send_message/john", {"message": "one"})
    by_api = api.post(
        "/api/messages",
        json={"recipient_id": mary, "body": "two"},
        headers={"Authorization": f"Bearer {token}"},
    )
    third = browser.post("/send_message/mary", {"message": "three"}, htmx=True)
    fourth = browser.post("/send_message/john", {"message": "four"})
    fifth = api.post(
        "/api/messages",
        json={"recipient_id": john, "body": "five"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert (web.status_code, by_api.status_code) == (303, 201)
    assert third.status_code == 429
    alert = soup(third).find(role="alert").get_text(" ")
    assert "You have sent a lot of messages in a short time." in alert
    assert "You have sent a lot of messages" in assert_too_many(fourth, "try again")
    assert fifth.status_code == 429
    assert fifth.get_json()["error"] == "Too Many Requests"
    assert "messages" in fifth.get_json()["message"]
    assert int(fifth.headers["Retry-After"]) > 0
    # What was sent before the limit is kept, and the limit is per sender: john can answer.
    assert sent_messages(query) == ["one", "two"]
    browser.logout()
    browser.login("john")
    assert browser.post("/send_message/susan", {"message": "reply"}).status_code == 303
    assert sent_messages(query) == ["one", "reply", "two"]


@pytest.mark.parametrize("limits", [{"RATELIMIT_MESSAGES_PER_USER": "2 per minute"}])
def test_refused_messages_do_not_count(browser, make_user, query):
    make_user("susan")
    make_user("john")
    make_user("mary")
    browser.login("mary")
    assert browser.post("/block/susan", {}).status_code == 303
    browser.logout()
    browser.login("susan")

    refused = [
        browser.post("/send_message/john", {"message": ""}).status_code,
        browser.post("/send_message/john", {"message": "x" * 281}).status_code,
        browser.post("/send_message/mary", {"message": "blocked"}).status_code,
        browser.post("/send_message/susan", {"message": "myself"}).status_code,
        browser.post("/send_message/nobody", {"message": "nobody"}).status_code,
    ]
    sent = [browser.post("/send_message/john", {"message": f"hi {n}"}).status_code for n in (1, 2)]

    # A recipient who blocks the sender is a 403, as a page saying so.
    assert refused == [422, 422, 403, 400, 404] and sent == [303, 303]
    assert sent_messages(query) == ["hi 1", "hi 2"]


def test_everything_is_off_with_ratelimit_enabled_false():
    browser = browser_on(
        RATELIMIT_ENABLED=False,
        RATELIMIT_POSTS_PER_USER="1 per hour",
        RATELIMIT_MESSAGES_PER_USER="1 per hour",
    )
    with browser.client.application.app_context():
        db.session.add(User(username="john", email="john@example.com"))
        db.session.commit()
    answers = [log_in(browser, "susan", "guess").status_code for _ in range(25)]
    browser.login("susan")
    posts = [browser.post("/index", {"post": f"post {n}"}).status_code for n in range(3)]
    messages = [
        browser.post("/send_message/john", {"message": f"hi {n}"}).status_code for n in range(3)
    ]

    assert answers == [422] * 25 and posts == [303] * 3 and messages == [303] * 3


def test_a_limit_setting_that_is_not_a_limit_stops_the_app_with_a_clear_message():
    with pytest.raises(SystemExit, match="RATELIMIT_POSTS_PER_USER='lots'"):
        create_app(config.TestConfig(RATELIMIT_ENABLED=True, RATELIMIT_POSTS_PER_USER="lots"))


def test_with_redis_down_the_site_works_and_limits_go_on_in_memory(closed_port, caplog):
    browser = browser_on(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0"
    )
    with caplog.at_level(logging.WARNING):
        answers = [log_in(browser, "susan", f"guess {n}").status_code for n in range(6)]

    assert answers == [422] * 5 + [429]
    assert "falling back to in-memory storage" in caplog.text


def test_each_app_whose_redis_is_down_says_so_though_an_earlier_one_fell_back(closed_port, caplog):
    # The limiter is one object for every app of a process (its decorators are made at import
    # time): an earlier app's dead Redis must not leave the next app in the fallback unsaid.
    earlier = browser_on(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/0"
    )
    log_in(earlier, "susan", "guess")
    later = browser_on(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port}/1"
    )
    with caplog.at_level(logging.WARNING):
        answers = [log_in(later, "susan", f"guess {n}").status_code for n in range(6)]

    assert answers == [422] * 5 + [429]
    assert "falling back to in-memory storage" in caplog.text
