"""Reads of the benchmarking app, shaped into the pure calculations' inputs and the pages' rows.

Query budget: a comparison is 2 queries (members, values) whatever the group size or the number
of periods; the overview adds 1 for the measures. Positions are computed in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q

from benchmarking import calculations, charts
from benchmarking.calculations import Position, PositionChange, SuggestedTargets
from benchmarking.models import (
    Authority,
    BenchmarkMeasure,
    BenchmarkValue,
    ComparatorGroup,
    EfficiencySaving,
    VfmPair,
)
from performance.common import access
from performance.core import periods
from performance.core.calculations import Aggregation, Direction, Observation, Polarity, aggregate
from performance.models import Indicator, Value


def council_code() -> str:
    return settings.COUNCIL_CODE


def plain(number: Decimal | None, decimals: int | None = None) -> str:
    """A Decimal as plain text: rounded half-up to `decimals` when given, else exact without
    trailing zeros (49.600000 → 49.6). Empty for None."""
    if number is None:
        return ""
    if decimals is not None:
        return f"{number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def default_group(groups: list[ComparatorGroup] | None = None) -> ComparatorGroup | None:
    """The group pages open on: nearest neighbours first, then the first group by name.

    `groups`: every group by name when the caller has them already (no query then)."""
    if groups is None:
        groups = list(ComparatorGroup.objects.order_by("name"))
    for group in groups:
        if group.kind == ComparatorGroup.Kind.NEAREST_NEIGHBOURS:
            return group
    return groups[0] if groups else None


# --- one group's data ----------------------------------------------------------------------------


@dataclass
class GroupData:
    """A group's members (our authority always included) and their values by period."""

    names: dict[str, str]
    values: dict[int, dict[str, dict[str, Decimal]]]  # measure id → period → code → value

    def period_values(self, measure_id: int, period: str) -> dict[str, Decimal | None]:
        present = self.values.get(measure_id, {}).get(period, {})
        return {code: present.get(code) for code in self.names}

    def periods(self, measure_id: int) -> list[str]:
        return sorted(self.values.get(measure_id, {}), key=_period_key)


def _period_key(label: str) -> tuple[int, str] | tuple[int, dt.date, dt.date]:
    try:
        period = periods.parse(label)
    except periods.PeriodError:
        return (1, label)
    return (0, period.start, period.end)


def group_data(
    group: ComparatorGroup, *, authority: str, measures: list[BenchmarkMeasure] | None = None
) -> GroupData:
    """Two queries: the members, then every value of `measures` (all when None) for them.

    Our authority is counted in the group even when the group's list leaves it out (SPEC §8:
    quartiles include the council's own value); when it is not a known authority at all it
    still takes part, without a value.
    """
    names = dict(
        Authority.objects.filter(Q(groups=group) | Q(code=authority))
        .distinct()
        .values_list("code", "name")
    )
    names.setdefault(authority, authority)
    if authority == council_code():
        # Issue 19: "us" is called what the council calls itself (COUNCIL_NAME) on every page,
        # not the comparator list's name for its code.
        names[authority] = settings.COUNCIL_NAME
    rows = BenchmarkValue.objects.filter(authority__code__in=list(names))
    if measures is not None:
        rows = rows.filter(measure__in=[m.pk for m in measures])
    values: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    # No ordering: the default one joins the measures to sort by title, for nothing.
    for measure_id, code, period, value in rows.order_by().values_list(
        "measure_id", "authority__code", "period", "value"
    ):
        values[measure_id][period][code] = value
    return GroupData(names=names, values=values)


# --- a measure's comparison ----------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    rank: int | None
    code: str
    name: str
    value: Decimal | None
    value_text: str
    quartile: int | None
    ours: bool


@dataclass(frozen=True)
class HistoryRow:
    period: str
    position: Position
    change: PositionChange | None


