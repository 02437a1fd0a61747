"""GET /api/search: posts matching a query, paginated like every list, and matching people."""

import pytest

from tests.helpers import assert_error


@pytest.fixture
def garden_posts(susan, bob, make_posts) -> list[int]:
    make_posts("bob", body="Nothing about plants here")
    return make_posts("susan", 3, body="Garden diary, day {n}")


def test_search_finds_posts_newest_first_with_links_and_people(api, garden_posts, make_user):
    make_user("gardener")
    api.login("susan")
    response = api.get("/api/search?q=garden&per_page=2")
    assert response.status_code == 200
    body = response.get_json()
    assert [post["id"] for post in body["items"]] == garden_posts[::-1][:2]
    assert body["_meta"] == {"page": 1, "per_page": 2, "total_pages": 2, "total_items": 3}
    assert body["_links"]["next"] == "/api/search?page=2&per_page=2&q=garden&order=newest"
    assert [user["username"] for user in body["users"]] == ["gardener"]
    second = api.get(body["_links"]["next"]).get_json()
    assert [post["id"] for post in second["items"]] == garden_posts[:1]


def test_search_by_relevance(api, susan, make_posts):
    once, thrice = (
        make_posts("susan", 1, body="one tulip")[0],
        make_posts("susan", 1, body="tulip tulip tulip")[0],
    )
    make_posts("susan", 4, body="cycling {n}")
    api.login("susan")
    body = api.get("/api/search?q=tulip&order=relevance").get_json()
    assert [post["id"] for post in body["items"]] == [thrice, once]


def test_a_nul_in_the_query_is_a_json_400(api, garden_posts):
    api.login("susan")
    response = api.get("/api/search", query_string={"q": "garden\x00diary"})
    assert_error(response, 400, "Bad Request")


def test_search_needs_a_token(api, garden_posts):
    assert_error(api.get("/api/search?q=garden"), 401, "Unauthorized")


@pytest.mark.parametrize(
    "url",
    [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=%21%21%21",
        "/api/search?q=garden&order=oldest",
        "/api/search?q=" + "x" * 1001,
        "/api/search?q=garden&page=0",
    ],
)
def test_bad_searches_are_400s(api, garden_posts, url):
    api.login("susan")
    assert_error(api.get(url), 400, "Bad Request")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ('"garden', 3),
        ("garden)) (diary", 3),
        ("garden -diary", 0),
        ("'; DROP TABLE post; --", 0),
        ("番茄", 0),
    ],
)
def test_hostile_queries_give_results_or_none(api, garden_posts, q, found):
    api.login("susan")
    response = api.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert len(response.get_json()["items"]) == found


def test_a_page_past_the_last_is_a_404(api, garden_posts):
    api.login("susan")
    assert_error(api.get("/api/search?q=garden&page=9"), 404, "Not Found")
