"""Reporting periods: financial years, quarters and months (SPEC §3, §5).

Pure: no Django import. One frozen `Period` value type, parsed from and printed as the
written forms the council uses:

- financial year (April to March): ``2024/25``
- quarter of a financial year: ``2024/25 Q1`` (Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar)
- month: ``2024-07``

Edge-case policy:

- `parse` strips surrounding whitespace and accepts a lower-case ``q``; anything else that is not
  exactly one of the forms above raises `PeriodError` (a `ValueError`) naming the bad text and
  the expected forms. ``2024/2025`` and ``2024-7`` are refused rather than guessed.
- Supported financial years are ``1000/01`` to ``9998/99`` (four-digit years both ends); a
  period outside them, including one reached by `next`/`previous`, raises `PeriodError`.
- Periods order chronologically by start date; periods that start on the same day order
  shorter first (``2024-04`` < ``2024/25 Q1`` < ``2024/25``), so sorting is total.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

__all__ = [
    "MAX_FY",
    "MIN_FY",
    "Frequency",
    "Period",
    "PeriodError",
    "between",
    "containing",
    "current_financial_year",
    "financial_year_of",
    "month_of",
    "parse",
    "quarter_of",
    "window_close",
]

MIN_FY = 1000  # first supported financial year starts 1 April 1000 (written 1000/01)
MAX_FY = 9998  # last supported financial year is 9998/99

EXPECTED_FORMS = "a financial year like 2024/25, a quarter like 2024/25 Q1 or a month like 2024-07"


class PeriodError(ValueError):
    """A text that is not a period, or a period outside the supported range."""


class Frequency(StrEnum):
    """How often an indicator is reported; also the kind of a `Period` (SPEC §3)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        """Length of one period of this kind in calendar months."""
        return _MONTHS[self]

    @property
    def per_year(self) -> int:
        """Periods of this kind in one financial year (12, 4 or 1)."""
        return 12 // _MONTHS[self]


_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}

# Month index = year * 12 + (month - 1): makes shifting by whole months plain integer arithmetic.


def _index_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_day(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def _last_day(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])


def _fy_start_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _a(kind: Frequency) -> str:
    return f"an {kind.value}" if kind is Frequency.ANNUAL else f"a {kind.value}"


def _two_digits(year: int) -> str:
    return f"{year % 100:02d}"


