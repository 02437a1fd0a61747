"""Resetting a forgotten password by mail: the link, its expiry, and using it once."""

import logging
import re
import time

import pytest
from bs4 import BeautifulSoup
from itsdangerous.timed import TimestampSigner

from microblog.extensions import db
from microblog.models import User
from microblog.services.email import wait_for_pending_mail
from tests.helpers import Browser, field_error, soup

LINK = re.compile(r"http://localhost(/auth/reset_password/[\w.-]+)")
NEUTRAL = "a link to choose a new password is on its way"


def request_reset(browser: Browser, email: str = "susan@example.com", **kwargs):
    return browser.post("/auth/reset_password_request", {"email": email}, **kwargs)


def parts(mail) -> tuple[str, str]:
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    return text, html


def reset_link(mail) -> str:
    text, html = parts(mail)
    path = LINK.search(text).group(1)
    link = BeautifulSoup(html, "html.parser").find("a", href=f"http://localhost{path}")
    assert link.get_text() == "Choose a new password"
    return path


def choose_password(browser: Browser, path: str, password: str = "a brand new password"):
    return browser.post(path, {"password": password, "password2": password})


def test_login_page_links_to_the_reset_request(browser):
    link = soup(browser.get("/auth/login")).find("a", string="Forgot your password?")
    assert link["href"] == "/auth/reset_password_request"
    page = soup(browser.get(link["href"]))
    assert page.h1.get_text() == "Reset your password"
    email = page.find(attrs={"name": "email"})
    assert email["type"] == "email"
    assert page.find("label", attrs={"for": email["id"]}).get_text() == "Email"


def test_the_whole_reset_journey(browser, make_user, mailbox, query):
    make_user("susan", password="old password 123")
    response = request_reset(browser)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert NEUTRAL in soup(browser.get("/auth/login")).find(id="flashes").get_text()

    [mail] = mailbox.received()
    assert mail["To"] == "susan@example.com"
    assert mail["From"] == "microblog@localhost"
    assert mail["Subject"] == "Reset your Microblog password"
    text, html = parts(mail)
    assert text.startswith("Hi susan,")
    assert "within 10 minutes" in text
    assert BeautifulSoup(html, "html.parser").html["lang"] == "en"
    path = reset_link(mail)

    response = browser.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    page = soup(response)
    assert page.h1.get_text() == "Choose a new password"
    assert page.main.find("form")["action"] == path
    response = choose_password(browser, path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login"
    assert "Your password has been changed" in soup(browser.get("/auth/login")).get_text()

    assert query(lambda: User.by_username("susan").check_password("a brand new password"))
    old = browser.post("/auth/login", {"username": "susan", "password": "old password 123"})
    assert old.status_code == 422
    browser.login("susan", "a brand new password")
    browser.logout()

    for again in (browser.get(path), choose_password(browser, path, "yet another password")):
        assert again.status_code == 410
        page = soup(again)
        assert page.h1.get_text() == "This link has been used"
        assert page.find("a", string="Request a new link")["href"] == (
            "/auth/reset_password_request"
        )
    assert query(lambda: User.by_username("susan").check_password("a brand new password"))


def test_the_answer_does_not_wait_for_the_mail_server(browser, make_user, mailbox):
    make_user("susan")
    mailbox.answering.clear()  # the server takes the mail but does not confirm it yet
    response = request_reset(browser)
    assert response.status_code == 303
    assert not wait_for_pending_mail(timeout=0)  # still being sent after the answer
    mailbox.answering.set()
    assert [mail["To"] for mail in mailbox.received()] == ["susan@example.com"]


def test_the_mail_is_written_in_the_language_of_the_request(browser, make_user, mailbox):
    make_user("susan")
    request_reset(browser, headers={"Accept-Language": "es"})
    [mail] = mailbox.received()
    assert mail["Subject"] == "Restablece tu contraseña de Microblog"
    text, html = parts(mail)
    assert text.startswith("Hola, susan:")
    assert "en 10 minutos" in text
    page = BeautifulSoup(html, "html.parser")
    assert page.html["lang"] == "es"
    assert page.find("a").get_text() == "Elige una contraseña nueva"
    assert "Hola, susan:" in page.get_text()


def test_the_mail_is_written_in_the_recipients_saved_language(app, browser, make_user, mailbox):
    make_user("susan")
    with app.app_context():
        User.by_username("susan").language = "de"
        db.session.commit()
    request_reset(browser, headers={"Accept-Language": "es"})
    [mail] = mailbox.received()
    assert mail["Subject"] == "Dein Microblog-Passwort zurücksetzen"
    text, html = parts(mail)
    assert text.startswith("Hallo susan,")
    assert BeautifulSoup(html, "html.parser").html["lang"] == "de"


def test_an_unknown_address_gets_the_same_answer_and_no_mail(browser, make_user, mailbox):
    make_user("susan")
    known = request_reset(browser, "susan@example.com")
    known_page = soup(browser.get("/auth/login"))
    unknown = request_reset(browser, "nobody@example.com")
    unknown_page = soup(browser.get("/auth/login"))
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    # What the visitor reads is the same but for the address they typed.
    assert known_page.main.get_text().replace("susan@example.com", "ADDRESS") == (
        unknown_page.main.get_text().replace("nobody@example.com", "ADDRESS")
    )
    assert known_page.find(id="flashes").get_text().replace("susan@example.com", "ADDRESS") == (
        unknown_page.find(id="flashes").get_text().replace("nobody@example.com", "ADDRESS")
    )
    assert "ADDRESS" in known_page.find(id="flashes").get_text().replace(
        "susan@example.com", "ADDRESS"
    )
    assert [mail["To"] for mail in mailbox.received()] == ["susan@example.com"]


@pytest.mark.alldb
def test_the_address_is_found_whatever_its_case(browser, make_user, mailbox):
    make_user("susan")
    request_reset(browser, "  SUSAN@Example.COM ")
    assert [mail["To"] for mail in mailbox.received()] == ["susan@example.com"]


def test_an_expired_link_is_refused_with_a_way_to_ask_again(
    browser, make_user, mailbox, query, monkeypatch
):
    make_user("susan", password="old password 123")
    eleven_minutes_ago = int(time.time()) - 11 * 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda _self: eleven_minutes_ago)
        request_reset(browser)
        path = reset_link(mailbox.received()[0])
    for response in (browser.get(path), choose_password(browser, path)):
        assert response.status_code == 410
        page = soup(response)
        assert page.h1.get_text() == "This link has expired"
        assert "10 minutes" in page.get_text()
        assert page.find("a", string="Request a new link")
    assert query(lambda: User.by_username("susan").check_password("old password 123"))


