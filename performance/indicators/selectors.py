"""Reads of the indicators area: one indicator's data and history, and every indicator's status for a
period (computed once per state of the data and cached; SPEC §4)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from performance.common import cache as generations
from performance.core import periods, status
from performance.core.calculations import Aggregation, Observation, Polarity
from performance.core.periods import Frequency
from performance.models import (
    Indicator,
    SpcChangePoint,
    Target,
    Value,
)

# --- Indicator status -------------------------------------------------------------------------


def indicator_facts(indicator: Indicator) -> status.IndicatorFacts:
    return status.IndicatorFacts(
        code=indicator.code,
        polarity=Polarity(indicator.polarity),
        decimals=indicator.decimals,
        frequency=Frequency(indicator.frequency),
        aggregation=Aggregation(indicator.aggregation),
        tolerance=indicator.effective_tolerance,
        percent=indicator.unit == Indicator.Unit.PERCENT,
        year_to_date=indicator.year_to_date,
    )


def indicator_data(
    indicator_ids: Iterable[int], *, until: dt.date, since: dt.date | None = None
) -> dict[int, status.IndicatorData]:
    """Activated values, No data marks, targets and change points of many indicators.

    Four queries whatever the number of indicators. `since` bounds the history (a list page
    needs the last year only; SPC needs it all).
    """
    ids = list(indicator_ids)
    values: dict[int, dict[str, Observation]] = defaultdict(dict)
    no_data: dict[int, set[str]] = defaultdict(set)
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rebase: dict[int, set[str]] = defaultdict(set)
    window = Q(period_start__lte=until)
    if since is not None:
        window &= Q(period_start__gte=since)
    rows = Value.objects.filter(
        window,
        indicator_id__in=ids,
        status__in=[Value.Status.ACTIVATED, Value.Status.NO_DATA],
    ).order_by()  # rows go into dictionaries: the model's ordering would only cost a sort
    _read_values(rows, values, no_data)
    _read_targets(Target.objects.filter(window, indicator_id__in=ids).order_by(), targets)
    for indicator_id, period in (
        SpcChangePoint.objects.filter(indicator_id__in=ids)
        .order_by()
        .values_list("indicator_id", "period")
    ):
        rebase[indicator_id].add(period)
    return {
        indicator_id: status.IndicatorData(
            values=values[indicator_id],
            targets=targets[indicator_id],
            no_data=frozenset(no_data[indicator_id]),
            rebase_periods=frozenset(rebase[indicator_id]),
        )
        for indicator_id in ids
    }


@dataclass(frozen=True, slots=True)
class IndicatorHistory:
    """Everything an indicator's page reads of its values and targets."""

    data: status.IndicatorData  # as `indicator_data(..., until=until)` gives it
    comments: dict[str, str]  # performance comments of activated values, by period
    commentable: tuple[str, ...]  # periods with an activated value or a target, newest first
    target_count: int  # every target, whatever its period


def indicator_history(indicator_id: int, *, until: dt.date) -> IndicatorHistory:
    """One indicator's whole record, in three queries (values, targets, change points): its
    data up to `until` as `indicator_data` reads it, and what the page shows besides."""
    values: dict[str, Observation] = {}
    no_data: set[str] = set()
    comments: dict[str, str] = {}
    commentable: set[str] = set()
    for period, start, state, value, numerator, denominator, comment in (
        Value.objects.filter(
            indicator_id=indicator_id, status__in=[Value.Status.ACTIVATED, Value.Status.NO_DATA]
        )
        .order_by()
        .values_list(
            "period", "period_start", "status", "value", "numerator", "denominator", "comment"
        )
    ):
        if state == Value.Status.ACTIVATED:
            commentable.add(period)
            if comment:
                comments[period] = comment
        if start > until:
            continue
        if state == Value.Status.NO_DATA:
            no_data.add(period)
        elif value is not None:
            values[period] = Observation(value, numerator, denominator)
    targets: dict[str, Decimal] = {}
    target_count = 0
    for period, start, value in (
        Target.objects.filter(indicator_id=indicator_id)
        .order_by()
        .values_list("period", "period_start", "value")
    ):
        target_count += 1
        commentable.add(period)
        if start <= until:
            targets[period] = value
    rebase = frozenset(
        SpcChangePoint.objects.filter(indicator_id=indicator_id)
        .order_by()
        .values_list("period", flat=True)
    )
    return IndicatorHistory(
        data=status.IndicatorData(
            values=values, targets=targets, no_data=frozenset(no_data), rebase_periods=rebase
        ),
        comments=comments,
        commentable=tuple(sorted(commentable, key=status.parsed, reverse=True)),
        target_count=target_count,
    )


