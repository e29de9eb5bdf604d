"""Reads of the performance app, shaped for pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from performance import access, periods, status
from performance.calculations import Aggregation, Observation, Polarity
from performance.models import (
    CollectionRound,
    Indicator,
    SpcChangePoint,
    StrategicPlan,
    Target,
    Team,
    Value,
)
from performance.periods import Frequency


def teams_for_dashboard(*, user) -> QuerySet[Team]:
    return (
        access.teams_readable(user)
        .select_related("directorate", "head_of_service")
        .annotate(people=Count("memberships"))
        .order_by("directorate__name", "name")
    )


def open_rounds(*, today=None) -> list[CollectionRound]:
    today = today or timezone.localdate()
    return list(
        CollectionRound.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by(
            "closes_on"
        )
    )


def current_plan() -> StrategicPlan | None:
    return (
        StrategicPlan.objects.prefetch_related("priorities__outcomes")
        .order_by("-first_year")
        .first()
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
    ).values_list("indicator_id", "period", "status", "value", "numerator", "denominator")
    for indicator_id, period, state, value, numerator, denominator in rows:
        if state == Value.Status.NO_DATA:
            no_data[indicator_id].add(period)
        elif value is not None:
            values[indicator_id][period] = Observation(value, numerator, denominator)
    for indicator_id, period, value in Target.objects.filter(
        window, indicator_id__in=ids
    ).values_list("indicator_id", "period", "value"):
        targets[indicator_id][period] = value
    for indicator_id, period in SpcChangePoint.objects.filter(indicator_id__in=ids).values_list(
        "indicator_id", "period"
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
    """Status of each indicator that reports at `period`'s frequency, by indicator id."""
    indicators = list(indicators)
    since = None if with_spc else period.same_period_last_year().start
    data = indicator_data([i.id for i in indicators], until=period.end, since=since)
    closed = window_closed(period, today=today)
    result = {}
    for indicator in indicators:
        facts = indicator_facts(indicator)
        if status.applies(facts, period):
            result[indicator.id] = status.status_for(
                facts, data[indicator.id], period, window_closed=closed, with_spc=with_spc
            )
    return result


def latest_reporting_period(*, today: dt.date | None = None) -> periods.Period:
    """The quarter most recently requested: the default period of lists and dashboards."""
    today = today or timezone.localdate()
    return periods.quarter_of(today).previous()
