"""Pure benchmarking and value-for-money rules of SPEC §8.

No Django import here (a test asserts it): frozen dataclasses in and out, `Decimal` throughout.
Values are compared exactly as given; rounding for display is the caller's business, so a
boundary shown as 49.45 is the exact QUARTILE.INC result, not a rounded one.

Period labels are never parsed here. Where periods must be put in order they are sorted as
strings, which is chronological for every form SPEC §3 allows (`2023/24`, `2023/24 Q1`,
`2024-07`) as long as one series uses one form.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from enum import StrEnum

from performance.core.calculations import Direction, Polarity, direction_of_travel

ZERO = Decimal(0)
# Wide enough that interpolation and gaps are never rounded, whatever the values' digits.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


class SavingApproach(StrEnum):
    """The handbook's three ways to value for money."""

    REDUCED_INPUTS = "reduced_inputs"
    INCREASED_OUTPUTS = "increased_outputs"
    INVEST_TO_SAVE = "invest_to_save"


# --- quartiles ---------------------------------------------------------------------------------


def quartile_inc(sorted_values: Sequence[Decimal], q: int) -> Decimal:
    """Excel's QUARTILE.INC(values, q) for q in 0-4 (0 = minimum, 2 = median, 4 = maximum).

    The 0-based position is (n - 1) · q / 4; a fractional position interpolates linearly
    between the two closest ranks. The fraction is always 0, ¼, ½ or ¾, so the result is exact
    in `Decimal`. One value is every quartile of itself.

    Raises ValueError when the sequence is empty, not in ascending order, or q is not 0-4.
    """
    if q not in (0, 1, 2, 3, 4):
        raise ValueError(f"quartile must be 0, 1, 2, 3 or 4, not {q!r}")
    if not sorted_values:
        raise ValueError("cannot take a quartile of no values")
    if any(a > b for a, b in itertools.pairwise(sorted_values)):
        raise ValueError("quartile_inc needs values in ascending order")
    k, quarters = divmod((len(sorted_values) - 1) * q, 4)
    low = sorted_values[k]
    if quarters == 0:
        return low
    with localcontext(_EXACT):
        return low + (sorted_values[k + 1] - low) * quarters / 4


# --- position in a group ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Position:
    """One authority's place in a comparator group for one measure and period.

    `of` counts authorities with a value (ours included when we have one); `missing_authorities`
    lists group members without one (ours included when we have none), in code order. Quartile
    boundaries are None only when nobody has a value. `gap_to_median` and `gap_to_top_quartile`
    are ≥ 0: how far our value must move in the better direction to reach the boundary as it
    stands now; 0 when already on or past it; None when we have no value or polarity is `none`.
    Our own value moves the boundaries, so the value that really reaches one can lie further
    on: see `suggested_targets`.
    """

    authority: str
    polarity: Polarity
    value: Decimal | None
    rank: int | None
    of: int
    quartile: int | None
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None
    missing_authorities: tuple[str, ...]
    gap_to_median: Decimal | None
    gap_to_top_quartile: Decimal | None

    @property
    def missing(self) -> int:
        """Group members without a value (SPEC §12 `missing`)."""
        return len(self.missing_authorities)

    @property
    def judged(self) -> bool:
        """False for a data-only (`none`) measure: ranked by size, but no rank is "best"."""
        return self.polarity is not Polarity.NONE


def _better(polarity: Polarity) -> int:
    """+1 when higher is better (or for `none`, ordered by size), -1 when lower is better."""
    return -1 if polarity is Polarity.LOWER else 1


def _quartile_of(
    value: Decimal, q1: Decimal, median: Decimal, q3: Decimal, polarity: Polarity
) -> int:
    if polarity is Polarity.LOWER:
        bounds = (value <= q1, value <= median, value <= q3)
    else:
        bounds = (value >= q3, value >= median, value >= q1)
    for quartile, reached in enumerate(bounds, start=1):
        if reached:
            return quartile
    return 4


def _gap(value: Decimal, boundary: Decimal, polarity: Polarity) -> Decimal | None:
    if polarity is Polarity.NONE:
        return None
    with localcontext(_EXACT):
        shortfall = (boundary - value) * _better(polarity)
    return max(shortfall, ZERO)