def _read_values(
    rows: QuerySet[Value],
    values: dict[int, dict[str, Observation]],
    no_data: dict[int, set[str]],
) -> None:
    """Activated values and No data marks of `rows` into `values` and `no_data`."""
    for indicator_id, period, state, value, numerator, denominator in rows.values_list(
        "indicator_id", "period", "status", "value", "numerator", "denominator"
    ):
        if state == Value.Status.NO_DATA:
            no_data[indicator_id].add(period)
        elif value is not None:
            values[indicator_id][period] = Observation(value, numerator, denominator)


def _read_targets(rows: QuerySet[Target], targets: dict[int, dict[str, Decimal]]) -> None:
    for indicator_id, period, value in rows.values_list("indicator_id", "period", "value"):
        targets[indicator_id][period] = value


def _recent_data(
    which: Q, frequencies: Iterable[str], period: periods.Period, *, brief: bool = False
) -> dict[int, status.IndicatorData]:
    """What a status without SPC reads, for the indicators `which` selects (a Q that works on
    both Value and Target, e.g. `Q(indicator__active=True)`): values of the period, the
    previous one and the same one last year, and the period's targets, at each of
    `frequencies` (`status.periods_read`; with `brief`, what `status.brief_for` reads: not
    last year). Two queries; an indicator with none of those rows gets empty data."""
    value_periods: set[str] = set()
    target_periods: set[str] = set()
    read = status.brief_periods_read if brief else status.periods_read
    for frequency in set(frequencies):
        read_values, read_targets = read(period, Frequency(frequency))
        value_periods |= read_values
        target_periods |= read_targets
    values: dict[int, dict[str, Observation]] = defaultdict(dict)
    no_data: dict[int, set[str]] = defaultdict(set)
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if value_periods:
        _read_values(
            Value.objects.filter(
                which,
                period__in=sorted(value_periods),
                status__in=[Value.Status.ACTIVATED, Value.Status.NO_DATA],
            ).order_by(),
            values,
            no_data,
        )
        _read_targets(
            Target.objects.filter(which, period__in=sorted(target_periods)).order_by(),
            targets,
        )
    empty: dict[str, Any] = {}  # shared by values and targets, never written
    return defaultdict(
        status.IndicatorData,
        {
            indicator_id: status.IndicatorData(
                values=values.get(indicator_id, empty),
                targets=targets.get(indicator_id, empty),
                no_data=frozenset(no_data.get(indicator_id, ())),
            )
            for indicator_id in values.keys() | targets.keys() | no_data.keys()
        },
    )


def window_closed(period: periods.Period, *, today: dt.date | None = None) -> bool:
    """Whether the collection window for `period` has closed (SPEC §5), London time."""
    today = today or timezone.localdate()
    close = periods.window_close(period.request_date(), settings.COLLECTION_WINDOW_DAYS)
    return today > close


def indicator_statuses(
    indicators: Iterable[Indicator],
    period: periods.Period,
    *,
    with_spc: bool = False,
    today: dt.date | None = None,
) -> dict[int, status.Status]:
    """Status of each indicator that reports at `period`'s frequency, by indicator id.

    Not cached: for a few indicators, or ones not active. Pages listing every active indicator
    use `period_statuses`, computed once per change and shared.
    """
    indicators = list(indicators)
    ids = [i.id for i in indicators]
    if with_spc:
        data = indicator_data(ids, until=period.end)
    else:
        data = _recent_data(Q(indicator_id__in=ids), {i.frequency for i in indicators}, period)
    closed = window_closed(period, today=today)
    result = {}
    for indicator in indicators:
        facts = indicator_facts(indicator)
        if status.applies(facts, period):
            result[indicator.id] = status.status_for(
                facts, data[indicator.id], period, window_closed=closed, with_spc=with_spc
            )
    return result


_KIND_LABELS = dict(Indicator.Kind.choices)
_FREQUENCY_LABELS = dict(Indicator.FrequencyChoice.choices)


@dataclass(frozen=True, slots=True)
class IndicatorStatus:
    """An active indicator as lists and dashboards show it, with its status for one period.

    `status` is what a list shows of it (`status.Brief`: value, target, level, direction
    against the previous period), None when the indicator does not report at the period's
    frequency (an annual indicator in a quarter). Immutable: one tuple of these is shared by every request until
    the "indicators" generation changes.
    """

    id: int
    code: str
    title: str
    kind: str
    perspective: str
    frequency: str
    unit: str
    decimals: int
    team_id: int | None
    team_name: str
    directorate_id: int | None
    directorate_name: str
    status: status.Brief | None
    # Read for every indicator by filters and counts: stored, not derived on each read.
    status_code: str  # `green|amber|red|no_data|none` (SPEC §12); `none` when not reporting
    direction_code: str  # against the previous period; `none` when not reporting
    reports: bool  # whether it reports at the period's frequency (`status` is not None)

    @property
    def pk(self) -> int:
        return self.id

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)

    @property
    def frequency_label(self) -> str:
        return _FREQUENCY_LABELS.get(self.frequency, self.frequency)

    @property
    def attention(self) -> bool:
        """Reports, and is Red or deteriorating: where an action plan may be needed (SPEC §2)."""
        return self.status_code == "red" or self.direction_code == "deteriorating"


