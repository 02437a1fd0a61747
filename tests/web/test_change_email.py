"""Changing the email address: it takes effect when the link mailed to the new address is
opened (once, before it expires); the old address gets a notice; an address that another
account has gets the same answer, and its owner a notice instead."""

from __future__ import annotations

import re
import time

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from itsdangerous.timed import TimestampSigner

from microblog.models import User
from tests.helpers import PASSWORD, Browser, browser_on, field_error, soup

LINK = re.compile(r"http://localhost(/auth/change_email/[\w.-]+)")
SENT = "A link to confirm new@example.com is on its way there."


def ask(browser: Browser, email: str = "new@example.com", password: str = PASSWORD, **kwargs):
    return browser.post("/auth/change_email", {"email": email, "password": password}, **kwargs)


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def confirm_link(mail) -> str:
    path = LINK.search(text_of(mail)).group(1)
    html = mail.get_body(preferencelist=("html",)).get_content()
    link = BeautifulSoup(html, "html.parser").find("a", href=f"http://localhost{path}")
    assert link.get_text() == "Confirm this address"
    return path


def email_of(query, username: str = "susan") -> str:
    return query(lambda: User.by_username(username).email)


def test_the_settings_page_shows_the_address_and_links_to_the_change(susan):
    page = soup(susan.get("/edit_profile"))
    account = page.find("section", attrs={"aria-labelledby": "account-heading"})
    assert "Your email address: susan@example.com" in account.get_text()
    assert account.find("a", string="Change your email address")["href"] == "/auth/change_email"
    form = soup(susan.get("/auth/change_email")).find("form", id="change-email")
    assert form["action"] == form["hx-post"] == "/auth/change_email"
    assert form.find(attrs={"name": "email"})["type"] == "email"
    assert form.find(attrs={"name": "password"})["autocomplete"] == "current-password"


def test_the_whole_change_of_address(app: Flask, susan, mailbox, query):
    response = ask(susan)
    assert response.status_code == 303
    assert response.headers["Location"] == "/edit_profile"
    assert SENT in soup(susan.get("/edit_profile")).find(id="flashes").get_text()
    assert email_of(query) == "susan@example.com"  # not yet

    [mail] = mailbox.received()
    assert mail["To"] == "new@example.com"
    assert mail["Subject"] == "Confirm your new Microblog email address"
    path = confirm_link(mail)

    # Opening the link (a mail scanner does too) changes nothing by itself.
    page = soup(susan.get(path))
    assert page.h1.get_text() == "Confirm your new email address"
    assert "new@example.com" in page.get_text() and "susan" in page.get_text()
    assert email_of(query) == "susan@example.com"

    response = susan.post(path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/edit_profile"
    assert email_of(query) == "new@example.com"
    assert "Your email address is now new@example.com." in soup(susan.get("/")).get_text()

    notice = mailbox.received()[-1]
    assert notice["To"] == "susan@example.com"
    assert notice["Subject"] == "Your Microblog email address has changed"
    assert "is now new@example.com" in text_of(notice)

    # Used once: the link is dead now.
    assert susan.post(path).status_code == 410
    assert susan.get(path).status_code == 410
    # The new address logs in; the old one no longer does.
    other = Browser(app.test_client())
    assert (
        other.post("/auth/login", {"username": "new@example.com", "password": PASSWORD}).status_code
        == 303
    )


def test_the_link_works_in_another_browser_without_a_login(app: Flask, susan, mailbox, query):
    ask(susan)
    path = confirm_link(mailbox.received()[0])
    phone = Browser(app.test_client())
    assert phone.get(path).status_code == 200
    response = phone.post(path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert email_of(query) == "new@example.com"


def test_a_taken_address_gets_the_same_answer_and_its_owner_a_notice(susan, mailbox, query):
    answers = []
    for address in ("new@example.com", "JOHN@example.com"):
        response = ask(susan, address)
        assert response.status_code == 303
        flashes = soup(susan.get("/edit_profile")).find(id="flashes").get_text()
        answers.append(flashes.replace(address.lower(), "ADDRESS"))
    assert answers[0] == answers[1]
    assert "ADDRESS is on its way there" in answers[0]
    mails = {mail["To"]: mail for mail in mailbox.received()}
    assert set(mails) == {"new@example.com", "john@example.com"}
    notice = mails["john@example.com"]
    assert notice["Subject"] == "Someone tried to use your email address on Microblog"
    assert "Hi john," in text_of(notice)
    assert "susan" not in text_of(notice)  # the owner is not told who asked
    assert not LINK.search(text_of(notice))
    assert email_of(query) == "susan@example.com"
    assert email_of(query, "john") == "john@example.com"


def test_with_htmx_the_form_answers_in_place(susan, mailbox):
    response = ask(susan, htmx=True)
    assert response.status_code == 200
    form = soup(response).find("form", id="change-email")
    assert SENT in form.find(role="status").get_text()
    assert not form.find(attrs={"name": "email"}).get("value")
    assert len(mailbox.received()) == 1


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("new@example.com", "wrong password", "password", "This is not your password."),
        ("SUSAN@example.com", PASSWORD, "email", "This is already your email address."),
        ("not an address", PASSWORD, "email", "does not look like an email address"),
        ("", PASSWORD, "email", "Please enter your email address."),
    ],
)
def test_a_refused_change_says_why_next_to_the_field_and_mails_nobody(
    susan, mailbox, query, email, password, field, message
):
    response = ask(susan, email, password)
    assert response.status_code == 422
    assert message in field_error(soup(response), field)
    assert mailbox.received() == []
    assert email_of(query) == "susan@example.com"


