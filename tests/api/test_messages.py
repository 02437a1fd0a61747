"""Private messages and the notification feed through the API: only your own, the website's
rules for sending, and the same feed as the website's /notifications."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import Message, User
from microblog.models.block import block
from microblog.models.message import mark_read
from tests.helpers import assert_error


def _messages(app) -> list[tuple[int, int, str]]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(Message.sender_id, Message.recipient_id, Message.body).order_by(Message.id)
        )
        return [tuple(row) for row in rows]


def _send(api, recipient_id, body="Hello there"):
    return api.post("/api/messages", json={"recipient_id": recipient_id, "body": body})


@pytest.mark.alldb
def test_a_sent_message_is_stored_and_sent_back(app, api, susan, bob):
    response = _send(api.login("susan"), bob, "  Lunch on Friday?  ")

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "sender", "recipient", "body", "timestamp", "read", "_links"}
    assert body["sender"]["id"] == susan and body["sender"]["username"] == "susan"
    assert body["recipient"]["id"] == bob and body["recipient"]["username"] == "bob"
    assert body["sender"]["_links"]["self"] == f"/api/users/{susan}"
    assert body["_links"] == {"sender": f"/api/users/{susan}", "recipient": f"/api/users/{bob}"}
    assert body["body"] == "Lunch on Friday?"
    assert body["read"] is None  # sent, not received
    assert datetime.fromisoformat(body["timestamp"]).utcoffset().total_seconds() == 0
    assert _messages(app) == [(susan, bob, "Lunch on Friday?")]


@pytest.mark.alldb
def test_both_people_see_a_message_and_nobody_else(app, api, make_user, susan, bob):
    make_user("mallory")
    _send(api.login("susan"), bob, "Only for bob")

    (sent,) = api.get("/api/messages").get_json()["items"]
    assert (sent["body"], sent["read"]) == ("Only for bob", None)
    (received,) = api.login("bob").get("/api/messages").get_json()["items"]
    assert (received["id"], received["read"]) == (sent["id"], False)

    others = api.login("mallory").get("/api/messages").get_json()
    assert others["items"] == [] and others["_meta"]["total_items"] == 0
    # Nor in anyone's posts, timeline or search.
    for url in ("/api/posts", "/api/timeline", "/api/search?q=bob", f"/api/users/{bob}/posts"):
        assert "Only for bob" not in api.get(url).get_data(as_text=True)


def test_reading_through_the_api_does_not_mark_messages_read(app, api, susan, bob):
    _send(api.login("susan"), bob)
    api.login("bob").get("/api/messages")

    with app.app_context():
        assert db.session.scalar(sa.select(Message.read_at)) is None
        mark_read(db.session.get(User, bob), db.session.get(User, susan))
        db.session.commit()
    (received,) = api.get("/api/messages").get_json()["items"]
    assert received["read"] is True


def test_messages_are_newest_first_both_ways_and_paginated(api, susan, bob):
    _send(api.login("susan"), bob, "one")
    _send(api.login("bob"), susan, "two")
    _send(api.login("susan"), bob, "three")

    first = api.get("/api/messages?per_page=2").get_json()
    assert [m["body"] for m in first["items"]] == ["three", "two"]
    assert first["_meta"] == {"page": 1, "per_page": 2, "total_pages": 2, "total_items": 3}
    assert first["_links"]["next"] == "/api/messages?page=2&per_page=2"
    assert first["_links"]["prev"] is None
    second = api.get(first["_links"]["next"]).get_json()
    assert [m["body"] for m in second["items"]] == ["one"]
    assert second["_links"]["next"] is None
    assert_error(api.get("/api/messages?page=3&per_page=2"), 404, "Not Found")
    assert_error(api.get("/api/messages?per_page=0"), 400, "Bad Request")


def test_a_message_of_280_characters_is_sent(app, api, susan, bob):
    assert _send(api.login("susan"), bob, "x" * 280).status_code == 201


@pytest.mark.parametrize(
    "payload",
    [
        {"recipient_id": None, "body": "Hi"},
        {"body": "Hi"},
        {"recipient_id": "BOB"},
        {"recipient_id": "BOB", "body": ""},
        {"recipient_id": "BOB", "body": "   \n  "},
        {"recipient_id": "BOB", "body": "x" * 281},
        {"recipient_id": "BOB", "body": "nul \x00 byte"},
        {"recipient_id": "BOB", "body": "Hi", "sender_id": 1},
        {"recipient_id": "bob", "body": "Hi"},
        {"recipient_id": "BOB", "body": ["Hi"]},
    ],
)
def test_invalid_messages_are_a_400_and_store_nothing(app, api, susan, bob, payload):
    payload = {k: (bob if v == "BOB" else v) for k, v in payload.items()}

    response = api.login("susan").post("/api/messages", json=payload)

    assert_error(response, 400, "Bad Request")
    assert _messages(app) == []


def test_a_message_to_yourself_is_a_400(app, api, susan):
    body = assert_error(_send(api.login("susan"), susan), 400, "Bad Request")
    assert "yourself" in body["message"]
    assert _messages(app) == []


@pytest.mark.parametrize("recipient_id", [999, 2**31, 2**70, -1, 0])
def test_an_unknown_recipient_is_a_404(app, api, susan, recipient_id):
    assert_error(_send(api.login("susan"), recipient_id), 404, "Not Found")
    assert _messages(app) == []


@pytest.mark.parametrize(("blocker", "blocked"), [("susan", "bob"), ("bob", "susan")])
def test_a_block_either_way_stops_messages(app, api, susan, bob, blocker, blocked):
    with app.app_context():
        block(User.by_username(blocker), User.by_username(blocked))
        db.session.commit()

    response = _send(api.login("susan"), bob)

    assert_error(response, 403, "Forbidden")
    assert _messages(app) == []


def test_sending_needs_a_token_and_a_json_body(app, api, susan, bob):
    assert_error(api.get("/api/messages"), 401, "Unauthorized")
    assert_error(
        api.post("/api/messages", json={"recipient_id": bob, "body": "Hi"}), 401, "Unauthorized"
    )
    api.login("susan")
    response = api.post("/api/messages", data="recipient_id=2&body=Hi")
    assert_error(response, 415, "Unsupported Media Type")
    assert _messages(app) == []


def test_the_notification_feed_counts_unread_messages(app, api, susan, bob):
    api.login("bob")
    assert api.get("/api/notifications").get_json() == []

    _send(api.login("susan"), bob)
    _send(api, bob)
    assert api.get("/api/notifications").get_json() == []  # susan has received nothing

    (item,) = api.login("bob").get("/api/notifications").get_json()
    assert (item["name"], item["data"]) == ("unread_message_count", 2)
    assert isinstance(item["timestamp"], float)
    assert api.get(f"/api/notifications?since={item['timestamp']}").get_json() == []
    assert len(api.get(f"/api/notifications?since={item['timestamp'] - 1}").get_json()) == 1

    with app.app_context():
        mark_read(db.session.get(User, bob), db.session.get(User, susan))
        db.session.commit()
    (item,) = api.get("/api/notifications").get_json()
    assert item["data"] == 0


def test_the_api_feed_is_the_websites_feed(app, api, browser, susan, bob):
    _send(api.login("susan"), bob)
    browser.login("bob")
    web = browser.get("/notifications").get_json()
    assert web

    assert api.login("bob").get("/api/notifications").get_json() == web


@pytest.mark.parametrize("since", ["abc", "nan", "inf", "-1", ""])
def test_a_bad_since_is_a_400(api, susan, since):
    assert_error(api.login("susan").get(f"/api/notifications?since={since}"), 400, "Bad Request")
