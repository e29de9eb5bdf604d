"""Days left before a collection window closes: the one count every page and email shows.

Pure: no Django import. A window closes at the end of its deadline day, council local time
(Europe/London, the project's TIME_ZONE), so the count is in whole local calendar days:

- ``days_left(deadline, now)`` = the deadline's date minus today's local date. The deadline day
  itself is not counted: on the deadline day the answer is 0 ("Closes today"), the day before 1
  ("1 day left"); after the deadline it is negative (the window has closed).
- `now` must be an aware datetime (any zone, usually UTC from the clock); it is converted to the
  council's zone before its date is taken, so 23:59 and 00:01 local either side of midnight
  differ by one, and a clock change (BST ↔ GMT) never shifts the count: calendar days are
  counted, not 24-hour spans.
- A naive `now` is refused with `ValueError` naming the argument: its date would depend on the
  server's zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["COUNCIL_ZONE", "days_left", "days_left_label"]

COUNCIL_ZONE = ZoneInfo("Europe/London")


def days_left(deadline: dt.date, now: dt.datetime, zone: dt.tzinfo = COUNCIL_ZONE) -> int:
    """Whole days from today (local to `zone`) to `deadline`: 0 on the deadline day itself."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now: an aware datetime is needed (a naive one has no time zone).")
    return (deadline - now.astimezone(zone).date()).days


def days_left_label(days: int) -> str:
    """How a count from `days_left` is written: "Closes today", "1 day left", "4 days left"."""
    if days < 0:
        return "Closed"
    if days == 0:
        return "Closes today"
    return f"{days} day{'' if days == 1 else 's'} left"
