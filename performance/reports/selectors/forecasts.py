"""The quarterly report's "Forecast to miss" section (issue 20), from Q2 of the year.

Management Team and Overview & Scrutiny read it from Q2, Cabinet only when something is
forecast to miss: the report's indicators whose year-end forecast (the officer's where
given, else the projection from the figures) is Red or Amber against the annual target, as known
at the report's quarter, Red first, with the officer's reason and how the projection was made.
"""

from __future__ import annotations

from typing import Any

from performance.core.calculations import Level
from performance.core.periods import Frequency, Period
from performance.indicators import forecasts
from performance.models import Indicator
from performance.reports.data import Audience, Column, Section, Table, plain

_ORDER = {Level.BASECAMP: 0, Level.FIRSTBASE: 1}
CABINET_NAMED = 5
COLUMNS = [
    Column("indicator", "Code"),
    Column("title", "Indicator"),
    Column("team", "Team"),
    Column("forecast", "Year-end forecast", "value"),
    Column("annual_target", "Annual target", "value"),
    Column("forecast_status", "Forecast status", "status"),
    Column("source", "Forecast from"),
    Column("reason", "Officer's reason or projection method"),
]


def section(
    rows: list[dict[str, Any]], indicators: dict[int, Indicator], period: Period, audience: Audience
) -> Section | None:
    """The section, or None before Q2 (or for a year's report), and for Cabinet (a summary)
    when nothing is forecast to miss. A fixed number of queries (`forecasts_for`, cached)."""
    if period.kind is Frequency.ANNUAL or (period.quarter_number or 0) < 2:
        return None
    ids = [
        row["indicator_id"]
        for row in rows
        if indicators[row["indicator_id"]].frequency != Indicator.FrequencyChoice.ANNUAL
    ]
    year = period.financial_year
    found = forecasts.forecasts_for(indicator_ids=ids, year=str(year), as_of=str(period))
    by_id = {row["indicator_id"]: row for row in rows}
    missing = sorted(
        (
            (_ORDER[each.level], by_id[indicator_id]["indicator"], indicator_id, each)
            for indicator_id, each in found.items()
            if each.level in _ORDER
        ),
        key=lambda entry: entry[:2],
    )
    table_rows = []
    for _, _, indicator_id, each in missing:
        row = by_id[indicator_id]
        officer = each.officer
        reason = (
            (officer.comment or "No reason given") + f" ({officer.period} return)"
            if each.source == "officer" and officer is not None
            else each.projection.label
        )
        table_rows.append(
            {
                "indicator_id": indicator_id,
                "indicator": row["indicator"],
                "title": row["title"],
                "team": row["team"],
                "unit": row["unit"],
                "decimals": row["decimals"],
                "forecast": plain(each.value),
                "annual_target": plain(each.target),
                "forecast_status": each.status,
                "source": "Officer" if each.source == "officer" else "Projection",
                "reason": reason,
            }
        )
    if not missing and audience is Audience.CABINET:
        return None
    red = sum(1 for entry in missing if entry[0] == 0)
    paragraphs = [
        f"{len(missing)} indicator{'s' if len(missing) != 1 else ''} forecast to miss the "
        f"{year} annual target ({red} Red, {len(missing) - red} Amber), as known at {period}. "
        "The forecast is the officer's where one was given with a return, otherwise a projection "
        "from the figures (its method is named)."
        if missing
        else f"No indicator is forecast to miss its {year} annual target, as known at {period}."
    ]
    if audience is Audience.CABINET:
        # Cabinet reads a summary: the count and the Red ones named; the table is for MT.
        named = [f"{r['indicator']} {r['title']}" for r in table_rows[:red]]
        shown = "; ".join(named[:CABINET_NAMED])
        more = f" and {len(named) - CABINET_NAMED} more" if len(named) > CABINET_NAMED else ""
        if named:
            paragraphs.append(f"Forecast Red: {shown}{more}.")
    return Section(
        id="forecast-to-miss",
        title="Forecast to miss the annual target",
        paragraphs=paragraphs,
        tables=[
            Table(
                id="forecast-to-miss-table",
                caption=f"Indicators forecast to miss their {year} annual target, at {period}",
                columns=COLUMNS,
                rows=table_rows,
                sheet="Forecast to miss",
                header_key="indicator",
            )
        ]
        if table_rows and audience is not Audience.CABINET
        else [],
    )
