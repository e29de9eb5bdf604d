"""Pure complaint timescale rules of SPEC §6: working days, response due dates, lateness, and the
counts of the quarterly complaints report.

No Django import here. Working days are Monday to Friday except England & Wales bank holidays,
taken from the maintained `holidays` library (`GB`, subdivision `ENG`; England and Wales share
one set, including substitute days and one-off holidays such as 19 September 2022).

Day counting
    The day of receipt is day 0 and the response is due on the n-th working day after it. A
    complaint received on a weekend or bank holiday is treated as received on the next working
    day (that day is day 0), so the service always has n full working days, as councils'
    complaint policies put it. A response on the due date is on time.

Lateness (SPEC §6)
    A complaint is late when it was responded after its due date, or is unanswered once its due
    date has passed. For the league table it counts once, against the quarter in which it FELL
    DUE, whatever quarter the late response came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import MappingProxyType

import holidays

from reach_summit.calculations import TeamKey

DEFAULT_TIMESCALES: Mapping[int, int] = MappingProxyType({1: 10, 2: 20})
"""Working days to respond, per complaint stage (SPEC §6; the Ombudsmen's complaint code)."""


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # One immutable set per year: cheap membership tests, safe to share between threads.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    """True on an England & Wales bank holiday (including substitute days)."""
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (`start` itself is never counted; n = 0 → `start`).

    Weekends and England & Wales bank holidays are skipped. Negative n is an error.
    """
    if n < 0:
        raise ValueError("n must be zero or more working days")
    day = start
    for _ in range(n):
        day = next_working_day(day + timedelta(days=1))
    return day


def response_due(
    received: date, stage: int, timescales: Mapping[int, int] = DEFAULT_TIMESCALES
) -> date:
    """Date the response to a complaint of `stage` is due (SPEC §6).

    Receipt on a non-working day counts as receipt on the next working day; the due date is
    then the stage's number of working days after receipt. A stage missing from `timescales`
    is an error rather than a guess.
    """
    try:
        days = timescales[stage]
    except KeyError:
        raise ValueError(f"no response timescale for complaint stage {stage}") from None
    return add_working_days(next_working_day(received), days)


def is_late(due: date, responded: date | None, as_at: date) -> bool:
    """Whether a complaint is late as known on `as_at`.

    Responded by `as_at`: late when the response came after `due` (on `due` is on time).
    Not responded by `as_at` (a response dated later is not yet known): late once `as_at` is
    after `due`, since it can no longer be on time; not late while the due date has not passed.
    """
    if responded is not None and responded <= as_at:
        return responded > due
    return as_at > due


def late_in_quarter(
    due: date,
    responded: date | None,
    quarter_start: date,
    quarter_end: date,
    today: date,
) -> bool:
    """Whether a complaint counts as late against this quarter in the league table (SPEC §6, §7).

    It counts only in the quarter in which it fell due (`quarter_start <= due <= quarter_end`,
    inclusive), and there when it was responded after its due date or is still unanswered;
    so a complaint answered late in a later quarter counts once, in the quarter it fell due.
    `today` is when the table is computed: after the quarter (the frozen table) every complaint
    due in it is settled; during it (the provisional table) an overdue unanswered complaint
    already counts, and one not yet due does not.
    """
    return quarter_start <= due <= quarter_end and is_late(due, responded, today)


# ----------------------------------------------------------------------- complaints report


@dataclass(frozen=True, slots=True)
class Complaint:
    """One complaint as the report needs it; `due` is stored, computed by `response_due`."""

    reference: str
    team_key: TeamKey
    team_name: str
    received: date
    due: date
    responded: date | None = None
    stage: int = 1


@dataclass(frozen=True, slots=True)
class ComplaintCounts:
    """A team's (or the total's) complaint counts for one quarter.

    `received` and `responded` count complaints received / responded within the quarter.
    `fell_due` counts complaints due within it, and splits exactly into `on_time` + `late` +
    `pending` (not yet due-and-missed, only before the quarter is over). `late` is the number
    the league table deducts points for, with the references in `late_references`.
    """

    team_key: TeamKey | None
    team_name: str
    received: int = 0
    responded: int = 0
    fell_due: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    late_references: tuple[str, ...] = ()

    @property
    def percent_on_time(self) -> Decimal | None:
        """On time as a percentage of complaints due and decided, 1 dp half up; None if none."""
        decided = self.on_time + self.late
        if not decided:
            return None
        return (Decimal(100 * self.on_time) / decided).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


@dataclass(frozen=True, slots=True)
class ComplaintsSummary:
    """The quarterly complaints report's counts per team (by name) and in total."""

    quarter_start: date
    quarter_end: date
    as_at: date
    teams: tuple[ComplaintCounts, ...]
    total: ComplaintCounts

    def late_references(self) -> dict[TeamKey, tuple[str, ...]]:
        """Late complaint references per team: the league table's `late_complaint_refs`."""
        return {c.team_key: c.late_references for c in self.teams if c.team_key is not None}


def _count(
    team_key: TeamKey | None,
    team_name: str,
    complaints: list[Complaint],
    quarter_start: date,
    quarter_end: date,
    today: date,
) -> ComplaintCounts:
    def within(day: date | None) -> bool:
        return day is not None and quarter_start <= day <= quarter_end and day <= today

    due = [c for c in complaints if quarter_start <= c.due <= quarter_end]
    late = sorted(c.reference for c in due if is_late(c.due, c.responded, today))
    on_time = sum(
        1 for c in due if c.responded is not None and c.responded <= today and c.responded <= c.due
    )
    return ComplaintCounts(
        team_key=team_key,
        team_name=team_name,
        received=sum(1 for c in complaints if within(c.received)),
        responded=sum(1 for c in complaints if within(c.responded)),
        fell_due=len(due),
        on_time=on_time,
        late=len(late),
        pending=len(due) - on_time - len(late),
        late_references=tuple(late),
    )


def summarise_complaints(
    complaints: Iterable[Complaint],
    *,
    quarter_start: date,
    quarter_end: date,
    today: date,
    teams: Iterable[tuple[TeamKey, str]] = (),
) -> ComplaintsSummary:
    """Counts for the quarterly complaints report (SPEC §6), per team and in total.

    Every team with a complaint gets a row; `teams` adds rows (all zeros) for teams that had
    none. Events after `today` are not yet known and are not counted. Lateness follows
    `late_in_quarter`, so the report's late count is the league table's. The trend is the
    caller's comparison of consecutive quarters' summaries.
    """
    names: dict[TeamKey, str] = dict(teams)
    by_team: dict[TeamKey, list[Complaint]] = {key: [] for key in names}
    everything = list(complaints)
    for c in everything:
        names.setdefault(c.team_key, c.team_name)
        by_team.setdefault(c.team_key, []).append(c)
    rows = sorted(
        (
            _count(key, names[key], listed, quarter_start, quarter_end, today)
            for key, listed in by_team.items()
        ),
        key=lambda r: (r.team_name.casefold(), r.team_name, str(r.team_key)),
    )
    return ComplaintsSummary(
        quarter_start=quarter_start,
        quarter_end=quarter_end,
        as_at=today,
        teams=tuple(rows),
        total=_count(None, "All teams", everything, quarter_start, quarter_end, today),
    )
