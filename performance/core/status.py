"""An indicator's status for a reporting period: value, target, level, direction, SPC (pure).

This joins the rules of `calculations` and `spc` for one indicator, from plain data the
selectors load: the indicator's facts, its activated values and its targets keyed by the written
period. No Django import (a test asserts it).

Policy:
- The value for a period of the indicator's own frequency is its activated value. For a coarser
  period (the quarter of a monthly indicator) it is the aggregate of the sub-periods by the
  indicator's rule; a finer period than the indicator's frequency has no value.
- The target for a period is the target recorded for it; failing that, for a coarser period,
  the sub-period targets aggregated by the same rule (`ratio` targets by their mean, since a
  target rate has no numerator).
- No data: a period with a target but no value once its window has closed, or marked No data.
- Direction of travel compares with the previous period and the same period a year earlier,
  at the reporting period's frequency.
- SPC (variation, assurance) reads the series of values at the reporting period's frequency up
  to and including the period; fewer than 12 points give `none`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from performance.core import calculations, periods, spc
from performance.core.calculations import Aggregation, Direction, Level, Observation, Polarity
from performance.core.periods import Frequency, Period

_ORDER = {Frequency.MONTHLY: 0, Frequency.QUARTERLY: 1, Frequency.ANNUAL: 2}
_ONE, _HUNDRED = Decimal(1), Decimal(100)

# Periods are immutable values, and a page asks the same few of them for every indicator: the
# written forms of a period's sub-periods, its neighbours, the parse of a stored period. These
# memos make those lookups dictionary reads; they are bounded and hold only small values.


@lru_cache(maxsize=8192)
def parsed(text: str) -> Period:
    """`periods.parse`, remembered: stored periods are read again on every page."""
    return periods.parse(text)


@lru_cache(maxsize=4096)
def _text(period: Period) -> str:
    return str(period)


@lru_cache(maxsize=4096)
def _keys(period: Period, frequency: Frequency) -> tuple[str, ...]:
    """Written forms of `period`'s sub-periods of `frequency` (just itself at its own kind)."""
    return tuple(str(sub) for sub in period.sub_periods(frequency))


@lru_cache(maxsize=4096)
def _neighbours(period: Period) -> tuple[Period, Period]:
    """(the previous period, the same period a year earlier)."""
    return period.previous(), period.same_period_last_year()


@lru_cache(maxsize=1024)
def _between(start: Period, stop: Period) -> tuple[Period, ...]:
    return tuple(periods.between(start, stop))


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    code: str
    polarity: Polarity
    decimals: int
    frequency: Frequency
    aggregation: Aggregation
    tolerance: Decimal = Decimal(10)
    percent: bool = True  # ratio aggregation scales by 100 for percentages
    # Cumulative from 1 April, restarting each year: its series is a saw-tooth, so SPC and the
    # change on the previous period say nothing; only the same period last year compares.
    year_to_date: bool = False

    def __post_init__(self) -> None:
        # Stored strings become members; members (the usual case) are kept without a lookup.
        if type(self.polarity) is not Polarity:
            object.__setattr__(self, "polarity", Polarity(self.polarity))
        if type(self.frequency) is not Frequency:
            object.__setattr__(self, "frequency", Frequency(self.frequency))
        if type(self.aggregation) is not Aggregation:
            object.__setattr__(self, "aggregation", Aggregation(self.aggregation))


@dataclass(frozen=True, slots=True)
class IndicatorData:
    """Activated values and targets by written period; periods recorded as No data."""

    values: Mapping[str, Observation] = field(default_factory=dict)
    targets: Mapping[str, Decimal] = field(default_factory=dict)
    no_data: frozenset[str] = frozenset()
    rebase_periods: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    period: Period
    actual: Decimal | None
    target: Decimal | None
    shortfall: Decimal | None
    level: Level | None
    dot_previous: Direction
    dot_year: Direction
    variation: spc.Variation
    assurance: spc.Assurance

    @property
    def status(self) -> str:
        """`green|amber|red|no_data|none` (SPEC §12)."""
        return calculations.status_code(self.level)


@dataclass(frozen=True, slots=True)
class Brief:
    """What a list shows of an indicator's status at a period: `status_for` without the
    shortfall, the comparison with last year and SPC, which a list never shows."""

    actual: Decimal | None
    target: Decimal | None
    level: Level | None
    dot_previous: Direction

    @property
    def status(self) -> str:
        """`green|amber|red|no_data|none` (SPEC §12)."""
        return calculations.status_code(self.level)