@dataclass(frozen=True, slots=True)
class Period:
    """One month, quarter or financial year; `start` and `end` are both inclusive.

    Build one with `parse`, `containing` or the `for_month`/`for_quarter`/`for_year`
    constructors; constructing directly validates that the dates are exactly such a period.
    """

    kind: Frequency
    start: date
    end: date

    def __post_init__(self) -> None:
        kind = Frequency(self.kind)
        if kind is not self.kind:  # a plain string such as "monthly": keep the enum
            object.__setattr__(self, "kind", kind)
        first = _index_of(self.start)
        ok = (
            self.start.day == 1
            and self.end == _last_day(first + kind.months - 1)
            and (kind is Frequency.MONTHLY or (self.start.month - 4) % kind.months == 0)
        )
        if not ok:
            raise PeriodError(f"{self.start}-{self.end} is not {_a(kind)} period")
        fy = _fy_start_year(self.start)
        if not MIN_FY <= fy <= MAX_FY:
            raise PeriodError(
                f"{self.start}-{self.end} is outside the supported financial years "
                f"{MIN_FY}/{_two_digits(MIN_FY + 1)} to {MAX_FY}/{_two_digits(MAX_FY + 1)}"
            )

    # --- constructors -------------------------------------------------------------------

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        """The calendar month `year`-`month` (e.g. 2024, 7 → ``2024-07``)."""
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} is not 1-12")
        index = year * 12 + month - 1
        return cls._from_index(Frequency.MONTHLY, index)

    @classmethod
    def for_quarter(cls, fy_start_year: int, quarter: int) -> Period:
        """Quarter 1-4 of the financial year starting in April of `fy_start_year`."""
        if not 1 <= quarter <= 4:
            raise PeriodError(f"quarter Q{quarter} is not Q1-Q4")
        return cls._from_index(Frequency.QUARTERLY, fy_start_year * 12 + 3 + 3 * (quarter - 1))

    @classmethod
    def for_year(cls, fy_start_year: int) -> Period:
        """The financial year 1 April `fy_start_year` - 31 March of the next year."""
        return cls._from_index(Frequency.ANNUAL, fy_start_year * 12 + 3)

    @classmethod
    def _from_index(cls, kind: Frequency, first: int) -> Period:
        try:
            start, end = _first_day(first), _last_day(first + kind.months - 1)
        except ValueError as exc:  # year outside what `date` can hold
            raise PeriodError(f"{kind.value} period is outside the supported range") from exc
        return cls(kind, start, end)

    # --- printing and ordering ----------------------------------------------------------

    def __str__(self) -> str:
        if self.kind is Frequency.MONTHLY:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        fy = self.fy_start_year
        year = f"{fy:04d}/{_two_digits(fy + 1)}"
        if self.kind is Frequency.QUARTERLY:
            return f"{year} Q{self.quarter_number}"
        return year

    def _key(self) -> tuple[date, date]:
        return (self.start, self.end)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() >= other._key()

    # --- facts about the period ---------------------------------------------------------

    @property
    def fy_start_year(self) -> int:
        """Calendar year in which the containing financial year starts (2024 for 2024/25)."""
        return _fy_start_year(self.start)

    @property
    def quarter_number(self) -> int | None:
        """1-4 for a quarter or a month (the quarter it falls in); None for a financial year."""
        if self.kind is Frequency.ANNUAL:
            return None
        return (self.start.month - 4) % 12 // 3 + 1

    @property
    def financial_year(self) -> Period:
        """The financial year containing this period (itself for a financial year)."""
        return Period.for_year(self.fy_start_year)

    def contains(self, other: Period | date) -> bool:
        """True when `other` (a period or a day) lies wholly inside this period."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other <= self.end

    def sub_periods(self, kind: Frequency) -> tuple[Period, ...]:
        """The periods of `kind` making up this one, in order.

        A period is its own only sub-period of the same kind; asking for a longer kind
        (the quarters of a month) raises `PeriodError`.
        """
        kind = Frequency(kind)
        if kind.months > self.kind.months:
            raise PeriodError(f"{_a(self.kind)} period has no {kind.value} sub-periods")
        first = _index_of(self.start)
        return tuple(
            Period._from_index(kind, index)
            for index in range(first, first + self.kind.months, kind.months)
        )

    def months(self) -> tuple[Period, ...]:
        """The months of this period in order (1, 3 or 12 of them)."""
        return self.sub_periods(Frequency.MONTHLY)

    def quarters(self) -> tuple[Period, ...]:
        """The quarters of this period in order; `PeriodError` for a month."""
        return self.sub_periods(Frequency.QUARTERLY)

    # --- moving about -------------------------------------------------------------------

    def shift(self, steps: int) -> Period:
        """The period of the same kind `steps` periods later (earlier when negative)."""
        return Period._from_index(self.kind, _index_of(self.start) + steps * self.kind.months)

    def next(self) -> Period:
        """The following period of the same kind (``2024/25 Q4`` → ``2025/26 Q1``)."""
        return self.shift(1)

    def previous(self) -> Period:
        """The preceding period of the same kind (``2024-01`` → ``2023-12``)."""
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        """The same month, quarter or financial year twelve months earlier."""
        return Period._from_index(self.kind, _index_of(self.start) - 12)

    # --- the data collection cycle (SPEC §5) --------------------------------------------

    def request_date(self) -> date:
        """The day the data for this period is requested: the 1st of the month after it ends."""
        return self.end + timedelta(days=1)

    def window_close(self, days: int = 10) -> date:
        """Last day of this period's collection window (the window closes at its end)."""
        return window_close(self.request_date(), days)


# --- parsing ----------------------------------------------------------------------------

