"""Every web form, fuzzed: whatever a client sends (any Unicode, control characters, huge
values, missing, repeated and unknown fields, files in text fields, bodies in the wrong
encoding, with or without the CSRF token, with or without htmx), the answer is never a 5xx,
and a refusal stores nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from microblog.auth.tokens import make_email_change_token, make_reset_token
from microblog.extensions import db
from microblog.models import Post, User
from microblog.services.email import wait_for_pending_mail
from microblog.services.tasks import JOBS, wait_for_threads
from tests.fuzz.strategies import CONTENT_TYPES, FUZZ, RAW_BODIES, form_data
from tests.helpers import PASSWORD, Browser, database_snapshot


@dataclass(frozen=True)
class Form:
    rule: str  # as in the URL map; <int:id> is susan's post, <token> the link of `token`
    fields: dict[str, str | None]  # each field, and a value the form would accept (or None)
    logged_in: bool = True
    token: str = "reset"  # which of susan's links <token> is: "reset" or "email"

    def url(self, ids: dict[str, str]) -> str:
        return (
            self.rule.replace("<int:id>", ids["post"])
            .replace("<token>", ids[self.token])
            .replace("<username>", "john")
            .replace("<recipient>", "john")
        )


FORMS = [
    Form("/", {"post": "Hello"}),
    Form("/post/<int:id>/edit", {"post": "Edited", "next": "/"}),
    Form("/post/<int:id>/delete", {"next": "/"}),
    Form(
        "/edit_profile",
        {
            "username": "susan",
            "about_me": "Gardens",
            "language": "es",
            "timezone": "Europe/Madrid",
            "theme": "dark",
            "avatar": "local",
        },
    ),
    Form("/send_message/<recipient>", {"message": "Hi"}),
    Form("/follow/<username>", {}),
    Form("/block/<username>", {}),
    Form("/post/<int:id>/translate", {"next": "/explore"}),
    Form("/language", {"language": "de", "next": "/explore"}, logged_in=False),
    Form("/theme", {"theme": "light", "next": "/explore"}, logged_in=False),
    Form(
        "/auth/login",
        {"username": "susan", "password": PASSWORD, "remember_me": "y"},
        logged_in=False,
    ),
    Form(
        "/auth/register",
        {"username": "lee", "email": "lee@example.com", "password": None, "password2": None},
        logged_in=False,
    ),
    Form("/auth/reset_password_request", {"email": "susan@example.com"}, logged_in=False),
    Form("/auth/reset_password/<token>", {"password": None, "password2": None}, False),
    Form(
        "/auth/change_password",
        {"current_password": PASSWORD, "password": None, "password2": None},
    ),
    Form("/auth/change_email", {"email": "susan2@example.com", "password": PASSWORD}),
    Form("/auth/change_email/<token>", {}, logged_in=False, token="email"),
    Form("/auth/delete_account", {"password": None}),
]
# Forms of nothing but the CSRF token (the authorization matrix sends them), and a second
# address of a form above.
NOT_FUZZED = {
    "/index",
    "/unfollow/<username>",
    "/unblock/<username>",
    "/auth/logout",
    "/auth/logout_everywhere",
    "/export_posts",
}

HOW = st.sampled_from(["form", "form", "form", "raw"])


def test_every_form_of_the_site_is_fuzzed(app):
    """A form the site gains fails here until it is in FORMS (its rule and fields)."""
    posted = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and not rule.rule.startswith("/api/")
    }
    fuzzed = {form.rule for form in FORMS}
    assert sorted(posted - fuzzed - NOT_FUZZED) == [], f"add them to FORMS in {__name__}"
    assert sorted((fuzzed | NOT_FUZZED) - posted) == [], "forms the site no longer has"


@pytest.fixture
def site(app: Flask, make_user) -> tuple[Flask, dict[str, str]]:
    susan, _john = make_user("susan"), make_user("john")
    with app.app_context():
        owner = db.session.get(User, susan)
        post = Post(body="Hoy hace sol.", author=owner, language="es")
        db.session.add(post)
        db.session.commit()
        ids = {
            "post": str(post.id),
            "reset": make_reset_token(owner.id, owner.password_hash),
            "email": make_email_change_token(owner, "susan.new@example.com"),
        }
    return app, ids


@pytest.mark.parametrize("form", FORMS, ids=[form.rule for form in FORMS])
def test_a_fuzzed_form_is_never_a_5xx_and_a_refusal_stores_nothing(site, form: Form):
    app, ids = site
    browser = Browser(app.test_client())
    if form.logged_in:
        browser.login("susan")
    token = browser.csrf_token()
    url = form.url(ids)

    @FUZZ
    @given(
        fields=form_data(form.fields),
        csrf=st.sampled_from([True, True, True, False]),
        htmx=st.booleans(),
        how=HOW,
        raw=RAW_BODIES,
        content_type=CONTENT_TYPES,
    )
    def check(fields, csrf, htmx, how, raw, content_type) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        if csrf and (htmx or how == "raw"):
            headers["X-CSRFToken"] = token
        elif csrf:
            fields = [("csrf_token", token), *fields]
        with app.app_context():
            before = database_snapshot()
        if how == "raw":
            response = browser.client.post(
                url, data=raw, content_type=content_type, headers=headers
            )
        else:
            response = browser.client.post(url, data=MultiDict(fields), headers=headers)
        wait_for_threads(JOBS, timeout=30)
        wait_for_pending_mail(timeout=30)
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        if response.status_code >= 400:
            with app.app_context():
                assert database_snapshot() == before, (
                    f"{response.status_code} but something was stored"
                )

    check()
