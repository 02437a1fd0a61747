"""Who may change what: every state-changing route of the site and of the API, as a visitor,
as the owner of what the route names, and as another user (and, for the site, without the
CSRF token too), gets the right status, and a refusal changes nothing in the database.

The routes come from the app's URL map: a route that takes POST, PUT, PATCH or DELETE and has
no row below fails `test_every_state_changing_route_has_a_row`. To add one, append a `Site`
or `Api` row to SITE or API: the URL (from the `World` of ids), the form or JSON that would
succeed, `setup` if the change needs something there first (a follow to undo), and what each
of the three gets (`Expect`). "owner" is the user the URL names (the author of the post, the
user of /follow/<username>, the holder of a reset link); a route that names nothing acts on
the account of whoever sends it, so there the owner and the other user both act on their own.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer

from microblog.auth.tokens import make_email_change_token, make_reset_token
from microblog.extensions import db
from microblog.models import Post, User
from microblog.models.block import block
from microblog.services.email import wait_for_pending_mail
from microblog.services.tasks import JOBS, wait_for_threads
from tests.helpers import PASSWORD, ApiClient, Browser, database_snapshot

ROLES = ("anonymous", "owner", "other")
CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Expect:
    """An answer: its status, whether the database changed, and where a redirect goes (the
    start of its Location) when that tells a success from a refusal."""

    status: int
    changes: bool = False
    location: str | None = None


# For a browser, a change is a 303 (post/redirect/get); a refusal is a 4xx page saying why,
# as the same refusal is an alert for htmx.
DONE = Expect(303, changes=True)
REFUSED = Expect(400)
TO_LOGIN = Expect(303, location="/auth/login")
HOME = Expect(303, location="/")
NO_CSRF = Expect(400)


@dataclass
class World:
    """What the rows' URLs and forms refer to. susan is the owner, john the other user."""

    owner_id: int
    other_id: int
    post_id: int
    reset_token: str
    email_token: str  # moves susan to susan.new@example.com
    names: dict[str, str] = field(default_factory=lambda: {"owner": "susan", "other": "john"})


Setup = Callable[[World], None]
Data = Callable[[World, str], dict[str, Any] | None]


@dataclass(frozen=True)
class Site:
    """A route of the site, sent as a browser sends a form (without htmx)."""

    rule: str  # "METHOD /rule" as in the URL map
    url: Callable[[World], str]
    anonymous: Expect
    owner: Expect
    other: Expect
    form: Data = lambda _world, _role: {}
    setup: Setup | None = None
    # The roles in the order they send (default: refusals first); for a link that works once.
    order: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Api:
    """A route of the JSON API, with each role's bearer token (none for the visitor)."""

    rule: str
    url: Callable[[World], str]
    anonymous: Expect
    owner: Expect
    other: Expect
    json: Data = lambda _world, _role: None
    setup: Setup | None = None
    # Replaces the bearer token: what a role sends as Authorization (POST /api/tokens).
    authorization: Callable[[str], str | None] | None = None


def _follows(follower: str, followed: str) -> Setup:
    def setup(_world: World) -> None:
        User.by_username(follower).follow(User.by_username(followed))
        db.session.commit()

    return setup


def _blocks(blocker: str, blocked: str) -> Setup:
    def setup(_world: World) -> None:
        block(User.by_username(blocker), User.by_username(blocked))
        db.session.commit()

    return setup


def _john_reads_german(_world: World) -> None:
    """susan reads English, john German: each translation of susan's post is a new one."""
    User.by_username("john").language = "de"
    db.session.commit()


def _profile_form(world: World, role: str) -> dict[str, Any]:
    name = world.names.get(role, "susan")
    return {"username": name, "about_me": f"{name} changed this", "language": "", "timezone": ""}


def _new_account(_world: World, role: str) -> dict[str, Any]:
    return {
        "username": f"new{role}",
        "email": f"new{role}@example.com",
        "password": "a long new password",
        "password2": "a long new password",
    }


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


