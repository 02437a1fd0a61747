"""Under /api every error is JSON, whatever raised it; the web keeps its HTML pages."""

import logging

import pytest

from microblog.extensions import db
from microblog.models import PostList, User
from tests.helpers import PASSWORD, ApiClient, Browser, assert_error


@pytest.fixture
def api(app) -> ApiClient:
    with app.app_context():
        user = User(username="susan", email="susan@example.com")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return ApiClient(app.test_client())


@pytest.mark.parametrize("url", ["/api", "/api/", "/api/nothing/here", "/api/users/not-a-number"])
def test_unknown_api_urls_are_json_404s(api, url):
    assert_error(api.get(url), 404, "Not Found")


def test_a_wrong_method_is_a_json_405_with_allow(api):
    response = api.get("/api/tokens")

    assert_error(response, 405, "Method Not Allowed")
    assert {"POST", "DELETE"} <= set(response.headers["Allow"].split(", "))


def test_posts_to_unknown_api_urls_get_404_or_405_not_a_csrf_error(api):
    assert_error(api.post("/api/nothing", json={}), 404, "Not Found")
    assert_error(api.post("/api/users/1", json={}), 405, "Method Not Allowed")


def test_an_unexpected_error_is_a_json_500_and_is_logged(api, monkeypatch, caplog):
    def broken(cls):
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(PostList, "explore", classmethod(broken))
    api.login("susan")

    with caplog.at_level(logging.ERROR):
        response = api.get("/api/posts")

    body = assert_error(response, 500, "Internal Server Error")
    assert "caught fire" not in body["message"]
    assert "the database caught fire" in caplog.text


def test_a_body_over_the_size_limit_is_a_json_413(app, api):
    api.login("susan")
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)

    response = api.post("/api/posts", data=too_big, content_type="application/json")

    assert_error(response, 413, "Request Entity Too Large")


@pytest.mark.parametrize("payload", ["[" * 100_000, '{"body": ' * 50_000])
def test_json_nested_too_deeply_is_a_400_not_a_crash(api, payload):
    api.login("susan")

    response = api.post("/api/posts", data=payload, content_type="application/json")

    assert_error(response, 400, "Bad Request")


def test_the_api_needs_no_csrf_token_but_the_web_still_does(api):
    registered = api.post(
        "/api/users",
        json={"username": "newbie", "email": "newbie@example.com", "password": "long enough"},
    )
    web = api.client.post("/auth/register", data={"username": "other"})

    assert registered.status_code == 201
    assert web.status_code == 400
    assert web.mimetype == "text/html"


def test_a_session_cookie_does_not_authenticate_the_api(api):
    Browser(api.client).login("susan")

    assert api.client.get("/").status_code == 200
    assert_error(api.get("/api/users"), 401, "Unauthorized")


def test_web_errors_stay_html(api):
    response = api.client.get("/no/such/page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>" in response.get_data(as_text=True)


def test_api_errors_ignore_htmx_headers(api):
    response = api.get("/api/nothing", headers={"HX-Request": "true"})

    assert_error(response, 404, "Not Found")
