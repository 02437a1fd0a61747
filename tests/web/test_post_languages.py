"""Posts get the language they are written in, on the web, in the API and for old posts."""

from sqlalchemy import select

from microblog.extensions import db
from microblog.models import Post

SPANISH = "Hoy la luz de la tarde era perfecta para fotografiar el puerto."


def languages(query) -> list[str | None]:
    return query(lambda: db.session.scalars(select(Post.language).order_by(Post.id)).all())


def test_a_post_written_on_the_web_gets_its_language(browser, make_user, query):
    make_user("ana")
    browser.login("ana")
    assert browser.post("/index", {"post": SPANISH}).status_code == 303
    assert browser.post("/index", {"post": "Hola"}, htmx=True).status_code == 200
    assert languages(query) == ["es", None]


def test_a_post_published_through_the_api_gets_its_language(app, make_user, query):
    make_user("ana")
    client = app.test_client()
    token = client.post("/api/tokens", auth=("ana", "correct horse battery")).get_json()["token"]
    response = client.post(
        "/api/posts", json={"body": SPANISH}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    assert response.get_json()["language"] == "es"
    assert languages(query) == ["es"]


def test_detect_languages_fills_in_old_posts(app, make_user, make_posts, query):
    make_user("ana")
    make_posts("ana", body=SPANISH)
    make_posts("ana", body="Heute war das Abendlicht perfekt, um den Hafen zu fotografieren.")
    make_posts("ana", body="ok")
    result = app.test_cli_runner().invoke(args=["posts", "detect-languages"])
    assert result.exit_code == 0, result.output
    assert "Posts checked: 3; given a language: 2." in result.output
    assert languages(query) == ["es", "de", None]
    again = app.test_cli_runner().invoke(args=["posts", "detect-languages"])
    assert "Posts checked: 1;" in again.output
