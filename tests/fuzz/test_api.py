"""The JSON API, fuzzed beyond its schema (tests/api/test_openapi.py runs schemathesis on
the documented shapes): any JSON value of any depth, the right fields with wrong types, unknown
fields, bodies that are not JSON or not UTF-8, lying Content-Types, garbled Authorization
headers and query strings. Never a 5xx; a refusal stores nothing."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from microblog.extensions import db
from microblog.models import Post, User
from tests.fuzz.strategies import ANY_CHARACTER, FUZZ, text
from tests.helpers import PASSWORD, ApiClient, database_snapshot

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    text(),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text(), inner, max_size=4),
    max_leaves=12,
)


def json_object(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[object]:
    """An object with some of `fields` (right or wrong types), maybe unknown keys; or
    something that is not an object at all."""
    field_value = {name: st.one_of(good, JSON) for name, good in fields.items()}
    some = st.fixed_dictionaries({}, optional=field_value)
    unknown = st.dictionaries(st.text(ANY_CHARACTER, max_size=10), JSON, max_size=2)
    objects = st.builds(lambda a, b: {**b, **a}, some, unknown)
    return st.one_of(objects, objects, objects, JSON)


RAW = st.one_of(
    st.binary(max_size=200),
    st.just(b"[" * 100_000),  # nested deeper than any parser's recursion
    st.just(b'{"body": "\xff\xfe"}'),
    st.just('{"body": "caf\u00e9"}'.encode("utf-16")),
    st.just(b'{"body": "a", "body": "b"}'),
    st.just(b'{"body": NaN}'),
    st.just(b'{"body": 1e999}'),
    st.just(b'{"body": "\\ud800"}'),  # a lone surrogate, escaped
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "application/x-www-form-urlencoded",
        "text/plain",
        "",
    ]
)
GARBLED_AUTHORIZATION = st.one_of(
    st.just("Bearer"),
    st.just("Basic !!!"),
    st.just("Basic " + base64.b64encode(b"\xff\xfe:\x00").decode()),
    st.builds(lambda t: "Bearer " + t, st.text(st.characters(max_codepoint=255), max_size=40)),
    st.builds(
        lambda user, password: "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
        text(),
        text(),
    ),
)

BODY = st.one_of(text(), st.just("A fine post"))
USER_FIELDS = {
    "username": st.sampled_from(["lee", "susan", "..", "api"]) | text(),
    "email": st.sampled_from(["lee@example.com", "SUSAN@example.com"]) | text(),
    "password": st.just("a long new password") | text(),
    "about_me": text(),
}
# (method, URL, the fields of its body, whether it needs susan's token)
ROUTES = [
    ("POST", "/api/posts", {"body": BODY, "language": st.sampled_from(["es", "zz", ""])}),
    ("PUT", "/api/posts/{post}", {"body": BODY, "language": st.sampled_from(["de", "xx"])}),
    ("POST", "/api/users", USER_FIELDS),
    ("PUT", "/api/users/{susan}", USER_FIELDS),
    ("POST", "/api/users/{john}/followers", {}),
    ("DELETE", "/api/users/{john}/followers", {}),
    ("POST", "/api/tokens", {}),
    ("DELETE", "/api/posts/{post}", {}),
]
QUERIES = st.dictionaries(
    st.sampled_from(["page", "per_page", "q", "order", "before", "after", "x"]),
    st.one_of(
        st.integers(min_value=-(2**65), max_value=2**65).map(str),
        st.sampled_from(["", "1e3", "0x10", "\u0661", "NaN", " 2 "]),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
    ),
    max_size=3,
)
READS = ["/api/posts", "/api/timeline", "/api/users", "/api/users/{susan}/posts", "/api/search"]


@pytest.fixture
def world(app: Flask, make_user) -> tuple[ApiClient, dict[str, str], str]:
    susan, john = make_user("susan"), make_user("john")
    with app.app_context():
        post = Post(body="Hello", author=db.session.get(User, susan))
        db.session.add(post)
        db.session.commit()
        ids = {"susan": str(susan), "john": str(john), "post": str(post.id)}
    api = ApiClient(app.test_client())
    return api, ids, api.get_token("susan")


@pytest.mark.parametrize(
    ("method", "url", "fields"), ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES]
)
def test_a_fuzzed_api_request_is_never_a_5xx_and_a_refusal_stores_nothing(
    app, world, method, url, fields
):
    api, ids, token = world
    url = url.format(**ids)

    @FUZZ
    @given(
        body=json_object(fields),
        raw=st.none() | RAW,
        content_type=CONTENT_TYPES,
        authorization=st.sampled_from(["token", "token", "token", "none"]) | GARBLED_AUTHORIZATION,
    )
    def check(body, raw, content_type, authorization) -> None:
        headers = {}
        if authorization == "token":
            headers["Authorization"] = f"Bearer {token}"
        elif url == "/api/tokens" and authorization == "none":
            credentials = base64.b64encode(f"susan:{PASSWORD}".encode()).decode()
            headers["Authorization"] = f"Basic {credentials}"
        elif authorization != "none":
            headers["Authorization"] = authorization
        with app.app_context():
            before = database_snapshot()
        if raw is None:
            response = api.client.open(url, method=method, json=body, headers=headers)
        else:
            response = api.client.open(
                url, method=method, data=raw, content_type=content_type, headers=headers
            )
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        assert response.mimetype == "application/json" or response.status_code == 204
        if response.status_code >= 400:
            with app.app_context():
                assert database_snapshot() == before, (
                    f"{response.status_code} but something was stored"
                )

    check()


@pytest.mark.parametrize("url", READS)
def test_fuzzed_query_strings_are_never_a_5xx(world, url):
    api, ids, token = world
    url = url.format(**ids)

    @FUZZ
    @given(query=QUERIES)
    def check(query) -> None:
        response = api.get(url, query_string=query, token=token)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]

    check()
