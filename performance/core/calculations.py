"""Pure status rules of SPEC §4: shortfall, Reach the Summit level, direction of travel, aggregation.

No Django import here (a test asserts it): dataclasses in, dataclasses out, Decimal throughout.
Also the SMART test of a target (SPEC §3). Statistical process control lives in `spc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from enum import StrEnum


class Polarity(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NONE = "none"


class Level(StrEnum):
    """Reach the Summit level of a value; the RAG colour is a property of it (SPEC §4)."""

    SUMMIT = "summit"
    FIRSTBASE = "firstbase"
    BASECAMP = "basecamp"
    NO_DATA = "no_data"

    @property
    def points(self) -> Decimal:
        return LEVEL_POINTS[self]

    @property
    def label(self) -> str:
        return {
            "summit": "Summit",
            "firstbase": "Firstbase",
            "basecamp": "Basecamp",
            "no_data": "No data",
        }[self.value]

    @property
    def rag(self) -> str:
        """`green|amber|red|no_data` as in SPEC §12 `indicator_status`."""
        return {"summit": "green", "firstbase": "amber", "basecamp": "red", "no_data": "no_data"}[
            self.value
        ]


LEVEL_POINTS: dict[Level, Decimal] = {
    Level.SUMMIT: Decimal(3),
    Level.FIRSTBASE: Decimal(1),
    Level.BASECAMP: Decimal(0),
    Level.NO_DATA: Decimal("-0.25"),
}


# ---------------------------------------------------------------------------------------------
# Decimal arithmetic policy
#
# Sums, differences and products are computed exactly (`_EXACT` never rounds in practice), so a
# comparison such as "shortfall < tolerance" is decided without any rounding error. Divisions,
# which can repeat forever, are rounded to 28 significant digits (`_QUOTIENT`, Python's default
# precision) in an explicit context so the result never depends on the caller's thread context.
# Nothing here rounds for display: callers quantize when they print.
# ---------------------------------------------------------------------------------------------

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_EVEN)
_QUOTIENT = Context(prec=28, rounding=ROUND_HALF_EVEN)
_HUNDRED = Decimal(100)


def _check_finite(name: str, value: Decimal | None) -> None:
    if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
        raise ValueError(f"{name} must be a finite Decimal or None, not {value!r}")


def _check_decimals(decimals: int) -> None:
    if not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0:
        raise ValueError(f"decimals must be a whole number 0 or more, not {decimals!r}")


def round_to(value: Decimal, decimals: int) -> Decimal:
    """Round `value` to `decimals` places, halves away from zero (ROUND_HALF_UP).

    Why: status is judged on the value the officer sees on screen and in reports, and those
    show the indicator's decimal places rounded the way Excel's ROUND and most people do
    (94.95 → 95.0, -2.5 → -3). Rounding first means two values that print the same are
    scored the same. A rounded zero is returned without a minus sign.
    """
    _check_finite("value", value)
    _check_decimals(decimals)
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_EXACT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


# --- status of one value (SPEC §4) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of an indicator against its target, as the status rules need it.

    `actual` is the activated value (None when there is none yet); `target` None means the
    period has no target. `tolerance` is the amber band T in percent (SPEC §4, default 10).
    """

    actual: Decimal | None
    target: Decimal | None
    polarity: Polarity
    decimals: int
    tolerance: Decimal = Decimal(10)

    def __post_init__(self) -> None:
        _check_finite("actual", self.actual)
        _check_finite("target", self.target)
        _check_finite("tolerance", self.tolerance)
        _check_decimals(self.decimals)
        if self.tolerance < 0:
            raise ValueError(f"tolerance must not be negative, not {self.tolerance}")
        polarity = Polarity(self.polarity)
        if polarity is not self.polarity:
            object.__setattr__(self, "polarity", polarity)


def _rounded_pair(reading: Reading) -> tuple[Decimal, Decimal] | None:
    """Rounded (actual, target), or None when a status cannot be judged."""
    if reading.polarity is Polarity.NONE or reading.actual is None or reading.target is None:
        return None
    return round_to(reading.actual, reading.decimals), round_to(reading.target, reading.decimals)


def _gap(actual: Decimal, target: Decimal, polarity: Polarity) -> Decimal:
    """How far `actual` falls short of `target`, in the indicator's unit; ≤ 0 is on or better."""
    if polarity is Polarity.HIGHER:
        return _EXACT.subtract(target, actual)
    return _EXACT.subtract(actual, target)


