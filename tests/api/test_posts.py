"""Posts and follows through the API: the web's rules, JSON answers."""

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import BODY_MAX_LENGTH, Post, User
from tests.helpers import assert_error, count_queries


def post_count(query) -> int:
    return query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Post)))


def bodies(response) -> list[str]:
    return [post["body"] for post in response.get_json()["items"]]


def test_publishing_returns_201_the_post_and_its_location(api, susan, query):
    response = api.login("susan").post("/api/posts", json={"body": "  Hello, API!  "})

    assert response.status_code == 201
    body = response.get_json()
    assert body["body"] == "Hello, API!"
    assert body["author"]["id"] == susan and body["author"]["username"] == "susan"
    assert body["_links"] == {"self": f"/api/posts/{body['id']}", "author": f"/api/users/{susan}"}
    assert response.headers["Location"] == f"/api/posts/{body['id']}"
    assert api.get(response.headers["Location"]).get_json() == body
    assert query(lambda: db.session.get(Post, body["id"]).author.username) == "susan"


@pytest.mark.alldb
def test_a_post_of_exactly_the_maximum_length_is_accepted(api, susan):
    text = "é" * BODY_MAX_LENGTH

    response = api.login("susan").post("/api/posts", json={"body": text})

    assert response.status_code == 201
    assert response.get_json()["body"] == text


@pytest.mark.alldb
def test_text_beyond_the_basic_plane_is_stored_on_every_database(api, susan):
    response = api.login("susan").post("/api/posts", json={"body": "Tomatoes 🍅 are red"})

    assert api.get(response.headers["Location"]).get_json()["body"] == "Tomatoes 🍅 are red"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": "   \n\t  "},
        {"body": "x" * (BODY_MAX_LENGTH + 1)},
        {"body": None},
        {"body": 42},
        {"body": "nul \x00 byte"},
        {"body": "lone \ud800 surrogate"},
    ],
    ids=["missing", "empty", "whitespace", "too-long", "null", "number", "nul", "surrogate"],
)
def test_publishing_applies_the_web_forms_rules(api, susan, query, payload):
    response = api.login("susan").post("/api/posts", json=payload)

    body = assert_error(response, 400, "Bad Request")
    assert list(body["errors"]) == ["body"]
    assert post_count(query) == 0


def test_publishing_needs_json(api, susan, query):
    response = api.login("susan").post("/api/posts", data={"body": "form post"})

    assert_error(response, 415, "Unsupported Media Type")
    assert post_count(query) == 0


def test_publishing_needs_a_token(api, susan, query):
    assert_error(api.post("/api/posts", json={"body": "Hi"}), 401, "Unauthorized")
    assert post_count(query) == 0


@pytest.mark.alldb
def test_explore_lists_everyones_posts_newest_first(api, susan, bob, make_posts):
    make_posts("susan", 2, body="susan {n}")
    make_posts("bob", 1, body="bob {n}")

    response = api.login("susan").get("/api/posts")

    assert response.status_code == 200
    assert bodies(response) == ["bob 1", "susan 2", "susan 1"]
    assert response.get_json()["_meta"]["total_items"] == 3


@pytest.mark.alldb
def test_timeline_has_your_posts_and_those_you_follow(
    api, susan, bob, make_user, follow, make_posts
):
    make_user("carol")
    follow("susan", "bob")
    make_posts("susan", 1, body="mine")
    make_posts("bob", 1, body="followed")
    make_posts("carol", 1, body="stranger")

    response = api.login("susan").get("/api/timeline")

    assert sorted(bodies(response)) == ["followed", "mine"]
    assert response.get_json()["_links"]["self"] == "/api/timeline?page=1&per_page=10"


@pytest.mark.alldb
def test_a_users_posts_are_paginated(api, susan, make_posts):
    make_posts("susan", 5, body="post {n}")

    response = api.login("susan").get(f"/api/users/{susan}/posts?per_page=2&page=2")

    assert bodies(response) == ["post 3", "post 2"]
    assert response.get_json()["_meta"] == {
        "page": 2,
        "per_page": 2,
        "total_pages": 3,
        "total_items": 5,
    }


@pytest.mark.alldb
def test_a_page_of_posts_costs_the_same_queries_whatever_its_size(
    app, api, susan, bob, make_user, make_posts
):
    # Four authors, so that loading authors one by one would show in the count.
    for name in ("carol", "dave"):
        make_user(name)
    for name in ("susan", "bob", "carol", "dave"):
        make_posts(name, 3)
    api.login("susan")

    with count_queries(app) as small:
        api.get("/api/posts?per_page=2")
    with count_queries(app) as large:
        api.get("/api/posts?per_page=12")

    assert len(small) == len(large) <= 3


@pytest.mark.parametrize("url", ["/api/posts/999", "/api/users/999/posts", "/api/posts/4294967296"])
@pytest.mark.alldb
def test_unknown_posts_and_authors_are_404(api, susan, url):
    assert_error(api.login("susan").get(url), 404, "Not Found")


def test_you_can_delete_your_own_post(api, susan, make_posts, query):
    (post_id,) = make_posts("susan", 1)

    response = api.login("susan").delete(f"/api/posts/{post_id}")

    assert response.status_code == 204
    assert post_count(query) == 0
    assert_error(api.get(f"/api/posts/{post_id}"), 404, "Not Found")


def test_you_cannot_delete_someone_elses_post(api, susan, bob, make_posts, query):
    (post_id,) = make_posts("bob", 1)

    response = api.login("susan").delete(f"/api/posts/{post_id}")

    assert_error(response, 403, "Forbidden")
    assert post_count(query) == 1


