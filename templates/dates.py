"""Dates shown to readers, in their language and timezone: relative text ("3 minutes ago",
"hace 3 minutos") for recent moments, a date for older ones, inside a machine-readable
<time> whose title gives the full date and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.dates import TIMEDELTA_UNITS
from flask_babel import format_date, format_datetime, get_locale
from htpy import Element, Node, time

# Older than this, a date reads better as a date than as "5 months ago".
RELATIVE_LIMIT = timedelta(days=7)

# Relative texts already formatted, by (locale, future?, unit, count): Babel's text depends on
# nothing else, and a list of posts asks for the same few dozen texts again and again. The key
# space is small (a week holds ~150 unit-count pairs), so the memo needs no eviction.
_relative_texts: dict[tuple[str, bool, str, int], str] = {}


def is_recent(moment: datetime, *, now: datetime) -> bool:
    """Whether `moment` is shown as relative text ("3 minutes ago") rather than a date."""
    return now - moment < RELATIVE_LIMIT


def _babel_unit(seconds: float) -> tuple[str, int]:
    """The unit and rounded count that babel.dates.format_timedelta (threshold 1.0,
    granularity "second") shows for a delta of `seconds`, found the way it finds them."""
    for unit, size in TIMEDELTA_UNITS:
        value = abs(seconds) / size
        if value >= 1.0 or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            return unit, round(value)
    raise AssertionError("the last unit always matches")  # pragma: no cover


def relative_text(moment: datetime, *, now: datetime, locale: str) -> str:
    """ "3 minutes ago" in `locale`, for `moment` seen at `now`."""
    # A post made this very second (or stamped by a clock slightly ahead) is "1 second ago".
    delta = min(moment - now, timedelta(seconds=-1))
    seconds = delta.total_seconds()  # with the microseconds, as Babel counts them
    key = (locale, seconds >= 0, *_babel_unit(seconds))
    text = _relative_texts.get(key)
    if text is None:
        text = babel_dates.format_timedelta(delta, add_direction=True, threshold=1.0, locale=locale)
        _relative_texts[key] = text
    return text


def full_date_in(moment: datetime, *, locale: str, timezone: str) -> str:
    """The full date and time of `moment` in `locale` and `timezone` (an IANA name), as
    Flask-Babel's format_datetime(moment, "full") gives it for that reader, from the arguments
    alone."""
    return babel_dates.format_datetime(moment, "full", tzinfo=ZoneInfo(timezone), locale=locale)


def date_text_in(moment: datetime, *, locale: str, timezone: str) -> str:
    """date_text() for a reader of `locale` in `timezone`, from the arguments alone."""
    return babel_dates.format_date(moment.astimezone(ZoneInfo(timezone)), "medium", locale=locale)


def date_text(moment: datetime) -> str:
    """The date of an older moment, in the reader's language and timezone: "Jan 5, 2026"."""
    return format_date(moment, "medium")


def timestamp(moment: datetime, *, now: datetime | None = None, text: Node = None) -> Element:
    """`<time datetime="ISO" title="full date in the reader's timezone">3 minutes ago</time>`.

    `text` replaces the visible text (the cache of post cards puts a placeholder there).
    """
    now = now or datetime.now(UTC)
    if text is None:
        if is_recent(moment, now=now):
            text = relative_text(moment, now=now, locale=str(get_locale()))
        else:
            text = date_text(moment)
    return time(datetime=moment.isoformat(), title=format_datetime(moment, "full"))[text]
