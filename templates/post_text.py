"""A post's text as HTML: web addresses, @mentions of people who exist and #tags as links, and
the words a search matched marked with <mark>.

Pure functions of their arguments (the card body's cache relies on it). The text is never
parsed as HTML: it is cut into pieces of plain text and links, and htpy escapes each piece it
is given, so whatever a post says stays text; only http and https addresses become links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

from htpy import Node, a, mark

# A word as the search parser reads one (letters and digits, in any script).
WORD = re.compile(r"[^\W_]+")
# Endings that the databases' stemmers take off (gardens, gardening, watered): a query word is
# marked in the text in those forms too, and only in those (a query "cat" marks "cats", not
# "category").
_ENDINGS = ("ings", "ing", "es", "ed", "s")
_ENDING_MAX = 4


def fold(word: str) -> str:
    """`word` as search compares it: without case and accents."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _stem(term: str) -> str:
    folded = fold(term)
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= 3:
            return folded[: -len(ending)]
    return folded


def highlight_stems(terms: Sequence[str]) -> tuple[str, ...]:
    """The stems of the query's words, the longest first, as `highlighted()` takes them."""
    stems = {_stem(term) for term in terms if term}
    return tuple(sorted(stems, key=lambda stem: (-len(stem), stem)))


def _matches(word: str, stems: Sequence[str]) -> bool:
    folded = fold(word)
    return any(folded.startswith(stem) and len(folded) - len(stem) <= _ENDING_MAX for stem in stems)


def highlighted(text: str, stems: Sequence[str]) -> list[Node]:
    """`text` with each word that one of `stems` matches in a <mark> (plain text otherwise)."""
    if not stems:
        return [text]
    pieces: list[Node] = []
    start = 0
    for match in WORD.finditer(text):
        if _matches(match.group(), stems):
            if match.start() > start:
                pieces.append(text[start : match.start()])
            pieces.append(mark[match.group()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


# A web address: http(s)://, up to a space or a character that cannot be in one unescaped.
# A mention: @ and a username (letters, digits, _ . -) not inside a word or an email address.
# A tag: # and letters or digits, not inside a word (nor "C#" or "&#").
_LINKABLE = re.compile(
    r"(?P<url>(?<![\w/@.])(?i:https?)://[^\s<>\"'`\\]+)"
    r"|(?P<mention>(?<![\w@./+-])@[A-Za-z0-9_][A-Za-z0-9_.-]*)"
    r"|(?P<tag>(?<![\w&#/])#[^\W_]+(?![\w]))"
)


def hashtags(body: str) -> tuple[str, ...]:
    """The tags `body` carries, as its text links them (not inside an address, not only
    digits), lower case, each once, in order of appearance: what search indexes as tags."""
    found = (
        match.group("tag")[1:].lower()
        for match in _LINKABLE.finditer(body)
        if match.lastgroup == "tag" and not match.group("tag")[1:].isdigit()
    )
    return tuple(dict.fromkeys(found))


# Punctuation that ends a sentence rather than an address: "see https://x.org/a." or "(https://…)".
_TRAILING = ".,;:!?'\")]}*"
_CLOSING = {")": "(", "]": "[", "}": "{"}
SHORT_URL_MAX = 32  # characters of an address shown before "…"
USERNAME_MAX = 64


def _url_end(url: str) -> int:
    """The length of `url` once punctuation that follows it is left out; a closing bracket
    stays when the address opened one (Wikipedia's "Foo_(bar)")."""
    end = len(url)
    while end and url[end - 1] in _TRAILING:
        last = url[end - 1]
        if last in _CLOSING and url[:end].count(_CLOSING[last]) >= url[:end].count(last):
            break
        end -= 1
    return end


def short_url(url: str) -> str:
    """An address as a post shows it: without the scheme and "www.", cut after a few dozen
    characters."""
    shown = url.split("://", 1)[1]
    shown = shown.removeprefix("www.")
    if len(shown) > SHORT_URL_MAX:
        shown = shown[: SHORT_URL_MAX - 1] + "…"
    return shown


def _has_host(url: str) -> bool:
    """Whether `url` names a host (a domain name, an IP address or localhost) and a valid port."""
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, brackets that close nothing
        return False
    return bool(host) and ("." in host or ":" in host or host == "localhost")


def _mention_name(token: str) -> str:
    """The username of "@name": without the dots and dashes that end a sentence."""
    return token[1:].rstrip(".-")


def mentioned_names(body: str) -> frozenset[str]:
    """The usernames (in lower case) that `body` mentions with @, for the view to look up."""
    if "@" not in body:
        return frozenset()
    names = set()
    for match in _LINKABLE.finditer(body):
        if match.lastgroup == "mention":
            name = _mention_name(match.group())
            if 0 < len(name) <= USERNAME_MAX:
                names.add(name.lower())
    return frozenset(names)


def post_text(
    body: str,
    *,
    highlight: Sequence[str] = (),
    mentions: Mapping[str, str] | None = None,
    tag_url: str | None = None,
) -> list[Node]:
    """The content of a post's paragraph: its text with web addresses as links (shortened,
    `rel="nofollow ugc noopener"`), @mentions of the people in `mentions` (lower-case
    username → profile URL) as links to them, #tags as links to `tag_url` followed by the tag,
    and `highlight` (stems, from highlight_stems()) marked. Everything else stays text."""
    mentions = mentions or {}
    pieces: list[Node] = []
    start = 0
    for match in _LINKABLE.finditer(body):
        kind, token = match.lastgroup, match.group()
        link: Node = None
        end = match.end()
        if kind == "url":
            end = match.start() + _url_end(token)
            url = body[match.start() : end]
            if _has_host(url):
                link = a(href=url, rel="nofollow ugc noopener")[
                    highlighted(short_url(url), highlight)
                ]
        elif kind == "mention":
            name = _mention_name(token)
            end = match.start() + 1 + len(name)
            profile = mentions.get(name.lower())
            if profile is not None:
                link = a(".mention", href=profile)[
                    highlighted(body[match.start() : end], highlight)
                ]
        elif tag_url is not None and not token[1:].isdigit():
            link = a(".hashtag", href=tag_url + quote(token[1:], safe=""))[
                highlighted(token, highlight)
            ]
        if link is None:
            continue
        if match.start() > start:
            pieces.extend(highlighted(body[start : match.start()], highlight))
        pieces.append(link)
        start = end
    if start < len(body):
        pieces.extend(highlighted(body[start:], highlight))
    return pieces