SITE = [
    Site("POST /", lambda w: "/", TO_LOGIN, DONE, DONE, form=lambda w, r: {"post": f"By {r}"}),
    Site("POST /index", lambda w: "/index", TO_LOGIN, DONE, DONE, form=lambda w, r: {"post": r}),
    Site("POST /edit_profile", lambda w: "/edit_profile", TO_LOGIN, DONE, DONE, _profile_form),
    # Nobody follows, blocks or writes to themselves.
    Site("POST /follow/<username>", lambda w: "/follow/susan", TO_LOGIN, REFUSED, DONE),
    Site(
        "POST /unfollow/<username>",
        lambda w: "/unfollow/susan",
        TO_LOGIN,
        REFUSED,
        DONE,
        setup=_follows("john", "susan"),
    ),
    Site("POST /block/<username>", lambda w: "/block/susan", TO_LOGIN, REFUSED, DONE),
    Site(
        "POST /unblock/<username>",
        lambda w: "/unblock/susan",
        TO_LOGIN,
        REFUSED,
        DONE,
        setup=_blocks("john", "susan"),
    ),
    Site(
        "POST /send_message/<recipient>",
        lambda w: "/send_message/susan",
        TO_LOGIN,
        REFUSED,
        DONE,
        form=lambda w, r: {"message": "Hello"},
    ),
    # susan's post is in Spanish: any reader may have it translated (and it is kept).
    Site(
        "POST /post/<int:id>/translate",
        lambda w: f"/post/{w.post_id}/translate",
        TO_LOGIN,
        DONE,
        DONE,
        setup=_john_reads_german,
    ),
    # Only the author edits or deletes a post (a visitor too gets the 403).
    Site(
        "POST /post/<int:id>/edit",
        lambda w: f"/post/{w.post_id}/edit",
        Expect(403),
        DONE,
        Expect(403),
        form=lambda w, r: {"post": f"Edited by {r}"},
    ),
    Site(
        "POST /post/<int:id>/delete",
        lambda w: f"/post/{w.post_id}/delete",
        Expect(403),
        DONE,
        Expect(403),
    ),
    Site("POST /export_posts", lambda w: "/export_posts", TO_LOGIN, DONE, DONE),
    # A visitor's language and theme live in a cookie; a user's on their account.
    Site(
        "POST /language",
        lambda w: "/language",
        Expect(303),
        DONE,
        DONE,
        form=lambda w, r: {"language": "es", "next": "/explore"},
    ),
    Site(
        "POST /theme",
        lambda w: "/theme",
        Expect(303),
        DONE,
        DONE,
        form=lambda w, r: {"theme": "dark", "next": "/explore"},
    ),
    Site(
        "POST /auth/login",
        lambda w: "/auth/login",
        HOME,
        HOME,
        HOME,
        form=lambda w, r: {"username": "susan", "password": PASSWORD},
    ),
    Site("POST /auth/logout", lambda w: "/auth/logout", HOME, HOME, HOME),
    # Ending one's other sessions changes one's own account.
    Site("POST /auth/logout_everywhere", lambda w: "/auth/logout_everywhere", TO_LOGIN, DONE, DONE),
    Site(
        "POST /auth/change_password",
        lambda w: "/auth/change_password",
        TO_LOGIN,
        DONE,
        DONE,
        form=lambda w, r: {
            "current_password": PASSWORD,
            "password": "a brand new password",
            "password2": "a brand new password",
        },
    ),
    # Mails a link to the new address (nothing changes until it is opened).
    Site(
        "POST /auth/change_email",
        lambda w: "/auth/change_email",
        TO_LOGIN,
        Expect(303, location="/edit_profile"),
        Expect(303, location="/edit_profile"),
        form=lambda w, r: {"email": f"{r}.new@example.com", "password": PASSWORD},
    ),
    # The mailed link is the key, whoever opens it; it works once.
    Site(
        "POST /auth/change_email/<token>",
        lambda w: f"/auth/change_email/{w.email_token}",
        Expect(410),
        Expect(410),
        Expect(303, changes=True, location="/auth/login"),
        order=("other", "owner", "anonymous"),
    ),
    # Each deletes their own account, with their own password.
    Site(
        "POST /auth/delete_account",
        lambda w: "/auth/delete_account",
        TO_LOGIN,
        Expect(303, changes=True, location="/auth/login"),
        Expect(303, changes=True, location="/auth/login"),
        form=lambda w, r: {"password": PASSWORD},
    ),
    Site("POST /auth/register", lambda w: "/auth/register", DONE, HOME, HOME, form=_new_account),
    Site(
        "POST /auth/reset_password_request",
        lambda w: "/auth/reset_password_request",
        Expect(303, location="/auth/login"),
        HOME,
        HOME,
        form=lambda w, r: {"email": "susan@example.com"},
    ),
    # susan's reset link changes her password only for a visitor (her, logged out).
    Site(
        "POST /auth/reset_password/<token>",
        lambda w: f"/auth/reset_password/{w.reset_token}",
        Expect(303, changes=True, location="/auth/login"),
        HOME,
        HOME,
        form=lambda w, r: {"password": "a brand new password", "password2": "a brand new password"},
    ),
]

