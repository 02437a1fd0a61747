"""The catalogs are complete and current, and the site speaks the reader's language."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from microblog.cli import _extract
from tests.conftest import soup

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.parent.parent.name for p in ROOT.glob("translations/*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    _extract(pot)
    return load(pot)


def key(message) -> tuple:
    return (message.context, message.id)


def test_spanish_is_shipped():
    assert "es" in SHIPPED


@pytest.mark.parametrize("language", SHIPPED)
def test_catalog_has_exactly_the_messages_in_the_code(template, language):
    catalog = load(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")
    in_code = {key(m) for m in template if m.id}
    in_catalog = {key(m) for m in catalog if m.id}
    assert in_code - in_catalog == set(), "run `flask translate update` and translate"
    assert in_catalog - in_code == set(), "run `flask translate update` to drop old messages"


@pytest.mark.parametrize("language", SHIPPED)
def test_catalog_is_fully_translated_with_the_same_placeholders(language):
    catalog = load(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po")
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
