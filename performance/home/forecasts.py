"""The dashboard's "Forecast to miss" (issue 20): the indicators the viewer reads whose year-end
forecast is Red or Amber against the annual target, from Q2 of the year."""

from __future__ import annotations

from dataclasses import dataclass

from performance.core import charts
from performance.core.calculations import Level
from performance.core.periods import Frequency, Period
from performance.indicators import forecasts, presentation, selectors

ROWS = 10
_ORDER = {Level.BASECAMP: 0, Level.FIRSTBASE: 1}


@dataclass(frozen=True, slots=True)
class ForecastRow:
    id: int
    code: str
    title: str
    forecast: str
    target: str
    source: str  # "officer's forecast" or "projection"
    level: presentation.Tag


@dataclass(frozen=True, slots=True)
class ForecastToMiss:
    year: Period
    as_of: Period
    count: int
    red: int
    rows: list[ForecastRow]


def shows(period: Period) -> bool:
    """From the second quarter of the year: one quarter's figures forecast little."""
    return period.kind is not Frequency.ANNUAL and (period.quarter_number or 0) >= 2


def forecast_to_miss(
    readable: list[selectors.IndicatorStatus], period: Period
) -> ForecastToMiss | None:
    """Red first, then Amber, by code; at most `ROWS` shown of `count`. None before Q2 or for
    a financial year. The forecasts are read with `forecasts_for` (cached; a fixed number of
    queries whatever the number of indicators)."""
    if not shows(period):
        return None
    by_id = {item.id: item for item in readable if item.frequency != Frequency.ANNUAL}
    if not by_id:
        return None
    year = period.financial_year
    found = forecasts.forecasts_for(indicator_ids=by_id, year=str(year), as_of=str(period))
    missing = sorted(
        (
            (_ORDER[each.level], by_id[indicator_id].code, indicator_id, each)
            for indicator_id, each in found.items()
            if each.level in _ORDER
        ),
        key=lambda entry: entry[:2],
    )
    rows = []
    for _, _, indicator_id, each in missing[:ROWS]:
        item = by_id[indicator_id]
        rows.append(
            ForecastRow(
                id=item.id,
                code=item.code,
                title=item.title,
                forecast=charts.format_value(each.value, item.decimals, item.unit),
                target=charts.format_value(each.target, item.decimals, item.unit),
                source="officer's forecast" if each.source == "officer" else "projection",
                level=presentation.LEVEL_TAGS[each.level],
            )
        )
    return ForecastToMiss(
        year=year,
        as_of=period,
        count=len(missing),
        red=sum(1 for entry in missing if entry[0] == 0),
        rows=rows,
    )