@pytest.mark.parametrize("token", ["nonsense", "eyJpZCI6MX0.forged.signature"])
def test_a_broken_or_forged_link_is_a_400(browser, token):
    response = browser.get(f"/auth/reset_password/{token}")
    assert response.status_code == 400
    page = soup(response)
    assert page.h1.get_text() == "This link is not valid"
    assert page.find("a", string="Request a new link")


def test_a_link_for_a_deleted_account_is_not_valid(browser, make_user, mailbox, query):
    make_user("susan")
    request_reset(browser)
    path = reset_link(mailbox.received()[0])

    def delete_susan() -> None:
        db.session.delete(User.by_username("susan"))
        db.session.commit()

    query(delete_susan)
    assert browser.get(path).status_code == 400


@pytest.mark.parametrize(
    ("password", "password2", "field", "message"),
    [
        ("short", "short", "password", "8 to 128"),
        ("long enough password", "something else", "password2", "do not match"),
        ("", "", "password", "Please choose a password."),
    ],
)
def test_a_new_password_follows_the_registration_rules(
    browser, make_user, mailbox, query, password, password2, field, message
):
    make_user("susan", password="old password 123")
    request_reset(browser)
    path = reset_link(mailbox.received()[0])
    response = browser.post(path, {"password": password, "password2": password2})
    assert response.status_code == 422
    assert message in field_error(soup(response), field)
    assert query(lambda: User.by_username("susan").check_password("old password 123"))
    assert choose_password(browser, path).status_code == 303  # the link still works


@pytest.mark.parametrize("email", ["", "not-an-email"])
def test_the_request_form_wants_an_email_address(browser, mailbox, email):
    response = request_reset(browser, email)
    assert response.status_code == 422
    assert field_error(soup(response), "email")
    assert mailbox.received() == []


def test_logged_in_users_are_sent_home(browser, make_user):
    make_user("susan")
    browser.login("susan")
    assert browser.get("/auth/reset_password_request").headers["Location"] == "/"
    assert browser.get("/auth/reset_password/anything").headers["Location"] == "/"


def test_with_the_mail_server_down_the_answer_is_the_same_and_the_failure_logged(
    browser, make_user, app, closed_port, caplog
):
    make_user("susan")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port)
    response = request_reset(browser)
    assert response.status_code == 303
    assert NEUTRAL in soup(browser.get("/auth/login")).find(id="flashes").get_text()
    assert wait_for_pending_mail(timeout=30)
    [record] = [r for r in caplog.records if r.name == "microblog.mail"]
    assert record.levelno == logging.ERROR
    message = record.getMessage()
    assert "Reset your Microblog password" in message
    assert "susan@example.com" in message
    assert "Connection refused" in message


def test_a_refused_recipient_is_logged(browser, make_user, mailbox, caplog):
    make_user("susan")
    mailbox.refuse.add("susan@example.com")
    assert request_reset(browser).status_code == 303
    assert mailbox.received() == []
    [record] = [r for r in caplog.records if r.name == "microblog.mail"]
    assert record.levelno == logging.ERROR
    assert "No such mailbox here" in record.getMessage()


def test_without_a_mail_server_the_mail_goes_to_the_log(browser, make_user, caplog, query):
    make_user("susan")
    with caplog.at_level(logging.INFO, logger="microblog.mail"):
        request_reset(browser)
    [record] = [r for r in caplog.records if r.name == "microblog.mail"]
    logged = record.getMessage()
    assert "To: susan@example.com" in logged
    assert "Subject: Reset your Microblog password" in logged
    path = LINK.search(logged).group(1)
    assert choose_password(browser, path).status_code == 303
    assert query(lambda: User.by_username("susan").check_password("a brand new password"))