def position_of(
    values: Mapping[str, Decimal | None], authority: str, polarity: Polarity
) -> Position:
    """The position of `authority` among the group's `values` (authority code → value or None).

    Policy:
    - Every group member is a key, our own authority included; a member without a value for the
      period maps to None, is left out of ranks and quartiles, and is counted in `missing`.
      ValueError when `authority` is not a key or a value is not a finite Decimal.
    - Rank 1 is the best; equal values share a rank and the next rank is skipped (1, 2, 2, 4):
      rank = 1 + the number of authorities with a strictly better value.
    - Quartile boundaries are QUARTILE.INC over every value present, ours included. Higher is
      better: quartile 1 when value ≥ Q3, 2 when ≥ median, 3 when ≥ Q1, else 4; lower is better
      mirrors it (1 when ≤ Q1, 2 when ≤ median, 3 when ≤ Q3, else 4).
    - Our authority without a value: value, rank, quartile and gaps are None; `of` and the
      boundaries still describe the others. Nobody with a value: boundaries are None too.
    - Polarity `none` (data only): ranked and put in quartiles by size as if higher were
      better, so rank 1 is the largest value, but `judged` is False and the gaps are None;
      reports show it as "largest", never "best".
    """
    polarity = Polarity(polarity)
    if authority not in values:
        raise ValueError(f"authority {authority} is not in the group's values")
    present: list[Decimal] = []
    for code, value in values.items():
        if value is None:
            continue
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"value for {code} must be a finite Decimal, not {value!r}")
        present.append(value)
    missing = tuple(sorted(code for code, value in values.items() if value is None))
    ours = values[authority]
    ordered = sorted(present)
    if ours is None:
        # No position of our own; the boundaries still describe the others, if any.
        q1, median, q3 = (quartile_inc(ordered, q) if ordered else None for q in (1, 2, 3))
        return Position(
            authority=authority,
            polarity=polarity,
            value=None,
            rank=None,
            of=len(ordered),
            quartile=None,
            q1=q1,
            median=median,
            q3=q3,
            missing_authorities=missing,
            gap_to_median=None,
            gap_to_top_quartile=None,
        )
    q1, median, q3 = (quartile_inc(ordered, q) for q in (1, 2, 3))
    if polarity is Polarity.LOWER:
        rank = 1 + sum(1 for other in ordered if other < ours)
    else:
        rank = 1 + sum(1 for other in ordered if other > ours)
    top = q1 if polarity is Polarity.LOWER else q3
    return Position(
        authority=authority,
        polarity=polarity,
        value=ours,
        rank=rank,
        of=len(ordered),
        quartile=_quartile_of(ours, q1, median, q3, polarity),
        q1=q1,
        median=median,
        q3=q3,
        missing_authorities=missing,
        gap_to_median=_gap(ours, median, polarity),
        gap_to_top_quartile=_gap(ours, top, polarity),
    )


# --- trend of our position ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionChange:
    """How our position moved from `previous_period` to `period`.

    `rank_change` and `quartile_change` are positive when we moved up (previous - current), None
    when either period has no rank. `direction` is `Direction.NONE` when either period has no
    rank or the measure is data only.
    """

    previous_period: str
    period: str
    rank_change: int | None
    quartile_change: int | None
    direction: Direction


def position_change(
    previous: Position, current: Position, *, previous_period: str = "", period: str = ""
) -> PositionChange:
    """Compare two positions of one authority on one measure.

    The quartile decides when it changed (a lower number is better). Within the same quartile
    the share of the group ranked ahead of us, (rank - 1) / of, decides, so a group that gains
    or loses a member does not by itself read as movement; equal shares are `stable`.
    """
    if (
        previous.rank is None
        or current.rank is None
        or previous.quartile is None
        or current.quartile is None
    ):
        return PositionChange(previous_period, period, None, None, Direction.NONE)
    rank_change = previous.rank - current.rank
    quartile_change = previous.quartile - current.quartile
    if not (previous.judged and current.judged):
        return PositionChange(previous_period, period, rank_change, quartile_change, Direction.NONE)
    if quartile_change:
        now, before = current.quartile, previous.quartile
    else:
        # The share ahead of us, (rank - 1) / of, cross-multiplied to stay in whole numbers.
        now, before = (current.rank - 1) * previous.of, (previous.rank - 1) * current.of
    return PositionChange(
        previous_period, period, rank_change, quartile_change, _direction(now, before)
    )


def _direction(now: int | Decimal, before: int | Decimal) -> Direction:
    """Smaller is better here: callers pass numbers where a fall is an improvement."""
    if now == before:
        return Direction.STABLE
    return Direction.IMPROVING if now < before else Direction.DETERIORATING


