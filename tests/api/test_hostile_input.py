"""The API refuses the same hostile text as the web forms, with the same rules."""

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import Post, User
from tests.helpers import assert_error


@pytest.mark.alldb
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("ring \x07 ring", "U+0007"),
        ("evil\u202etxt.exe", "U+202E"),
        ("\u200b\u200b", "Write something"),
        ("\u3164", "Write something"),
    ],
    ids=["bell", "bidi-override", "zero-width-only", "filler-only"],
)
def test_a_post_with_control_bidi_or_only_invisible_characters_is_refused(
    api, susan, query, body, words
):
    response = api.login("susan").post("/api/posts", json={"body": body})

    error = assert_error(response, 400, "Bad Request")
    assert words in " ".join(error["errors"]["body"])
    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Post))) == 0


def test_blank_line_runs_in_an_api_post_are_cut_like_on_the_web(api, susan):
    response = api.login("susan").post("/api/posts", json={"body": "a" + "\n" * 100 + "b"})

    assert response.status_code == 201
    assert response.get_json()["body"] == "a\n\nb"


@pytest.mark.parametrize("username", ["..", ".", "api", "Admin"])
def test_registering_an_unreachable_or_reserved_username_is_refused(api, query, username):
    response = api.post(
        "/api/users",
        json={"username": username, "email": "x@example.com", "password": "x" * 10},
    )

    error = assert_error(response, 400, "Bad Request")
    assert "username" in error["errors"]
    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(User))) == 0


def test_renaming_yourself_to_dots_or_bidi_about_me_is_refused(api, susan, query):
    api.login("susan")

    renamed = api.put(f"/api/users/{susan}", json={"username": ".."})
    about = api.put(f"/api/users/{susan}", json={"about_me": "\u202eevil"})

    assert "only dots" in " ".join(assert_error(renamed, 400, "Bad Request")["errors"]["username"])
    assert "U+202E" in " ".join(assert_error(about, 400, "Bad Request")["errors"]["about_me"])
    user = query(lambda: User.by_username("susan"))
    assert user is not None and user.about_me == "Gardens and bicycles."


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"password": "new password!"}, "password"), ({"id": 99}, "id"),
     ({"about_me": "hi", "is_admin": True}, "is_admin"), ({"post_count": 0}, "post_count")],
)  # fmt: skip
def test_changing_a_user_with_a_field_the_api_does_not_take_is_refused_by_name(
    api, susan, query, payload, field
):
    before = query(lambda: User.by_username("susan").password_hash)

    response = api.login("susan").put(f"/api/users/{susan}", json=payload)

    error = assert_error(response, 400, "Bad Request")
    assert error["errors"] == {field: ["Unknown field: this request does not take it."]}
    assert field in error["message"]
    user = query(lambda: User.by_username("susan"))
    assert user.password_hash == before and user.about_me == "Gardens and bicycles."


def test_a_new_post_with_an_unknown_field_is_refused(api, susan, query):
    response = api.login("susan").post("/api/posts", json={"body": "hello", "author_id": 2})

    assert "author_id" in assert_error(response, 400, "Bad Request")["errors"]
    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Post))) == 0


@pytest.mark.parametrize("language", ["zz", "english", "de-XX", "12", "", "es-419"])
def test_a_post_in_a_language_that_does_not_exist_is_refused(api, susan, query, language):
    response = api.login("susan").post("/api/posts", json={"body": "hello", "language": language})

    assert "language" in assert_error(response, 400, "Bad Request")["errors"]
    assert query(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Post))) == 0


@pytest.mark.parametrize(("given", "stored"), [("de", "de"), ("PT-br", "pt-BR"), (None, None)])
def test_a_post_keeps_the_language_its_author_gives(api, susan, given, stored):
    response = api.login("susan").post("/api/posts", json={"body": "ok", "language": given})

    assert response.status_code == 201
    assert response.get_json()["language"] == stored


def test_without_a_language_the_api_detects_it(api, susan):
    response = api.login("susan").post(
        "/api/posts", json={"body": "Hoy hace muy buen tiempo en la ciudad de Madrid"}
    )

    assert response.get_json()["language"] == "es"


@pytest.mark.parametrize(
    "url", ["/api/posts?page=2", "/api/timeline?page=3", "/api/users?page=2&per_page=5",
            "/api/users/{susan}/followers?page=2", "/api/users/{susan}/posts?page=9"],
)  # fmt: skip
def test_a_page_past_the_end_of_any_list_is_a_404(api, susan, make_posts, url):
    make_posts("susan", 3)

    response = api.login("susan").get(
        url.format(susan=susan) + "&per_page=10" * ("per_page" not in url)
    )

    assert_error(response, 404, "Not Found")


def test_an_empty_first_page_is_still_a_page(api, susan):
    response = api.login("susan").get(f"/api/users/{susan}/followers")

    assert response.status_code == 200 and response.get_json()["items"] == []


def test_an_api_post_of_more_than_twenty_lines_is_refused(api, susan):
    response = api.login("susan").post("/api/posts", json={"body": "\n".join("a" * 21)})

    error = assert_error(response, 400, "Bad Request")
    assert "at most 20 lines" in " ".join(error["errors"]["body"])
