"""XmR statistical process control of an indicator's history (SPEC §4, NHS "Making Data Count").

Pure: no Django import; dataclasses in and out; `Decimal` throughout, no floats.

Method, for each segment of the series (the whole series, or the stretches between the change
points at which the performance officer rebased the limits):

- centre line = mean; moving range = |xᵢ - xᵢ₋₁| within the segment; process limits =
  mean ± 2.66 * mean moving range. Moving ranges are not screened for outliers.
- near-limit band = strictly beyond mean ± (2/3 * 2.66) * mean moving range and not beyond the
  process limit on that side (a point exactly on a limit is inside it).
- rules, each flagging every point of the run that triggers it, evaluated within a segment:
  1. outside a process limit (strictly beyond it);
  2. shift: `run_length` or more consecutive points strictly on the same side of the mean;
     a point exactly on the mean belongs to neither side and breaks the run;
  3. trend: `run_length` or more consecutive *points* each strictly above (or below) the one
     before — so the default 7 means six consecutive increases, as Making Data Count counts
     points; a repeated value breaks the trend (it may start the next one);
  4. two of three consecutive points in the near-limit band, all three strictly on the same
     side of the mean; the points in the band are flagged (not the third point nearer the mean).
- variation of a point: `common` when no rule flags it; otherwise the side of each signal
  (above the mean / rising is "high") is judged by polarity: high is `improving` when higher is
  better, `concerning` when lower is better, and vice versa. A point with both high and low
  signals (say a falling trend inside an upward shift) is `concerning`, erring towards a
  comment being asked for. Polarity `none` gives `neutral` for any signal.
- a segment with fewer than `min_points` (default 12) values gets no limits: its points are a
  plain run chart with variation `none`, and the result carries a note saying so.
- assurance compares the target with the latest segment's limits: higher is better — target
  strictly above the upper limit → `fail`, strictly below the lower limit → `pass`, otherwise
  `hit_and_miss`; mirrored when lower is better; `none` without a target, with polarity `none`,
  or when the latest segment has no limits.

Exactness: which side of the mean a point lies, whether it is beyond a limit or in the band,
and the assurance are decided by exact Decimal arithmetic (cross-multiplied, no division), so a
point exactly on the mean or a limit is recognised as such. The reported mean, moving range and
limits are quotients rounded to 28 significant digits; quantize them only when displaying.
The series is taken as evenly spaced: missing periods should be dropped by the caller.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    localcontext,
)
from enum import StrEnum

from performance.core.calculations import Polarity

__all__ = [
    "LIMIT_FACTOR",
    "MIN_POINTS",
    "Assurance",
    "Segment",
    "SpcInput",
    "SpcPoint",
    "SpcResult",
    "Variation",
    "analyse",
    "latest_variations",
]

LIMIT_FACTOR = Decimal("2.66")
MIN_POINTS = 12

_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_EVEN)
_QUOTIENT = Context(prec=28, rounding=ROUND_HALF_EVEN)


class Variation(StrEnum):
    """The SPC reading of one point (SPEC §12 `variation`)."""

    COMMON = "common"
    IMPROVING = "improving"
    CONCERNING = "concerning"
    NEUTRAL = "neutral"
    NONE = "none"

    @property
    def label(self) -> str:
        return _VARIATION_LABELS[self]


_VARIATION_LABELS = {
    Variation.COMMON: "Common cause variation",
    Variation.IMPROVING: "Special cause: improving",
    Variation.CONCERNING: "Special cause: concerning",
    Variation.NEUTRAL: "Special cause: neither improving nor concerning",
    Variation.NONE: "Too few points for SPC",
}


class Assurance(StrEnum):
    """Whether the process will meet its target (SPEC §12 `assurance`)."""

    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"
    NONE = "none"

    @property
    def label(self) -> str:
        return _ASSURANCE_LABELS[self]


_ASSURANCE_LABELS = {
    Assurance.PASS: "Consistently passes the target",
    Assurance.FAIL: "Consistently fails the target",
    Assurance.HIT_AND_MISS: "Hits and misses the target",
    Assurance.NONE: "No assurance",
}


@dataclass(frozen=True, slots=True)
class SpcInput:
    """An indicator's values of one frequency, oldest first, and how to read them.

    `rebase_at` lists indices into `values` at which a new segment starts (the first point after
    a recorded change point). Indices 0 and ≥ len(values) are ignored — the latter so a change
    point recorded later does not stop a caller analysing the series up to an earlier period.
    """

    values: Sequence[Decimal]
    polarity: Polarity
    target: Decimal | None = None
    run_length: int = 7
    rebase_at: Sequence[int] = ()
    min_points: int = MIN_POINTS

    def __post_init__(self) -> None:
        values = tuple(self.values)
        try:  # one pass in C (a series can be long); the loop below only names the culprit
            valid = all(map(Decimal.is_finite, values))
        except TypeError:  # not a Decimal
            valid = False
        if not valid:
            for value in values:
                if not (isinstance(value, Decimal) and value.is_finite()):
                    raise ValueError(f"SPC values must be finite Decimals, not {value!r}")
        if self.target is not None and not (
            isinstance(self.target, Decimal) and self.target.is_finite()
        ):
            raise ValueError(f"target must be a finite Decimal or None, not {self.target!r}")
        if self.run_length < 2:
            raise ValueError(f"run_length must be at least 2, not {self.run_length}")
        if self.min_points < 2:
            raise ValueError(f"min_points must be at least 2, not {self.min_points}")
        if any(index < 0 for index in self.rebase_at):
            raise ValueError(f"rebase indices must not be negative: {list(self.rebase_at)}")
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "rebase_at", tuple(sorted(set(self.rebase_at))))
        object.__setattr__(self, "polarity", Polarity(self.polarity))


@dataclass(frozen=True, slots=True)
class Segment:
    """The statistics of points `start` ≤ i < `stop`; limits are None for a run chart segment."""

    start: int
    stop: int
    mean: Decimal
    mean_moving_range: Decimal | None = None
    upper_limit: Decimal | None = None
    lower_limit: Decimal | None = None
    upper_near: Decimal | None = None  # inner edge of the upper near-limit band
    lower_near: Decimal | None = None  # inner edge of the lower near-limit band

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def has_limits(self) -> bool:
        return self.upper_limit is not None


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One point with the rules that flag it and its variation."""

    index: int
    value: Decimal
    segment: int
    outside_limit: bool = False  # rule 1
    shift: bool = False  # rule 2
    trend: bool = False  # rule 3
    two_of_three: bool = False  # rule 4
    variation: Variation = Variation.NONE

    @property
    def rules(self) -> tuple[int, ...]:
        """Numbers (1-4) of the rules that flag this point."""
        flags = (self.outside_limit, self.shift, self.trend, self.two_of_three)
        return tuple(number for number, flag in enumerate(flags, start=1) if flag)

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True, slots=True)
class SpcResult:
    """Points, segments (oldest first), assurance and a note ("" when SPC applies in full)."""

    points: tuple[SpcPoint, ...]
    segments: tuple[Segment, ...]
    assurance: Assurance
    note: str = ""

    @property
    def latest(self) -> Segment | None:
        """The latest segment: its limits are the ones shown and used for assurance."""
        return self.segments[-1] if self.segments else None

    @property
    def is_run_chart(self) -> bool:
        """True when the latest segment has too few points for process limits."""
        return self.latest is None or not self.latest.has_limits

    @property
    def latest_variation(self) -> Variation:
        """Variation of the last point (the `variation` cell of SPEC §12)."""
        return self.points[-1].variation if self.points else Variation.NONE

    @property
    def mean(self) -> Decimal | None:
        return self.latest.mean if self.latest else None

    @property
    def mean_moving_range(self) -> Decimal | None:
        return self.latest.mean_moving_range if self.latest else None

    @property
    def upper_limit(self) -> Decimal | None:
        return self.latest.upper_limit if self.latest else None

    @property
    def lower_limit(self) -> Decimal | None:
        return self.latest.lower_limit if self.latest else None

    @property
    def upper_near(self) -> Decimal | None:
        return self.latest.upper_near if self.latest else None

    @property
    def lower_near(self) -> Decimal | None:
        return self.latest.lower_near if self.latest else None


