"""Fixtures for the API: a JSON client, and users given by their ids (the API names users by
id, so these fixtures are ids rather than logged-in browsers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.helpers import ApiClient


@pytest.fixture
def api(app: Flask) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def susan(make_user: Callable[..., int]) -> int:
    return make_user("susan", about_me="Gardens and bicycles.")


@pytest.fixture
def bob(make_user: Callable[..., int]) -> int:
    return make_user("bob")