@dataclass
class Comparison:
    measure: BenchmarkMeasure
    group: ComparatorGroup
    period: str | None
    periods: list[str]
    authority: str
    authority_name: str
    position: Position | None
    rows: list[ComparisonRow] = field(default_factory=list)
    missing: list[ComparisonRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    targets: SuggestedTargets | None = None
    chart: charts.BarChart | None = None

    @property
    def judged(self) -> bool:
        return self.measure.polarity != Polarity.NONE

    @property
    def latest_change(self) -> PositionChange | None:
        for row in reversed(self.history):
            if row.change is not None and row.period == self.period:
                return row.change
        return None

    def text(self, number: Decimal | None) -> str:
        return plain(number, self.measure.decimals)


def comparison(
    measure: BenchmarkMeasure,
    group: ComparatorGroup,
    *,
    period: str | None = None,
    authority: str | None = None,
    data: GroupData | None = None,
) -> Comparison:
    """Our position on `measure` in `group` for `period` (default: the latest with data)."""
    authority = authority or council_code()
    data = data or group_data(group, authority=authority, measures=[measure])
    available = data.periods(measure.pk)
    if period is None and available:
        period = available[-1]
    polarity = Polarity(measure.polarity)
    result = Comparison(
        measure=measure,
        group=group,
        period=period,
        periods=available,
        authority=authority,
        authority_name=data.names.get(authority, authority),
        position=None,
    )
    if period is None:
        return result
    values = data.period_values(measure.pk, period)
    position = calculations.position_of(values, authority, polarity)
    result.position = position
    ranked: list[ComparisonRow] = []
    for code, value in values.items():
        entry = calculations.position_of(values, code, polarity) if value is not None else None
        row = ComparisonRow(
            rank=entry.rank if entry else None,
            code=code,
            name=data.names[code],
            value=value,
            value_text=plain(value, measure.decimals),
            quartile=entry.quartile if entry else None,
            ours=code == authority,
        )
        (ranked if value is not None else result.missing).append(row)
    ranked.sort(key=lambda r: (r.rank, r.name))
    result.missing.sort(key=lambda r: r.name)
    result.rows = ranked
    if polarity is not Polarity.NONE:
        result.targets = calculations.suggested_targets(values, polarity, authority=authority)
    by_period = {
        label: calculations.position_of(data.period_values(measure.pk, label), authority, polarity)
        for label in available
    }
    changes = {c.period: c for c in calculations.position_trend(by_period)}
    result.history = [
        HistoryRow(label, by_period[label], changes.get(label)) for label in available
    ]
    # Every ranked row has a value: those without one went to `missing`.
    bars = [charts.ChartRow(r.name, r.value, r.value_text, r.ours) for r in ranked]  # type: ignore[arg-type]
    result.chart = charts.bar_chart(
        bars,
        q1=position.q1,
        median=position.median,
        q3=position.q3,
        lower_is_better=polarity is Polarity.LOWER,
        boundary_text={
            "q1": result.text(position.q1),
            "median": result.text(position.median),
            "q3": result.text(position.q3),
        },
    )
    return result


# --- the council across all measures -------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    measure: BenchmarkMeasure
    period: str | None
    position: Position | None
    change: PositionChange | None

    @property
    def value_text(self) -> str:
        return plain(self.position.value if self.position else None, self.measure.decimals)

    @property
    def median_text(self) -> str:
        return plain(self.position.median if self.position else None, self.measure.decimals)


@dataclass(frozen=True)
class Overview:
    group: ComparatorGroup
    authority: str
    rows: list[OverviewRow]
    counts: calculations.QuartileCounts


def overview(group: ComparatorGroup, *, authority: str | None = None) -> Overview:
    """Our latest position on every measure, its change from the period before, and the counts.

    "Latest" is per measure: the latest period in which any group member has a value.
    Three queries whatever the number of measures, members or periods.
    """
    authority = authority or council_code()
    measures = list(BenchmarkMeasure.objects.select_related("indicator").order_by("title"))
    data = group_data(group, authority=authority)
    rows, current, previous = [], {}, {}
    for measure in measures:
        available = data.periods(measure.pk)
        if not available:
            rows.append(OverviewRow(measure, None, None, None))
            continue
        polarity = Polarity(measure.polarity)
        latest = available[-1]
        position = calculations.position_of(
            data.period_values(measure.pk, latest), authority, polarity
        )
        current[measure.code] = position
        change = None
        if len(available) > 1:
            before = calculations.position_of(
                data.period_values(measure.pk, available[-2]), authority, polarity
            )
            previous[measure.code] = before
            change = calculations.position_change(
                before, position, previous_period=available[-2], period=latest
            )
        rows.append(OverviewRow(measure, latest, position, change))
    counts = calculations.quartile_counts(current, previous)
    return Overview(group=group, authority=authority, rows=rows, counts=counts)


# --- the indicator page --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorPosition:
    """What the indicator page shows: our position on the mapped measure, and suggested targets."""

    measure: BenchmarkMeasure
    group: ComparatorGroup
    period: str
    position: Position
    targets: SuggestedTargets | None
    change: PositionChange | None
    exact_period: bool

    def text(self, number: Decimal | None) -> str:
        return plain(number, self.measure.decimals)

    @property
    def value_text(self) -> str:
        return self.text(self.position.value)

    @property
    def median_text(self) -> str:
        return self.text(self.position.median)

    @property
    def top_text(self) -> str:
        top = self.position.q1 if self.measure.polarity == Polarity.LOWER else self.position.q3
        return self.text(top)

    @property
    def target_median_text(self) -> str:
        return self.text(self.targets.median if self.targets else None)

    @property
    def target_top_text(self) -> str:
        return self.text(self.targets.top_quartile if self.targets else None)


def _benchmark_period(
    available: list[str], wanted: str | periods.Period | None
) -> tuple[str, bool]:
    """The benchmark period to show for an indicator period: the same label when there is data
    for it, else the latest period with data that starts on or before the wanted period's end."""
    if wanted is None:
        return available[-1], True  # nothing asked for, so nothing to flag
    label = str(wanted)
    if label in available:
        return label, True
    try:
        end = (wanted if isinstance(wanted, periods.Period) else periods.parse(label)).end
    except periods.PeriodError:
        return available[-1], False
    earlier = [p for p in available if _period_key(p)[0] == 0 and periods.parse(p).start <= end]
    return (earlier[-1] if earlier else available[-1]), False


def position_for_indicator(
    indicator: Indicator,
    period: str | periods.Period | None = None,
    *,
    group: ComparatorGroup | None = None,
) -> IndicatorPosition | None:
    """Our benchmark position for an indicator mapped to a measure, or None when not mapped,
    no group exists or nobody has data. The period shown is `period` when benchmarked, else the
    latest benchmark period starting on or before its end (benchmarks are mostly annual, so a
    quarter shows its financial year's or the previous year's figures); `exact_period` says which.
    Four queries.
    """
    measure = indicator.benchmark_measures.order_by("code").first()
    if measure is None:
        return None
    group = group or default_group()
    if group is None:
        return None
    authority = council_code()
    data = group_data(group, authority=authority, measures=[measure])
    available = data.periods(measure.pk)
    if not available:
        return None
    label, exact = _benchmark_period(available, period)
    result = comparison(measure, group, period=label, authority=authority, data=data)
    if result.position is None:
        return None
    return IndicatorPosition(
        measure=measure,
        group=group,
        period=label,
        position=result.position,
        targets=result.targets,
        change=result.latest_change,
        exact_period=exact,
    )


# --- value for money -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VfmRow:
    pair: VfmPair
    points: tuple[calculations.EfficiencyPoint, ...]

    @property
    def latest(self) -> calculations.EfficiencyPoint | None:
        with_value = [p for p in self.points if p.efficiency is not None]
        return with_value[-1] if with_value else None

    @property
    def trend(self) -> Direction:
        """Latest efficiency against the earliest one shown: the direction over the series."""
        efficiencies = [p.efficiency for p in self.points if p.efficiency is not None]
        if len(efficiencies) < 2:
            return Direction.NONE
        first = efficiencies[0].quantize(Decimal(1).scaleb(-self.pair.decimals))
        last = efficiencies[-1].quantize(Decimal(1).scaleb(-self.pair.decimals))
        if first == last:
            return Direction.STABLE
        return Direction.IMPROVING if last > first else Direction.DETERIORATING

    def text(self, number: Decimal | None) -> str:
        return plain(number, self.pair.decimals)


def _series_at(
    indicator: Indicator, observations: dict[str, Observation], kind: periods.Frequency
) -> dict[str, Decimal]:
    """An indicator's values at frequency `kind`: as they are when it reports at that frequency,
    else its sub-periods combined by its own aggregation rule (months → quarter), complete
    periods only (SPEC §3: a missing sub-period gives no aggregate)."""
    own = periods.Frequency(indicator.frequency)
    if own is kind:
        return {label: o.value for label, o in observations.items() if o.value is not None}
    if own.months > kind.months:
        return {}
    parents: set[str] = set()
    for label in observations:
        try:
            parents.add(str(periods.containing(periods.parse(label).start, kind)))
        except periods.PeriodError:
            continue
    result = {}
    for label in parents:
        parent = periods.parse(label)
        points = [observations.get(str(sub)) for sub in parent.sub_periods(own)]
        value = aggregate(points, Aggregation(indicator.aggregation))
        if value is not None:
            result[label] = value
    return result


def vfm_rows(*, user: access.User, last: int = 8) -> list[VfmRow]:
    """Efficiency per period of every pair the user may read, the last `last` periods of each.

    Efficiency = output ÷ input × `per`, from activated values. When the two report at
    different frequencies (monthly output, quarterly cost) both are compared at the longer one,
    the finer indicator's months combined by its aggregation rule. Two queries whatever the
    number of pairs.
    """
    readable = Indicator.objects.readable_by(user)
    pairs = list(
        VfmPair.objects.filter(output__in=readable, input__in=readable).select_related(
            "output", "input"
        )
    )
    ids = {p.output_id for p in pairs} | {p.input_id for p in pairs}
    observations: dict[int, dict[str, Observation]] = defaultdict(dict)
    for indicator_id, period, value, numerator, denominator in Value.objects.filter(
        indicator_id__in=ids, status=Value.Status.ACTIVATED, value__isnull=False
    ).values_list("indicator_id", "period", "value", "numerator", "denominator"):
        observations[indicator_id][period] = Observation(value, numerator, denominator)
    rows = []
    for pair in pairs:
        kind = max(
            (periods.Frequency(pair.output.frequency), periods.Frequency(pair.input.frequency)),
            key=lambda f: f.months,
        )
        outputs = _series_at(pair.output, observations[pair.output_id], kind)
        inputs = _series_at(pair.input, observations[pair.input_id], kind)
        labels = sorted(set(outputs) | set(inputs), key=_period_key)[-last:]
        series = {
            label: (
                outputs[label] * pair.per if label in outputs else None,
                inputs.get(label),
            )
            for label in labels
        }
        points = calculations.efficiency_series(series, decimals=pair.decimals)
        order = {label: index for index, label in enumerate(labels)}
        # Show the output as recorded, not scaled by `per`.
        points = tuple(
            calculations.EfficiencyPoint(
                p.period, outputs.get(p.period), p.input, p.efficiency, p.direction
            )
            for p in sorted(points, key=lambda p: order[p.period])
        )
        rows.append(VfmRow(pair, points))
    return rows


@dataclass(frozen=True)
class SavingsRegister:
    savings: list[EfficiencySaving]
    totals: calculations.SavingsRegisterTotals


def savings_register() -> SavingsRegister:
    savings = list(EfficiencySaving.objects.select_related("team").order_by("-year", "description"))
    totals = calculations.savings_totals(
        calculations.EfficiencySaving(
            year=s.year,
            approach=calculations.SavingApproach(s.approach),
            cashable=s.cashable,
            amount=s.amount,
            description=s.description,
        )
        for s in savings
    )
    return SavingsRegister(savings=savings, totals=totals)