API = [
    Api(
        "POST /api/posts",
        lambda w: "/api/posts",
        Expect(401),
        Expect(201, changes=True),
        Expect(201, changes=True),
        json=lambda w, r: {"body": f"API post by {r}"},
    ),
    Api(
        "PUT /api/posts/<int:id>",
        lambda w: f"/api/posts/{w.post_id}",
        Expect(401),
        Expect(200, changes=True),
        Expect(403),
        json=lambda w, r: {"body": f"Edited by {r}"},
    ),
    Api(
        "DELETE /api/posts/<int:id>",
        lambda w: f"/api/posts/{w.post_id}",
        Expect(401),
        Expect(204, changes=True),
        Expect(403),
    ),
    Api(
        "POST /api/posts/<int:id>/translate",
        lambda w: f"/api/posts/{w.post_id}/translate",
        Expect(401),
        Expect(200, changes=True),
        Expect(200, changes=True),
        json=lambda w, r: {"target": {"owner": "en", "other": "de"}.get(r, "en")},
    ),
    # A token for susan's account needs susan's password: john's does not open it.
    Api(
        "POST /api/tokens",
        lambda w: "/api/tokens",
        Expect(401),
        Expect(200, changes=True),
        Expect(401),
        authorization=lambda role: {
            "anonymous": None,
            "owner": _basic("susan", PASSWORD),
            "other": _basic("susan", "john's password"),
        }[role],
    ),
    # Revokes the token it is sent with: each user's own.
    Api(
        "DELETE /api/tokens",
        lambda w: "/api/tokens",
        Expect(401),
        Expect(204, changes=True),
        Expect(204, changes=True),
    ),
    Api(
        "POST /api/users",
        lambda w: "/api/users",
        Expect(201, changes=True),
        Expect(201, changes=True),
        Expect(201, changes=True),
        json=lambda w, r: {
            "username": f"api{r}",
            "email": f"api{r}@example.com",
            "password": "a long new password",
        },
    ),
    Api(
        "PUT /api/users/<int:id>",
        lambda w: f"/api/users/{w.owner_id}",
        Expect(401),
        Expect(200, changes=True),
        Expect(403),
        json=lambda w, r: {"about_me": f"Changed by {r}"},
    ),
    Api(
        "POST /api/users/<int:id>/followers",
        lambda w: f"/api/users/{w.owner_id}/followers",
        Expect(401),
        Expect(400),
        Expect(204, changes=True),
    ),
    Api(
        "DELETE /api/users/<int:id>/followers",
        lambda w: f"/api/users/{w.owner_id}/followers",
        Expect(401),
        Expect(400),
        Expect(204, changes=True),
        setup=_follows("john", "susan"),
    ),
    # Sends as whoever the token is: susan writes to john, john to susan.
    Api(
        "POST /api/messages",
        lambda w: "/api/messages",
        Expect(401),
        Expect(201, changes=True),
        Expect(201, changes=True),
        json=lambda w, r: {
            "recipient_id": w.other_id if r == "owner" else w.owner_id,
            "body": f"A message from {r}",
        },
    ),
]


def state_changing_rules(app: Flask) -> set[str]:
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        for method in rule.methods & CHANGING_METHODS
    }


