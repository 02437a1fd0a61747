"""Dates shown to readers, in their language and timezone: relative text ("3 minutes ago",
"hace 3 minutos") for recent moments, a date for older ones, inside a machine-readable
<time> whose title gives the full date and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import format_date, format_datetime, format_timedelta
from htpy import Element, time

# Older than this, a date reads better as a date than as "5 months ago".
RELATIVE_LIMIT = timedelta(days=7)


def is_recent(moment: datetime, *, now: datetime) -> bool:
    """Whether `moment` is shown as relative text ("3 minutes ago") rather than a date."""
    return now - moment < RELATIVE_LIMIT


def timestamp(moment: datetime, *, now: datetime | None = None) -> Element:
    """`<time datetime="ISO" title="full date in the reader's timezone">3 minutes ago</time>`.

    Flask-Babel caches the reader's locale and timezone for the request, so a list of posts
    costs two Babel calls per post; pass `now` once per list.
    """
    now = now or datetime.now(UTC)
    if is_recent(moment, now=now):
        # A post made this very second (or stamped by a clock slightly ahead) is "1 second ago".
        delta = min(moment - now, timedelta(seconds=-1))
        text = format_timedelta(delta, add_direction=True, threshold=1.0)
    else:
        text = format_date(moment, "medium")
    return time(datetime=moment.isoformat(), title=format_datetime(moment, "full"))[text]
