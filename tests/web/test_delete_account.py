"""Deleting an account: a clear warning, the password, then nothing of the user remains (on
every database) and the username is free."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from flask import Flask

from microblog.extensions import db
from microblog.models import ApiToken, Message, Post, PostTranslation, Task, User
from microblog.models.follows import blocks, followers
from tests.helpers import PASSWORD, ApiClient, Browser, field_error, soup


def fill_the_account(app: Flask) -> None:
    """susan with one of everything, to and from john (who keeps his own)."""
    with app.app_context():
        susan, john = User.by_username("susan"), User.by_username("john")
        mine = Post(body="Susan's post", author=susan)
        his = Post(body="John's post", author=john)
        db.session.add_all([mine, his])
        db.session.flush()
        db.session.add_all(
            [
                PostTranslation(
                    post_id=mine.id, language="es", body="x", provider="t", source_digest="d"
                ),
                PostTranslation(
                    post_id=his.id, language="es", body="y", provider="t", source_digest="d"
                ),
                Message(sender=susan, recipient=john, body="to john"),
                Message(sender=john, recipient=susan, body="to susan"),
                Task(id=str(uuid.uuid4()), user_id=susan.id, kind="export", description="e"),
            ]
        )
        susan.follow(john)
        john.follow(susan)
        db.session.execute(sa.insert(blocks).values(blocker_id=john.id, blocked_id=susan.id))
        db.session.commit()


def rows_referring_to(app: Flask, user_id: int) -> dict[str, int]:
    """How many rows of each table point at the user (directly, or through their posts)."""
    with app.app_context():
        post_ids = sa.select(Post.id).where(Post.user_id == user_id)
        counts = {
            "user": sa.select(sa.func.count()).where(User.id == user_id),
            "post": sa.select(sa.func.count()).where(Post.user_id == user_id),
            "post_translation": sa.select(sa.func.count()).where(
                PostTranslation.post_id.in_(post_ids)
            ),
            "message": sa.select(sa.func.count()).where(
                (Message.sender_id == user_id) | (Message.recipient_id == user_id)
            ),
            "followers": sa.select(sa.func.count())
            .select_from(followers)
            .where((followers.c.follower_id == user_id) | (followers.c.followed_id == user_id)),
            "blocks": sa.select(sa.func.count())
            .select_from(blocks)
            .where((blocks.c.blocker_id == user_id) | (blocks.c.blocked_id == user_id)),
            "api_token": sa.select(sa.func.count()).where(ApiToken.user_id == user_id),
            "task": sa.select(sa.func.count()).where(Task.user_id == user_id),
        }
        return {name: db.session.scalar(query) for name, query in counts.items()}


def delete(browser: Browser, password: str = PASSWORD, **kwargs):
    return browser.post("/auth/delete_account", {"password": password}, **kwargs)


def test_the_page_warns_clearly_and_asks_for_the_password(susan):
    link = soup(susan.get("/edit_profile")).find("a", string="Delete your account")
    assert link["href"] == "/auth/delete_account"
    page = soup(susan.get(link["href"]))
    assert page.h1.get_text() == "Delete your account"
    warning = page.find(role="note").get_text()
    assert "posts" in warning and "messages" in warning and "cannot be undone" in warning
    form = page.find("form", id="delete-account")
    assert form["action"] == form["hx-post"] == "/auth/delete_account"
    assert form.find(attrs={"name": "password"})["autocomplete"] == "current-password"
    assert form.find("button").get_text() == "Delete my account"


@pytest.mark.alldb
def test_deleting_removes_everything_of_the_user_and_nothing_of_others(
    app: Flask, browser, make_user, query
):
    susan_id = make_user("susan")
    john_id = make_user("john")
    fill_the_account(app)
    ApiClient(app.test_client()).login("susan")
    assert all(rows_referring_to(app, susan_id).values())
    before_john = rows_referring_to(app, john_id)

    browser.login("susan")
    response = delete(browser)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"

    assert rows_referring_to(app, susan_id) == dict.fromkeys(before_john, 0)
    after_john = rows_referring_to(app, john_id)
    # john keeps his account, his post and its translation; what involved susan is gone.
    assert after_john == {
        **before_john,
        "message": 0,
        "followers": 0,
        "blocks": 0,
    }
    assert query(lambda: [post.body for post in Post.query]) == ["John's post"]


@pytest.mark.alldb
def test_every_foreign_key_to_a_user_cascades_in_the_database(app: Flask):
    """The databases' own backstop: deleting a user row directly takes its rows along."""
    with app.app_context():
        inspector = sa.inspect(db.engine)
        to_users = [
            (table, key)
            for table in inspector.get_table_names()
            for key in inspector.get_foreign_keys(table)
            if key["referred_table"] in {"user", "post"}
        ]
    assert {table for table, _key in to_users} >= {
        "post",
        "post_translation",
        "message",
        "followers",
        "blocks",
        "api_token",
        "task",
    }
    for table, key in to_users:
        assert (key.get("options") or {}).get("ondelete", "").upper() == "CASCADE", (table, key)


def test_the_username_and_address_are_free_afterwards(app: Flask, susan, query):
    delete(susan)
    newcomer = Browser(app.test_client())
    response = newcomer.post(
        "/auth/register",
        {
            "username": "Susan",
            "email": "susan@example.com",
            "password": "my own new password",
            "password2": "my own new password",
        },
    )
    assert response.status_code == 303
    assert query(lambda: User.by_username("susan").username) == "Susan"


def test_after_deleting_the_browser_is_logged_out_and_told(app: Flask, susan):
    elsewhere = Browser(app.test_client())
    elsewhere.login("susan")
    delete(susan)
    page = soup(susan.get("/auth/login"))
    assert "Your account and everything in it are deleted." in page.find(id="flashes").get_text()
    assert susan.get("/").status_code == 303
    assert elsewhere.get("/").status_code == 303
    assert susan.get("/user/susan").status_code == 404
    assert "susan" not in soup(susan.get("/explore")).get_text().lower()


def test_with_htmx_the_browser_is_sent_to_the_login_page(susan, query):
    response = delete(susan, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/auth/login"
    assert query(lambda: User.by_username("susan")) is None


def test_a_wrong_password_deletes_nothing_and_says_so_next_to_the_field(susan, query):
    response = delete(susan, "not my password")
    assert response.status_code == 422
    assert field_error(soup(response), "password") == "This is not your password."
    assert query(lambda: User.by_username("susan")) is not None
    response = delete(susan, "not my password", htmx=True)
    assert response.status_code == 422
    assert soup(response).find("form", id="delete-account")


def test_deleting_needs_a_login_and_a_csrf_token(browser, make_user, query):
    make_user("susan")
    assert delete(browser).headers["Location"].startswith("/auth/login")
    browser.login("susan")
    assert delete(browser, csrf=False).status_code == 400
    assert browser.get("/auth/delete_account").status_code == 200
    assert query(lambda: User.by_username("susan")) is not None
