"""The OpenAPI document describes the API that runs, and its docs page renders under the CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from bs4 import BeautifulSoup
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.strategies import SearchStrategy, one_of
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from microblog.extensions import db
from microblog.models import BODY_MAX_LENGTH, ApiToken, Post, User
from microblog.models.limits import USERNAME_PATTERN
from tests.helpers import PASSWORD, fuzz_examples

DOCUMENT = "/api/openapi.json"
# Generated cases per operation and generation mode: the whole fuzz stays well under a minute.
EXAMPLES = fuzz_examples(20)


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every API view, the document and the docs page aside."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.docs":
            path = rule.rule.replace("<int:id>", "{id}")
            found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_is_valid_openapi_and_describes_every_api_route(app):
    document = app.test_client().get(DOCUMENT).get_json()

    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert document["openapi"].startswith("3.")
    assert described == api_routes(app)
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.0 meta-schema
    assert {tag["name"] for tag in document["tags"]} == {"Tokens", "Users", "Posts"}


def test_the_document_comes_from_the_schemas_that_validate_input(app):
    document = app.test_client().get(DOCUMENT).get_json()
    schemas = document["components"]["schemas"]

    assert schemas["NewUser"]["properties"]["username"]["pattern"] == USERNAME_PATTERN
    assert set(schemas["NewUser"]["required"]) == {"username", "email", "password"}
    assert schemas["Post"]["properties"]["body"]["maxLength"] == BODY_MAX_LENGTH
    assert document["components"]["securitySchemes"]["token_auth"]["scheme"] == "bearer"
    assert document["paths"]["/api/tokens"]["post"]["security"] == [{"basic_auth": []}]


def test_the_docs_page_lists_every_operation_without_scripts_of_its_own(app):
    response = app.test_client().get("/api/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe" not in policy
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    document = app.test_client().get(DOCUMENT).get_json()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert page.find(id=operation["operationId"]), operation["operationId"]
    for name in document["components"]["schemas"]:
        assert page.find(id=f"schema-{name}"), name
    assert len(page.find_all("h1")) == 1
    assert all(script.get("src", "").startswith("/static/") for script in page.find_all("script"))
    assert not page.find_all(style=True) and not page.find_all("style")
    assert page.find("a", href=DOCUMENT)


def test_the_docs_page_speaks_spanish_and_marks_english_text(app):
    response = app.test_client().get("/api/docs", headers={"Accept-Language": "es"})

    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.html["lang"] == "es"
    assert page.h1.get_text() == "Documentación de la API"
    summary = page.find(id="api_get_posts").find("p", lang="en")
    assert summary.get_text() == "Everyone's posts, newest first (the Explore page)."


# Fuzzing the API against its own document ----------------------------------------------------


@pytest.fixture
def fuzzed_app(app: Flask) -> Flask:
    """Two users who follow each other, with a few posts: something for every endpoint."""
    with app.app_context():
        susan = User(username="susan", email="susan@example.com")
        bob = User(username="bob", email="bob@example.com")
        for user in (susan, bob):
            user.set_password(PASSWORD)
        db.session.add_all([susan, bob])
        db.session.flush()
        susan.follow(bob)
        bob.follow(susan)
        db.session.add_all([Post(body=f"Post {n}", author=susan) for n in range(3)])
        db.session.commit()
    return app


def fresh_token(app: Flask) -> str:
    """A new token for user 1, so a case that revokes or renames it does not spoil the next."""
    with app.app_context():
        token = ApiToken.issue(db.session.get(User, 1), lifetime=timedelta(minutes=5))
        db.session.commit()
        return token


def cases(operation: schemathesis.APIOperation, mode: GenerationMode) -> SearchStrategy:
    """Generated requests; where the path has an {id}, a third of them name user or post 1 or
    2, which exist, so that the answers that follow a successful lookup are fuzzed too."""
    generated = operation.as_strategy(generation_mode=mode)
    if "{id}" not in operation.path:
        return generated
    existing = [
        operation.as_strategy(generation_mode=mode, path_parameters={"id": id_}) for id_ in (1, 2)
    ]
    return one_of(generated, *existing)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_fails_and_answers_as_documented(fuzzed_app, mode):
    # schemathesis' own pytest integration (from_fixture) does not run under pytest 9, so each
    # operation gets a Hypothesis test of its own here. Derandomized: CI sees the same cases.
    document = schemathesis.openapi.from_wsgi(DOCUMENT, fuzzed_app)
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) == len(api_routes(fuzzed_app))

    for operation in operations:

        @given(case=cases(operation, mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            if case.operation.path == "/api/tokens" and case.method == "POST":
                credentials = {"auth": ("susan", PASSWORD)}
            else:
                credentials = {"headers": {"Authorization": f"Bearer {fresh_token(fuzzed_app)}"}}
            case.call_and_validate(checks=CHECKS, **credentials)

        answers_as_documented()