def test_every_state_changing_route_has_a_row(app):
    listed = [row.rule for row in SITE + API]
    assert len(listed) == len(set(listed)), "a route has two rows"
    routes = state_changing_rules(app)
    missing = sorted(routes - set(listed))
    assert not missing, f"add a row to SITE or API in {__name__} for {missing}"
    assert not sorted(set(listed) - routes), "a row names a route the site no longer has"


@pytest.fixture
def world(app: Flask, make_user, httpserver: HTTPServer) -> World:
    owner_id, other_id = make_user("susan"), make_user("john")
    # A translation provider that answers anything (so translating can succeed).
    httpserver.expect_request("/translate", method="POST").respond_with_json(
        {"translatedText": "Today the light was perfect."}
    )
    app.config.update(LIBRETRANSLATE_URL=httpserver.url_for("/"), TRANSLATION_TIMEOUT=2)
    with app.app_context():
        owner = db.session.get(User, owner_id)
        post = Post(body="Hoy la luz de la tarde era perfecta.", author=owner, language="es")
        db.session.add(post)
        db.session.commit()
        return World(
            owner_id,
            other_id,
            post.id,
            reset_token=make_reset_token(owner.id, owner.password_hash),
            email_token=make_email_change_token(owner, "susan.new@example.com"),
        )


def _settle() -> None:
    """Wait for what a request left running (an export job, a mail)."""
    assert wait_for_threads(JOBS, timeout=30)
    assert wait_for_pending_mail(timeout=30)


def _check(app: Flask, what: str, send: Callable[[], Any], expect: Expect) -> list[str]:
    with app.app_context():
        before = database_snapshot()
    response = send()
    _settle()
    with app.app_context():
        after = database_snapshot()
    problems = []
    if response.status_code != expect.status:
        problems.append(f"{what}: status {response.status_code}, expected {expect.status}")
    location = response.headers.get("Location", "")
    if expect.location is not None and not location.startswith(expect.location):
        problems.append(f"{what}: went to {location!r}, expected {expect.location!r}")
    if (before != after) != expect.changes:
        changed = sorted(name for name in before if before[name] != after[name])
        problems.append(f"{what}: changed {changed or 'nothing'}, expected the opposite")
    return problems


def _in_order(row: Site | Api) -> list[str]:
    """Refusals first (they change nothing), then the roles whose request changes things,
    unless the row says otherwise."""
    if getattr(row, "order", None):
        return list(row.order)
    return sorted(ROLES, key=lambda role: getattr(row, role).changes)


@pytest.mark.parametrize("row", SITE, ids=[row.rule for row in SITE])
def test_site_route(app, world, row: Site):
    if row.setup:
        with app.app_context():
            row.setup(world)
    browsers = {role: Browser(app.test_client()) for role in ROLES}
    browsers["owner"].login("susan")
    browsers["other"].login("john")
    for browser in browsers.values():
        browser.csrf_token()
    url = row.url(world)
    problems = []
    for role in ROLES:
        problems += _check(
            app,
            f"{role} without CSRF",
            lambda role=role: browsers[role].post(url, row.form(world, role), csrf=False),
            NO_CSRF,
        )
    for role in _in_order(row):
        problems += _check(
            app,
            role,
            lambda role=role: browsers[role].post(url, row.form(world, role)),
            getattr(row, role),
        )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("row", API, ids=[row.rule for row in API])
def test_api_route(app, world, row: Api):
    if row.setup:
        with app.app_context():
            row.setup(world)
    client = ApiClient(app.test_client())
    tokens = {
        "anonymous": None,
        "owner": client.get_token("susan"),
        "other": client.get_token("john"),
    }
    method, _rule = row.rule.split(" ", 1)
    url = row.url(world)
    problems = []
    for role in _in_order(row):
        if row.authorization:
            authorization = row.authorization(role)
        else:
            authorization = f"Bearer {tokens[role]}" if tokens[role] else None
        headers = {"Authorization": authorization} if authorization else {}
        problems += _check(
            app,
            role,
            lambda headers=headers, role=role: client.client.open(
                url, method=method, headers=headers, json=row.json(world, role)
            ),
            getattr(row, role),
        )
    assert not problems, "\n".join(problems)
