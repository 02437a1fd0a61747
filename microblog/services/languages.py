"""Which language a text is written in, so pages can mark it (`lang`) and offer translations."""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

# Fixed, so the same text always gets the same answer.
DetectorFactory.seed = 0
_load = threading.Lock()

# Links, mentions and hashtags say nothing about the language around them.
_NOT_PROSE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.-]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 3
MIN_LETTERS = 15
MIN_PROBABILITY = 0.9


def detect_language(text: str) -> str | None:
    """The BCP 47 code of the language `text` is written in ("es", "zh-CN"), or None when it
    is too short to tell or the detector is not sure: a short "Hola" or "ok" is no evidence."""
    prose = _NOT_PROSE.sub(" ", text)
    words = _WORD.findall(prose)
    if len(words) < MIN_WORDS or sum(len(word) for word in words) < MIN_LETTERS:
        return None
    # langdetect fills its shared factory on first use, without a lock of its own.
    with _load:
        try:
            best = detect_langs(prose)[0]
        except LangDetectException:
            return None
    if best.prob < MIN_PROBABILITY:
        return None
    language, _, region = best.lang.partition("-")
    return f"{language}-{region.upper()}" if region else language
