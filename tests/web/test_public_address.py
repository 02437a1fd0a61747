"""The site's public address (BASE_URL): links in mails never follow the request's Host, and
requests for other hosts are refused outside debug mode."""

import re

import pytest

from microblog import config, create_app
from microblog.models import User
from tests.helpers import reset_schema, soup

FOREIGN = {"Host": "evil.example"}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_reset_request_for_a_foreign_host_is_a_400_and_mails_nothing(
    browser, make_user, mailbox, method
):
    make_user("susan")
    if method == "GET":
        response = browser.get("/auth/reset_password_request", headers=FOREIGN)
    else:
        data = {"email": "susan@example.com"}
        response = browser.post("/auth/reset_password_request", data, headers=FOREIGN)
    assert response.status_code == 400
    page = soup(response)
    assert page.h1.get_text() == "Bad request"
    assert "does not answer at this host name" in page.get_text()
    assert page.find("a", string="Back to the home page")["href"] == "http://localhost/"
    assert mailbox.received() == []


def test_the_refusal_is_in_the_visitors_language(browser):
    response = browser.get("/explore", headers={**FOREIGN, "Accept-Language": "es"})
    assert response.status_code == 400
    assert soup(response).h1.get_text() == "Solicitud incorrecta"


def test_the_api_refuses_a_foreign_host_in_json(browser):
    response = browser.get("/api/users/1", headers=FOREIGN)
    assert response.status_code == 400
    assert "host name" in response.get_json()["message"]


def test_the_public_host_is_answered_on_any_port(browser):
    assert browser.get("/auth/login", headers={"Host": "localhost:8443"}).status_code == 200


def test_trusted_hosts_adds_other_names_of_the_site():
    app = create_app(config.TestConfig(EXTRA_TRUSTED_HOSTS=["www.localhost"]))
    reset_schema(app)  # the login page shows the latest posts
    client = app.test_client()
    assert client.get("/auth/login", headers={"Host": "www.localhost"}).status_code == 200
    assert client.get("/auth/login", headers={"Host": "evil.example"}).status_code == 400


@pytest.fixture
def debug_app():
    """A debug server, which answers to any host: links must still use BASE_URL."""
    # Without CSRF: the session cookie of localhost would not be sent to evil.example.
    app = create_app(
        config.TestConfig(
            DEBUG=True, BASE_URL="https://microblog.example.com/", WTF_CSRF_ENABLED=False
        )
    )
    reset_schema(app)
    return app


def test_in_debug_mode_a_foreign_host_still_gets_links_to_the_public_address(debug_app, smtp_sink):
    debug_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_sink.port)
    with debug_app.app_context():
        from microblog.extensions import db

        user = User(username="susan", email="susan@example.com")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    client = debug_app.test_client()
    headers = {
        **FOREIGN,
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Prefix": "/evil",
    }
    response = client.post(
        "/auth/reset_password_request",
        data={"email": "susan@example.com"},
        headers=headers,
        environ_overrides={"SCRIPT_NAME": "/prefix", "wsgi.url_scheme": "http"},
    )
    assert response.status_code == 303
    [mail] = smtp_sink.received()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "evil" not in text and "evil" not in html and "prefix" not in text
    [link] = re.findall(r"https?://\S+", text)
    assert link.startswith("https://microblog.example.com/auth/reset_password/")
