"""The sections of the annual performance report (issue 20), each from rows `annual_facts` read.

Every function here is a plain transformation: rows in, `Section`s out, no queries.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from performance.core import symbols
from performance.core.calculations import round_to
from performance.core.periods import Period
from performance.reports.data import Column, Section, Table, cell_text, plain
from performance.reports.selectors import annual_facts
from performance.reports.selectors.common import _bars
from performance.reports.selectors.statuses import (
    DIRECTION_BARS,
    STATUS_BARS,
    STATUS_ORDER,
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


ACTION_KEYS = ["Complete", "On track", "At risk", "Off track", "No update"]


def priorities(
    plan_rows: list[tuple[str, Counter[str]]],
    actions: list[dict[str, Any]],
    year: Period,
    *,
    charts: bool,
    action_list: str,
) -> Section:
    """Per priority: the indicators by status and the strategic actions by year-end progress.
    `action_list`: "all" lists every action, "exceptions" those at risk, off track or without
    an update, "" none."""
    by_priority: dict[str, Counter[str]] = {}
    for action in actions:
        by_priority.setdefault(action["priority"], Counter())[action["status"]] += 1
    status_rows, action_rows = [], []
    for label, counts in plan_rows:
        acts = by_priority.get(label, Counter())
        status_rows.append(
            {
                "priority": label,
                "indicators": sum(counts.values()),
                **{key: counts.get(key, 0) for key in STATUS_ORDER},
            }
        )
        action_rows.append(
            {
                "priority": label,
                "actions": sum(acts.values()),
                **{f"act_{key}": acts.get(key, 0) for key in ACTION_KEYS},
            }
        )
    empty = "The council has no current Strategic Plan."
    table = Table(
        id="priorities-table",
        caption=f"Indicators by priority and outturn status, {year}",
        columns=[
            Column("priority", "Priority"),
            Column("indicators", "Indicators", "int"),
            *(
                Column(code, symbols.labelled("status", code, short_word=True), "int")
                for code in ("green", "amber", "red", "no_data", "none")
            ),
        ],
        rows=status_rows,
        sheet="By priority",
        note="" if status_rows else empty,
    )
    progress = Table(
        id="priority-actions-table",
        caption=f"Strategic actions by priority and progress at the end of {year}",
        columns=[
            Column("priority", "Priority"),
            Column("actions", "Actions", "int"),
            *(Column(f"act_{key}", key, "int") for key in ACTION_KEYS),
        ],
        rows=action_rows,
        sheet="Actions by priority",
        note="" if action_rows else empty,
    )
    tables = [table, progress]
    if action_list:
        listed = (
            actions
            if action_list == "all"
            else [a for a in actions if a["status"] in ("At risk", "Off track", "No update")]
        )
        tables.append(
            Table(
                id="actions-table",
                caption=f"Strategic actions at the end of {year}"
                + ("" if action_list == "all" else ": at risk, off track or without an update"),
                columns=[
                    Column("action", "Action"),
                    Column("outcome", "Outcome"),
                    Column("owner", "Owner"),
                    Column("status", "Status"),
                    Column("percent_complete", "Complete", "percent"),
                    Column("as_at", "As at"),
                ],
                rows=listed,
                sheet="Strategic actions",
                note="" if listed else "None.",
            )
        )
    q4 = Period.for_quarter(year.fy_start_year, 4)
    return Section(
        id="priorities",
        title="Progress of the priorities",
        paragraphs=[
            "For each priority of the Strategic Plan: its indicators by outturn status (an "
            "indicator serving more than one outcome is counted under each) and its strategic "
            f"actions by their latest progress update of the year ({q4}, else Q2)."
        ],
        charts=[
            _bars(
                f"chart-priority-{index}",
                f"{label}: outturns by status, {year}",
                counts,
                STATUS_BARS,
            )
            for index, (label, counts) in enumerate(plan_rows, start=1)
        ]
        if charts
        else [],
        tables=tables,
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


def summit(winners: list[dict[str, Any]], missing: list[str], year: Period) -> Section:
    paragraphs = [
        "The Top Team and runner-up of each quarter's Reach the Summit league table, as frozen "
        "when the quarter's collection window closed."
    ]
    if missing:
        paragraphs.append(
            f"No final table yet for {', '.join(missing)}: its league table is still "
            "provisional (see the Reach the Summit pages)."
        )
    return Section(
        id="reach-the-summit",
        title="Reach the Summit winners",
        paragraphs=paragraphs,
        tables=[
            Table(
                id="summit-winners",
                caption=f"Reach the Summit award winners, {year}",
                columns=[
                    Column("quarter", "Quarter"),
                    Column("award", "Award"),
                    Column("team", "Team"),
                    Column("score", "Score", "number", 2),
                ],
                rows=winners,
                sheet="Reach the Summit",
                header_key="team",
                note="" if winners else "No quarter of the year has a final league table.",
            )
        ],
    )


def benchmarks(
    rows: list[dict[str, Any]], groups: list[str], year: Period, *, only_bottom: bool
) -> Section:
    counts = Counter(row["quartile_number"] for row in rows)
    shown = [r for r in rows if r["quartile_number"] == 4] if only_bottom else rows
    if not groups:
        sentence = "No comparator group has been set up yet."
    elif not rows:
        sentence = f"No benchmark values for {year} or before it."
    else:
        sentence = (
            f"{len(rows)} positions in {len(groups)} comparator "
            f"{'group' if len(groups) == 1 else 'groups'}: {counts[1]} in the top quartile, "
            f"{counts[2]} in the second, {counts[3]} in the third and {counts[4]} in the "
            "bottom quartile."
        )
    return Section(
        id="benchmarking",
        title="Benchmarking: measures in the bottom quartile"
        if only_bottom
        else "Benchmarking positions",
        paragraphs=[
            sentence,
            f"Each measure's figure for {year}, or the latest before it where the year's is "
            "not yet published. Quartile 1 is the best 25% of the group; rank 1 is the best.",
        ],
        tables=[
            Table(
                id="benchmark-positions",
                caption=f"Our position in each comparator group, {year}",
                columns=[
                    Column("group", "Group"),
                    Column("measure", "Measure"),
                    Column("period", "Period"),
                    Column("value", "Our value", "number", 1),
                    Column("rank", "Rank", "int"),
                    Column("of", "Of", "int"),
                    Column("quartile", "Quartile"),
                    Column("median", "Group median", "number", 1),
                ],
                rows=shown,
                sheet="Benchmarking",
                header_key="measure",
                note="" if shown else "None.",
            )
        ],
    )


def questions(rows: list[dict[str, Any]], forecast: list[dict[str, Any]], year: Period) -> Section:
    """Questions for scrutiny: each Red miss, then each deterioration over three years, then
    each forecast that missed the outturn at Q3; at most QUESTIONS_MAX, the rest counted."""
    upcoming = year.next()
    asked = [
        f"{name(r)} missed its annual target of {value_text(r, 'target')} by "
        f"{r['shortfall_pct']}% (outturn {value_text(r)}): why, and what will change in "
        f"{upcoming}?"
        for r in rows
        if r["status"] == "red"
    ]
    asked += [
        f"{name(r)} has deteriorated over three years, from {value_text(r, 'earlier')} in "
        f"{year.shift(-2)} to {value_text(r)}: what is driving it?"
        for r in rows
        if r["dot_three"] == "deteriorating"
    ]
    asked += [
        f"The forecast at Q3 for {name(r)} was {value_text(r, 'q3')} against an outturn of "
        f"{value_text(r)} ({r['q3_error']}%): why was it so far out?"
        for r in forecast
        if _off(r, "q3_error")
    ]
    items = asked[:QUESTIONS_MAX]
    if len(asked) > QUESTIONS_MAX:
        items.append(
            f"And {len(asked) - QUESTIONS_MAX} more of the same kinds, from the tables of this "
            "report."
        )
    return Section(
        id="questions",
        title="Questions for scrutiny",
        paragraphs=[] if items else [f"Nothing in {year}'s outturn calls for a question."],
        items=items,
    )


def decisions(
    rows: list[dict[str, Any]],
    bench: list[dict[str, Any]],
    winners: list[dict[str, Any]],
    year: Period,
    kpi_ids: set[int],
) -> Section:
    """What Cabinet is asked to note, agree and request, each a sentence from the data."""
    counts = Counter(r["status"] for r in rows)
    met = [
        r
        for r in rows
        if r["indicator_id"] in kpi_ids and r["status"] == "green" and annual_facts.improved(r)
    ]
    failing = [
        r
        for r in rows
        if r["indicator_id"] in kpi_ids
        and r["status"] == "red"
        and r["dot_three"] == "deteriorating"
    ]
    items = [
        f"Cabinet is asked to note the outturn for {year}: {counts['green']} of the "
        f"{len(rows)} indicators met their annual target, {counts['amber']} missed it narrowly "
        f"(Amber), {counts['red']} missed it by the tolerance or more (Red) and "
        f"{counts['no_data']} have No data."
    ]
    if met:
        items.append(
            f"Cabinet is asked to note the year's achievements: {len(met)} key performance "
            f"{'indicator' if len(met) == 1 else 'indicators'} met their annual target and "
            "improved on last year, named under “Achievements”."
        )
    if failing:
        which = (
            "the Red key performance indicator that has also deteriorated over three years"
            if len(failing) == 1
            else f"the {len(failing)} Red key performance indicators that have also "
            "deteriorated over three years"
        )
        items.append(
            f"Cabinet is asked to request improvement plans, for its next meeting, for "
            f"{which}: {_names(failing, WORKBOOK)}."
        )
    bottom = sum(1 for b in bench if b["quartile_number"] == 4)
    items.append(
        f"Cabinet is asked to agree that the annual targets for {year.next()} are set in the "
        f"light of these outturns"
        + (
            f" and of the {bottom} benchmark positions in the bottom quartile."
            if bottom
            else " and of the benchmarking positions."
        )
    )
    tops = [w["team"] for w in winners if w["award"] == "Top Team"]
    if tops:
        items.append(
            "Cabinet is asked to congratulate the year's Reach the Summit Top Teams: "
            f"{'; '.join(dict.fromkeys(tops))}."
        )
    return Section(id="decisions", title="Decisions for Cabinet", items=items)
