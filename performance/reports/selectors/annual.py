"""The annual performance report on the Strategic Plan (issue 20), published after Q4.

The year's outturn of each key performance indicator and each indicator linked to an outcome
against its annual target, the direction over three years, the accuracy of the forecasts made
at Q2 and Q3, the priorities' progress (indicators and strategic actions), the achievements,
the year's Reach the Summit winners and our benchmarking positions.

Audiences, as the quarterly report's: Management Team reads everything; Cabinet a summary with
the decisions asked of it (the outturn tables go to the workbook); Overview & Scrutiny the
exceptions (misses, deteriorations, forecasts that missed, bottom-quartile positions) and the
questions they raise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Q

from performance.core.periods import Period
from performance.models import Indicator
from performance.plans import selectors as plan_selectors
from performance.reports.data import DERIVED, Audience, Column, Kind, Report, Section, Table
from performance.reports.selectors import annual_context, annual_facts, annual_sections
from performance.reports.selectors.common import _report
from performance.reports.selectors.scope import _teams_note
from performance.reports.selectors.statuses import STATUS_ORDER, _indicators

OPEN_DATA_COLUMNS = [
    Column("indicator", "Indicator code"),
    Column("title", "Indicator"),
    Column("team", "Team"),
    Column("period", "Financial year"),
    Column("value", "Outturn", "value"),
    Column("target", "Annual target", "value"),
    Column("unit", "Unit"),
    Column("decimals", "Decimal places", "int"),
    Column("shortfall_pct", "Shortfall %", "number", 1),
    Column("status", "Status", "status"),
    Column("value_year_before", "Outturn a year earlier", "value"),
    Column("value_two_years_before", "Outturn two years earlier", "value"),
    Column("dot_previous", "Direction on a year earlier", "direction"),
    Column("dot_three_years", "Direction over three years", "direction"),
]
# Open data names its columns for a reader without the report: report row key → open data key.
OPEN_DATA_KEYS = {
    "previous": "value_year_before",
    "earlier": "value_two_years_before",
    "dot_three": "dot_three_years",
}


def _open_row(row: dict[str, Any]) -> dict[str, Any]:
    named = {OPEN_DATA_KEYS.get(key, key): value for key, value in row.items()}
    return {
        **{c.key: named[c.key] for c in OPEN_DATA_COLUMNS},
        DERIVED: [OPEN_DATA_KEYS.get(key, key) for key in row[DERIVED]],
    }


def _by_priority(
    rows: list[dict[str, Any]], links: dict[int, list[int]], plan: Any
) -> tuple[list[tuple[Any, list[dict[str, Any]]]], list[tuple[str, Counter[str]]], set[int]]:
    """([(priority, its rows)], [(priority label, counts by status)], linked indicator ids)."""
    row_of = {row["indicator_id"]: row for row in rows}
    grouped, counted = [], []
    linked: set[int] = set()
    for priority in plan.priorities.all() if plan else []:
        ids: dict[int, None] = {}
        counts: Counter[str] = Counter()
        for outcome in priority.outcomes.all():
            members = [i for i in links.get(outcome.id, []) if i in row_of]
            counts.update(row_of[i]["status"] for i in members)
            ids.update(dict.fromkeys(members))
        linked |= set(ids)
        members_rows = sorted((row_of[i] for i in ids), key=lambda r: r["indicator"])
        grouped.append((priority, members_rows))
        counted.append((f"{priority.number}. {priority.title}", counts))
    return grouped, counted, linked


def annual(
    *,
    period: Period,
    audience: Audience,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
    **_: object,
) -> Report:
    """The annual report for the financial year `period`."""
    year = period
    indicators = _indicators(Q(kind=Indicator.Kind.KPI) | Q(outcomes__isnull=False), team_ids)
    outturns = annual_facts.outturns(indicators, year, today)
    rows = [o.row for o in outturns]
    kpi_ids = {o.indicator.id for o in outturns if o.indicator.kind == Indicator.Kind.KPI}
    ids = [row["indicator_id"] for row in rows]
    plan = plan_selectors.current_plan()
    links = annual_facts.outcome_links(ids)
    grouped, counted, linked = _by_priority(rows, links, plan)
    actions = annual_facts.action_rows(plan, year)
    forecast = annual_sections.forecast_rows(
        rows, annual_facts.forecasts_at(ids, year, 2), annual_facts.forecasts_at(ids, year, 3)
    )
    winners, unfrozen = annual_facts.summit_winners(year)
    bench, groups = annual_facts.benchmark_rows(year)

    full = audience is Audience.MT
    cabinet = audience is Audience.CABINET
    scrutiny = audience is Audience.SCRUTINY
    sections = [annual_sections.summary(rows, year)]
    if cabinet:
        sections.append(annual_context.decisions(rows, bench, winners, year, kpi_ids))

    if scrutiny:
        # Worst first: Red, then Amber (each by shortfall, largest first), then No data.
        misses = sorted(
            (r for r in rows if r["status"] in ("red", "amber", "no_data")),
            key=lambda r: (
                STATUS_ORDER.index(r["status"]),
                -Decimal(r["shortfall_pct"] or 0),
                r["indicator"],
            ),
        )
        sections.append(
            Section(
                id="misses",
                title="Missed targets",
                paragraphs=[
                    "Every indicator whose outturn missed its annual target (Red or Amber) or "
                    "has No data, with its shortfall."
                ],
                tables=[
                    annual_sections.outturn_table(
                        "misses-table",
                        f"Outturns that missed their annual target, {year}",
                        misses,
                        True,
                        "Missed targets",
                        "No indicator missed its annual target.",
                    )
                ],
            )
        )
        sections.append(annual_context.questions(rows, forecast, year))
        sections.append(annual_sections.three_years(rows, year, only_worse=True))
        sections.append(annual_sections.forecasts(forecast, year, only_off=True))
        sections.append(
            annual_context.priorities(
                counted, actions, year, charts=False, action_list="exceptions"
            )
        )
        sections.append(annual_context.benchmarks(bench, groups, year, only_bottom=True))
    else:
        sections.append(
            annual_context.priorities(
                counted, actions, year, charts=cabinet, action_list="all" if full else ""
            )
        )
        sections.append(
            annual_sections.achievements(rows, year, kpi_ids=kpi_ids if cabinet else None)
        )
        if full:
            sections.append(annual_sections.three_years(rows, year, only_worse=False))
            sections.append(annual_sections.forecasts(forecast, year, only_off=False))
        sections.append(annual_context.summit(winners, unfrozen, year))
        sections.append(annual_context.benchmarks(bench, groups, year, only_bottom=False))
        # The outturn tables, by priority: Management Team's in full; Cabinet's in the workbook.
        for priority, members in grouped:
            sections.append(
                Section(
                    id=f"priority-{priority.number}",
                    title=f"Outturns, priority {priority.number}: {priority.title}",
                    tables=[
                        annual_sections.outturn_table(
                            f"outturn-{priority.number}",
                            f"Outturn against annual target, priority {priority.number}, {year}",
                            members,
                            full,
                            f"Priority {priority.number}",
                            "No indicator is linked to this priority's outcomes.",
                        )
                    ],
                    workbook_only=cabinet,
                )
            )
        others = sorted(
            (row for row in rows if row["indicator_id"] not in linked),
            key=lambda r: r["indicator"],
        )
        if others:
            sections.append(
                Section(
                    id="other-kpis",
                    title="Outturns, key performance indicators not linked to an outcome",
                    tables=[
                        annual_sections.outturn_table(
                            "outturn-other",
                            f"Outturn against annual target, other key performance "
                            f"indicators, {year}",
                            others,
                            full,
                            "Other KPIs",
                            "",
                        )
                    ],
                    workbook_only=cabinet,
                )
            )
    return _report(
        Kind.ANNUAL,
        audience,
        year,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"Outturns for {year}",
            columns=OPEN_DATA_COLUMNS,
            rows=[_open_row(row) for row in rows],
            sheet="Open data",
        ),
        summary=sections[0].paragraphs,
        notes=[
            "Only values activated by a data manager are reported. An outturn is the year's "
            "own value, or its months or quarters combined by the indicator's rule (summed, "
            "averaged, the last, or a ratio of the totals); its status compares it with the "
            "annual target, rounded to the indicator's decimal places: Green on or better than "
            "target, Amber short by less than the tolerance (10% unless set), Red short by more.",
        ],
        teams_note=_teams_note(team_ids),
    )
