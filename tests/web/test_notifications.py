"""The unread badge, its poll, the activity page and the tutorial's JSON feed."""

import time

import pytest
from bs4 import BeautifulSoup

from templates.messages import unread_badge
from tests.helpers import count_queries, soup


@pytest.fixture
def pair(browser, make_user):
    make_user("susan")
    make_user("john")
    return browser


def send(browser, sender: str, recipient: str, text: str = "hello"):
    browser.logout()
    browser.login(sender)
    assert browser.post(f"/send_message/{recipient}", {"message": text}).status_code == 303


def badge(page):
    return page.find(id="unread-badge")


def accessible_name(element) -> str:
    """What a screen reader says for `element`: its text, less what is aria-hidden."""
    words = [
        text.strip()
        for text in element.find_all(string=True)
        if text.strip()
        and not any(parent.get("aria-hidden") == "true" for parent in text.parents if parent)
    ]
    return " ".join(words)


def test_the_header_links_to_messages_with_the_unread_badge(pair):
    pair.login("susan")
    page = soup(pair.get("/"))
    link = page.find("header").find("a", href="/messages")
    assert badge(page).find_parent("a") is link
    assert accessible_name(link) == "Messages"
    assert link.select(".badge-count") == []
    assert badge(page)["hx-trigger"] == "every 30s"
    assert badge(page)["hx-get"] == "/messages/unread?count=0"
    send(pair, "john", "susan")
    send(pair, "john", "susan")
    pair.logout()
    pair.login("susan")
    page = soup(pair.get("/explore"))
    link = page.find("header").find("a", href="/messages")
    assert accessible_name(link) == "Messages, 2 unread"
    assert link.select_one(".badge-count").get_text() == "2"
    assert link.select_one(".badge-count")["aria-hidden"] == "true"
    assert badge(page)["hx-get"] == "/messages/unread?count=2"
    # One badge in the page: the navigation's Messages link carries none.
    assert len(page.select("#unread-badge")) == 1
    nav_link = page.find("nav").find("a", href="/messages")
    assert nav_link.get_text(" ", strip=True) == "Messages"
    assert page.find("nav").select(".badge-count") == []
    assert page.find("nav").find("a", href="/activity").get_text() == "Activity"


def test_the_header_badge_is_named_in_the_readers_language(pair):
    pair.login("susan")
    send(pair, "john", "susan")
    send(pair, "john", "susan")
    send(pair, "john", "susan")
    pair.logout()
    pair.login("susan")
    for language, name in (("es", "Mensajes, 3 sin leer"), ("de", "Nachrichten, 3 ungelesen")):
        page = soup(pair.get("/explore", headers={"Accept-Language": language}))
        assert accessible_name(page.find("header").find("a", href="/messages")) == name


def test_visitors_have_no_messages_link_in_the_header(pair):
    page = soup(pair.get("/explore"))
    assert page.find("header").find("a", href="/messages") is None
    assert badge(page) is None


def test_every_htmx_response_brings_the_badge_out_of_band(pair, make_posts):
    pair.login("susan")
    send(pair, "john", "susan")
    pair.logout()
    pair.login("susan")
    for response in (
        pair.get("/explore", htmx=True),
        pair.post("/follow/john", htmx=True),
        pair.post("/", {"post": "hi"}, htmx=True),
    ):
        page = soup(response)
        assert len(page.select("#unread-badge")) == 1
        oob = badge(page)
        assert oob["hx-swap-oob"] == "true"
        assert oob.select_one(".badge-count").get_text() == "1"
        assert accessible_name(oob) == "Messages, 1 unread"


def test_poll_answers_204_when_nothing_changed_and_the_badge_when_it_did(pair):
    pair.login("susan")
    unchanged = pair.get("/messages/unread?count=0", htmx=True)
    assert unchanged.status_code == 204
    assert unchanged.get_data() == b""
    assert unchanged.headers["Cache-Control"] == "no-store"
    send(pair, "john", "susan")
    pair.logout()
    pair.login("susan")
    changed = pair.get("/messages/unread?count=0", htmx=True)
    assert changed.status_code == 200
    page = soup(changed)
    new_badge = badge(page)
    assert new_badge["hx-get"] == "/messages/unread?count=1"
    assert not new_badge.has_attr("hx-swap-oob"), "the poll replaces the badge itself"
    assert len(page.select("#unread-badge")) == 1
    assert accessible_name(new_badge) == "Messages, 1 unread"
    # The change is announced politely.
    assert page.find(id="announcer").get_text() == "1 unread message"
    assert pair.get("/messages/unread?count=1", htmx=True).status_code == 204