YEAR_TO_DATE_NOTE = (
    "No process limits: a year-to-date figure builds up from April and starts again each year, "
    "so SPC does not apply; compare it with the same period last year."
)


def not_applied(values: Sequence[Decimal], note: str = YEAR_TO_DATE_NOTE) -> SpcResult:
    """The points of a series SPC must not read (a year-to-date figure): no limits, no signals."""
    points = tuple(SpcPoint(index=i, value=value, segment=0) for i, value in enumerate(values))
    return SpcResult(points=points, segments=(), assurance=Assurance.NONE, note=note)


def analyse(spc: SpcInput) -> SpcResult:
    """Read an XmR chart from `spc` (see the module docstring for every rule and edge case)."""
    values = spc.values
    if not values:
        return SpcResult(points=(), segments=(), assurance=Assurance.NONE, note="No values yet.")
    bounds = [0, *(i for i in spc.rebase_at if 0 < i < len(values)), len(values)]
    segments: list[Segment] = []
    points: list[SpcPoint] = []
    latest_exact: _Exact | None = None
    for number, (start, stop) in enumerate(itertools.pairwise(bounds)):
        chunk = values[start:stop]
        if len(chunk) < spc.min_points:
            segments.append(Segment(start, stop, mean=_QUOTIENT.divide(_sum(chunk), len(chunk))))
            points += [SpcPoint(start + i, v, number) for i, v in enumerate(chunk)]
            latest_exact = None
            continue
        exact = _Exact.of(chunk)
        latest_exact = exact
        segments.append(exact.segment(start, stop))
        points += _read_points(chunk, exact, start, number, spc)
    return SpcResult(
        points=tuple(points),
        segments=tuple(segments),
        assurance=_assurance(spc, latest_exact),
        note=_note(spc, segments),
    )


