"""Users: the tutorial's representation, collections, registration and profile changes."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import User
from tests.helpers import PASSWORD, assert_error, count_queries

USER_KEYS = {
    "id",
    "username",
    "last_seen",
    "about_me",
    "post_count",
    "follower_count",
    "following_count",
    "_links",
}


@pytest.mark.alldb
def test_a_user_has_the_tutorials_fields_and_counts(api, susan, bob, follow, make_posts):
    follow("bob", "susan")
    make_posts("susan", 3)

    body = api.login("bob").get(f"/api/users/{susan}").get_json()

    assert set(body) == USER_KEYS
    assert body["id"] == susan
    assert body["username"] == "susan"
    assert body["about_me"] == "Gardens and bicycles."
    assert (body["post_count"], body["follower_count"], body["following_count"]) == (3, 1, 0)
    assert datetime.fromisoformat(body["last_seen"]).utcoffset().total_seconds() == 0
    assert body["_links"] == {
        "self": f"/api/users/{susan}",
        "followers": f"/api/users/{susan}/followers",
        "following": f"/api/users/{susan}/following",
        "avatar": f"/avatar/{susan}",
    }


def test_only_your_own_user_shows_the_email_address(api, susan, bob):
    api.login("susan")

    assert api.get(f"/api/users/{susan}").get_json()["email"] == "susan@example.com"
    assert "email" not in api.get(f"/api/users/{bob}").get_json()


@pytest.mark.parametrize("user_id", ["999", "2147483648", "99999999999999999999"])
@pytest.mark.alldb
def test_an_unknown_user_is_a_json_404(api, susan, user_id):
    response = api.login("susan").get(f"/api/users/{user_id}")

    body = assert_error(response, 404, "Not Found")
    assert user_id in body["message"]


@pytest.mark.alldb
def test_the_user_collection_is_paginated_with_meta_and_links(api, make_user):
    for n in range(5):
        make_user(f"user{n}")

    body = api.login("user0").get("/api/users?page=2&per_page=2").get_json()

    assert [user["username"] for user in body["items"]] == ["user2", "user3"]
    assert body["_meta"] == {"page": 2, "per_page": 2, "total_pages": 3, "total_items": 5}
    assert body["_links"] == {
        "self": "/api/users?page=2&per_page=2",
        "next": "/api/users?page=3&per_page=2",
        "prev": "/api/users?page=1&per_page=2",
    }


@pytest.mark.alldb
def test_first_and_last_pages_have_no_prev_or_next(api, make_user):
    for n in range(3):
        make_user(f"user{n}")
    api.login("user0")

    first = api.get("/api/users?per_page=2").get_json()
    last = api.get("/api/users?page=2&per_page=2").get_json()

    assert first["_links"]["prev"] is None and first["_links"]["next"] is not None
    assert last["_links"]["next"] is None and last["_links"]["prev"] is not None


def test_defaults_are_ten_per_page_and_per_page_is_capped_at_100(api, susan):
    api.login("susan")

    assert api.get("/api/users").get_json()["_meta"]["per_page"] == 10
    body = api.get("/api/users?per_page=1000").get_json()
    assert body["_meta"]["per_page"] == 100
    assert body["_links"]["self"] == "/api/users?page=1&per_page=100"


@pytest.mark.alldb
def test_a_page_past_the_end_is_a_404_like_on_the_web(api, susan):
    response = api.login("susan").get("/api/users?page=7")

    assert_error(response, 404, "Not Found")
    assert "the last one is 1" in response.get_json()["message"]


@pytest.mark.parametrize("args", ["page=0", "page=-1", "page=two", "per_page=0", "per_page=x"])
def test_bad_pagination_arguments_are_400(api, susan, args):
    response = api.login("susan").get(f"/api/users?{args}")

    body = assert_error(response, 400, "Bad Request")
    assert set(body["errors"]) == {args.split("=")[0]}


@pytest.mark.alldb
def test_a_page_of_users_costs_the_same_queries_whatever_its_size(app, api, make_user, follow):
    for n in range(12):
        make_user(f"user{n}")
        if n:
            follow(f"user{n}", "user0")
    api.login("user0")

    with count_queries(app) as small:
        api.get("/api/users?per_page=2")
    with count_queries(app) as large:
        api.get("/api/users?per_page=12")

    assert len(small) == len(large) <= 4


@pytest.mark.alldb
def test_followers_and_following_lists(api, susan, bob, make_user, follow):
    make_user("carol")
    follow("bob", "susan")
    follow("carol", "susan")
    follow("susan", "bob")
    api.login("susan")

    followers = api.get(f"/api/users/{susan}/followers").get_json()
    following = api.get(f"/api/users/{susan}/following").get_json()

    assert [user["username"] for user in followers["items"]] == ["bob", "carol"]
    assert followers["_meta"]["total_items"] == 2
    assert followers["_links"]["self"] == f"/api/users/{susan}/followers?page=1&per_page=10"
    assert [user["username"] for user in following["items"]] == ["bob"]
    assert following["items"][0]["follower_count"] == 1


@pytest.mark.parametrize("which", ["followers", "following"])
def test_lists_of_an_unknown_user_are_404(api, susan, which):
    assert_error(api.login("susan").get(f"/api/users/999/{which}"), 404, "Not Found")


@pytest.mark.parametrize(
    "url", ["/api/users", "/api/users/1", "/api/users/1/followers", "/api/users/1/following"]
)
def test_reading_users_needs_a_token(api, susan, url):
    response = api.get(url)

    assert_error(response, 401, "Unauthorized")
    assert "WWW-Authenticate" in response.headers


# Registration ---------------------------------------------------------------------------------


def test_register_returns_201_the_user_and_its_location(api, query):
    response = api.post(
        "/api/users",
        json={"username": "newbie", "email": "New@Example.com", "password": "long enough"},
    )

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == USER_KEYS
    assert body["username"] == "newbie"
    assert response.headers["Location"] == f"/api/users/{body['id']}"
    assert query(lambda: User.by_username("newbie").email) == "new@example.com"
    assert api.get_token("newbie", "long enough")


def test_register_takes_about_me(api):
    response = api.post(
        "/api/users",
        json={
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "long enough",
            "about_me": "  Hello!  ",
        },
    )

    assert response.status_code == 201
    assert response.get_json()["about_me"] == "Hello!"
    assert response.get_json()["post_count"] == 0


def test_register_refuses_fields_it_does_not_take_and_names_them(api, query):
    response = api.post(
        "/api/users",
        json={
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "long enough",
            "id": 42,
            "post_count": 7,
        },
    )

    body = assert_error(response, 400, "Bad Request")
    assert set(body["errors"]) == {"id", "post_count"}
    assert query(lambda: User.by_username("newbie")) is None


def test_register_reports_every_missing_field(api):
    response = api.post("/api/users", json={})

    body = assert_error(response, 400, "Bad Request")
    assert set(body["errors"]) == {"username", "email", "password"}
    assert "username" in body["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "a"),
        ("username", "has space"),
        ("username", "x" * 65),
        ("username", "   "),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("password", "short"),
        ("about_me", "x" * 141),
        ("about_me", "nul \x00 byte"),
        ("username", 12),
    ],
)
def test_register_applies_the_web_forms_rules(api, field, value, query):
    data = {"username": "newbie", "email": "newbie@example.com", "password": "long enough"}
    data[field] = value

    response = api.post("/api/users", json=data)

    body = assert_error(response, 400, "Bad Request")
    assert list(body["errors"]) == [field]
    assert query(lambda: User.by_username("newbie")) is None


@pytest.mark.parametrize(
    ("field", "value"), [("username", "SUSAN"), ("email", " Susan@Example.COM ")]
)
@pytest.mark.alldb
def test_register_refuses_a_taken_username_or_email_whatever_the_case(api, susan, field, value):
    data = {"username": "newbie", "email": "newbie@example.com", "password": "long enough"}
    data[field] = value

    body = assert_error(api.post("/api/users", json=data), 400, "Bad Request")

    assert list(body["errors"]) == [field]


def test_register_needs_a_json_body(api, query):
    form = {"username": "newbie", "email": "newbie@example.com", "password": "long enough"}

    response = api.post("/api/users", data=form)

    assert_error(response, 415, "Unsupported Media Type")
    assert query(lambda: User.by_username("newbie")) is None


@pytest.mark.parametrize("payload", ['{"username": ', "", "[1, 2]", '"text"', "null"])
def test_register_refuses_json_that_is_not_an_object(api, payload):
    response = api.post("/api/users", data=payload, content_type="application/json")

    assert_error(response, 400, "Bad Request")


# Changing your user --------------------------------------------------------------------------


def test_put_changes_your_username_and_about_me(api, susan, query):
    response = api.login("susan").put(
        f"/api/users/{susan}", json={"username": "susanna", "about_me": "New me"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["username"], body["email"], body["about_me"]) == (
        "susanna",
        "susan@example.com",
        "New me",
    )
    assert query(lambda: User.by_username("susanna").about_me) == "New me"


@pytest.mark.parametrize("email", ["new@example.com", "bob@example.com"])
def test_put_refuses_any_new_email_address_the_same_way(api, susan, bob, query, email):
    """A new address must be confirmed by a link mailed to it (the website's settings); the
    answer is the same for a free and a taken address, so it tells nobody which are taken."""
    response = api.login("susan").put(f"/api/users/{susan}", json={"email": email})

    body = assert_error(response, 400, "Bad Request")
    assert body["errors"]["email"] == [
        "The email address cannot be changed through the API: change it under Settings on "
        "the website, where a link mailed to the new address confirms it."
    ]
    assert query(lambda: db.session.get(User, susan).email) == "susan@example.com"


def test_me_is_the_tokens_user_with_the_email_address(api, susan, bob):
    body = api.login("susan").get("/api/users/me").get_json()

    assert body["id"] == susan
    assert body["username"] == "susan"
    assert body["email"] == "susan@example.com"
    assert body["_links"]["self"] == f"/api/users/{susan}"
    assert api.login("bob").get("/api/users/me").get_json()["id"] == bob


def test_me_needs_a_token(api, susan):
    assert_error(api.get("/api/users/me"), 401, "Unauthorized")
    assert_error(api.get("/api/users/me", token="not a token"), 401, "Unauthorized")


def test_put_leaves_out_fields_unchanged_and_clears_about_me_with_empty_text(api, susan, query):
    api.login("susan")

    assert api.put(f"/api/users/{susan}", json={"about_me": ""}).status_code == 200

    user = query(lambda: db.session.get(User, susan))
    assert (user.username, user.email, user.about_me) == ("susan", "susan@example.com", None)


@pytest.mark.alldb
def test_put_accepts_your_own_username_and_email_in_another_case(api, susan):
    response = api.login("susan").put(
        f"/api/users/{susan}", json={"username": "Susan", "email": "SUSAN@example.com"}
    )

    assert response.status_code == 200
    assert response.get_json()["username"] == "Susan"


@pytest.mark.alldb
def test_put_refuses_a_username_someone_else_has(api, susan, bob, query):
    response = api.login("susan").put(f"/api/users/{susan}", json={"username": "BOB"})

    body = assert_error(response, 400, "Bad Request")
    assert list(body["errors"]) == ["username"]
    assert query(lambda: db.session.get(User, susan).username) == "susan"


def test_put_on_someone_else_is_403(api, susan, bob, query):
    response = api.login("susan").put(f"/api/users/{bob}", json={"about_me": "hacked"})

    assert_error(response, 403, "Forbidden")
    assert query(lambda: db.session.get(User, bob).about_me) is None


def test_put_on_an_unknown_user_is_404(api, susan):
    assert_error(api.login("susan").put("/api/users/999", json={}), 404, "Not Found")


def test_put_needs_a_token_and_a_json_body(api, susan):
    assert_error(api.put(f"/api/users/{susan}", json={}), 401, "Unauthorized")
    response = api.login("susan").put(f"/api/users/{susan}", data="about_me=x")
    assert_error(response, 415, "Unsupported Media Type")


def test_password_is_never_shown(api, susan):
    body = api.login("susan").get(f"/api/users/{susan}").get_data(as_text=True)

    assert "password" not in body
    assert PASSWORD not in body


@pytest.mark.alldb
def test_users_count_is_right_on_every_database(api, make_user, query):
    for n in range(3):
        make_user(f"user{n}")

    total = api.login("user0").get("/api/users").get_json()["_meta"]["total_items"]

    assert total == query(lambda: db.session.scalar(sa.select(sa.func.count(User.id))))


def test_me_is_in_the_openapi_document(app):
    document = app.test_client().get("/api/openapi.json").get_json()

    me = document["paths"]["/api/users/me"]["get"]
    assert me["security"] == [{"token_auth": []}]
    assert "email address" in me["summary"]
    put = document["paths"]["/api/users/{id}"]["put"]
    assert "cannot be changed here" in put["description"]