def applies(facts: IndicatorFacts, period: Period) -> bool:
    """Whether the indicator reports at `period`'s frequency (its own, or coarser)."""
    return _ORDER[period.kind] >= _ORDER[facts.frequency]


def value_for(facts: IndicatorFacts, data: IndicatorData, period: Period) -> Decimal | None:
    if not applies(facts, period):
        return None
    keys = _keys(period, facts.frequency)
    if period.kind == facts.frequency:
        observation = data.values.get(keys[0])
        return observation.value if observation else None
    return calculations.aggregate(
        [data.values.get(key) for key in keys],
        facts.aggregation,
        expected=len(keys),
        scale=_HUNDRED if facts.percent else _ONE,
    )


def target_for(facts: IndicatorFacts, data: IndicatorData, period: Period) -> Decimal | None:
    if facts.polarity is Polarity.NONE or not applies(facts, period):
        return None
    own = data.targets.get(_text(period))
    if own is not None or period.kind == facts.frequency:
        return own
    keys = _keys(period, facts.frequency)
    points = [Observation(value=data.targets[key]) if key in data.targets else None for key in keys]
    rule = Aggregation.MEAN if facts.aggregation is Aggregation.RATIO else facts.aggregation
    return calculations.aggregate(points, rule, expected=len(keys))


def has_figures(facts: IndicatorFacts, data: IndicatorData, period: Period) -> bool:
    """Whether `status_for` at `period` (of the indicator's own frequency) has an actual, a
    target or a level, without computing it: a level needs a target, so a value or a target
    recorded for the period is what counts (a No data mark alone shows nothing)."""
    key = _text(period)
    observation = data.values.get(key)
    if observation is not None and observation.value is not None:
        return True
    return facts.polarity is not Polarity.NONE and data.targets.get(key) is not None


def periods_read(period: Period, frequency: Frequency) -> tuple[frozenset[str], frozenset[str]]:
    """(values, targets): the written periods `status_for` reads without SPC, for an indicator
    of `frequency` at `period` — the period, the previous one and the same one a year earlier
    (their sub-periods at `frequency`), and the target of the period or its sub-periods.

    Empty when the indicator does not report at `period`'s frequency. Lets a caller load only
    the rows a list needs rather than a year of history.
    """
    frequency = Frequency(frequency)
    if _ORDER[period.kind] < _ORDER[frequency]:
        return frozenset(), frozenset()
    values: set[str] = set()
    for each in (period, *_neighbours(period)):
        values.update(_keys(each, frequency))
    return frozenset(values), frozenset({_text(period), *_keys(period, frequency)})


def brief_periods_read(
    period: Period, frequency: Frequency
) -> tuple[frozenset[str], frozenset[str]]:
    """(values, targets): the written periods `brief_for` reads, for an indicator of
    `frequency` at `period` — `periods_read` without the same period a year earlier."""
    return _brief_periods_read(period, Frequency(frequency))


@lru_cache(maxsize=256)
def _brief_periods_read(
    period: Period, frequency: Frequency
) -> tuple[frozenset[str], frozenset[str]]:
    if _ORDER[period.kind] < _ORDER[frequency]:
        return frozenset(), frozenset()
    values = {*_keys(period, frequency), *_keys(_neighbours(period)[0], frequency)}
    return frozenset(values), frozenset({_text(period), *_keys(period, frequency)})


def brief_for(
    facts: IndicatorFacts, data: IndicatorData, period: Period, *, window_closed: bool
) -> Brief:
    """The fields of `status_for(..., with_spc=False)` a list shows, computed alike (the same
    rules of `calculations`) but without the figures a list never shows. Reads only the rows
    of `brief_periods_read`.

    Remembered by its inputs (a pure function of them): after a change, lists recompute the
    statuses of thousands of indicators of which a handful changed, and the rest are then
    dictionary reads. Equal inputs give equal results (Decimal("90") and Decimal("90.0") are
    one key; every figure derived from them is rounded to the indicator's decimals).
    """
    closed = window_closed or _text(period) in data.no_data
    return _brief(
        facts, period, closed, frozenset(data.values.items()), frozenset(data.targets.items())
    )


