"""Relative times ("3 minutes ago") are remembered by what they depend on, and read exactly
as Babel would write them."""

from datetime import UTC, datetime, timedelta

from babel.dates import format_timedelta
from hypothesis import given
from hypothesis import strategies as st

from templates.dates import RELATIVE_LIMIT, relative_text

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@given(
    age=st.timedeltas(min_value=-timedelta(minutes=5), max_value=RELATIVE_LIMIT),
    locale=st.sampled_from(["en", "es", "de"]),
)
def test_relative_text_is_what_babel_says(age, locale):
    moment = NOW - age
    babel_says = format_timedelta(
        min(moment - NOW, timedelta(seconds=-1)), add_direction=True, threshold=1.0, locale=locale
    )
    assert relative_text(moment, now=NOW, locale=locale) == babel_says


def test_relative_text_counts_the_microseconds_as_babel_does():
    # 209.000001 s is 3.48 minutes: counted in whole seconds (210 s, 3.5 minutes) it would be
    # remembered as "4 minutes", the text of a moment read just before.
    assert relative_text(NOW - timedelta(minutes=4), now=NOW, locale="es") == "hace 4 minutos"
    moment = NOW - timedelta(seconds=209, microseconds=1)
    assert relative_text(moment, now=NOW, locale="es") == "hace 3 minutos"


def test_relative_texts_at_the_edges_of_units():
    def text(**age: float) -> str:
        return relative_text(NOW - timedelta(**age), now=NOW, locale="en")

    assert text(seconds=0) == "1 second ago"
    assert text(seconds=-30) == "1 second ago"  # a clock slightly ahead
    assert text(seconds=59) == "59 seconds ago"
    assert text(minutes=59, seconds=31) == "60 minutes ago"
    assert text(hours=1) == "1 hour ago"
    assert text(hours=23, minutes=31) == "24 hours ago"
    assert text(days=1) == "1 day ago"
    assert relative_text(NOW - timedelta(days=2), now=NOW, locale="es") == "hace 2 días"
