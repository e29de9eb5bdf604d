"""The sections of the annual performance report (issue 20), each from rows `annual_facts` read.

Every function here is a plain transformation: rows in, `Section`s out, no queries.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from performance.core.calculations import round_to
from performance.core.periods import Period
from performance.reports.data import Column, Section, Table, cell_text, plain
from performance.reports.selectors import annual_facts
from performance.reports.selectors.common import _bars
from performance.reports.selectors.statuses import (
    DIRECTION_BARS,
    STATUS_BARS,
    _count_table,
)

# A decision or a list of questions names at most this many indicators; the rest are counted.
NAMED_MAX = 6
# Questions for scrutiny: at most this many, the most pressing first.
QUESTIONS_MAX = 12
# A forecast within this share of the outturn (percent) counts as accurate.
FORECAST_TOLERANCE = Decimal(10)

_VALUE = Column("value", "Outturn", "value")
WORKBOOK = "see the workbook's outturn sheets"


def value_text(row: dict[str, Any], key: str = "value") -> str:
    return cell_text(Column(key, "", "value"), row)


def name(row: dict[str, Any]) -> str:
    return f"{row['indicator']} {row['title']}"


def _names(rows: list[dict[str, Any]], where: str) -> str:
    named = [name(row) for row in rows[:NAMED_MAX]]
    if len(rows) > NAMED_MAX:
        named.append(f"{len(rows) - NAMED_MAX} more ({where})")
    return "; ".join(named)


def outturn_columns(full: bool) -> list[Column]:
    return [
        Column("indicator", "Code"),
        Column("title", "Indicator"),
        *([Column("team", "Team")] if full else []),
        _VALUE,
        Column("target", "Annual target", "value"),
        Column("shortfall_pct", "Shortfall %", "number", 1),
        Column("status", "Status", "status"),
    ]


def three_year_columns(year: Period) -> list[Column]:
    return [
        Column("indicator", "Code"),
        Column("title", "Indicator"),
        Column("earlier", str(year.shift(-2)), "value"),
        Column("previous", str(year.previous()), "value"),
        Column("value", str(year), "value"),
        Column("dot_previous", "On last year", "direction"),
        Column("dot_three", "Over three years", "direction"),
    ]


def summary(rows: list[dict[str, Any]], year: Period) -> Section:
    by_status = Counter(row["status"] for row in rows)
    by_year = Counter(row["dot_previous"] for row in rows)
    by_three = Counter(row["dot_three"] for row in rows)
    with_value = sum(1 for row in rows if row["value"] != "")
    if not rows or not with_value:
        paragraphs = [
            f"No data: no indicator of the Strategic Plan has an activated value for {year} "
            "yet, so there is no outturn to report. The year's figures appear here once its "
            "returns are activated; the sections below say what each part needs."
            if rows
            else f"No data: the Strategic Plan has no key performance indicator or linked "
            f"indicator to report for {year}."
        ]
    else:
        paragraphs = [
            f"{len(rows)} indicators of the Strategic Plan for {year}: {by_status['green']} met "
            f"their annual target (Green), {by_status['amber']} missed it narrowly (Amber), "
            f"{by_status['red']} missed it by the tolerance or more (Red) and "
            f"{by_status['no_data']} have No data"
            f"{', ' + str(by_status['none']) + ' are not judged (no target)' if by_status['none'] else ''}.",
            f"On {year.previous()}: {by_year['improving']} improved, {by_year['stable']} were "
            f"stable and {by_year['deteriorating']} deteriorated. Over three years (on "
            f"{year.shift(-2)}): {by_three['improving']} improved, {by_three['stable']} were "
            f"stable and {by_three['deteriorating']} deteriorated.",
        ]
    return Section(
        id="summary",
        title="Summary",
        paragraphs=paragraphs,
        tables=[
            _count_table(
                "summary-status", f"Outturns by status, {year}", by_status, STATUS_BARS, "status"
            ),
            _count_table(
                "summary-direction",
                f"Outturns by direction over three years, on {year.shift(-2)}",
                by_three,
                DIRECTION_BARS,
                "direction",
            ),
        ],
        charts=[
            _bars("chart-status", f"Outturns by status, {year}", by_status, STATUS_BARS),
            _bars(
                "chart-direction",
                f"Direction over three years, {year.shift(-2)} to {year}",
                by_three,
                DIRECTION_BARS,
            ),
        ],
    )


def outturn_table(
    table_id: str, caption: str, rows: list[dict[str, Any]], full: bool, sheet: str, empty: str
) -> Table:
    return Table(
        id=table_id,
        caption=caption,
        columns=outturn_columns(full),
        rows=rows,
        sheet=sheet,
        header_key="indicator",
        note="" if rows else empty,
    )


def three_years(rows: list[dict[str, Any]], year: Period, *, only_worse: bool) -> Section:
    shown = [r for r in rows if r["dot_three"] == "deteriorating"] if only_worse else rows
    title = "Deteriorating over three years" if only_worse else "Direction over three years"
    return Section(
        id="three-years",
        title=title,
        paragraphs=[
            f"Each outturn beside those of {year.previous()} and {year.shift(-2)}: the direction "
            f"on last year, and over three years (this year's outturn on {year.shift(-2)}'s), "
            "judged by whether higher or lower is better, at the indicator's decimal places."
        ],
        tables=[
            Table(
                id="three-years-table",
                caption=f"Outturns {year.shift(-2)} to {year}",
                columns=three_year_columns(year),
                rows=shown,
                sheet="Three years",
                header_key="indicator",
                note=""
                if shown
                else (
                    "No indicator deteriorated over three years."
                    if only_worse
                    else "No outturn to compare."
                ),
            )
        ],
    )


def forecast_rows(
    rows: list[dict[str, Any]],
    at_q2: dict[int, annual_facts.Forecast],
    at_q3: dict[int, annual_facts.Forecast],
) -> list[dict[str, Any]]:
    """Indicators with a forecast at Q2 or Q3 and an outturn: the forecasts and their errors."""
    result = []
    for row in rows:
        q2, q3 = at_q2.get(row["indicator_id"]), at_q3.get(row["indicator_id"])
        outturn = Decimal(row["value"]) if row["value"] != "" else None
        if outturn is None or (q2 is None and q3 is None):
            continue
        errors = [annual_facts.forecast_error(f.value if f else None, outturn) for f in (q2, q3)]
        sources = sorted({f.source for f in (q2, q3) if f})
        result.append(
            {
                "indicator_id": row["indicator_id"],
                "indicator": row["indicator"],
                "title": row["title"],
                "unit": row["unit"],
                "decimals": row["decimals"],
                "value": row["value"],
                "q2": plain(q2.value) if q2 else "",
                "q2_error": plain(round_to(errors[0], 1)) if errors[0] is not None else "",
                "q3": plain(q3.value) if q3 else "",
                "q3_error": plain(round_to(errors[1], 1)) if errors[1] is not None else "",
                "source": ", ".join("officer" if s == "officer" else "projection" for s in sources),
                "derived": ["q2_error", "q3_error"],
            }
        )
    return result


def _off(row: dict[str, Any], key: str) -> bool:
    return row[key] != "" and abs(Decimal(row[key])) > FORECAST_TOLERANCE


def forecasts(forecast: list[dict[str, Any]], year: Period, *, only_off: bool) -> Section:
    with_q3 = [r for r in forecast if r["q3_error"] != ""]
    accurate = [r for r in with_q3 if not _off(r, "q3_error")]
    shown = (
        [r for r in forecast if _off(r, "q2_error") or _off(r, "q3_error")]
        if only_off
        else forecast
    )
    sentence = (
        f"{len(forecast)} indicators had a forecast of the year's outturn at Q2 or Q3. Of the "
        f"{len(with_q3)} forecast at Q3, {len(accurate)} came within "
        f"{FORECAST_TOLERANCE}% of the outturn."
        if forecast
        else f"No forecast of {year}'s outturn was made at Q2 or Q3, so there is no accuracy to "
        "report."
    )
    return Section(
        id="forecasts",
        title="Forecast accuracy" + (": forecasts that missed" if only_off else ""),
        paragraphs=[
            sentence,
            "Error is the forecast less the outturn, as a percentage of the outturn (positive: "
            "the forecast was too high). The officer's forecast is used where one was made, "
            "else the projection from the year's figures.",
        ],
        tables=[
            Table(
                id="forecasts-table",
                caption=f"Forecasts made at Q2 and Q3 against the outturn, {year}",
                columns=[
                    Column("indicator", "Code"),
                    Column("title", "Indicator"),
                    Column("q2", "Forecast at Q2", "value"),
                    Column("q2_error", "Error at Q2 %", "number", 1),
                    Column("q3", "Forecast at Q3", "value"),
                    Column("q3_error", "Error at Q3 %", "number", 1),
                    _VALUE,
                    Column("source", "Forecast by"),
                ],
                rows=shown,
                sheet="Forecasts",
                header_key="indicator",
                note=""
                if shown
                else (
                    f"Every forecast came within {FORECAST_TOLERANCE}% of the outturn."
                    if only_off and forecast
                    else "No forecasts."
                ),
            )
        ],
    )


def achievements(
    rows: list[dict[str, Any]], year: Period, *, kpi_ids: set[int] | None = None
) -> Section:
    """Indicators that met their annual target and improved on last year; with `kpi_ids`
    (Cabinet's summary) the key performance indicators among them only."""
    met = [r for r in rows if r["status"] == "green" and annual_facts.improved(r)]
    what = "indicators"
    if kpi_ids is not None:
        met = [r for r in met if r["indicator_id"] in kpi_ids]
        what = "key performance indicators"
    return Section(
        id="achievements",
        title="Achievements",
        paragraphs=[
            f"The {len(met)} {what} that met their annual target and improved on {year.previous()}."
            if met
            else f"No {what[:-1]} both met its annual target and improved on {year.previous()}."
        ],
        tables=[
            Table(
                id="achievements-table",
                caption=f"Targets met and improved on last year, {year}",
                columns=[
                    Column("indicator", "Code"),
                    Column("title", "Indicator"),
                    Column("team", "Team"),
                    Column("previous", str(year.previous()), "value"),
                    _VALUE,
                    Column("target", "Annual target", "value"),
                ],
                rows=met,
                sheet="Achievements",
                header_key="indicator",
                note="" if met else "None this year.",
            )
        ]
        if met
        else [],
    )
