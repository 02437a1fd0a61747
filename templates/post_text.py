"""A post's text as HTML: the words a search matched marked with <mark>.

Pure functions of their arguments (the card body's cache relies on it). The text is never
parsed as HTML: it is cut into pieces of plain text, and htpy escapes each piece it is given,
so whatever a post says stays text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from htpy import Node, mark

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


def post_text(body: str, *, highlight: Sequence[str] = ()) -> list[Node]:
    """The content of a post's paragraph: its text, with `highlight` (stems, from
    highlight_stems()) marked."""
    return highlighted(body, highlight)
