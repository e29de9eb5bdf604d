"""The statistics of an XmR chart: its input, segments, exact sums, limits and assurance.

Pure: no Django import; `Decimal` throughout, no floats. The rules are those of the package
docstring (`performance.core.spc`): a segment is the whole series or a stretch between the
points at which the limits were rebased; its centre line is the mean, its process limits
mean ± 2.66 * mean moving range, its near-limit band strictly beyond mean ± (2/3 * 2.66) * mean
moving range. Comparisons are exact (`Exact`, cross-multiplied, no division); the reported
statistics are quotients rounded to 28 significant digits.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
)
from enum import StrEnum

from performance.core.calculations import Polarity

__all__ = [
    "EXACT",
    "LIMIT_FACTOR",
    "MIN_POINTS",
    "QUOTIENT",
    "Assurance",
    "Exact",
    "Segment",
    "SpcInput",
    "assurance_of",
    "exact_sum",
    "segment_bounds",
]

LIMIT_FACTOR = Decimal("2.66")
MIN_POINTS = 12

# Comparisons are made in EXACT (no rounding at all); reported statistics are QUOTIENTs.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_EVEN)
QUOTIENT = Context(prec=28, rounding=ROUND_HALF_EVEN)


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


def segment_bounds(spc: SpcInput) -> list[int]:
    """[0, each rebase index inside the series, len(values)]: segment i is bounds[i]:bounds[i+1]."""
    values = spc.values
    return [0, *(i for i in spc.rebase_at if 0 < i < len(values)), len(values)]


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


# --- exact statistics of one segment ----------------------------------------------------------


def exact_sum(values: Sequence[Decimal]) -> Decimal:
    """Σ values, without rounding."""
    total = Decimal(0)
    for value in values:
        total = EXACT.add(total, value)
    return total


@dataclass(frozen=True, slots=True)
class Exact:
    """Sums that let every comparison be made without division.

    With n points, S = Σx and R = Σ moving ranges: for a point x, `deviation(x)` =
    n(n-1)(x - mean) and `limit` = n(n-1) * 2.66 * mean moving range, both exact.
    """

    n: int
    total: Decimal
    ranges: Decimal
    limit: Decimal

    @classmethod
    def of(cls, chunk: Sequence[Decimal]) -> Exact:
        n = len(chunk)
        ranges = exact_sum([EXACT.subtract(b, a).copy_abs() for a, b in itertools.pairwise(chunk)])
        limit = EXACT.multiply(EXACT.multiply(LIMIT_FACTOR, Decimal(n)), ranges)
        return cls(n=n, total=exact_sum(chunk), ranges=ranges, limit=limit)

    def deviation(self, x: Decimal) -> Decimal:
        n = Decimal(self.n)
        return EXACT.multiply(n - 1, EXACT.subtract(EXACT.multiply(n, x), self.total))

    def beyond_limit(self, deviation: Decimal) -> bool:
        return deviation.copy_abs() > self.limit

    def beyond_near(self, deviation: Decimal) -> bool:
        # |x - mean| > (2/3) * 2.66 * mMR  ⇔  3 * |deviation| > 2 * limit
        return EXACT.multiply(3, deviation.copy_abs()) > EXACT.multiply(2, self.limit)

    def segment(self, start: int, stop: int) -> Segment:
        mean = QUOTIENT.divide(self.total, self.n)
        mmr = QUOTIENT.divide(self.ranges, self.n - 1)
        spread = QUOTIENT.multiply(LIMIT_FACTOR, mmr)
        near = QUOTIENT.divide(QUOTIENT.multiply(2, spread), 3)
        return Segment(
            start=start,
            stop=stop,
            mean=mean,
            mean_moving_range=mmr,
            upper_limit=QUOTIENT.add(mean, spread),
            lower_limit=QUOTIENT.subtract(mean, spread),
            upper_near=QUOTIENT.add(mean, near),
            lower_near=QUOTIENT.subtract(mean, near),
        )


def assurance_of(spc: SpcInput, exact: Exact | None) -> Assurance:
    """The target against the latest segment's limits (`exact`; None: it has no limits)."""
    if exact is None or spc.target is None or spc.polarity is Polarity.NONE:
        return Assurance.NONE
    deviation = exact.deviation(spc.target)
    above, below = deviation > exact.limit, -deviation > exact.limit
    if spc.polarity is Polarity.HIGHER:
        return Assurance.FAIL if above else Assurance.PASS if below else Assurance.HIT_AND_MISS
    return Assurance.FAIL if below else Assurance.PASS if above else Assurance.HIT_AND_MISS