def shortfall_pct(reading: Reading) -> Decimal | None:
    """Shortfall against target in percent (SPEC §4), on values rounded to `decimals`.

    higher: (target - actual) / |target| * 100; lower: (actual - target) / |target| * 100.
    Negative means better than target. None when there is no target, no actual, the polarity
    is `none`, or the (rounded) target is 0 — a zero target has no relative shortfall.
    The result is not rounded for display (28 significant digits).
    """
    pair = _rounded_pair(reading)
    if pair is None:
        return None
    actual, target = pair
    if target.is_zero():
        return None
    gap = _gap(actual, target, reading.polarity)
    return _QUOTIENT.divide(_EXACT.multiply(gap, _HUNDRED), target.copy_abs())


def level_of(reading: Reading, *, window_closed: bool = False) -> Level | None:
    """Reach the Summit level of one value (SPEC §4).

    Values are rounded to the indicator's decimals first (see `round_to`). Then:
    shortfall ≤ 0 → Summit; 0 < shortfall < T → Firstbase; shortfall ≥ T → Basecamp. The
    comparison with T is exact (gap * 100 against T * |target|), never a rounded percentage.
    A zero target has no relative shortfall: on or better than it is Summit, worse is Basecamp.

    None when the polarity is `none` (data only, no RAG) or there is no target for the period.
    Without an actual the result is None (still waiting) unless the caller says the collection
    window has closed (`window_closed=True`), which makes it `Level.NO_DATA`.
    """
    if reading.polarity is Polarity.NONE or reading.target is None:
        return None
    if reading.actual is None:
        return Level.NO_DATA if window_closed else None
    pair = _rounded_pair(reading)
    assert pair is not None  # polarity, actual and target were checked above
    actual, target = pair
    gap = _gap(actual, target, reading.polarity)
    if gap <= 0:
        return Level.SUMMIT
    if target.is_zero():
        return Level.BASECAMP
    scaled_gap = _EXACT.multiply(gap, _HUNDRED)
    if scaled_gap < _EXACT.multiply(reading.tolerance, target.copy_abs()):
        return Level.FIRSTBASE
    return Level.BASECAMP


def status_code(level: Level | None) -> str:
    """The `status` cell of SPEC §12 `indicator_status`: green|amber|red|no_data|none."""
    return "none" if level is None else level.rag


# --- direction of travel ----------------------------------------------------------------------


class Direction(StrEnum):
    """Direction of travel against an earlier value (SPEC §4); `none` when it cannot be judged."""

    IMPROVING = "improving"
    DETERIORATING = "deteriorating"
    STABLE = "stable"
    NONE = "none"

    @property
    def label(self) -> str:
        return self.value.capitalize() if self is not Direction.NONE else "No comparison"


def direction_of_travel(
    current: Decimal | None,
    previous: Decimal | None,
    polarity: Polarity,
    decimals: int,
) -> Direction:
    """Compare `current` with `previous` (the previous period, or the same period last year).

    Both are rounded to `decimals` first: equal when rounded → stable. Otherwise improving or
    deteriorating by polarity. `none` when either value is missing or the polarity is `none`.
    """
    _check_finite("current", current)
    _check_finite("previous", previous)
    _check_decimals(decimals)
    if current is None or previous is None or Polarity(polarity) is Polarity.NONE:
        return Direction.NONE
    now, before = round_to(current, decimals), round_to(previous, decimals)
    if now == before:
        return Direction.STABLE
    higher = now > before
    if higher == (Polarity(polarity) is Polarity.HIGHER):
        return Direction.IMPROVING
    return Direction.DETERIORATING


# --- aggregation of sub-periods ---------------------------------------------------------------


class Aggregation(StrEnum):
    """How sub-period values make a period's value (SPEC §3)."""

    SUM = "sum"  # cumulative
    LAST = "last"  # snapshot at period end
    MEAN = "mean"
    RATIO = "ratio"  # sum of numerators / sum of denominators