# About 2.5 kB an entry: the statuses of three periods' lists of a 2,500-indicator council.
@lru_cache(maxsize=8192)
def _brief(
    facts: IndicatorFacts,
    period: Period,
    closed: bool,
    values: frozenset[tuple[str, Observation]],
    targets: frozenset[tuple[str, Decimal]],
) -> Brief:
    data = IndicatorData(values=dict(values), targets=dict(targets))
    actual = value_for(facts, data, period)
    target = target_for(facts, data, period)
    level = None
    if target is not None and facts.polarity is not Polarity.NONE:
        reading = calculations.Reading(
            actual=actual,
            target=target,
            polarity=facts.polarity,
            decimals=facts.decimals,
            tolerance=facts.tolerance,
        )
        level = calculations.level_of(reading, window_closed=closed)
    direction = Direction.NONE
    if actual is not None and facts.polarity is not Polarity.NONE and not facts.year_to_date:
        previous = value_for(facts, data, _neighbours(period)[0])
        direction = calculations.direction_of_travel(
            actual, previous, facts.polarity, facts.decimals
        )
    return Brief(actual=actual, target=target, level=level, dot_previous=direction)


def series_up_to(
    facts: IndicatorFacts, data: IndicatorData, period: Period, *, start: Period | None = None
) -> list[tuple[Period, Decimal]]:
    """(period, value) at `period`'s frequency, oldest first, up to and including `period`.

    Periods without a value are left out (SPC assumes evenly spaced points; the gap is noted by
    the caller if it matters). `start` bounds the series; by default the earliest value held.
    """
    if not applies(facts, period):
        return []
    if start is None:
        if not data.values:
            return []
        earliest = min(parsed(text).start for text in data.values)
        start = periods.containing(earliest, period.kind)
    result = []
    for each in _between(start, period):
        value = value_for(facts, data, each)
        if value is not None:
            result.append((each, value))
    return result


def spc_for(
    facts: IndicatorFacts, data: IndicatorData, period: Period, *, target: Decimal | None = None
) -> tuple[list[tuple[Period, Decimal]], spc.SpcResult]:
    """The series up to `period` and its SPC reading, rebased at the change points; a
    year-to-date indicator's series is kept but not read (`spc.not_applied`)."""
    series = series_up_to(facts, data, period)
    values = [value for _, value in series]
    if facts.year_to_date:
        return series, spc.not_applied(values)
    rebase = [index for index, (each, _) in enumerate(series) if _text(each) in data.rebase_periods]
    reading = spc.analyse(
        spc.SpcInput(values=values, polarity=facts.polarity, target=target, rebase_at=rebase)
    )
    return series, reading


def status_for(
    facts: IndicatorFacts,
    data: IndicatorData,
    period: Period,
    *,
    window_closed: bool,
    with_spc: bool = True,
) -> Status:
    actual = value_for(facts, data, period)
    target = target_for(facts, data, period)
    reading = calculations.Reading(
        actual=actual,
        target=target,
        polarity=facts.polarity,
        decimals=facts.decimals,
        tolerance=facts.tolerance,
    )
    closed = window_closed or _text(period) in data.no_data
    level = calculations.level_of(reading, window_closed=closed)
    before, year_before = _neighbours(period)
    previous = None if facts.year_to_date else value_for(facts, data, before)
    last_year = value_for(facts, data, year_before)
    variation, assurance = spc.Variation.NONE, spc.Assurance.NONE
    if with_spc and actual is not None:
        _, result = spc_for(facts, data, period, target=target)
        variation, assurance = result.latest_variation, result.assurance
    return Status(
        code=facts.code,
        period=period,
        actual=actual,
        target=target,
        shortfall=calculations.shortfall_pct(reading),
        level=level,
        dot_previous=calculations.direction_of_travel(
            actual, previous, facts.polarity, facts.decimals
        ),
        dot_year=calculations.direction_of_travel(
            actual, last_year, facts.polarity, facts.decimals
        ),
        variation=variation,
        assurance=assurance,
    )


def statuses(
    items: Sequence[tuple[IndicatorFacts, IndicatorData]],
    period: Period,
    *,
    window_closed: bool,
    with_spc: bool = True,
) -> list[Status]:
    return [
        status_for(facts, data, period, window_closed=window_closed, with_spc=with_spc)
        for facts, data in items
        if applies(facts, period)
    ]