def test_an_address_taken_after_the_mail_was_sent_is_refused(susan, mailbox, make_user, query):
    ask(susan)
    path = confirm_link(mailbox.received()[0])
    make_user("quick", email="new@example.com")
    response = susan.post(path)
    assert response.status_code == 409
    assert soup(response).h1.get_text() == "This address is taken"
    assert email_of(query) == "susan@example.com"


def test_a_second_link_dies_once_the_first_was_used(susan, mailbox, query):
    ask(susan, "first@example.com")
    ask(susan, "second@example.com")
    links = {mail["To"]: confirm_link(mail) for mail in mailbox.received()}
    first, second = links["first@example.com"], links["second@example.com"]
    assert susan.post(second).status_code == 303
    assert susan.post(first).status_code == 410
    assert email_of(query) == "second@example.com"


def test_an_expired_link_is_refused(susan, mailbox, monkeypatch, query):
    ask(susan)
    path = confirm_link(mailbox.received()[0])
    later = time.time() + 61 * 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(later))
    response = susan.post(path)
    assert response.status_code == 410
    assert soup(response).h1.get_text() == "This link has expired"
    assert email_of(query) == "susan@example.com"


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "eyJpZCI6MX0.forged.sig"])
def test_a_broken_or_forged_link_is_a_400(susan, token):
    assert susan.get(f"/auth/change_email/{token}").status_code == 400
    assert susan.post(f"/auth/change_email/{token}").status_code == 400


def test_a_reset_link_is_no_email_link(app: Flask, susan, query):
    from microblog.auth.tokens import make_reset_token

    with app.app_context():
        user = User.by_username("susan")
        token = make_reset_token(user.id, user.password_hash)
    assert susan.post(f"/auth/change_email/{token}").status_code == 400


def test_changing_the_address_needs_a_login(browser):
    response = browser.get("/auth/change_email")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")


def test_mails_to_one_new_address_are_limited(smtp_sink):
    browser = browser_on(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_sink.port,
    )
    browser.login("susan")
    answers = [ask(browser, "target@example.com").status_code for _ in range(4)]
    assert answers == [303, 303, 303, 429]
    assert len(smtp_sink.received()) == 3