@dataclass(frozen=True, slots=True)
class Observation:
    """One sub-period's data: its value and, for ratio indicators, numerator and denominator."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    def __post_init__(self) -> None:
        _check_finite("value", self.value)
        _check_finite("numerator", self.numerator)
        _check_finite("denominator", self.denominator)


def aggregate(
    points: Sequence[Observation | None],
    rule: Aggregation,
    *,
    expected: int | None = None,
    allow_partial: bool = False,
    scale: Decimal = _HUNDRED,
) -> Decimal | None:
    """A period's value from its sub-periods (months of a quarter, quarters of a year...).

    `points` holds one entry per sub-period in period order; a missing sub-period is `None`
    or an `Observation` without the field the rule needs (`value`, or for `ratio` both
    `numerator` and `denominator`). `expected`, when given, is how many sub-periods the period
    has: a shorter `points` means the trailing sub-periods are missing (a longer one is an error).

    - sum: total of the values.
    - mean: arithmetic mean of the values.
    - ratio: sum(numerators) / sum(denominators) * `scale` (default 100, a percentage; pass
      `Decimal(1)` for a plain ratio). None when the denominators sum to 0.
    - last: the value of the period's final sub-period.

    Missing sub-periods: sum, mean and ratio return None when any is missing, unless
    `allow_partial=True` (a year-to-date figure), when they use those present. `last` returns
    None when the final sub-period is missing; with `allow_partial=True` it takes the latest
    one present. Any rule returns None when nothing is present. No rounding is applied.
    """
    rule = Aggregation(rule)
    _check_finite("scale", scale)
    entries: list[Observation | None] = list(points)
    if expected is not None:
        if len(entries) > expected:
            raise ValueError(f"{len(entries)} sub-period values given for {expected} sub-periods")
        entries += [None] * (expected - len(entries))

    if rule is Aggregation.RATIO:
        pairs = [
            (p.numerator, p.denominator)
            for p in entries
            if p is not None and p.numerator is not None and p.denominator is not None
        ]
        if not pairs or (len(pairs) < len(entries) and not allow_partial):
            return None
        numerator = _total(n for n, _ in pairs)
        denominator = _total(d for _, d in pairs)
        if denominator.is_zero():
            return None
        return _QUOTIENT.divide(_EXACT.multiply(numerator, scale), denominator)

    values = [p.value if p is not None else None for p in entries]
    present = [v for v in values if v is not None]
    if not present:
        return None
    if rule is Aggregation.LAST:
        if values[-1] is not None:
            return values[-1]
        return present[-1] if allow_partial else None
    if len(present) < len(values) and not allow_partial:
        return None
    total = _total(present)
    if rule is Aggregation.SUM:
        return total
    return _QUOTIENT.divide(total, Decimal(len(present)))


def _total(values: Iterable[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total


# --- SMART test of a target (SPEC §3) ---------------------------------------------------------


class SmartPart(StrEnum):
    SPECIFIC = "Specific"
    MEASURABLE = "Measurable"
    ACHIEVABLE = "Achievable"
    REALISTIC = "Realistic"
    TIMESCALED = "Timescaled"

    @property
    def hint(self) -> str:
        """What the target needs to pass this part."""
        return _SMART_HINTS[self]


_SMART_HINTS = {
    SmartPart.SPECIFIC: "link it to an objective or outcome",
    SmartPart.MEASURABLE: "give it a unit and a value",
    SmartPart.ACHIEVABLE: "record evidence: a baseline, a trend or a benchmark quartile",
    SmartPart.REALISTIC: "record why it is realistic",
    SmartPart.TIMESCALED: "give it a period or a date",
}


@dataclass(frozen=True, slots=True)
class SmartRecord:
    """What is recorded about a target, for the SMART test.

    `linked_to` names the objective or outcome the target serves. `trend_evidence` is True
    when earlier values of the indicator show a trend; `benchmark_quartile` is 1-4.
    `realistic` is the officer's tick; a non-blank `realism_note` counts as well.
    """

    linked_to: str | None = None
    unit: str | None = None
    value: Decimal | None = None
    baseline: Decimal | None = None
    trend_evidence: bool = False
    benchmark_quartile: int | None = None
    realistic: bool = False
    realism_note: str = ""
    period: str | None = None
    due_date: date | None = None


def _filled(text: str | None) -> bool:
    return bool(text and text.strip())


def smart_gaps(record: SmartRecord) -> list[SmartPart]:
    """The SMART parts `record` lacks, in S-M-A-R-T order (an empty list: a SMART target).

    Specific: linked to an objective/outcome. Measurable: a unit and a value. Achievable: any
    one piece of evidence — baseline, trend, or benchmark quartile. Realistic: the realistic
    tick or a non-blank realism note. Timescaled: a period or a date. Blank text counts as
    missing. Parts are `SmartPart` (a str enum, so they compare equal to "Specific" etc.).
    """
    gaps: list[SmartPart] = []
    if not _filled(record.linked_to):
        gaps.append(SmartPart.SPECIFIC)
    if not _filled(record.unit) or record.value is None:
        gaps.append(SmartPart.MEASURABLE)
    if record.baseline is None and not record.trend_evidence and record.benchmark_quartile is None:
        gaps.append(SmartPart.ACHIEVABLE)
    if not record.realistic and not _filled(record.realism_note):
        gaps.append(SmartPart.REALISTIC)
    if not _filled(record.period) and record.due_date is None:
        gaps.append(SmartPart.TIMESCALED)
    return gaps