def latest_variations(spc: SpcInput, at: Iterable[int] | None = None) -> dict[int, Variation]:
    """For each index i of `at` (default: every point), the variation of point i read as the
    latest point of the series up to it: `analyse(SpcInput(values[:i + 1], ...)).latest_variation`
    with the same settings, as a status for the period of point i reads it.

    One pass over the series instead of one analysis per point: running sums give each prefix's
    latest segment exactly, and only the rules that can flag the last point are evaluated (the
    run of sides or steps ending at it, and the one window of rule 4 that contains it).
    """
    values = spc.values
    size = len(values)
    wanted = sorted(set(range(size) if at is None else at))
    if wanted and not 0 <= wanted[0] <= wanted[-1] < size:
        raise IndexError(f"indices must be within the {size} points: {wanted}")
    rebases = [i for i in spc.rebase_at if i > 0]
    run_length, polarity = spc.run_length, spc.polarity
    result: dict[int, Variation] = {}
    # The rules of `_read_points` for the last point only, written out on the exact sums of
    # `_Exact` (same comparisons, without division): this runs for thousands of points a page.
    # The operators under the exact context give the numbers `_EXACT.add` and co. give, several
    # times faster over a long series. Points are read in order, so the sums of a segment are
    # extended from one point to the next: total = Σ values[start:upto], moved = Σ of the
    # moving ranges within values[start:upto].
    start = upto = 0
    total = moved = Decimal(0)
    with localcontext(_EXACT):
        for i in wanted:
            stop = i + 1
            before = bisect.bisect_left(rebases, stop)
            segment = rebases[before - 1] if before else 0
            n = stop - segment
            if n < spc.min_points:
                result[i] = Variation.NONE
                continue
            if segment != start:
                start = upto = segment
                total = moved = Decimal(0)
            if upto < stop:
                total += sum(values[upto:stop], Decimal(0))
                first = max(upto, start + 1)  # moving ranges end at points first..i
                moved += sum(map(abs, map(operator.sub, values[first:stop], values[first - 1 : i])))
                upto = stop
            count = Decimal(n)
            # n(n-1) * 2.66 * mean moving range, and the deviation n(n-1)(x - mean) of a point x
            limit = LIMIT_FACTOR * count * moved
            near = 2 * limit  # beyond the near-limit band: 3 * |deviation| > 2 * limit
            deviation = (count - 1) * (count * values[i] - total)
            side = (deviation > 0) - (deviation < 0)
            outside = abs(deviation) > limit
            shift = False
            if side:
                # the sign of a deviation is that of n * x - total (n - 1 > 0)
                run, j = 1, i - 1
                while run < run_length and j >= start:
                    offset = count * values[j] - total
                    if (offset > 0) - (offset < 0) != side:
                        break
                    run, j = run + 1, j - 1
                shift = run >= run_length
            two_of_three = False
            if n >= 3 and side and 3 * abs(deviation) > near and not outside:
                window = [(count - 1) * (count * values[j] - total) for j in (i - 2, i - 1)]
                if all((d > 0) - (d < 0) == side for d in window):
                    two_of_three = any(3 * abs(d) > near and not abs(d) > limit for d in window)
            direction = 0
            if i > start:
                step = values[i] - values[i - 1]
                direction = (step > 0) - (step < 0)
            run, j = 1, i  # points of the trend ending at point i, within the segment
            while direction and run < run_length and j > start:
                step = values[j] - values[j - 1]
                if (step > 0) - (step < 0) != direction:
                    break
                run, j = run + 1, j - 1
            trending = direction != 0 and run >= run_length
            rising, falling = trending and direction > 0, trending and direction < 0
            high = low = False
            if outside or shift or two_of_three:
                high, low = side > 0, side < 0
            result[i] = _variation(high or rising, low or falling, polarity)
    return result