def position_trend(positions_by_period: Mapping[str, Position]) -> tuple[PositionChange, ...]:
    """Changes between consecutive periods, oldest first (periods sorted by label, see module).

    A period where we had no value still takes its place in the sequence, so the changes into
    and out of it have direction `none`; fewer than two periods give no changes.
    """
    periods = sorted(positions_by_period)
    return tuple(
        position_change(
            positions_by_period[before],
            positions_by_period[after],
            previous_period=before,
            period=after,
        )
        for before, after in itertools.pairwise(periods)
    )


# --- suggested targets --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SuggestedTargets:
    """Values our authority would need to reach the median and the top-quartile boundary."""

    median: Decimal | None
    top_quartile: Decimal | None


def _reach(others: Sequence[Decimal], q: int) -> Decimal:
    """Least v with v ≥ QUARTILE.INC(others + [v], q), for q in 2, 3 and one other or more.

    Written for higher is better with `others` ascending; given others worst first (descending)
    for lower is better it answers that case too, QUARTILE.INC being symmetric.

    With us included there are n = m + 1 values and position (n - 1)·q/4 = m·q/4 = k + f.
    Whether we sit at index k (then Q = v + f·(others[k] - v)) or k + 1 (then
    Q = others[k] + f·(v - others[k])), v ≥ Q exactly when v ≥ others[k]; below index k we can
    never reach it. With f = 0, Q is whatever sits at index k, so v need only reach others[k - 1].
    """
    k, quarters = divmod(len(others) * q, 4)
    return others[k] if quarters else others[k - 1]


def suggested_targets(
    values: Mapping[str, Decimal | None], polarity: Polarity, *, authority: str
) -> SuggestedTargets:
    """Targets for `authority` that would reach the group median and the top-quartile boundary.

    Our own value is included in the boundaries, so it moves them: reaching today's median is
    not always enough ({1, 2, 3, 4}, we are the 1: median 2.5, but at 2.5 the median becomes
    2.75). These are the least good values v for which `position_of` with our value set to v
    gives quartile ≤ 2 and quartile 1 respectively, given the other members' values; our
    current value does not matter. Both are None when no other member has a value.
    Raises ValueError for a data-only (`none`) measure, which has no targets (SPEC §3).
    """
    polarity = Polarity(polarity)
    if polarity is Polarity.NONE:
        raise ValueError("a data-only measure (polarity none) has no targets to suggest")
    # Others worst first: ascending when higher is better, descending when lower is (see _reach).
    others = sorted(
        (v for code, v in values.items() if code != authority and v is not None),
        reverse=polarity is Polarity.LOWER,
    )
    if not others:
        return SuggestedTargets(None, None)
    return SuggestedTargets(median=_reach(others, 2), top_quartile=_reach(others, 3))


# --- the council across all measures ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuartileCounts:
    """The council's positions across measures (benchmarking report summary).

    `by_quartile` holds the counts for quartiles 1-4. `no_value` counts measures where we had no
    value; `not_judged` counts data-only measures, which sit in no "best" quartile. The trend
    counts cover measures with a previous position to compare; `not_compared` counts the rest.
    """

    by_quartile: tuple[int, int, int, int]
    no_value: int
    not_judged: int
    improving: int
    stable: int
    deteriorating: int
    not_compared: int

    @property
    def total(self) -> int:
        return sum(self.by_quartile) + self.no_value + self.not_judged


def quartile_counts(
    positions: Mapping[str, Position], previous: Mapping[str, Position] | None = None
) -> QuartileCounts:
    """Count measures by quartile, and by trend against `previous` (both keyed by measure code).

    A measure missing from `previous`, or with no rank in either period, or data only, is
    `not_compared`; the trend rule is `position_change`.
    """
    by_quartile = [0, 0, 0, 0]
    no_value = not_judged = 0
    directions = dict.fromkeys(Direction, 0)
    for measure, position in positions.items():
        if not position.judged:
            not_judged += 1
        elif position.quartile is None:
            no_value += 1
        else:
            by_quartile[position.quartile - 1] += 1
        before = (previous or {}).get(measure)
        if before is None:
            directions[Direction.NONE] += 1
        else:
            directions[position_change(before, position).direction] += 1
    return QuartileCounts(
        by_quartile=(by_quartile[0], by_quartile[1], by_quartile[2], by_quartile[3]),
        no_value=no_value,
        not_judged=not_judged,
        improving=directions[Direction.IMPROVING],
        stable=directions[Direction.STABLE],
        deteriorating=directions[Direction.DETERIORATING],
        not_compared=directions[Direction.NONE],
    )


