"""The API refuses the same hostile text as the web forms, with the same rules."""

import pytest
import sqlalchemy as sa

from microblog.extensions import db
from microblog.models import Post, User
from tests.api.conftest import assert_error


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