# --- exact statistics of one segment ----------------------------------------------------------


def _sum(values: Sequence[Decimal]) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total


@dataclass(frozen=True, slots=True)
class _Exact:
    """Sums that let every comparison be made without division.

    With n points, S = Σx and R = Σ moving ranges: for a point x, `deviation(x)` =
    n(n-1)(x - mean) and `limit` = n(n-1) * 2.66 * mean moving range, both exact.
    """

    n: int
    total: Decimal
    ranges: Decimal
    limit: Decimal

    @classmethod
    def of(cls, chunk: Sequence[Decimal]) -> _Exact:
        n = len(chunk)
        ranges = _sum([_EXACT.subtract(b, a).copy_abs() for a, b in itertools.pairwise(chunk)])
        limit = _EXACT.multiply(_EXACT.multiply(LIMIT_FACTOR, Decimal(n)), ranges)
        return cls(n=n, total=_sum(chunk), ranges=ranges, limit=limit)

    def deviation(self, x: Decimal) -> Decimal:
        n = Decimal(self.n)
        return _EXACT.multiply(n - 1, _EXACT.subtract(_EXACT.multiply(n, x), self.total))

    def beyond_limit(self, deviation: Decimal) -> bool:
        return deviation.copy_abs() > self.limit

    def beyond_near(self, deviation: Decimal) -> bool:
        # |x - mean| > (2/3) * 2.66 * mMR  ⇔  3 * |deviation| > 2 * limit
        return _EXACT.multiply(3, deviation.copy_abs()) > _EXACT.multiply(2, self.limit)

    def segment(self, start: int, stop: int) -> Segment:
        mean = _QUOTIENT.divide(self.total, self.n)
        mmr = _QUOTIENT.divide(self.ranges, self.n - 1)
        spread = _QUOTIENT.multiply(LIMIT_FACTOR, mmr)
        near = _QUOTIENT.divide(_QUOTIENT.multiply(2, spread), 3)
        return Segment(
            start=start,
            stop=stop,
            mean=mean,
            mean_moving_range=mmr,
            upper_limit=_QUOTIENT.add(mean, spread),
            lower_limit=_QUOTIENT.subtract(mean, spread),
            upper_near=_QUOTIENT.add(mean, near),
            lower_near=_QUOTIENT.subtract(mean, near),
        )


