"""The NHS "Making Data Count" rules on an XmR chart: which points signal, and what that means.

Pure: no Django import. Within a segment (see `limits`), every point of the run that triggers a
rule is flagged:
  1. outside a process limit (strictly beyond it);
  2. shift: `run_length` or more consecutive points strictly on the same side of the mean;
     a point exactly on the mean belongs to neither side and breaks the run;
  3. trend: `run_length` or more consecutive *points* each strictly above (or below) the one
     before — so the default 7 means six consecutive increases, as Making Data Count counts
     points; a repeated value breaks the trend (it may start the next one);
  4. two of three consecutive points in the near-limit band, all three strictly on the same
     side of the mean; the points in the band are flagged (not the third point nearer the mean).
A point's `Variation` judges the side of its signals by polarity (the package docstring says how).
`read_points` reads every point of a segment; `latest_variations` reads, for each point, only
what can flag it as the latest point of the series up to it.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from performance.core.calculations import Polarity
from performance.core.spc.limits import EXACT, LIMIT_FACTOR, Exact, SpcInput

__all__ = ["SpcPoint", "Variation", "latest_variations", "read_points"]


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
    # The rules of `read_points` for the last point only, written out on the exact sums of
    # `Exact` (same comparisons, without division): this runs for thousands of points a page.
    # The operators under the exact context give the numbers `EXACT.add` and co. give, several
    # times faster over a long series. Points are read in order, so the sums of a segment are
    # extended from one point to the next: total = Σ values[start:upto], moved = Σ of the
    # moving ranges within values[start:upto].
    start = upto = 0
    total = moved = Decimal(0)
    with localcontext(EXACT):
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


def _sign(value: Decimal) -> int:
    return 0 if value.is_zero() else (1 if value > 0 else -1)


def read_points(
    chunk: Sequence[Decimal], exact: Exact, offset: int, number: int, spc: SpcInput
) -> list[SpcPoint]:
    """The points of segment `number` (values `chunk`, the first at index `offset`), each with
    the rules that flag it and its variation; `exact` holds the segment's sums."""
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
    steps = [_sign(EXACT.subtract(b, a)) for a, b in itertools.pairwise(chunk)]
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