def period_statuses(
    period: periods.Period, *, today: dt.date | None = None
) -> tuple[IndicatorStatus, ...]:
    """Every active indicator with its brief status for `period` (`status.brief_for`: no
    SPC, no comparison with last year), ordered by code.

    Computed once per change of the "indicators" generation (any save or delete of an
    indicator, value, target, team, service or directorate) and shared by every reader: the
    result does not depend on who asks, so callers filter it to what the person may read.
    The key holds the period, today's date (it decides whether the collection window has
    closed, which turns a missing value into No data) and the window length.
    One query when cached, four when not.
    """
    today = today or timezone.localdate()
    key = f"period-statuses|{period_statuses_key(period, today=today)}"
    return generations.assembled(
        key,
        ["indicators"],
        lambda ids: _compute_period_statuses(period, today=today, ids=ids),
        _in_code_order,
    )


def _in_code_order(pieces: Mapping[int, IndicatorStatus]) -> tuple[IndicatorStatus, ...]:
    return tuple(sorted(pieces.values(), key=lambda each: (each.code, each.id)))


def period_statuses_key(period: periods.Period, *, today: dt.date) -> str:
    """What `period_statuses` depends on besides the "indicators" generation: the period,
    today's date and the collection window length. Figures derived from those statuses key
    their own cache entries with it."""
    return f"{period}|{today.isoformat()}|window={settings.COLLECTION_WINDOW_DAYS}"


def _compute_period_statuses(
    period: periods.Period, *, today: dt.date, ids: Collection[int] | None = None
) -> dict[int, IndicatorStatus]:
    """The statuses of the active indicators `ids` (None: of every one), by pk: three
    queries, then per indicator only what a list shows (`status.brief_for`). The facts that
    matter to a brief status take a few distinct forms across thousands of indicators, so
    each form is built once. After a change only the indicators whose stamp moved are asked
    for (`performance.common.cache.assembled`)."""
    which = Q(indicator__active=True)
    chosen = Indicator.objects.filter(active=True)
    if ids is not None:
        which &= Q(indicator_id__in=list(ids))
        chosen = chosen.filter(pk__in=list(ids))
    rows = list(
        chosen.order_by().values_list(
            "id",
            "code",
            "title",
            "kind",
            "perspective",
            "frequency",
            "unit",
            "decimals",
            "polarity",
            "aggregation",
            "tolerance",
            "year_to_date",
            "team_id",
            "team__name",
            "team__directorate_id",
            "team__directorate__name",
        )
    )
    data = _recent_data(which, {row[5] for row in rows}, period, brief=True)
    closed = window_closed(period, today=today)
    default_tolerance = Decimal(10)
    percent = Indicator.Unit.PERCENT
    forms: dict[tuple[object, ...], status.IndicatorFacts] = {}
    result = {}
    for (
        pk,
        code,
        title,
        kind,
        perspective,
        frequency,
        unit,
        decimals,
        polarity,
        aggregation,
        tolerance,
        year_to_date,
        team_id,
        team_name,
        directorate_id,
        directorate_name,
    ) in rows:
        form = (
            polarity,
            decimals,
            frequency,
            aggregation,
            tolerance,
            unit == percent,
            year_to_date,
        )
        facts = forms.get(form)
        if facts is None:
            # The stored strings: IndicatorFacts makes them Polarity, Frequency and Aggregation.
            facts = forms[form] = status.IndicatorFacts(
                code="",  # not read by a brief status
                polarity=polarity,  # type: ignore[arg-type]
                decimals=decimals,
                frequency=frequency,  # type: ignore[arg-type]
                aggregation=aggregation,  # type: ignore[arg-type]
                tolerance=default_tolerance if tolerance is None else tolerance,
                percent=form[5],
                year_to_date=year_to_date,
            )
        found = None
        if status.applies(facts, period):
            found = status.brief_for(facts, data[pk], period, window_closed=closed)
        result[pk] = IndicatorStatus(
            id=pk,
            code=code,
            title=title,
            kind=kind,
            perspective=perspective,
            frequency=frequency,
            unit=unit,
            decimals=decimals,
            team_id=team_id,
            team_name=team_name or "",
            directorate_id=directorate_id,
            directorate_name=directorate_name or "",
            status=found,
            status_code="none" if found is None else found.status,
            direction_code="none" if found is None else found.dot_previous.value,
            reports=found is not None,
        )
    return result


def latest_reporting_period(*, today: dt.date | None = None) -> periods.Period:
    """The quarter most recently requested: the default period of lists and dashboards."""
    today = today or timezone.localdate()
    return periods.quarter_of(today).previous()
