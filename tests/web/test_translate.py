"""The Translate button under posts in another language: with htmx the translation is swapped
in under the post, without JavaScript the page comes back with it; never a broken button."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer

from microblog import config, create_app
from microblog.extensions import db
from microblog.models import Post, PostTranslation
from tests.helpers import ENGLISH, SPANISH, Browser, reset_schema, soup, teach_libretranslate


@pytest.fixture
def libretranslate(app: Flask, httpserver: HTTPServer) -> HTTPServer:
    """A LibreTranslate stand-in that translates ana's post into English, as documented."""
    app.config.update(LIBRETRANSLATE_URL=teach_libretranslate(httpserver), TRANSLATION_TIMEOUT=1)
    return httpserver


@pytest.fixture
def susan(browser: Browser, make_user) -> Browser:
    make_user("susan")
    browser.login("susan")
    return browser


def card(page, post_id: int):
    return page.find(id=f"post-{post_id}")


def test_a_reader_of_another_language_gets_a_translate_button(susan, spanish_post, libretranslate):
    page = soup(susan.get("/explore"))
    button_form = card(page, spanish_post).find("form", class_="post-translation")
    assert button_form["action"] == f"/post/{spanish_post}/translate"
    assert button_form["hx-post"] == button_form["action"]
    assert button_form["method"] == "post"
    assert button_form.find("input", attrs={"name": "next"})["value"] == "/explore"
    assert button_form.find("input", attrs={"name": "csrf_token"})["value"]
    assert button_form.button.get_text(strip=True) == "Translate"
    assert card(page, spanish_post).find(class_="post-body")["lang"] == "es"


def test_no_button_for_visitors_own_language_unknown_language_or_no_provider(
    app, browser, susan, spanish_post, make_posts, libretranslate
):
    english = make_posts("susan", body="The tomatoes finally turned red this morning.")[0]
    unknown = make_posts("susan", body="ok")[0]
    page = soup(susan.get("/explore"))
    assert card(page, english).find(class_="post-translation") is None
    assert card(page, unknown).find(class_="post-translation") is None
    # A Spanish reader needs no translation of a Spanish post.
    spanish_page = soup(susan.get("/explore", headers={"Accept-Language": "es"}))
    assert card(spanish_page, spanish_post).find(class_="post-translation") is None
    app.config.update(LIBRETRANSLATE_URL=None)
    assert (
        card(soup(susan.get("/explore")), spanish_post).find("form", class_="post-translation")
        is None
    )
    susan.logout()
    app.config.update(LIBRETRANSLATE_URL=libretranslate.url_for("/"))
    assert card(soup(browser.get("/explore")), spanish_post).find(class_="post-translation") is None


def test_with_htmx_the_translation_is_swapped_in_and_announced(susan, spanish_post, libretranslate):
    response = susan.post(f"/post/{spanish_post}/translate", {"next": "/explore"}, htmx=True)
    assert response.status_code == 200
    fragment = soup(response)
    block = fragment.find(id=f"translation-{spanish_post}")
    assert block.find(class_="translation-body")["lang"] == "en"
    assert block.find(class_="translation-body").get_text() == ENGLISH
    assert "Machine translation by LibreTranslate" in block.get_text()
    original = block.find("a", class_="translation-original")
    assert original.get_text() == "Show original"
    assert original["href"] == original["hx-get"]
    assert original["hx-target"] == f"#translation-{spanish_post}"
    announcer = fragment.find(id="announcer", attrs={"hx-swap-oob": "innerHTML"})
    assert announcer.get_text() == "Translated from Spanish by LibreTranslate."


def test_show_original_puts_the_button_back(susan, spanish_post, libretranslate):
    url = f"/post/{spanish_post}/translate?next=/explore"
    fragment = soup(susan.get(url, htmx=True))
    assert fragment.find("form", id=f"translation-{spanish_post}").button.get_text() == "Translate"
    plain = susan.get(url)
    assert plain.status_code == 303
    assert plain.headers["Location"] == "/explore"