_YEAR_RE = re.compile(r"(\d{4})/(\d{2})(?:\s+[Qq](\d+))?")
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse(text: str, *, kind: Frequency | None = None) -> Period:
    """Read a period written ``2024/25``, ``2024/25 Q1`` or ``2024-07``.

    Surrounding whitespace is ignored and ``q1`` is read as ``Q1``. When `kind` is given the
    period must be of that kind. Raises `PeriodError` with a message that quotes the text and
    says what was expected.
    """
    if not isinstance(text, str):
        raise PeriodError(f"{text!r} is not a period: expected {EXPECTED_FORMS}")
    cleaned = text.strip()
    if not cleaned:
        raise PeriodError(f"a period is required: expected {EXPECTED_FORMS}")
    period = _parse(cleaned, text)
    if kind is not None and period.kind is not Frequency(kind):
        raise PeriodError(
            f"{text!r} is {_a(period.kind)} period, expected {_a(Frequency(kind))} one"
        )
    return period


def _parse(cleaned: str, text: str) -> Period:
    def bad(reason: str) -> PeriodError:
        return PeriodError(f"{text!r} is not a period ({reason}): expected {EXPECTED_FORMS}")

    if match := _YEAR_RE.fullmatch(cleaned):
        first, second, quarter = int(match[1]), match[2], match[3]
        if second != _two_digits(first + 1):
            raise bad(f"the year after {first} is written /{_two_digits(first + 1)}")
        if quarter is not None and not 1 <= int(quarter) <= 4:
            raise bad(f"quarter Q{quarter} is not Q1-Q4")
        try:
            if quarter is None:
                return Period.for_year(first)
            return Period.for_quarter(first, int(quarter))
        except PeriodError as exc:
            raise bad(str(exc)) from exc
    if match := _MONTH_RE.fullmatch(cleaned):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise bad(f"month {match[2]} is not 01-12")
        try:
            return Period.for_month(year, month)
        except PeriodError as exc:
            raise bad(str(exc)) from exc
    raise bad("unrecognised form")


# --- periods of a day -------------------------------------------------------------------


def containing(day: date, kind: Frequency) -> Period:
    """The period of `kind` that contains `day`."""
    kind = Frequency(kind)
    if kind is Frequency.MONTHLY:
        return Period.for_month(day.year, day.month)
    if kind is Frequency.QUARTERLY:
        return Period.for_quarter(_fy_start_year(day), (day.month - 4) % 12 // 3 + 1)
    return Period.for_year(_fy_start_year(day))


def month_of(day: date) -> Period:
    """The month containing `day`."""
    return containing(day, Frequency.MONTHLY)


def quarter_of(day: date) -> Period:
    """The financial quarter containing `day` (15 May 2024 → ``2024/25 Q1``)."""
    return containing(day, Frequency.QUARTERLY)


def financial_year_of(day: date) -> Period:
    """The financial year containing `day` (31 March 2025 → ``2024/25``)."""
    return containing(day, Frequency.ANNUAL)


def current_financial_year(today: date) -> Period:
    """The financial year in progress on `today`; the caller passes today (no clock here)."""
    return financial_year_of(today)


def between(first: Period, last: Period) -> tuple[Period, ...]:
    """Every period from `first` to `last` inclusive, both of the same kind.

    Empty when `last` is before `first`; `PeriodError` when the kinds differ.
    """
    if first.kind is not last.kind:
        raise PeriodError(f"{first} and {last} are not of the same kind")
    steps = (_index_of(last.start) - _index_of(first.start)) // first.kind.months
    return tuple(first.shift(step) for step in range(steps + 1))


def window_close(request_date: date, days: int = 10) -> date:
    """Last day of a collection window of `days` days opening on `request_date` (SPEC §5).

    The window opens at the start of the request date and closes at the end of its last day:
    1 July with 10 days → 10 July. `days` must be at least 1.
    """
    if days < 1:
        raise ValueError(f"a collection window lasts at least one day, not {days}")
    return request_date + timedelta(days=days - 1)
