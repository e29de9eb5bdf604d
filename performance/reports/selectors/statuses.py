"""Indicator statuses as report rows: the indicators in scope, their rows, summary and tables.

Statuses come from `performance.indicators.selectors.indicator_statuses`, which reads activated
values and No data marks only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Q

from performance.core import spc, status, symbols
from performance.core.calculations import Aggregation, round_to
from performance.core.periods import Period
from performance.indicators import selectors as performance_selectors
from performance.models import Indicator, Target, Value
from performance.reports.data import DERIVED, Column, Section, Table, plain
from performance.reports.selectors.common import _bars

STATUS_ORDER = ["red", "amber", "green", "no_data", "none"]
STATUS_BARS = {
    code: (symbols.labelled("status", code, short_word=True), tone)
    for code, tone in (
        ("green", "green"),
        ("amber", "amber"),
        ("red", "red"),
        ("no_data", "grey"),
        ("none", "none"),
    )
}
DIRECTION_BARS = {
    code: (symbols.labelled("direction", code, short_word=True), tone)
    for code, tone in (
        ("improving", "blue"),
        ("stable", "grey"),
        ("deteriorating", "amber"),
        ("none", "none"),
    )
}

OPEN_DATA_COLUMNS = [
    Column("indicator", "Indicator code"),
    Column("title", "Indicator"),
    Column("team", "Team"),
    Column("period", "Period"),
    Column("value", "Value", "value"),
    Column("target", "Target", "value"),
    Column("unit", "Unit"),
    Column("decimals", "Decimal places", "int"),
    Column("shortfall_pct", "Shortfall %", "number", 1),
    Column("status", "Status", "status"),
    Column("dot_previous", "Direction on previous period", "direction"),
    Column("dot_year", "Direction on a year earlier", "direction"),
    Column("variation", "SPC variation"),
    Column("assurance", "SPC assurance"),
]


def _indicators(scope: Q, team_ids: set[int] | None) -> list[Indicator]:
    query = Indicator.objects.filter(scope, active=True)
    if team_ids is not None:
        query = query.filter(team_id__in=team_ids)
    return list(query.select_related("team").distinct().order_by("code"))


def _status_row(
    indicator: Indicator, state: status.Status, derived: list[str] | None = None
) -> dict[str, Any]:
    # Half-up, as the report shows it (SPEC §4): 12.25 is 12.3, not the even 12.2.
    shortfall = round_to(state.shortfall, 1) if state.shortfall is not None else None
    return {
        "indicator_id": indicator.id,
        "indicator": indicator.code,
        "title": indicator.title,
        "team": indicator.team.name if indicator.team else "Unassigned",
        "period": str(state.period),
        "value": plain(state.actual),
        "target": plain(state.target),
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "shortfall_pct": plain(shortfall),
        "status": state.status,
        "dot_previous": state.dot_previous.value,
        "dot_year": state.dot_year.value,
        "variation": state.variation.value,
        "assurance": state.assurance.value,
        DERIVED: ["shortfall_pct", *(derived or [])],
    }


def _count_table(
    table_id: str,
    caption: str,
    counts: Counter[str],
    legend: dict[str, tuple[str, str]],
    kind: str,
) -> Table:
    total = sum(counts.values())
    rows = [
        {
            "key": key,
            "count": counts.get(key, 0),
            "share": plain(
                (Decimal(100 * counts.get(key, 0)) / total).quantize(Decimal("0.1"))
                if total
                else None
            ),
        }
        for key in legend
    ]
    label = "Status" if kind == "status" else "Direction of travel"
    return Table(
        id=table_id,
        caption=caption,
        columns=[
            Column("key", label, kind),
            Column("count", "Indicators", "int"),
            Column("share", "Share", "percent", 1),
        ],
        rows=rows,
        sheet=caption[:31],
    )


def _summary_section(rows: list[dict[str, Any]], period: Period, what: str) -> Section:
    by_status = Counter(row["status"] for row in rows)
    by_direction = Counter(row["dot_previous"] for row in rows)
    sentence = (
        f"{len(rows)} {what} reported for {period}: {by_status['green']} Green, "
        f"{by_status['amber']} Amber, {by_status['red']} Red, {by_status['no_data']} No data"
        f"{', ' + str(by_status['none']) + ' not judged' if by_status['none'] else ''}. "
        f"Against the previous period {by_direction['improving']} improved, "
        f"{by_direction['stable']} were stable and {by_direction['deteriorating']} deteriorated."
    )
    return Section(
        id="summary",
        title="Summary",
        paragraphs=[sentence],
        tables=[
            _count_table(
                "summary-status", "Indicators by status", by_status, STATUS_BARS, "status"
            ),
            _count_table(
                "summary-direction",
                "Indicators by direction of travel on the previous period",
                by_direction,
                DIRECTION_BARS,
                "direction",
            ),
        ],
        charts=[
            _bars("chart-status", f"Indicators by status, {period}", by_status, STATUS_BARS),
            _bars(
                "chart-direction",
                f"Direction of travel on the previous period, {period}",
                by_direction,
                DIRECTION_BARS,
            ),
        ],
    )


def _indicator_columns(full: bool) -> list[Column]:
    columns = [
        Column("indicator", "Code"),
        Column("title", "Indicator"),
        Column("team", "Team"),
        Column("value", "Value", "value"),
        Column("target", "Target", "value"),
        Column("status", "Status", "status"),
        Column("dot_previous", "On previous period", "direction"),
        Column("dot_year", "On a year earlier", "direction"),
    ]
    if full:
        columns.append(Column("variation_label", "SPC variation"))
    return columns


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "variation_label": spc.Variation(row["variation"]).label}


def _open_data(rows: list[dict[str, Any]], period: Period) -> Table:
    return Table(
        id="open-data",
        caption=f"Indicator values for {period}",
        columns=OPEN_DATA_COLUMNS,
        rows=[
            {**{c.key: row[c.key] for c in OPEN_DATA_COLUMNS}, DERIVED: row[DERIVED]}
            for row in rows
        ],
        sheet="Open data",
    )


def _statuses(
    indicators: list[Indicator], period: Period, today: dt.date | None
) -> list[dict[str, Any]]:
    states = performance_selectors.indicator_statuses(
        indicators, period, with_spc=True, today=today
    )
    derived = _derived_figures([i for i in indicators if i.id in states], period)
    return [_status_row(i, states[i.id], derived[i.id]) for i in indicators if i.id in states]


def _derived_figures(indicators: list[Indicator], period: Period) -> dict[int, list[str]]:
    """Which of each indicator's value and target for `period` were worked out, not entered.

    The value is derived when it aggregates sub-periods (the quarter of a monthly indicator) or
    is a ratio indicator's numerator ÷ denominator; the target when the period has none of its
    own and it aggregates the sub-periods' targets. Two queries at most.
    """
    own = str(period)
    coarser = {i.id for i in indicators if i.frequency != period.kind.value}
    ratios = [
        i.id for i in indicators if i.id not in coarser and i.aggregation == Aggregation.RATIO
    ]
    worked_out = (
        set(
            Value.objects.filter(
                indicator_id__in=ratios,
                period=own,
                status=Value.Status.ACTIVATED,
                numerator__isnull=False,
                denominator__isnull=False,
            ).values_list("indicator_id", flat=True)
        )
        if ratios
        else set()
    )
    targeted = (
        set(
            Target.objects.filter(indicator_id__in=coarser, period=own).values_list(
                "indicator_id", flat=True
            )
        )
        if coarser
        else set()
    )
    return {
        i.id: [
            *(["value"] if i.id in coarser or i.id in worked_out else []),
            *(["target"] if i.id in coarser and i.id not in targeted else []),
        ]
        for i in indicators
    }
