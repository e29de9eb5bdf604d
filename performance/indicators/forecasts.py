"""Reads for the year-end forecast (issue 20): each indicator's officer forecast and projection.

`forecasts_for` loads what `core.forecasts` needs for many indicators in a fixed number of
queries (the indicators, their validation settings, their activated values of this year and
last, the year's targets), never one per indicator, and caches the result under the
"indicators" generation (and "dataquality", which keeps the settings that bound a projection).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from performance.common import cache as generations
from performance.common import hooks
from performance.core import forecasts, periods, status
from performance.core.calculations import Observation
from performance.core.forecasts import Forecast
from performance.core.periods import Frequency, Period
from performance.indicators import selectors
from performance.models import Indicator, Target, Value

__all__ = ["Forecast", "forecasts_for", "forecasts_of", "year_and_as_of"]


def year_and_as_of(year: str, as_of: str | None) -> tuple[Period, Period]:
    """The financial year and the period by which figures count (the year itself when None).
    `PeriodError` for a year that is not one, or an `as_of` outside the year."""
    fy = periods.parse(year, kind=Frequency.ANNUAL)
    until = periods.parse(as_of) if as_of else fy
    if not fy.contains(until):
        raise periods.PeriodError(f"{until} is not in the financial year {fy}")
    return fy, until


def forecasts_for(
    *, indicator_ids: Iterable[int], year: str, as_of: str | None = None
) -> dict[int, Forecast]:
    """The year-end forecast of each indicator in `indicator_ids` that exists, by id.

    `year` is a financial year (`2025/26`); `as_of` a period of that year (`2025/26 Q2`,
    `2025-08`) limits the figures and the officer's forecasts to periods ending by its end —
    what was known then (the annual report measures forecast accuracy with it). None: all of
    the year's activated figures. Shared by every caller until the data changes: do not mutate.
    """
    fy, until = year_and_as_of(year, as_of)
    ids = sorted(set(indicator_ids))
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()
    key = f"forecasts|{fy}|{until}|{digest}"
    # Per indicator (issues 21, 23): after a change only the indicators whose stamp moved are
    # projected again ("reports" watches the validation rules that bound a projection).
    return generations.assembled(
        key,
        ["indicators", "dataquality", "reports"],
        lambda moved: _compute(
            ids if moved is None else sorted(set(ids).intersection(moved)), fy=fy, until=until
        ),
        dict,
    )


def _compute(ids: list[int], *, fy: Period, until: Period) -> dict[int, Forecast]:
    indicators = list(
        Indicator.objects.filter(id__in=ids)
        .only(
            "id",
            "code",
            "polarity",
            "decimals",
            "frequency",
            "aggregation",
            "tolerance",
            "unit",
            "year_to_date",
        )
        .order_by()
    )
    return forecasts_of(indicators, year=fy, as_of=until)


def forecasts_of(
    indicators: list[Indicator], *, year: Period, as_of: Period
) -> dict[int, Forecast]:
    """`forecasts_for` of indicators already loaded, not cached (for a caller that caches its
    own result, such as the status rows): three queries (settings, values, targets)."""
    fy, until = year, as_of
    if not indicators:
        return {}
    ids = [indicator.id for indicator in indicators]
    settings: dict[int, dict[str, Any]] = hooks.one(hooks.INDICATOR_SETTINGS)(indicators)
    last_year = fy.same_period_last_year()
    values: dict[int, dict[str, Observation]] = defaultdict(dict)
    officer: dict[int, forecasts.OfficerForecast] = {}
    rows = (
        Value.objects.filter(
            indicator_id__in=ids,
            status=Value.Status.ACTIVATED,
            period_start__gte=last_year.start,
            period_start__lte=until.end,
        )
        .order_by("period_start")
        .values_list(
            "indicator_id",
            "period",
            "period_start",
            "value",
            "numerator",
            "denominator",
            "forecast",
            "forecast_comment",
        )
    )
    for indicator_id, period, start, value, numerator, denominator, forecast, comment in rows:
        if status.parsed(period).end > until.end:
            continue  # a quarter of a monthly `as_of` that had not ended
        if value is not None:
            values[indicator_id][period] = Observation(value, numerator, denominator)
        if forecast is not None and start >= fy.start:
            # Oldest first, so the latest return of the year with a forecast wins.
            officer[indicator_id] = forecasts.OfficerForecast(forecast, comment, period)
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, period, value in (
        Target.objects.filter(
            indicator_id__in=ids, period_start__gte=fy.start, period_start__lte=fy.end
        )
        .order_by()
        .values_list("indicator_id", "period", "value")
    ):
        targets[indicator_id][period] = value
    result = {}
    for indicator in indicators:
        rule = settings.get(indicator.id, {})
        percent = indicator.unit == Indicator.Unit.PERCENT
        bounds = forecasts.Bounds.for_unit(
            percent=percent,
            allow_negative=bool(rule.get("allow_negative")),
            allow_over_100=bool(rule.get("allow_over_100")),
        )
        result[indicator.id] = forecasts.forecast_for(
            selectors.indicator_facts(indicator),
            status.IndicatorData(values=values[indicator.id], targets=targets[indicator.id]),
            fy,
            as_of=until,
            officer=officer.get(indicator.id),
            bounds=bounds,
        )
    return result
