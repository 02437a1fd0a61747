"""Telling which language a post is written in."""

import pytest

from microblog.services.languages import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hoy la luz de la tarde era perfecta para fotografiar el puerto.", "es"),
        ("Heute war das Abendlicht perfekt, um den Hafen zu fotografieren.", "de"),
        ("The tomatoes finally turned red. Summer has officially begun!", "en"),
        ("Aujourd'hui la lumière du soir était parfaite pour photographier le port.", "fr"),
    ],
)
def test_sentences_get_their_language(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["Hola", "ok", "lol 😂", "12345 678", "https://example.com/a-b-c"])
def test_short_or_wordless_text_gets_no_language(text):
    assert detect_language(text) is None


def test_links_mentions_and_hashtags_do_not_count_as_words():
    assert detect_language("@susanwashere #gardening https://example.com/tomatoes") is None
    text = "@susan mira esto: hoy la luz de la tarde era perfecta https://example.com #foto"
    assert detect_language(text) == "es"


def test_the_answer_repeats():
    text = "Building a site with htmx: small fragments, no build step."
    assert {detect_language(text) for _ in range(5)} == {"en"}
