"""Writes cost a fixed, small number of SQL statements, and nothing is read after the commit
(an object the commit expired, read again by the answer, would be one more SELECT)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from microblog.extensions import db

# Statement counts depend on the database's dialect (RETURNING, INSERT … IGNORE): all three.
pytestmark = pytest.mark.alldb

COMMIT = "COMMIT"


@contextmanager
def statements_and_commits(app) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs, with COMMIT where it commits."""
    seen: list[str] = []

    def statement(_conn, _cursor, text, *_args) -> None:
        seen.append(" ".join(text.split()))

    def commit(_conn) -> None:
        seen.append(COMMIT)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)


@pytest.fixture
def site(browser, make_user, make_posts, follow):
    make_user("susan")
    make_user("john")
    for n in range(3):
        make_user(f"author{n}")
        follow("susan", f"author{n}")
        make_posts(f"author{n}", 4)
    make_posts("susan", 4)
    browser.login("susan")
    browser.get("/")  # settle last_seen so it is not written during the measured requests
    return browser


def after_commit(seen: list[str]) -> list[str]:
    return seen[seen.index(COMMIT) + 1 :]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_posting_costs_a_fixed_number_of_statements_and_reads_nothing_after_commit(app, site, htmx):
    with statements_and_commits(app) as seen:
        response = site.post("/", {"post": "Hello, world"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert seen.count(COMMIT) == 1, seen
    assert after_commit(seen) == [], seen
    # The viewer and the INSERT of the post.
    assert len(seen) == 2 + 1, seen


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_following_costs_a_fixed_number_of_statements_and_reads_nothing_after_commit(
    app, site, follow, action, htmx
):
    if action == "unfollow":
        follow("susan", "john")
    with statements_and_commits(app) as seen:
        response = site.post(f"/{action}/john", htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert seen.count(COMMIT) == 1, seen
    assert after_commit(seen) == [], seen
    # The viewer, the user to (un)follow, the change, and the counts the answer shows (a
    # browser does not see them, but reading them is cheaper than a branch on htmx); before a
    # follow, whether either of the two blocks the other.
    assert len(seen) == 4 + 1 + (action == "follow"), seen


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_editing_a_post_costs_a_fixed_number_of_statements_and_reads_nothing_after_commit(
    app, site, htmx
):
    post_id = site_post(app)
    with statements_and_commits(app) as seen:
        response = site.post(f"/post/{post_id}/edit", {"post": "New words"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert seen.count(COMMIT) == 1, seen
    assert after_commit(seen) == [], seen
    # The viewer, the post, dropping its translations, the UPDATE.
    assert len(seen) == 4 + 1, seen


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_deleting_a_post_costs_a_fixed_number_of_statements_and_reads_nothing_after_commit(
    app, site, htmx
):
    post_id = site_post(app)
    with statements_and_commits(app) as seen:
        response = site.post(f"/post/{post_id}/delete", {"next": "/explore"}, htmx=htmx)
    assert response.status_code == (200 if htmx else 303)
    assert seen.count(COMMIT) == 1, seen
    assert after_commit(seen) == [], seen
    # The viewer, the post, dropping its translations, the DELETE.
    assert len(seen) == 4 + 1, seen


def site_post(app) -> int:
    """The id of one of susan's posts in `site`."""
    from microblog.models import Post, User

    with app.app_context():
        susan = User.by_username("susan")
        return db.session.scalars(sa.select(Post.id).where(Post.user_id == susan.id)).first()