def test_poll_stops_when_logged_out(pair):
    response = pair.get("/messages/unread?count=0", htmx=True)
    assert response.status_code == 286  # htmx stops polling on 286
    assert response.get_data() == b""


def test_poll_as_a_page_leads_to_the_messages(pair):
    pair.login("susan")
    response = pair.get("/messages/unread?count=0")
    assert response.status_code == 308
    assert response.headers["Location"] == "/messages"


def test_poll_never_writes_and_costs_one_statement(app, pair):
    pair.login("susan")
    app.config["LAST_SEEN_INTERVAL_SECONDS"] = 0  # any other request would write last_seen
    with count_queries(app) as statements:
        assert pair.get("/messages/unread?count=0", htmx=True).status_code == 204
        assert pair.get("/notifications", htmx=False).status_code == 200
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    with count_queries(app) as statements:
        pair.get("/messages/unread?count=0", htmx=True)
    assert len(statements) == 1, statements


def test_notification_feed_is_the_tutorials_json(pair):
    pair.login("susan")
    assert pair.get("/notifications").get_json() == []
    before = time.time() - 1
    send(pair, "john", "susan")
    send(pair, "john", "susan")
    pair.logout()
    pair.login("susan")
    for accept in ("text/html", "application/json", "*/*"):
        response = pair.get("/notifications", headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == "application/json"
        feed = response.get_json()
        assert [(n["name"], n["data"]) for n in feed] == [("unread_message_count", 2)]
        assert isinstance(feed[0]["timestamp"], float) and feed[0]["timestamp"] > before
    stamp = feed[0]["timestamp"]
    assert pair.get(f"/notifications?since={stamp}").get_json() == []
    assert len(pair.get(f"/notifications?since={stamp - 1}").get_json()) == 1
    # Once the messages are opened, the count drops to 0 (and is news again).
    pair.get("/messages/john")
    feed = pair.get(f"/notifications?since={stamp}").get_json()
    assert [(n["name"], n["data"]) for n in feed] == [("unread_message_count", 0)]


@pytest.mark.parametrize("since", ["abc", "nan", "inf", "1e999", ""])
def test_notification_feed_refuses_a_bad_since_in_json(pair, since):
    pair.login("susan")
    response = pair.get(f"/notifications?since={since}")
    assert response.status_code == 400
    assert response.get_json()["message"] == "since must be a Unix time."


def test_notification_feed_needs_login_and_answers_json(pair):
    response = pair.get("/notifications", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert response.mimetype == "application/json"


def test_activity_lists_new_followers_and_messages_newest_first(pair, follow):
    follow("john", "susan")
    send(pair, "john", "susan", "hello from john")
    pair.logout()
    pair.login("susan")
    page = soup(pair.get("/activity"))
    assert page.h1.get_text() == "Activity"
    events = page.select("#activity .event")
    texts = [e.select_one(".event-text").get_text(" ", strip=True) for e in events]
    assert texts[0].startswith("john sent you a message.")
    assert texts[1].startswith("john started following you.")
    assert events[0].select_one(".new-marker").get_text() == "New"
    assert events[0].find("a", href="/messages/john").get_text() == "hello from john"
    assert events[1].find("a", href="/user/john")


def test_activity_pages_with_cursors(app, pair, make_user, follow):
    for n in range(5):
        make_user(f"fan{n}")
        follow(f"fan{n}", "susan")
    app.config["POSTS_PER_PAGE"] = 2
    pair.login("susan")
    first = soup(pair.get("/activity"))
    who = [e.find("a").get_text() for e in first.select(".event")]
    assert who == ["fan4", "fan3"]
    second = soup(pair.get(first.find("a", rel="next")["href"], htmx=True))
    assert [e.find("a").get_text() for e in second.select(".event")] == ["fan2", "fan1"]
    assert second.find(id="announcer").get_text() == "Page 2"
    assert pair.get("/activity?before=abc").status_code == 404


def test_empty_activity_says_what_will_show(pair):
    pair.login("susan")
    text = soup(pair.get("/activity")).select_one("#activity .empty-state").get_text()
    assert text == "Nothing yet: new followers and messages will show here."


def test_the_badge_shows_at_most_99_and_names_the_exact_count(app):
    with app.test_request_context():
        page = BeautifulSoup(str(unread_badge(count=150)), "html.parser")
    assert page.select_one(".badge-count").get_text() == "99+"
    assert accessible_name(page) == "Messages, 150 unread"