# --- value for money ----------------------------------------------------------------------------


def efficiency(output: Decimal | None, input: Decimal | None) -> Decimal | None:
    """Output ÷ input (the handbook: "the ratio of output to inputs").

    None when either is missing or the input is 0 (no ratio, rather than an error, because a
    period without spend is a fact to show, not bad data). Not rounded: `Decimal` context
    precision (28 significant digits); round for display.
    """
    if output is None or input is None or input == 0:
        return None
    return output / input


@dataclass(frozen=True, slots=True)
class EfficiencyPoint:
    """One period of an efficiency series; `direction` compares with the period before it."""

    period: str
    output: Decimal | None
    input: Decimal | None
    efficiency: Decimal | None
    direction: Direction


def efficiency_series(
    periods: Mapping[str, tuple[Decimal | None, Decimal | None]], *, decimals: int | None = None
) -> tuple[EfficiencyPoint, ...]:
    """Efficiency per period (label → (output, input)), oldest first, with direction of travel.

    Higher efficiency is better. Each period is compared with the one immediately before it
    (periods sorted by label); `none` for the first period or when either efficiency is None.
    With `decimals`, both are rounded half-up to that many places first, as SPEC §4 does for
    values (so a change invisible at the displayed precision is `stable`); without, exact.
    """
    points: list[EfficiencyPoint] = []
    previous: Decimal | None = None
    for period in sorted(periods):
        output, input_ = periods[period]
        ratio = efficiency(output, input_)
        if decimals is not None:
            direction = direction_of_travel(ratio, previous, Polarity.HIGHER, decimals)
        elif ratio is None or previous is None:
            direction = Direction.NONE
        else:
            direction = _direction(-ratio, -previous)  # higher efficiency is better
        points.append(EfficiencyPoint(period, output, input_, ratio, direction))
        previous = ratio
    return tuple(points)


@dataclass(frozen=True, slots=True)
class EfficiencySaving:
    """One entry of the efficiency register; `year` is a financial year such as `2024/25`."""

    year: str
    approach: SavingApproach
    cashable: bool
    amount: Decimal
    description: str = ""


@dataclass(frozen=True, slots=True)
class SavingsTotal:
    cashable: Decimal = ZERO
    non_cashable: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.cashable + self.non_cashable

    def plus(self, saving: EfficiencySaving) -> SavingsTotal:
        if saving.cashable:
            return SavingsTotal(self.cashable + saving.amount, self.non_cashable)
        return SavingsTotal(self.cashable, self.non_cashable + saving.amount)


@dataclass(frozen=True, slots=True)
class SavingsRegisterTotals:
    """Register totals. `by_year` is in year order; `by_approach` always has all three approaches;
    `by_year_and_approach` only the pairs that have entries."""

    overall: SavingsTotal
    by_year: Mapping[str, SavingsTotal]
    by_approach: Mapping[SavingApproach, SavingsTotal]
    by_year_and_approach: Mapping[tuple[str, SavingApproach], SavingsTotal]


def savings_totals(savings: Iterable[EfficiencySaving]) -> SavingsRegisterTotals:
    """Sum the register by year, approach and cashable / non-cashable.

    Amounts are summed as entered: a negative amount (say, an invest-to-save outlay recorded
    against a year) reduces the totals. Validation of entries is the form's job.
    """
    overall = SavingsTotal()
    by_year: dict[str, SavingsTotal] = {}
    by_approach = {approach: SavingsTotal() for approach in SavingApproach}
    by_pair: dict[tuple[str, SavingApproach], SavingsTotal] = {}
    for saving in savings:
        overall = overall.plus(saving)
        by_year[saving.year] = by_year.get(saving.year, SavingsTotal()).plus(saving)
        by_approach[saving.approach] = by_approach[saving.approach].plus(saving)
        pair = (saving.year, saving.approach)
        by_pair[pair] = by_pair.get(pair, SavingsTotal()).plus(saving)
    return SavingsRegisterTotals(
        overall=overall,
        by_year={year: by_year[year] for year in sorted(by_year)},
        by_approach=by_approach,
        by_year_and_approach={pair: by_pair[pair] for pair in sorted(by_pair)},
    )
