"""A post's text as HTML: links to web addresses, people and tags, and marked search words;
whatever else a post says stays text."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from htpy import p
from hypothesis import given, settings
from hypothesis import strategies as st

from templates.post_text import hashtags, highlight_stems, mentioned_names, post_text, short_url
from tests.helpers import fuzz_examples

PEOPLE = {"susan": "/user/susan", "j.doe": "/user/J.Doe"}
TAG_URL = "/search?q=%23"


def render(body: str, **options) -> BeautifulSoup:
    options.setdefault("mentions", PEOPLE)
    options.setdefault("tag_url", TAG_URL)
    html = str(p[post_text(body, **options)])
    # (BeautifulSoup would otherwise shorten a text of spaces alone to one.)
    return BeautifulSoup(html, "html.parser", preserve_whitespace_tags=["p", "a", "mark"]).p


def links(body: str) -> list[tuple[str, str]]:
    return [(link.get_text(), link["href"]) for link in render(body).find_all("a")]


def test_web_addresses_become_links_for_other_sites():
    paragraph = render("Read https://example.com/garden?x=1&y=2 now")
    link = paragraph.a
    assert link["href"] == "https://example.com/garden?x=1&y=2"
    assert link["rel"] == ["nofollow", "ugc", "noopener"]
    assert link.get_text() == "example.com/garden?x=1&y=2"
    assert paragraph.get_text() == "Read example.com/garden?x=1&y=2 now"


def test_long_addresses_are_shown_shortened_but_link_in_full():
    url = "https://www.example.com/" + "a" * 500
    link = render(url).a
    assert link["href"] == url
    assert link.get_text() == short_url(url)
    assert link.get_text().endswith("…") and len(link.get_text()) == 32


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("(see https://example.com/a)", "https://example.com/a"),
        ("at https://example.com/a.", "https://example.com/a"),
        ("https://example.com/a, https://example.org/b!", "https://example.com/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ('"https://example.com/q"', "https://example.com/q"),
        ("HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/"),
    ],
)
def test_punctuation_around_an_address_stays_outside_the_link(body, expected):
    assert render(body).a["href"] == expected
    assert text_with_addresses(render(body)) == body


@pytest.mark.parametrize(
    "body",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "http://",
        "https://.",
        "https://nohost",
        "https://[::1",
        "https://example.com:port/",
        "xhttps://example.com",
        "<a href='https://example.com'>x</a>",
        '<script>alert("https://x")</script>',
    ],
)
def test_hostile_text_stays_text(body):
    paragraph = render(body)
    assert paragraph.find("script") is None
    for link in paragraph.find_all("a"):
        assert link["href"].startswith(("http://", "https://"))
        assert "<" not in link["href"] and "'" not in link["href"]
    if not body.startswith("<a"):
        assert paragraph.find("a") is None
    assert paragraph.get_text().startswith(body[:3])


def test_mentions_link_to_people_who_exist_and_others_stay_text():
    assert links("Hi @susan and @nobody, and @J.Doe.") == [
        ("@susan", "/user/susan"),
        ("@J.Doe", "/user/J.Doe"),
    ]
    assert links("mail susan@example.com") == []
    assert mentioned_names("Hi @susan, @Nobody. mail x@susan.com @J.Doe.") == {
        "susan",
        "nobody",
        "j.doe",
    }
    assert mentioned_names("no one here") == frozenset()


def test_tags_link_to_their_search():
    assert links("A #garden, #Tomates2026 and #über") == [
        ("#garden", "/search?q=%23garden"),
        ("#Tomates2026", "/search?q=%23Tomates2026"),
        ("#über", "/search?q=%23%C3%BCber"),
    ]
    # Not tags: a number, a C# or an HTML entity, a word with an underscore, inside a word.
    assert links("#1 fan of C# and &#39; #snake_case a#b") == []
    assert links("A #garden") == [("#garden", "/search?q=%23garden")]
    assert render("A #garden", tag_url=None).find("a") is None


def test_search_words_are_marked_in_text_and_links():
    paragraph = render("Gardens by @susan #garden https://garden.example", highlight=("garden",))
    assert [m.get_text() for m in paragraph.find_all("mark")] == ["Gardens", "garden", "garden"]
    assert paragraph.find("a", class_="hashtag").mark.get_text() == "garden"
    assert highlight_stems(["Gardens", "gardening", "cat"]) == ("garden", "cat")


def text_with_addresses(paragraph: BeautifulSoup) -> str:
    """The paragraph's text with each link to another site written as its full address."""
    for link in paragraph.find_all("a", rel="nofollow"):
        link.replace_with(link["href"])
    return paragraph.get_text()


PIECES = st.sampled_from(
    [
        "https://example.com/a_(b)",
        "http://x.org/?q=1&r=<2>",
        "https://",
        "javascript:alert(1)",
        "@susan",
        "@nobody",
        "@",
        "#garden",
        "#",
        "<script>",
        "</p>",
        '"',
        "'",
        "&amp;",
        "(",
        ")",
        ".",
        ",",
        " ",
        "\n",
        "mark",
        "garden",
        "über",
        "番茄",
    ]
)


# What a post may hold: no control characters but newline and tab (the rules for user text).
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), whitelist_characters="\n\t"), max_size=8
)


@settings(max_examples=fuzz_examples(300), deadline=None)
@given(st.lists(st.one_of(PIECES, TEXT), max_size=30).map("".join))
def test_the_text_shown_is_the_text_written(body):
    paragraph = render(body, highlight=highlight_stems(["garden", "mark"]))
    assert text_with_addresses(paragraph) == body
    for element in paragraph.find_all(True):
        assert element.name in {"a", "mark"}
        if element.name == "a":
            href = element["href"]
            assert href.startswith(("https://", "http://", "/user/", TAG_URL)), href


def test_the_tags_a_post_carries_are_the_ones_its_text_links():
    body = "#Garden day: #tomatoes, #garden again, C# and &#39; https://x.org/#top #2024 #été"
    assert hashtags(body) == ("garden", "tomatoes", "été")
    assert hashtags("no tags here") == ()
