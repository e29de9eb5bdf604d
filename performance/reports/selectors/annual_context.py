"""The annual report's sections beside the outturns (issue 20): the priorities' progress, the
year's Reach the Summit winners, benchmarking positions, and the committees' words (Cabinet's
decisions, Scrutiny's questions). Rows in, `Section`s out, no queries.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from performance.core import symbols
from performance.core.periods import Period
from performance.reports.data import Column, Section, Table
from performance.reports.selectors import annual_facts
from performance.reports.selectors.annual_sections import (
    QUESTIONS_MAX,
    WORKBOOK,
    _names,
    _off,
    name,
    value_text,
)
from performance.reports.selectors.common import _bars
from performance.reports.selectors.statuses import STATUS_BARS, STATUS_ORDER

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