def test_deleting_an_unknown_post_is_404(api, susan):
    assert_error(api.login("susan").delete("/api/posts/999"), 404, "Not Found")


# Changing ------------------------------------------------------------------------------------


def stored_post(query, post_id: int) -> tuple[str, str | None, object]:
    def load():
        post = db.session.get(Post, post_id)
        return post.body, post.language, post.edited_at

    return query(load)


def test_you_can_change_your_own_post(api, susan, make_posts, query):
    (post_id,) = make_posts("susan", 1)
    text = "  Los tomates de mi jardín por fin están maduros  "

    response = api.login("susan").put(f"/api/posts/{post_id}", json={"body": text})

    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == post_id and body["body"] == text.strip()
    assert body["language"] == "es" and body["edited_at"] is not None
    assert body["_links"]["self"] == f"/api/posts/{post_id}"
    assert api.get(f"/api/posts/{post_id}").get_json() == body
    assert stored_post(query, post_id)[:2] == (text.strip(), "es")


def test_a_new_post_has_not_been_edited(api, susan):
    response = api.login("susan").post("/api/posts", json={"body": "Fresh"})
    assert response.get_json()["edited_at"] is None


def test_a_change_may_name_its_language(api, susan, make_posts):
    (post_id,) = make_posts("susan", 1)
    response = api.login("susan").put(
        f"/api/posts/{post_id}", json={"body": "Moin", "language": "de"}
    )
    assert response.get_json()["language"] == "de"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"body": ""},
        {"body": "x" * (BODY_MAX_LENGTH + 1)},
        {"body": "\n".join("line" for _ in range(21))},
        {"body": "nul \x00 byte"},
        {"body": None},
    ],
    ids=["missing", "empty", "too-long", "too-many-lines", "nul", "null"],
)
def test_a_change_follows_the_rules_of_a_new_post(api, susan, make_posts, query, payload):
    (post_id,) = make_posts("susan", 1, body="Original")

    response = api.login("susan").put(f"/api/posts/{post_id}", json=payload)

    body = assert_error(response, 400, "Bad Request")
    assert list(body["errors"]) == ["body"]
    assert stored_post(query, post_id) == ("Original", None, None)


def test_a_change_with_an_unknown_field_is_refused(api, susan, make_posts, query):
    (post_id,) = make_posts("susan", 1, body="Original")

    response = api.login("susan").put(
        f"/api/posts/{post_id}", json={"body": "New", "timestamp": "2020-01-01T00:00:00Z"}
    )

    body = assert_error(response, 400, "Bad Request")
    assert list(body["errors"]) == ["timestamp"]
    assert stored_post(query, post_id) == ("Original", None, None)


def test_you_cannot_change_someone_elses_post(api, susan, bob, make_posts, query):
    (post_id,) = make_posts("bob", 1, body="Original")

    response = api.login("susan").put(f"/api/posts/{post_id}", json={"body": "Hijacked"})

    assert_error(response, 403, "Forbidden")
    assert stored_post(query, post_id) == ("Original", None, None)


def test_changing_needs_a_token_json_and_a_post_that_exists(api, susan, make_posts, query):
    (post_id,) = make_posts("susan", 1, body="Original")
    assert_error(api.put(f"/api/posts/{post_id}", json={"body": "x"}), 401, "Unauthorized")
    api.login("susan")
    assert_error(
        api.put(f"/api/posts/{post_id}", data={"body": "x"}), 415, "Unsupported Media Type"
    )
    assert_error(api.put("/api/posts/999", json={"body": "x"}), 404, "Not Found")
    assert_error(api.put(f"/api/posts/{2**31}", json={"body": "x"}), 404, "Not Found")
    assert stored_post(query, post_id) == ("Original", None, None)


# Following -----------------------------------------------------------------------------------


def following_of(query, username: str) -> list[str]:
    def load() -> list[str]:
        user = User.by_username(username)
        return [u.username for u in db.session.scalars(user.following_query())]

    return query(load)


def test_follow_and_unfollow_as_the_token_user(api, susan, bob, query):
    api.login("susan")

    assert api.post(f"/api/users/{bob}/followers").status_code == 204
    assert following_of(query, "susan") == ["bob"]
    assert api.get(f"/api/users/{bob}").get_json()["follower_count"] == 1

    assert api.delete(f"/api/users/{bob}/followers").status_code == 204
    assert following_of(query, "susan") == []


@pytest.mark.alldb
def test_following_twice_or_unfollowing_a_stranger_changes_nothing(api, susan, bob, query):
    api.login("susan")

    assert api.post(f"/api/users/{bob}/followers").status_code == 204
    assert api.post(f"/api/users/{bob}/followers").status_code == 204
    assert following_of(query, "susan") == ["bob"]
    assert api.delete(f"/api/users/{bob}/followers").status_code == 204
    assert api.delete(f"/api/users/{bob}/followers").status_code == 204
    assert following_of(query, "susan") == []


@pytest.mark.parametrize("method", ["post", "delete"])
def test_you_cannot_follow_or_unfollow_yourself(api, susan, method, query):
    response = getattr(api.login("susan"), method)(f"/api/users/{susan}/followers")

    body = assert_error(response, 400, "Bad Request")
    assert "yourself" in body["message"]
    assert following_of(query, "susan") == []


@pytest.mark.parametrize("method", ["post", "delete"])
def test_following_an_unknown_user_is_404(api, susan, method):
    response = getattr(api.login("susan"), method)("/api/users/999/followers")

    assert_error(response, 404, "Not Found")


@pytest.mark.parametrize("method", ["post", "delete"])
def test_following_needs_a_token(api, susan, bob, method):
    response = getattr(api, method)(f"/api/users/{bob}/followers")

    assert_error(response, 401, "Unauthorized")
