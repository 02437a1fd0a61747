"""Private messages: sending with and without htmx, conversations, privacy, read state."""

import pytest

from microblog.extensions import db
from microblog.models import Message, User
from microblog.models.block import block
from microblog.models.message import unread_count
from tests.helpers import soup


@pytest.fixture
def pair(browser, make_user):
    make_user("susan")
    make_user("john")
    make_user("eve")
    return browser


def send(browser, sender: str, recipient: str, text: str, **kwargs):
    browser.logout()
    browser.login(sender)
    return browser.post(f"/send_message/{recipient}", {"message": text}, **kwargs)


def stored(query) -> list[tuple[str, str, str]]:
    def load():
        return [
            (m.sender.username, m.recipient.username, m.body)
            for m in db.session.scalars(db.select(Message).order_by(Message.id))
        ]

    return query(load)


def unread_of(query, username: str) -> int:
    return query(lambda: unread_count(User.by_username(username)))


def test_send_without_javascript_redirects_with_a_flash(pair, query):
    response = send(pair, "susan", "john", "Hello John")
    assert response.status_code == 303
    assert response.headers["Location"] == "/messages/john"
    page = soup(pair.get("/messages/john"))
    assert "Your message to john has been sent." in page.find(id="flashes").get_text()
    assert page.select_one("#message-list .message-body").get_text() == "Hello John"
    assert page.select_one("#message-list .message-sent strong").get_text() == "You"
    assert stored(query) == [("susan", "john", "Hello John")]


def test_send_with_htmx_swaps_a_confirmation_and_clears_the_form(pair, query):
    pair.login("susan")
    form = soup(pair.get("/messages/john")).select_one("#message-form")
    assert form["hx-post"] == form["action"] == "/send_message/john"
    assert form["hx-select"] == "#message-form"
    assert form["hx-select-oob"] == "#message-list:afterbegin"
    assert form.find("textarea")["name"] == "message"
    response = pair.post("/send_message/john", {"message": "Hi there"}, htmx=True)
    assert response.status_code == 200
    page = soup(response)
    assert page.find("html") is None
    new_form = page.find("form", id="message-form")
    assert new_form.textarea.get_text() == ""
    assert new_form.textarea.has_attr("autofocus")
    assert new_form.select_one(".confirmation").get_text() == (
        "Your message to john has been sent."
    )
    assert page.find(id="announcer").get_text() == "Your message to john has been sent."
    assert page.select_one("ol#message-list .message-body").get_text() == "Hi there"
    assert stored(query) == [("susan", "john", "Hi there")]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "Write a message before sending it."),
        ("   \n ", "Write a message before sending it."),
        ("\u200b\u200b", "Write a message before sending it."),
        ("x" * 281, "A message has at most 280 characters."),
        (
            "bad\x00byte",
            "This text contains an invisible control character (U+0000). Please remove it.",
        ),
        (
            "evil \u202etxt.exe",
            "This text contains a character that reverses the direction of the text around it "
            "(U+202E). Please remove it.",
        ),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_invalid_messages_are_refused_next_to_the_field(pair, query, text, error, htmx):
    response = send(pair, "susan", "john", text, htmx=htmx)
    assert response.status_code == 422
    page = soup(response)
    assert (page.find("html") is None) == htmx
    textarea = page.select_one("#message-form textarea")
    assert textarea["aria-invalid"] == "true"
    assert page.find(id=textarea["aria-describedby"].split()[-1]).get_text() == error
    assert stored(query) == []


def test_a_message_of_280_characters_with_newlines_is_fine(pair, query):
    text = ("a" * 139) + "\n" + ("b" * 140)
    assert send(pair, "susan", "john", text).status_code == 303
    assert stored(query)[0][2] == text


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_unknown_recipient_is_a_404(pair, htmx):
    assert send(pair, "susan", "nobody", "hi", htmx=htmx).status_code == 404
    assert pair.get("/send_message/nobody").status_code == 404
    assert pair.get("/messages/nobody").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_messaging_yourself_is_a_clear_error(pair, query, htmx):
    response = send(pair, "susan", "susan", "note to self", htmx=htmx)
    assert response.status_code == 400
    said = "You cannot send a message to yourself."
    if htmx:
        assert said in soup(response).find(role="alert").get_text()
    else:
        assert soup(response).find("main").find("p").get_text() == said
        assert soup(response).find("main").find("a", string="Go back")["href"] == "/messages"
    assert stored(query) == []


def test_send_message_page_leads_to_the_conversation(pair):
    pair.login("susan")
    response = pair.get("/send_message/john")
    assert response.status_code == 302
    assert response.headers["Location"] == "/messages/john"


