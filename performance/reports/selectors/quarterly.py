"""The quarterly performance report on the Strategic Plan, for each committee."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q

from performance.core import spc, symbols
from performance.core.periods import Period
from performance.models import Indicator
from performance.models.visibility import User
from performance.plans import selectors as plan_selectors
from performance.reports.data import Audience, Column, Kind, Report, Section, Table
from performance.reports.selectors import cabinet, corporate_health, forecasts, risks
from performance.reports.selectors.common import _report
from performance.reports.selectors.scope import _teams_note
from performance.reports.selectors.spotlights import _spotlights
from performance.reports.selectors.statuses import (
    STATUS_ORDER,
    _indicator_columns,
    _indicators,
    _open_data,
    _statuses,
    _summary_section,
    _with_labels,
)

# An outcome with more indicators than this lists its exceptions only (the rest are counted):
# a committee reads the indicators that need its attention, not 2,000 rows of Green.
FULL_LIST_MAX = 25


def _is_exception(row: dict[str, Any]) -> bool:
    """Red, Amber, No data, or a special cause of concern on the SPC chart."""
    return (
        row["status"] in ("red", "amber", "no_data")
        or row["variation"] == spc.Variation.CONCERNING.value
    )


def _listed(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """(rows to show, note): every row of a short list; only the exceptions of a long one."""
    if len(rows) <= FULL_LIST_MAX:
        return rows, ""
    shown = [row for row in rows if _is_exception(row)]
    rest = Counter(row["status"] for row in rows if not _is_exception(row))
    words = {"green": "Green", "none": "not judged (no target)"}
    parts = ", ".join(f"{rest[key]} {words.get(key, key)}" for key in STATUS_ORDER if rest[key])
    return shown, (
        f"{len(rows)} indicators: the {len(shown)} at Red, Amber or No data or with a concerning "
        f"SPC signal are listed. The other {len(rows) - len(shown)} ({parts}, none of concern) "
        "are in the Excel workbook and the open data."
    )


def _workbook_list(rows: list[dict[str, Any]], period: Period, full: bool) -> Section:
    """Every indicator of the report by outcome, for the workbook only (not the page or PDF)."""
    return Section(
        id="all-indicators",
        title="All indicators",
        workbook_only=True,
        tables=[
            Table(
                id="all-indicators-table",
                caption=f"All indicators of the report by outcome, {period}",
                columns=[Column("outcome", "Outcome"), *_indicator_columns(full)],
                rows=rows,
                sheet="All indicators",
                header_key="indicator",
            )
        ],
    )


def quarterly(
    *,
    period: Period,
    audience: Audience,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
    reader: User | None = None,
    public: bool = False,
) -> Report:
    """The quarterly report on the Strategic Plan: KPIs and every indicator linked to an outcome,
    and a short section on risks (selectors/risks.py says whose risks)."""
    indicators = _indicators(Q(kind=Indicator.Kind.KPI) | Q(outcomes__isnull=False), team_ids)
    by_id = {i.id: i for i in indicators}
    rows = [_with_labels(row) for row in _statuses(indicators, period, today)]
    row_of = {row["indicator_id"]: row for row in rows}
    links: dict[int, list[int]] = defaultdict(list)
    for indicator_id, outcome_id in Indicator.outcomes.through.objects.filter(
        indicator_id__in=list(row_of)
    ).values_list("indicator_id", "outcome_id"):
        links[outcome_id].append(indicator_id)
    linked = {i for ids in links.values() for i in ids}
    plan = plan_selectors.current_plan()

    full = audience is Audience.MT
    summary_only = audience is Audience.CABINET
    # Cabinet reads a summary: its Red KPIs as one compact table (selectors/cabinet.py), not
    # every Red and Amber indicator as a card.
    spotlights = (
        []
        if summary_only
        else _spotlights(
            by_id, rows, period, with_charts=True, with_questions=audience is Audience.SCRUTINY
        )
    )
    sections = [_summary_section(rows, period, "indicators")]

    priority_rows, outcome_tables = [], []
    priority_counts: list[tuple[str, str, Counter[str]]] = []
    everything: list[dict[str, Any]] = []
    # (rows shown, rows of the table)
    listed: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    for priority in plan.priorities.all() if plan else []:
        counts: Counter[str] = Counter()
        tables = []
        for outcome in priority.outcomes.all():
            members = sorted(
                (row_of[i] for i in links.get(outcome.id, [])), key=lambda r: r["indicator"]
            )
            counts.update(row["status"] for row in members)
            label = f"Outcome {priority.number}.{outcome.number}"
            everything += [{**row, "outcome": label} for row in members]
            if audience is Audience.SCRUTINY:
                continue
            # Cabinet's outcome tables are for the workbook only: every indicator, unshortened.
            shown, note = (members, "") if summary_only else _listed(members)
            listed.append((shown, members))
            tables.append(
                Table(
                    id=f"outcome-{priority.number}-{outcome.number}",
                    caption=f"{label}: {outcome.title}",
                    columns=_indicator_columns(full),
                    rows=shown,
                    sheet=label,
                    header_key="indicator",
                    note=note if members else "No indicator is linked to this outcome yet.",
                )
            )
        priority_rows.append(
            {
                "priority": f"{priority.number}. {priority.title}",
                "indicators": sum(counts.values()),
                **{key: counts.get(key, 0) for key in STATUS_ORDER},
            }
        )
        priority_counts.append((str(priority.number), priority.title, counts))
        if tables:
            outcome_tables.append((priority, tables))

    priority_table = Table(
        id="priorities-table",
        caption=f"Indicators by priority and status, {period}",
        columns=[
            Column("priority", "Priority"),
            Column("indicators", "Indicators", "int"),
            *(
                Column(code, symbols.labelled("status", code, short_word=True), "int")
                for code in ("green", "amber", "red", "no_data", "none")
            ),
        ],
        rows=priority_rows,
        sheet="By priority",
        note="An indicator serving more than one outcome is counted under each.",
    )
    exceptions = Section(
        id="exceptions",
        title="Red and Amber indicators",
        paragraphs=[
            "Every indicator at Red or Amber this period, with the service's performance comment "
            "and its action plan; Red ones, and Amber ones with a concerning SPC signal, with "
            "their chart."
            if spotlights
            else "No indicator is at Red or Amber this period."
        ],
        spotlights=spotlights,
    )
    if summary_only:
        reds = cabinet.red_kpis(rows, by_id, period)
        sections.append(cabinet.decisions_section(rows, reds, period))
        sections.append(
            Section(
                id="priorities",
                title="Performance by priority",
                paragraphs=[
                    "A chart for each priority counts its indicators by status; the table after "
                    "the charts gives the same figures."
                ],
                charts=cabinet.priority_charts(priority_counts, period),
                tables=[priority_table],
            )
        )
        sections.append(cabinet.red_section(reds, period))
    elif audience is Audience.SCRUTINY:
        sections.append(exceptions)
        worse = [
            row
            for row in rows
            if "deteriorating" in (row["dot_previous"], row["dot_year"])
            and row["status"] not in ("red", "amber")
        ]
        sections.append(
            Section(
                id="deteriorating",
                title="Other indicators getting worse",
                paragraphs=[
                    "Indicators not at Red or Amber whose performance fell on the previous period or on a year earlier."
                ],
                tables=[
                    Table(
                        id="deteriorating-table",
                        caption=f"Green or unjudged indicators that deteriorated, {period}",
                        columns=_indicator_columns(False),
                        rows=worse,
                        sheet="Deteriorating",
                        header_key="indicator",
                        note="" if worse else "None this period.",
                    )
                ],
            )
        )
        sections.append(
            Section(id="priorities", title="Performance by priority", tables=[priority_table])
        )
    else:
        sections.append(exceptions)
        sections.append(
            Section(id="priorities", title="Performance by priority", tables=[priority_table])
        )

    health = corporate_health.section(rows, by_id, period, audience)  # issue 20
    if health is not None:
        sections.append(health)
    ahead = forecasts.section(rows, by_id, period, audience)  # issue 20: from Q2
    if ahead is not None:
        sections.append(ahead)
    # Risks beside performance (SPEC §14), before the long per-priority tables.
    sections.append(
        risks.quarterly_section(
            period=period, audience=audience, today=today, reader=reader, public=public
        )
    )
    for priority, tables in outcome_tables:
        sections.append(
            Section(
                id=f"priority-{priority.number}",
                title=f"Priority {priority.number}: {priority.title}",
                tables=tables,
                workbook_only=summary_only,
            )
        )
    others = sorted(
        (row for row in rows if row["indicator_id"] not in linked), key=lambda r: r["indicator"]
    )
    everything += [{**row, "outcome": "Not linked to an outcome"} for row in others]
    if others and audience is not Audience.SCRUTINY:
        shown, note = (others, "") if summary_only else _listed(others)
        listed.append((shown, others))
        sections.append(
            Section(
                id="other-kpis",
                title="Key performance indicators not linked to an outcome",
                tables=[
                    Table(
                        id="other-kpis-table",
                        caption=f"Other key performance indicators, {period}",
                        columns=_indicator_columns(full),
                        rows=shown,
                        sheet="Other KPIs",
                        header_key="indicator",
                        note=note,
                    )
                ],
                workbook_only=summary_only,
            )
        )
    if audience is not Audience.SCRUTINY and any(
        shown is not full_rows for shown, full_rows in listed
    ):
        sections.append(_workbook_list(everything, period, full))
    return _report(
        Kind.QUARTERLY,
        audience,
        period,
        sections=sections,
        open_data=_open_data(rows, period),
        summary=sections[0].paragraphs,
        notes=[
            "Only values activated by a data manager are reported. Status compares the value "
            "with its target, rounded to the indicator's decimal places: Green on or better than "
            "target, Amber short by less than the tolerance (10% unless set), Red short by more.",
        ],
        teams_note=_teams_note(team_ids),
    )
