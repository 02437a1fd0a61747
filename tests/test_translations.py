"""The catalogs are complete and current, and the translators' commands do what TRANSLATING.md
says."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.helpers import soup

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.parent.parent.name for p in ROOT.glob("translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def catalog_of(language: str):
    return load(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")


def key(message) -> tuple:
    return (message.context, message.id)


def test_spanish_and_german_are_shipped_and_offered(app):
    assert {"es", "de"} <= set(SHIPPED)
    assert app.config["LANGUAGES"] == ["en", *SHIPPED]


@pytest.mark.parametrize("language", SHIPPED)
def test_catalog_has_exactly_the_messages_in_the_code(extracted_messages, language):
    catalog = catalog_of(language)
    in_code = {key(m) for m in extracted_messages if m.id}
    in_catalog = {key(m) for m in catalog if m.id}
    assert in_code - in_catalog == set(), "run `flask translate update` and translate"
    assert in_catalog - in_code == set(), "run `flask translate update` to drop old messages"


@pytest.mark.parametrize("language", SHIPPED)
def test_catalog_has_the_translator_comments_in_the_code(extracted_messages, language):
    catalog = catalog_of(language)
    for message in extracted_messages:
        if message.id and message.auto_comments:
            translated = catalog.get(message.id, context=message.context)
            assert translated is not None
            assert translated.auto_comments == message.auto_comments, (
                f"{message.id!r}: run `flask translate update`"
            )


@pytest.mark.parametrize("language", SHIPPED)
def test_catalog_is_fully_translated_with_the_same_placeholders(language):
    catalog = catalog_of(language)
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        expected = set(PLACEHOLDER.findall(sources[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, f"placeholders: {message.id!r}"


@pytest.mark.parametrize("language", SHIPPED)
def test_plural_messages_have_every_form_of_the_language(language):
    catalog = catalog_of(language)
    assert catalog.plural_forms, "the catalog says how its plurals work"
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, f"plural forms: {message.id!r}"


def test_translate_init_refuses_to_overwrite_a_catalog_or_invent_a_language(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["translate", "init", "es"])
    assert result.exit_code != 0
    assert "exists already" in result.output
    result = runner.invoke(args=["translate", "init", "zz-not-a-language"])
    assert result.exit_code != 0
    assert "not a language code" in result.output


def test_accept_language_spanish_gives_spanish_pages(browser, make_user, make_posts, follow):
    make_user("susan")
    make_user("john")
    follow("john", "susan")
    make_posts("susan", 2)
    headers = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
    response = browser.get("/user/susan", headers=headers)
    page = soup(response)
    assert page.html["lang"] == "es"
    assert "Accept-Language" in response.headers["Vary"]
    assert (
        page.find(class_="follow-counts").get_text()
        == "1 seguidor · sigue a 0 usuarios · 2 publicaciones"
    )
    assert page.find("a", href="#main").get_text() == "Saltar al contenido principal"
    assert "escribió" in page.select_one(".post-meta").get_text()
    assert page.select_one(".post-meta time").get_text().startswith("hace ")


def test_unsupported_languages_fall_back_to_english(browser):
    page = soup(browser.get("/explore", headers={"Accept-Language": "xx"}))
    assert page.html["lang"] == "en"
    assert page.h1.get_text() == "Explore"