def test_blocked_users_cannot_message(pair, query):
    def susan_blocks_john():
        block(User.by_username("susan"), User.by_username("john"))
        db.session.commit()

    query(susan_blocks_john)
    response = send(pair, "john", "susan", "let me in")
    assert response.status_code == 403
    page = soup(response)
    assert page.find("main").find("p").get_text() == "susan does not accept messages from you."
    assert page.find("main").find("a", string="Go back")["href"] == "/messages/susan"
    page = soup(pair.get("/messages/susan"))
    assert page.select_one("#message-form") is None
    assert page.select_one(".notice").get_text() == "susan does not accept messages from you."
    response = pair.post("/send_message/susan", {"message": "let me in"}, htmx=True)
    assert response.status_code == 403
    assert "susan does not accept messages from you." in soup(response).get_text()
    # Nor the blocker, until they unblock.
    response = send(pair, "susan", "john", "hi", htmx=True)
    assert response.status_code == 403
    assert "Unblock them to send them messages." in soup(response).get_text()
    assert stored(query) == []


def test_conversations_list_newest_first_with_unread_counts(pair):
    send(pair, "john", "susan", "one from john")
    send(pair, "eve", "susan", "one from eve")
    send(pair, "john", "susan", "two from john")
    send(pair, "susan", "eve", "reply to eve")
    pair.logout()
    pair.login("susan")
    page = soup(pair.get("/messages"))
    rows = page.select("#conversations .conversation")
    assert [row.select_one(".conversation-link").get_text() for row in rows] == ["eve", "john"]
    assert rows[0].select_one(".conversation-last").get_text() == "You: reply to eve"
    assert rows[0].select_one(".new-marker").get_text() == "1 new"
    assert rows[1].select_one(".conversation-last").get_text() == "two from john"
    assert rows[1].select_one(".new-marker").get_text() == "2 new"
    assert rows[1].find("a")["href"] == "/messages/john"


def test_opening_a_conversation_marks_it_read(pair, query):
    send(pair, "john", "susan", "one")
    send(pair, "john", "susan", "two")
    send(pair, "eve", "susan", "from eve")
    assert unread_of(query, "susan") == 3
    pair.logout()
    pair.login("susan")
    page = soup(pair.get("/messages/john"))
    # The messages that were new when the page opened say so; the badge is already current.
    assert [m.get_text() for m in page.select(".message-body")] == ["two", "one"]
    assert len(page.select(".message-received .new-marker")) == 2
    assert page.select_one("#unread-badge .visually-hidden").get_text() == "Messages, 1 unread"
    assert unread_of(query, "susan") == 1
    page = soup(pair.get("/messages/john"))
    assert page.select(".new-marker") == []
    # Sending does not mark one's own messages read for the other side.
    assert unread_of(query, "john") == 0


def test_conversation_pages_with_cursors(app, pair):
    for n in range(5):
        send(pair, "john" if n % 2 else "susan", "susan" if n % 2 else "john", f"m{n}")
    app.config["POSTS_PER_PAGE"] = 2
    first = soup(pair.get("/messages/john"))
    assert [m.get_text() for m in first.select(".message-body")] == ["m4", "m3"]
    older = first.find("a", rel="next")
    assert older["hx-target"] == "#messages"
    second = soup(pair.get(older["href"], htmx=True))
    assert second.find("html") is None
    assert [m.get_text() for m in second.select(".message-body")] == ["m2", "m1"]
    third = soup(pair.get(second.find("a", rel="next")["href"]))
    assert [m.get_text() for m in third.select(".message-body")] == ["m0"]


def test_messages_are_private_to_their_two_users(pair, make_posts):
    send(pair, "susan", "john", "a secret")
    pair.logout()
    pair.login("eve")
    for url in (
        "/messages",
        "/messages/john",
        "/messages/susan",
        "/explore",
        "/user/susan",
        "/user/john",
        "/activity",
        "/",
    ):
        response = pair.get(url)
        assert "a secret" not in response.get_data(as_text=True), url


@pytest.mark.parametrize("url", ["/messages", "/messages/john", "/send_message/john", "/activity"])
def test_message_pages_need_login(pair, url):
    response = pair.get(url)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/auth/login?next={url}"


def test_sending_needs_login_and_a_csrf_token(pair, query):
    response = pair.post("/send_message/john", {"message": "hi"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    pair.login("susan")
    response = pair.post("/send_message/john", {"message": "hi"}, csrf=False)
    assert response.status_code == 400
    assert stored(query) == []


def test_message_text_is_escaped(pair):
    send(pair, "susan", "john", "<script>alert(1)</script>")
    page = soup(pair.get("/messages/john"))
    assert page.select_one(".message-body").get_text() == "<script>alert(1)</script>"
    assert page.select_one(".message-body script") is None
