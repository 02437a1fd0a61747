"""POST /api/posts/<id>/translate: a stored post in another language, made once per language."""

import pytest
from pytest_httpserver import HTTPServer

from tests.helpers import SPANISH, assert_error

GERMAN = "Heute war das Abendlicht perfekt, um den Hafen zu fotografieren."


@pytest.fixture
def libretranslate(app, httpserver: HTTPServer) -> HTTPServer:
    app.config.update(LIBRETRANSLATE_URL=httpserver.url_for("/"), TRANSLATION_TIMEOUT=1)
    return httpserver


def test_a_post_is_translated_once_per_language(api, susan, spanish_post, libretranslate):
    libretranslate.expect_oneshot_request(
        "/translate",
        method="POST",
        json={"q": SPANISH, "source": "es", "target": "de", "format": "text"},
    ).respond_with_json({"translatedText": GERMAN})
    api.login("susan")
    for _ in range(2):
        response = api.post(f"/api/posts/{spanish_post}/translate", json={"target": "de"})
        assert response.status_code == 200
        assert response.get_json() == {
            "post_id": spanish_post,
            "language": "de",
            "source_language": "es",
            "body": GERMAN,
            "provider": "LibreTranslate",
            "_links": {"post": f"/api/posts/{spanish_post}"},
        }
    libretranslate.check_assertions()
    assert len(libretranslate.log) == 1


def test_translation_needs_a_token(api, spanish_post, libretranslate):
    response = api.post(f"/api/posts/{spanish_post}/translate", json={"target": "de"})
    assert_error(response, 401, "Unauthorized")
    assert libretranslate.log == []


def test_without_a_provider_translation_is_unavailable(api, susan, spanish_post):
    api.login("susan")
    response = api.post(f"/api/posts/{spanish_post}/translate", json={"target": "de"})
    assert_error(response, 503, "Service Unavailable")


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "target"), ({"target": "german!"}, "target"), ({"target": 7}, "target")],
)
def test_a_bad_target_is_refused(api, susan, spanish_post, libretranslate, payload, field):
    api.login("susan")
    body = assert_error(
        api.post(f"/api/posts/{spanish_post}/translate", json=payload), 400, "Bad Request"
    )
    assert field in body["errors"]
    assert libretranslate.log == []


def test_a_post_in_the_target_language_or_of_unknown_language_is_refused(
    api, susan, spanish_post, make_posts, libretranslate
):
    api.login("susan")
    same = api.post(f"/api/posts/{spanish_post}/translate", json={"target": "es"})
    assert "already in es" in assert_error(same, 400, "Bad Request")["message"]
    unknown_id = make_posts("susan", body="ok")[0]
    unknown = api.post(f"/api/posts/{unknown_id}/translate", json={"target": "de"})
    assert "not known" in assert_error(unknown, 400, "Bad Request")["message"]
    assert libretranslate.log == []


def test_a_missing_post_is_a_404(api, susan, libretranslate):
    api.login("susan")
    assert_error(api.post("/api/posts/999/translate", json={"target": "de"}), 404, "Not Found")


def test_a_failing_provider_is_a_502_and_is_logged(
    api, susan, spanish_post, libretranslate, caplog
):
    libretranslate.expect_request("/translate").respond_with_json(
        {"error": "Too many request limits violations"}, status=429
    )
    api.login("susan")
    response = api.post(f"/api/posts/{spanish_post}/translate", json={"target": "de"})
    assert_error(response, 502, "Bad Gateway")
    assert "Too many request limits violations" in caplog.text
