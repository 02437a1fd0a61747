"""Hypothesis strategies for what a hostile client sends: text of every Unicode category
(control and format characters, bidi overrides, private use, unassigned), huge values, fields
missing, repeated or unknown, files where text belongs, bodies in the wrong encoding."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.helpers import fuzz_examples

# Bounded so that the fuzz tests stay a small part of the suite; the same examples on every
# run (derandomize), and no example database written into the checkout.
FUZZ = settings(
    max_examples=fuzz_examples(15),
    deadline=5000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Surrogates cannot be sent in UTF-8 at all; every other category can.
ANY_CHARACTER = st.characters(exclude_categories=["Cs"])
NASTY = st.sampled_from(
    [
        "\x00",
        "\x07",
        "\x1b[31m",
        "\r\n",
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\ufeff",
        "\ufffd",
        "\U0001f600",
        "\u0301",  # a combining accent with nothing to combine with
        "\U000e0001",  # a tag character
        "\U0010ffff",
        "../",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "{{7*7}}",
        "\\",
    ]
)


def text() -> st.SearchStrategy[str]:
    """A field's text: any characters, the nasty ones often, sometimes a lot of them."""
    small = st.lists(st.one_of(NASTY, st.text(ANY_CHARACTER, max_size=8)), max_size=6).map("".join)
    huge = st.builds(
        lambda piece, times: piece * times,
        NASTY | st.just("a"),
        st.sampled_from([281, 5000, 20000]),
    )
    return st.one_of(small, small, small, st.text(ANY_CHARACTER, max_size=300), huge)


def field_values(real: str | None = None) -> st.SearchStrategy[list[Any]]:
    """What one field carries: nothing (missing), one value, several values, or a file."""
    value = text() if real is None else st.one_of(st.just(real), text())
    upload = st.builds(
        lambda content, name: (io.BytesIO(content), name),
        st.binary(max_size=64),
        st.sampled_from(["post.txt", "x", "../../etc/passwd", "é.png"]),
    )
    return st.one_of(
        st.just([]),
        st.lists(value, min_size=1, max_size=1),
        st.lists(value, min_size=2, max_size=3),
        st.lists(upload, min_size=1, max_size=1),
    )


def form_data(fields: dict[str, str | None]) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """A form of these fields (the name, and a value that would be accepted or None) plus,
    sometimes, fields it does not have, as (name, value) pairs that may repeat."""
    known = st.fixed_dictionaries({name: field_values(real) for name, real in fields.items()})
    unknown = st.dictionaries(st.text(ANY_CHARACTER, min_size=1, max_size=10), text(), max_size=2)
    return st.builds(
        lambda values, extra: (
            [(k, v) for k, vs in values.items() for v in vs] + list(extra.items())
        ),
        known,
        unknown,
    )


# Bodies that do not say what they are, or lie about it.
RAW_BODIES = st.one_of(
    st.binary(max_size=200),
    st.builds(lambda t: t.encode("utf-16"), text()),
    st.builds(lambda t: t.encode("latin-1", errors="replace"), text()),
    st.just(b"post=%FF%FE%00&csrf_token=%C0%AF"),
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=no-such-charset",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain; charset=utf-8",
        "",
    ]
)
