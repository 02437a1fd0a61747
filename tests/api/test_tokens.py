"""Tokens: Basic auth buys a bearer token, stored as a hash, that expires and can be revoked."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import ApiToken
from microblog.models.types import utcnow
from tests.helpers import PASSWORD, assert_error


def test_basic_auth_gives_a_token_that_opens_the_api(api, susan):
    response = api.client.post("/api/tokens", auth=("susan", PASSWORD))

    assert response.status_code == 200
    token = response.get_json()["token"]
    assert len(token) >= 40
    assert api.get(f"/api/users/{susan}", token=token).status_code == 200


@pytest.mark.alldb
def test_username_is_not_case_sensitive_for_a_token(api, susan):
    assert api.client.post("/api/tokens", auth=("SUSAN", PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [("susan", "wrong password"), ("nobody", PASSWORD), ("susan", ""), None],
    ids=["wrong-password", "unknown-user", "empty-password", "no-credentials"],
)
def test_bad_credentials_get_401_with_basic_challenge(api, susan, credentials):
    response = api.client.post("/api/tokens", auth=credentials)

    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize(
    "credentials",
    [("su\x00san", PASSWORD), ("susan", "pass\x00word"), ("x" * 10_000, PASSWORD)],
    ids=["nul-in-username", "nul-in-password", "huge-username"],
)
@pytest.mark.alldb
def test_credentials_no_database_can_store_are_simply_wrong(api, susan, credentials):
    response = api.client.post("/api/tokens", auth=credentials)

    assert_error(response, 401, "Unauthorized")


def test_a_token_is_not_basic_credentials(api, susan):
    token = api.get_token("susan")

    response = api.client.post("/api/tokens", headers={"Authorization": f"Bearer {token}"})

    assert_error(response, 401, "Unauthorized")


def test_the_database_stores_only_a_hash_of_the_token(api, susan, query):
    token = api.get_token("susan")

    rows = query(lambda: db.session.execute(sa.select(ApiToken.__table__)).mappings().all())

    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in rows[0].values())


def test_every_call_gives_a_new_token_and_both_work(api, susan):
    first, second = api.get_token("susan"), api.get_token("susan")

    assert first != second
    assert api.get(f"/api/users/{susan}", token=first).status_code == 200
    assert api.get(f"/api/users/{susan}", token=second).status_code == 200


@pytest.mark.alldb
def test_token_lives_api_token_minutes(app, api, susan, query):
    app.config["API_TOKEN_MINUTES"] = 5
    before = utcnow()

    api.get_token("susan")

    expires = query(lambda: db.session.scalar(sa.select(ApiToken.expires)))
    assert before + timedelta(minutes=5) <= expires <= utcnow() + timedelta(minutes=5)


def expire_every_token(*, ago: timedelta) -> None:
    """Move the clock: every stored token expired `ago`."""
    db.session.execute(sa.update(ApiToken).values(expires=utcnow() - ago))
    db.session.commit()


@pytest.mark.alldb
def test_an_expired_token_is_refused(api, susan, query):
    token = api.get_token("susan")

    query(lambda: expire_every_token(ago=timedelta(seconds=1)))
    response = api.get(f"/api/users/{susan}", token=token)

    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


@pytest.mark.alldb
def test_a_new_token_sweeps_away_expired_ones(api, susan, query):
    api.get_token("susan")
    query(lambda: expire_every_token(ago=timedelta(hours=1)))

    api.get_token("susan")

    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))) == 1


def test_delete_revokes_only_the_token_it_is_sent_with(api, susan):
    revoked, other = api.get_token("susan"), api.get_token("susan")

    response = api.delete("/api/tokens", token=revoked)

    assert response.status_code == 204
    assert response.data == b""
    assert_error(api.get(f"/api/users/{susan}", token=revoked), 401, "Unauthorized")
    assert_error(api.delete("/api/tokens", token=revoked), 401, "Unauthorized")
    assert api.get(f"/api/users/{susan}", token=other).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer", "Token abc", "Basic c3VzYW46eA==", ""],
    ids=["unknown", "empty", "other-scheme", "basic", "blank"],
)
def test_token_endpoints_refuse_a_bad_authorization_header(api, susan, header):
    response = api.get(f"/api/users/{susan}", headers={"Authorization": header})

    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_without_any_header_the_api_asks_for_a_token(api, susan):
    response = api.get(f"/api/users/{susan}")

    body = assert_error(response, 401, "Unauthorized")
    assert "/api/tokens" in body["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="microblog API"'
