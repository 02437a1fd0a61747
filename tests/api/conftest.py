"""Fixtures for the API: a JSON client that can log in with a token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery"


class ApiClient:
    """A test client that speaks JSON and sends a bearer token once it has one."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token: str | None = None

    def get_token(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/tokens", auth=(username, password))
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def login(self, username: str, password: str = PASSWORD) -> ApiClient:
        self.token = self.get_token(username, password)
        return self

    def request(
        self, method: str, url: str, *, token: str | None = None, **kwargs: object
    ) -> TestResponse:
        headers = dict(kwargs.pop("headers", None) or {})
        token = token or self.token
        if token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: object) -> TestResponse:
        return self.request("DELETE", url, **kwargs)


@pytest.fixture
def api(app: Flask) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def susan(make_user: Callable[..., int]) -> int:
    return make_user("susan", about_me="Gardens and bicycles.")


@pytest.fixture
def bob(make_user: Callable[..., int]) -> int:
    return make_user("bob")


def assert_error(response: TestResponse, status: int, reason: str) -> dict:
    """A JSON error with the status's reason phrase, never an HTML page."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == reason
    assert isinstance(body["message"], str) and body["message"]
    return body
