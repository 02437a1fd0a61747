"""Editing and deleting a post keep the full-text index exact on every database: an edited
post is found by its new words only, a deleted one is never found."""

from __future__ import annotations

import pytest

from microblog.services.search import search_posts
from tests.helpers import ApiClient, Browser

pytestmark = pytest.mark.alldb


@pytest.fixture
def susan(browser: Browser, make_user) -> Browser:
    make_user("susan")
    browser.login("susan")
    return browser


def found(query, words: str) -> list[int]:
    return query(lambda: search_posts(words).ids)


def test_an_edited_post_is_found_by_its_new_words_only(susan, make_posts, query):
    (post_id,) = make_posts("susan", body="Tomatoes ripening in the garden")
    assert found(query, "tomatoes") == [post_id]

    response = susan.post(f"/post/{post_id}/edit", {"post": "Cucumbers everywhere this summer"})

    assert response.status_code == 303
    assert found(query, "tomatoes") == []
    assert found(query, "cucumbers") == [post_id]


def test_a_post_changed_through_the_api_is_found_by_its_new_words_only(
    app, susan, make_posts, query
):
    (post_id,) = make_posts("susan", body="Tomatoes ripening in the garden")
    api = ApiClient(app.test_client()).login("susan")

    assert api.put(f"/api/posts/{post_id}", json={"body": "Radishes now"}).status_code == 200
    assert found(query, "tomatoes") == []
    assert found(query, "radishes") == [post_id]


def test_a_deleted_post_is_never_found(susan, make_posts, query):
    kept, deleted = make_posts("susan", 2, body="Tomatoes, day {n}")

    assert susan.post(f"/post/{deleted}/delete").status_code == 303

    assert found(query, "tomatoes") == [kept]
