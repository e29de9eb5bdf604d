"""Milestone-based progress of a service plan for a month (SPEC §2, §7).

Pure: no Django import. A service plan's progress for a month is the share of its milestones
due by the end of that month that had been met by then. Reach the Summit's `learning`
perspective scores the quarter's last month of it against a target of 100%.

Edge-case policy:

- A milestone is *due* when ``due_on <= month_end``; one due later is left out entirely, even
  when it was already met early (early delivery does not inflate the month's share).
- A due milestone counts as *met* when ``met_on`` is set and ``met_on <= month_end``: met late
  but still within the month counts; met after the month's end does not count for that month
  (it does count for later months).
- No milestone due by the month's end → ``None`` (no data), never 0% or 100%.
- The result is an unrounded `Decimal` percentage 0-100; rounding is for display only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from performance.core import periods

__all__ = [
    "MilestoneFact",
    "MonthProgress",
    "half_year_of",
    "month_progress",
    "month_summary",
    "reporting_half_year",
]


@dataclass(frozen=True, slots=True)
class MilestoneFact:
    """One milestone: the date it is due and the date it was met (None while not met)."""

    due_on: date
    met_on: date | None


@dataclass(frozen=True, slots=True)
class MonthProgress:
    """The counts behind a month's progress, for display ("3 of 4 milestones met")."""

    month_end: date
    due: int
    met: int

    @property
    def percent(self) -> Decimal | None:
        """Share met as an unrounded percentage; None when nothing was due."""
        if self.due == 0:
            return None
        return Decimal(self.met) * 100 / Decimal(self.due)


def month_summary(milestones: Sequence[MilestoneFact], month_end: date) -> MonthProgress:
    """Count the milestones due by `month_end` and those of them met by `month_end`."""
    due = [m for m in milestones if m.due_on <= month_end]
    met = sum(1 for m in due if m.met_on is not None and m.met_on <= month_end)
    return MonthProgress(month_end=month_end, due=len(due), met=met)


def month_progress(milestones: Sequence[MilestoneFact], month_end: date) -> Decimal | None:
    """Percentage (0-100, unrounded) of milestones due by `month_end` that were met by then.

    Returns None when no milestone was due by `month_end`.
    """
    return month_summary(milestones, month_end).percent


# --- Strategic actions: bi-annual updates (SPEC §2, §5) ---------------------------------------


def half_year_of(day: date) -> periods.Period:
    """The half-year containing `day`, labelled by the quarter that ends it.

    April-September is ``YYYY/YY Q2`` (update due 1 October); October-March is ``YYYY/YY Q4``
    (update due 1 April), as the collection rounds are labelled.
    """
    quarter = periods.quarter_of(day)
    return quarter if quarter.quarter_number in (2, 4) else quarter.next()


def reporting_half_year(today: date, window_days: int = 10) -> periods.Period:
    """The half-year a strategic-action update written `today` is for.

    While the collection window for the half-year just ended is open (1-10 October, 1-10
    April by default) updates are for that half-year; otherwise for the one in progress.
    """
    current = half_year_of(today)
    previous = current.shift(-2)
    if today <= previous.window_close(window_days):
        return previous
    return current