def _sign(value: Decimal) -> int:
    return 0 if value.is_zero() else (1 if value > 0 else -1)


def _read_points(
    chunk: Sequence[Decimal], exact: _Exact, offset: int, number: int, spc: SpcInput
) -> list[SpcPoint]:
    n = len(chunk)
    deviations = [exact.deviation(x) for x in chunk]
    sides = [_sign(d) for d in deviations]  # +1 above the mean, -1 below, 0 on it
    outside = [exact.beyond_limit(d) for d in deviations]
    in_band = [exact.beyond_near(d) and not exact.beyond_limit(d) for d in deviations]

    shift = [False] * n
    for run_start, run_stop, _side in _runs(sides):
        if run_stop - run_start >= spc.run_length:
            shift[run_start:run_stop] = [True] * (run_stop - run_start)

    rising, falling = [False] * n, [False] * n
    steps = [_sign(_EXACT.subtract(b, a)) for a, b in itertools.pairwise(chunk)]
    for step_start, step_stop, direction in _runs(steps):
        first, last = step_start, step_stop  # steps i..j-1 join points i..j
        if last - first + 1 >= spc.run_length:
            flags = rising if direction > 0 else falling
            flags[first : last + 1] = [True] * (last - first + 1)

    two_of_three = [False] * n
    for i in range(n - 2):
        window = range(i, i + 3)
        if sides[i] != 0 and all(sides[j] == sides[i] for j in window):
            banded = [j for j in window if in_band[j]]
            if len(banded) >= 2:
                for j in banded:
                    two_of_three[j] = True

    points = []
    for i, value in enumerate(chunk):
        high = low = False
        if outside[i] or shift[i] or two_of_three[i]:
            high, low = sides[i] > 0, sides[i] < 0
        high, low = high or rising[i], low or falling[i]
        points.append(
            SpcPoint(
                index=offset + i,
                value=value,
                segment=number,
                outside_limit=outside[i],
                shift=shift[i],
                trend=rising[i] or falling[i],
                two_of_three=two_of_three[i],
                variation=_variation(high, low, spc.polarity),
            )
        )
    return points


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero signs as (start, stop, sign); zeros break runs."""
    runs = []
    start = 0
    for i in range(1, len(signs) + 1):
        if i == len(signs) or signs[i] != signs[start]:
            if signs[start] != 0:
                runs.append((start, i, signs[start]))
            start = i
    return runs


def _variation(high: bool, low: bool, polarity: Polarity) -> Variation:
    if not high and not low:
        return Variation.COMMON
    if polarity is Polarity.NONE:
        return Variation.NEUTRAL
    if high and low:
        return Variation.CONCERNING
    good_side_high = polarity is Polarity.HIGHER
    return Variation.IMPROVING if high == good_side_high else Variation.CONCERNING


def _assurance(spc: SpcInput, exact: _Exact | None) -> Assurance:
    if exact is None or spc.target is None or spc.polarity is Polarity.NONE:
        return Assurance.NONE
    deviation = exact.deviation(spc.target)
    above, below = deviation > exact.limit, -deviation > exact.limit
    if spc.polarity is Polarity.HIGHER:
        return Assurance.FAIL if above else Assurance.PASS if below else Assurance.HIT_AND_MISS
    return Assurance.FAIL if below else Assurance.PASS if above else Assurance.HIT_AND_MISS


def _note(spc: SpcInput, segments: Sequence[Segment]) -> str:
    total = len(spc.values)
    if total < spc.min_points:
        return (
            f"Only {total} point{'s' if total != 1 else ''}: at least {spc.min_points} are "
            "needed for process limits, so this is a plain run chart."
        )
    latest = segments[-1]
    if not latest.has_limits:
        return (
            f"Only {latest.size} point{'s' if latest.size != 1 else ''} since the limits were "
            f"rebased: at least {spc.min_points} are needed for new process limits, so the "
            "latest points are a plain run chart."
        )
    short = sum(1 for segment in segments if not segment.has_limits)
    if short:
        return f"{short} earlier segment{'s' if short != 1 else ''} had too few points for limits."
    return ""