def test_without_javascript_the_page_comes_back_with_the_translation(
    susan, spanish_post, libretranslate, query
):
    response = susan.post(f"/post/{spanish_post}/translate", {"next": "/explore?page=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/explore?page=1&translated={spanish_post}#post-{spanish_post}"
    )
    page = soup(susan.get(f"/explore?page=1&translated={spanish_post}"))
    block = card(page, spanish_post).find(id=f"translation-{spanish_post}")
    assert block.find(class_="translation-body").get_text() == ENGLISH
    assert block.find("a", class_="translation-original")["href"] == (
        f"/post/{spanish_post}/translate?next=/explore?page%3D1"
    )
    # Asked again, the stored translation answers: the provider was called once.
    susan.post(f"/post/{spanish_post}/translate", {"next": "/explore"}, htmx=True)
    assert len(libretranslate.log) == 1
    assert query(lambda: PostTranslation.query.count()) == 1


def test_a_failing_provider_leaves_a_message_and_a_retry_button(
    app, susan, spanish_post, httpserver, caplog
):
    app.config.update(LIBRETRANSLATE_URL=httpserver.url_for("/"))
    httpserver.expect_request("/translate").respond_with_json(
        {"error": "Cannot translate text: model not loaded"}, status=500
    )
    with caplog.at_level(logging.WARNING):
        response = susan.post(f"/post/{spanish_post}/translate", {"next": "/explore"}, htmx=True)
    assert response.status_code == 200
    fragment = soup(response)
    retry = fragment.find("form", id=f"translation-{spanish_post}")
    assert "Translation is not available right now." in retry.get_text()
    assert retry.button.get_text() == "Try again"
    assert "model not loaded" in caplog.text
    plain = susan.post(f"/post/{spanish_post}/translate", {"next": "/explore"})
    assert plain.status_code == 303
    assert (
        "Translation is not available right now."
        in soup(susan.get("/explore")).find(id="flashes").get_text()
    )


def test_a_slow_provider_is_given_up_on(app, susan, spanish_post, httpserver):
    import time

    app.config.update(LIBRETRANSLATE_URL=httpserver.url_for("/"), TRANSLATION_TIMEOUT=0.3)

    def slow(_request):
        time.sleep(0.6)  # twice the timeout
        from werkzeug import Response

        return Response(json.dumps({"translatedText": ENGLISH}))

    httpserver.expect_request("/translate").respond_with_handler(slow)
    response = susan.post(f"/post/{spanish_post}/translate", {"next": "/explore"}, htmx=True)
    assert "Translation is not available right now." in soup(response).get_text()
    # Let the stand-in finish its slow answer, so it is not counted in the next test.
    for _ in range(40):
        if httpserver.log:
            break
        time.sleep(0.05)


def test_visitors_are_sent_to_log_in(browser, spanish_post, libretranslate):
    response = browser.post(f"/post/{spanish_post}/translate", {"next": "/explore"})
    assert response.status_code in {302, 303}
    assert "/auth/login" in response.headers["Location"]
    assert libretranslate.log == []


def test_what_cannot_be_translated_is_refused(susan, spanish_post, make_posts, libretranslate):
    assert susan.post("/post/999999/translate", {"next": "/explore"}).status_code == 404
    english = make_posts("susan", body="The tomatoes finally turned red this morning.")[0]
    response = susan.post(f"/post/{english}/translate", {"next": "/explore"}, htmx=True)
    assert response.status_code == 400
    assert "The language of this post is not known." in soup(response).get_text()
    plain = susan.post(f"/post/{english}/translate", {"next": "/explore"})
    assert plain.status_code == 400
    page = soup(plain).find("main")
    assert page.find("p").get_text() == "The language of this post is not known."
    assert page.find("a", string="Go back")["href"] == "/explore"
    outside = susan.post(f"/post/{spanish_post}/translate", {"next": "https://evil.example/"})
    assert outside.headers["Location"].startswith("/explore?translated=")
    assert susan.post(f"/post/{spanish_post}/translate", {}, csrf=False).status_code == 400
    assert libretranslate.log[-1:] and len(libretranslate.log) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_refusals_say_why_with_a_400_and_store_nothing(
    app, susan, spanish_post, libretranslate, query, htmx
):
    def refused(headers=None) -> str:
        response = susan.post(
            f"/post/{spanish_post}/translate", {"next": "/explore"}, htmx=htmx, headers=headers
        )
        assert response.status_code == 400
        if htmx:
            return soup(response).find(role="alert").get_text()
        page = soup(response).find("main")
        assert page.find("a", href="/explore"), "a way back to the page of the post"
        return page.find("p").get_text()

    # A Spanish reader asking for a Spanish post in Spanish.
    assert "Esta publicación ya está en tu idioma." in refused({"Accept-Language": "es"})
    app.config.update(LIBRETRANSLATE_URL=None)
    assert "Posts cannot be translated on this site." in refused()
    assert libretranslate.log == []
    assert query(lambda: PostTranslation.query.count()) == 0


def test_translations_per_user_are_limited(make_user, httpserver):
    app = create_app(
        config.TestConfig(RATELIMIT_ENABLED=True, RATELIMIT_TRANSLATIONS_PER_USER="2 per minute")
    )
    reset_schema(app)
    app.config.update(LIBRETRANSLATE_URL=httpserver.url_for("/"))
    httpserver.expect_request("/translate").respond_with_json({"translatedText": ENGLISH})
    with app.app_context():
        from microblog.models import User

        ana = User(username="ana", email="ana@example.com")
        ana.set_password("correct horse battery")
        susan = User(username="susan", email="susan@example.com")
        susan.set_password("correct horse battery")
        db.session.add_all([ana, susan])
        db.session.flush()
        posts = [Post(body=f"{SPANISH} {n}", author=ana, language="es") for n in range(3)]
        db.session.add_all(posts)
        db.session.commit()
        ids = [post.id for post in posts]
    browser = Browser(app.test_client())
    browser.login("susan")
    answers = [
        browser.post(f"/post/{post_id}/translate", {"next": "/explore"}, htmx=True).status_code
        for post_id in ids
    ]
    assert answers == [200, 200, 429]
