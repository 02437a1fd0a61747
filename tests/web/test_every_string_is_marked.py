"""Every string a reader sees is marked for translation.

Pages and fragments are rendered under a test-only pseudo-locale whose catalog wraps every
message in ⟦…⟧ (placeholders kept). What remains visible outside the markers must be user
content (usernames, posts, about me), a date formatted by Babel, a language's own name in
the picker, or an IANA time zone name; anything else is a string someone forgot to mark.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from bs4 import BeautifulSoup
from flask import Flask

from microblog import config, create_app
from microblog.auth.tokens import make_reset_token
from microblog.extensions import babel, db
from microblog.models import Post, User
from microblog.models.types import utcnow
from tests.helpers import Browser, html_pages, reset_schema

MARKED = re.compile(r"⟦[^⟦⟧]*⟧")
USERS = {"susan": "Gardens and bicycles", "john": None, "ana": None}
POST_BODY = "Body of post {n}"
# Form fields whose value a page may show back to the person who typed it.
TYPED_FIELDS = {"username", "email", "about_me", "post"}
CHECKED_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "label")


@pytest.fixture(scope="module")
def pseudo_translations(extracted_messages, tmp_path_factory) -> Path:
    """translations/en/ whose every message is "⟦message⟧", built from the extracted .pot."""
    catalog = Catalog(locale="en")
    for message in extracted_messages:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(f"⟦{form}⟧" for form in message.id)
        else:
            string = f"⟦{message.id}⟧"
        catalog.add(message.id, string, context=message.context)
    directory = tmp_path_factory.mktemp("pseudo")
    mo = directory / "en" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as handle:
        write_mo(handle, catalog)
    return directory


@pytest.fixture
def pseudo_app(pseudo_translations) -> Flask:
    app = create_app(
        config.TestConfig(
            "sqlite://", BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations), POSTS_PER_PAGE=2
        )
    )
    reset_schema(app)
    # Flask-Babel caches catalogs by locale only, in the process-wide extension object.
    with app.app_context():
        babel.domain_instance.cache.clear()
    yield app
    with app.app_context():
        babel.domain_instance.cache.clear()


def populate(app: Flask) -> None:
    """Three users: susan with posts (recent and old) and an about me, john following her,
    ana with nothing at all."""
    with app.app_context():
        users = {}
        for username, about in USERS.items():
            user = User(username=username, email=f"{username}@example.com", about_me=about)
            user.set_password("correct horse battery")
            db.session.add(user)
            users[username] = user
        db.session.flush()
        users["john"].follow(users["susan"])
        now = utcnow()
        for n, age in enumerate([timedelta(days=30), timedelta(hours=2), timedelta(minutes=1)]):
            db.session.add(
                Post(body=POST_BODY.format(n=n), author=users["susan"], timestamp=now - age)
            )
        db.session.commit()


def without_markers(text: str) -> str:
    """`text` without its marked messages (innermost first: messages nest in sentences)."""
    while True:
        stripped = MARKED.sub("", text)
        if stripped == text:
            return text
        text = stripped


def unmarked_words(text: str, user_content: list[str]) -> str | None:
    """What is left of `text` once marked messages and user content are taken out."""
    rest = without_markers(text)
    for content in user_content:
        rest = rest.replace(content, "")
    return rest.strip() if re.search(r"\w|⟦|⟧", rest) else None


def problems_in(html: str, user_content: set[str]) -> list[str]:
    content = sorted(user_content, key=len, reverse=True)
    page = BeautifulSoup(html, "html.parser")
    for node in page.select("script, style"):
        node.decompose()
    # Babel formats dates (in the reader's locale); the picker names each language in itself;
    # time zones are listed by their IANA names.
    for node in page.select("time, option[lang], #timezone option:not([value=''])"):
        node.decompose()
    for node in page.select("#timezone optgroup"):
        node.decompose()
    found = []
    for element in page.find_all(True):
        attributes = list(CHECKED_ATTRIBUTES)
        if element.name == "button" or element.get("type") in {"submit", "button", "reset"}:
            attributes.append("value")
        for attribute in attributes:
            value = element.get(attribute)
            if isinstance(value, str) and (rest := unmarked_words(value, content)):
                found.append(f"<{element.name} {attribute}={value!r}>: {rest!r}")
    # One message may span elements (a sentence with a link), so markers are taken out of
    # the whole text before it is cut into lines.
    for line in without_markers(page.get_text("\n")).splitlines():
        if rest := unmarked_words(line, content):
            found.append(f"text {rest!r}")
    return found


class Inspector:
    """Visits pages and fragments like a browser and collects unmarked strings."""

    def __init__(self, app: Flask) -> None:
        self.browser = Browser(app.test_client())
        self.problems: dict[str, list[str]] = {}
        self.visited = 0
        # Usernames, about me and posts; what a visitor typed into a form comes back too.
        self.user_content = {*USERS, *filter(None, USERS.values())}
        self.user_content |= {POST_BODY.format(n=n) for n in range(5)}

    def check(self, label: str, response) -> None:
        # A redirect's body is never shown (browsers and htmx follow it).
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            return
        self.visited += 1
        found = problems_in(response.get_data(as_text=True), self.user_content)
        if found:
            self.problems[label] = found

    def get(self, url: str, *, htmx: bool = False) -> None:
        response = self.browser.get(url, htmx=htmx, follow_redirects=not htmx)
        self.check(f"GET {url}{' (htmx)' if htmx else ''}", response)

    def post(self, url: str, data: dict | None = None, *, htmx: bool = False, **kw) -> None:
        typed = {name: value for name, value in (data or {}).items() if name in TYPED_FIELDS}
        self.user_content |= set(filter(None, typed.values()))
        response = self.browser.post(url, data, htmx=htmx, follow_redirects=not htmx, **kw)
        self.check(f"POST {url} {sorted(data or {})}{' (htmx)' if htmx else ''}", response)

    def report(self) -> str:
        return "\n".join(
            f"{label}:\n  " + "\n  ".join(found) for label, found in self.problems.items()
        )


def test_pages_for_visitors_show_only_marked_strings(pseudo_app):
    site = Inspector(pseudo_app)
    site.get("/explore")  # nobody has posted yet
    site.get("/user/nobody")
    populate(pseudo_app)
    for url in html_pages(pseudo_app):
        site.get(url)
        site.get(url, htmx=True)
    site.get("/explore?page=2", htmx=True)
    site.get("/user/susan?page=2")
    site.get("/explore?page=99")
    site.get("/explore?page=99", htmx=True)
    site.get("/follow/susan")  # 405
    site.get("/language?next=/explore")
    site.post("/language", {"language": "xx"})
    site.post("/auth/login", {})
    site.post("/auth/login", {"username": "susan", "password": "wrong password"})
    site.post("/auth/login", {"username": "susan"}, htmx=True)
    site.post("/auth/register", {"email": "nope", "password": "short", "password2": "other"})
    site.post(
        "/auth/register",
        {"username": "susan", "email": "susan@example.com", "password": "x" * 9},
    )
    site.post("/auth/login", {"username": "susan"}, csrf=False)
    site.post("/follow/susan", htmx=True)  # not logged in: htmx is sent to the login page
    site.get("/")  # redirected to the login page, with a flashed message
    site.post("/auth/reset_password_request", {"email": "not an address"})
    site.post("/auth/reset_password_request", {"email": "susan@example.com"})
    site.get("/auth/reset_password/not-a-token")
    with pseudo_app.app_context():
        susan = User.by_username("susan")
        token = make_reset_token(susan.id, susan.password_hash)
    site.get(f"/auth/reset_password/{token}")
    site.post(f"/auth/reset_password/{token}", {"password": "short", "password2": "other"})
    site.post(f"/auth/reset_password/{token}", {"password": "x" * 9, "password2": "x" * 9})
    site.get(f"/auth/reset_password/{token}")  # used
    assert site.visited > 20
    assert not site.problems, "unmarked strings:\n" + site.report()


def test_pages_for_users_show_only_marked_strings(pseudo_app):
    populate(pseudo_app)
    site = Inspector(pseudo_app)
    site.browser.login("ana")
    site.get("/")  # an empty timeline
    site.get("/user/ana")
    site.browser.logout()
    site.get("/explore")  # the "logged out" flash
    site.browser.login("susan")
    for url in html_pages(pseudo_app):
        site.get(url)
        site.get(url, htmx=True)
    site.get("/?page=2", htmx=True)
    site.post("/", {"post": ""})
    site.post("/", {"post": ""}, htmx=True)
    site.post("/", {"post": "x" * 281}, htmx=True)
    site.post("/", {"post": "Body of post 3"}, htmx=True)
    site.post("/", {"post": "Body of post 4"})
    site.post("/follow/john", htmx=True)
    site.post("/unfollow/john", htmx=True)
    site.post("/follow/john")
    site.post("/unfollow/john")
    site.post("/follow/susan", htmx=True)
    site.post("/follow/susan")
    site.post("/follow/nobody", htmx=True)
    site.post("/follow/nobody")
    site.post(
        "/edit_profile",
        {"username": "john", "about_me": "y" * 141, "language": "xx", "timezone": "Mars/Base"},
    )
    site.post(
        "/edit_profile",
        {"username": "", "about_me": "", "language": "", "timezone": "US/Pacific"},
    )
    site.post(
        "/edit_profile",
        {"username": "susan", "about_me": "", "language": "", "timezone": "US/Pacific"},
    )
    site.get("/edit_profile")
    site.post("/language", {"language": "en", "next": "/user/susan"})
    site.post("/auth/logout")
    assert site.visited > 20
    assert not site.problems, "unmarked strings:\n" + site.report()


def test_a_posts_pages_and_its_changes_show_only_marked_strings(pseudo_app):
    populate(pseudo_app)
    site = Inspector(pseudo_app)
    site.get("/post/1")  # a visitor
    site.get("/post/99")
    site.get("/post/1/edit")  # 403
    site.browser.login("susan")
    for htmx in (False, True):
        site.get("/post/1", htmx=htmx)
        site.get("/post/1?focus=edit", htmx=htmx)
        site.get("/post/1/edit?next=/explore", htmx=htmx)
        site.get("/post/1/delete?next=/explore", htmx=htmx)
        site.post("/post/1/edit", {"post": ""}, htmx=htmx)
        site.post("/post/1/edit", {"post": "x" * 281}, htmx=htmx)
    site.post("/post/1/edit", {"post": "Body of post 3", "next": "/explore"})
    site.post("/post/1/edit", {"post": "Body of post 4"}, htmx=True)
    site.post("/post/1/edit", {"post": "Body of post 4"}, htmx=True)  # nothing changed
    site.get("/post/1")
    site.post("/post/2/delete", {"next": "/explore"}, htmx=True)
    site.post("/post/1/delete", {"next": "/explore"})
    assert site.visited > 15
    assert not site.problems, "unmarked strings:\n" + site.report()
