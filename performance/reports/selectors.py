"""Reads: each report kind's data gathered into a `data.Report` (SPEC §10).

Only activated values reach a report: statuses come from `performance.indicators.selectors.indicator_statuses`
(which reads activated values and No data marks only), and performance comments are taken from
activated values. Each builder runs a fixed number of queries whatever the number of
indicators, teams or actions.

`team_ids` narrows an indicator report to the teams a reader may see (None: every team, as
for officers, members and publication).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from performance.core import charts, spc, status
from performance.core.periods import Frequency, Period
from performance.indicators import selectors as performance_selectors
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Indicator,
    StrategicAction,
    StrategicActionUpdate,
    Value,
)
from performance.reports.data import (
    Audience,
    Chart,
    Column,
    Kind,
    PlanAction,
    Report,
    Section,
    Spotlight,
    Table,
    plain,
)

STATUS_ORDER = ["red", "amber", "green", "no_data", "none"]
STATUS_BARS = {
    "green": ("✓ Green", "green"),
    "amber": ("! Amber", "amber"),
    "red": ("✕ Red", "red"),
    "no_data": ("? No data", "grey"),
    "none": ("– Not judged", "none"),
}
DIRECTION_BARS = {
    "improving": ("↑ Improving", "blue"),
    "stable": ("→ Stable", "grey"),
    "deteriorating": ("↓ Deteriorating", "amber"),
    "none": ("No comparison", "none"),
}
CHART_POINTS = 16

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


def _report(kind: Kind, audience: Audience, period: Period, **fields) -> Report:
    return Report(
        kind=kind.value,
        audience=audience.value,
        period=str(period),
        title=f"{kind.title} {period}",
        committee=audience.label,
        council=settings.COUNCIL_NAME,
        generated_at=timezone.localtime().isoformat(timespec="minutes"),
        **fields,
    )


def _teams_note(team_ids: set[int] | None) -> str:
    if team_ids is None:
        return ""
    return "Showing the indicators of your teams only."


# --- indicator statuses -------------------------------------------------------------------------


def _indicators(scope: Q, team_ids: set[int] | None) -> list[Indicator]:
    query = Indicator.objects.filter(scope, active=True)
    if team_ids is not None:
        query = query.filter(team_id__in=team_ids)
    return list(query.select_related("team").distinct().order_by("code"))


def _status_row(indicator: Indicator, state: status.Status) -> dict:
    shortfall = state.shortfall.quantize(Decimal("0.1")) if state.shortfall is not None else None
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
    }


def _comments(indicator_ids: Iterable[int], period: Period) -> dict[int, str]:
    """The performance comment of each indicator's activated value for `period`.

    For a monthly indicator in a quarterly report, the latest month of the quarter that has one.
    """
    labels = [str(period), *(str(m) for m in period.months())] if period.kind != "monthly" else []
    labels = labels or [str(period)]
    found: dict[int, tuple[dt.date, str]] = {}
    for indicator_id, start, comment in Value.objects.filter(
        indicator_id__in=list(indicator_ids),
        period__in=labels,
        status=Value.Status.ACTIVATED,
    ).values_list("indicator_id", "period_start", "comment"):
        if comment.strip() and (indicator_id not in found or start > found[indicator_id][0]):
            found[indicator_id] = (start, comment.strip())
    return {key: text for key, (_, text) in found.items()}


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _action_plans(
    indicator_ids: Iterable[int],
) -> dict[int, tuple[ActionPlan, ActionPlanVersion | None]]:
    """Each indicator's open action plan (the latest opened) and its current version. 4 queries."""
    plans = (
        ActionPlan.objects.filter(
            indicator_id__in=list(indicator_ids), status=ActionPlan.Status.OPEN
        )
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ActionPlanVersion.objects.prefetch_related(
                    Prefetch("actions", queryset=Action.objects.select_related("owner"))
                ),
            )
        )
        .order_by("indicator_id", "-opened_on", "-id")
    )
    result: dict[int, tuple[ActionPlan, ActionPlanVersion | None]] = {}
    for plan in plans:
        if plan.indicator_id in result:
            continue
        versions = sorted(plan.versions.all(), key=lambda v: v.number)
        result[plan.indicator_id] = (plan, versions[-1] if versions else None)
    return result


_MARKERS = {
    spc.Variation.IMPROVING: charts.Marker.IMPROVING,
    spc.Variation.CONCERNING: charts.Marker.CONCERNING,
    spc.Variation.NEUTRAL: charts.Marker.NEUTRAL,
}


def _value_chart(
    indicator: Indicator, data: status.IndicatorData, period: Period, *, width: int = 680
) -> Chart | None:
    """Values against target with SPC limits, the last CHART_POINTS periods up to `period`."""
    facts = performance_selectors.indicator_facts(indicator)
    series, result = status.spc_for(
        facts, data, period, target=status.target_for(facts, data, period)
    )
    if not series:
        return None
    offset = max(0, len(series) - CHART_POINTS)
    points = [
        charts.ChartPoint(
            label=str(each),
            value=value,
            target=status.target_for(facts, data, each),
            marker=_MARKERS.get(result.points[index].variation, charts.Marker.COMMON),
        )
        for index, (each, value) in enumerate(series)
        if index >= offset
    ]
    limits = [
        charts.Limits(
            start=max(segment.start, offset) - offset,
            stop=segment.stop - offset,
            mean=segment.mean,
            upper=segment.upper_limit,
            lower=segment.lower_limit,
            upper_near=segment.upper_near,
            lower_near=segment.lower_near,
        )
        for segment in result.segments
        if segment.has_limits and segment.stop > offset
    ]
    kind = "XmR chart" if limits else "run chart"
    title = f"{indicator.code} {indicator.title}: values against target"
    description = (
        f"{kind.capitalize()} of {len(points)} periods to {period}. "
        f"{result.note or 'Process limits from the latest segment.'}"
    )
    svg = charts.value_chart(
        charts.ValueChart(
            chart_id=f"chart-{indicator.code}-{period}",
            title=title,
            description=description,
            points=points,
            limits=limits,
            decimals=indicator.decimals,
            unit=indicator.unit,
            width=width,
            plot_height=200,
        )
    )
    figures = [
        {
            "period": point.label,
            "value": charts.format_value(point.value, indicator.decimals, indicator.unit),
            "target": charts.format_value(point.target, indicator.decimals, indicator.unit),
            "reading": point.marker.value.replace("common", "common cause"),
        }
        for point in points
    ]
    return Chart(id=f"chart-{indicator.id}", title=title, svg=svg, note=result.note, data=figures)


def _bars(chart_id: str, title: str, counts: Counter, legend: dict[str, tuple[str, str]]) -> Chart:
    bars = [charts.Bar(label, counts.get(key, 0), tone) for key, (label, tone) in legend.items()]
    description = "; ".join(f"{bar.label}: {bar.count}" for bar in bars)
    svg = charts.bar_chart(
        charts.BarChart(
            chart_id=chart_id, title=title, description=description, bars=bars, width=520
        )
    )
    return Chart(id=chart_id, title=title, svg=svg)


def _count_table(table_id: str, caption: str, counts: Counter, legend: dict, kind: str) -> Table:
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


def _summary_section(rows: list[dict], period: Period, what: str) -> Section:
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


def _questions(spotlight: Spotlight) -> list[str]:
    """Questions Overview & Scrutiny may put to the service, from what the data shows."""
    asks = []
    if not spotlight.comment:
        asks.append(f"No performance comment was given for {spotlight.code}: what explains it?")
    if not spotlight.plan_title:
        asks.append(
            f"No open action plan is recorded for {spotlight.code}: what will be done to bring it "
            "back to target, and by when?"
        )
    else:
        overdue = sum(1 for a in spotlight.actions if a.status == "Overdue")
        asks.append(
            f"Is the action plan “{spotlight.plan_title}” on course to bring {spotlight.code} back "
            f"to target{f', with {overdue} action(s) overdue' if overdue else ''}?"
        )
    if spotlight.dot_year == "deteriorating":
        asks.append("Performance is worse than a year ago: what has changed?")
    if spotlight.assurance == spc.Assurance.FAIL.value:
        asks.append(
            "The process consistently fails its target: is the target realistic, or must the "
            "process change?"
        )
    return asks


def _spotlights(
    indicators: dict[int, Indicator],
    rows: list[dict],
    period: Period,
    *,
    with_charts: bool,
    with_questions: bool,
) -> list[Spotlight]:
    """Every Red then Amber indicator with its comment, action plan and (optionally) chart."""
    chosen = sorted(
        (row for row in rows if row["status"] in ("red", "amber")),
        key=lambda row: (STATUS_ORDER.index(row["status"]), row["indicator"]),
    )
    ids = [row["indicator_id"] for row in chosen]
    comments = _comments(ids, period)
    plans = _action_plans(ids)
    # A chart where it tells the committee something: every Red, and an Amber whose SPC shows
    # a special cause of concern. An Amber in common-cause variation is read from its figures
    # (its SPC reading is in the facts); 400 more charts would double a county's PDF.
    charted = {
        row["indicator_id"]
        for row in chosen
        if with_charts
        and (row["status"] == "red" or row["variation"] == spc.Variation.CONCERNING.value)
    }
    data = performance_selectors.indicator_data(list(charted), until=period.end) if charted else {}
    result = []
    for row in chosen:
        indicator = indicators[row["indicator_id"]]
        plan, version = plans.get(indicator.id, (None, None))
        spotlight = Spotlight(
            indicator_id=indicator.id,
            code=indicator.code,
            title=indicator.title,
            team=row["team"],
            status=row["status"],
            value=charts.format_value(
                Decimal(row["value"]) if row["value"] else None, indicator.decimals, indicator.unit
            ),
            target=charts.format_value(
                Decimal(row["target"]) if row["target"] else None,
                indicator.decimals,
                indicator.unit,
            ),
            dot_previous=row["dot_previous"],
            dot_year=row["dot_year"],
            variation=spc.Variation(row["variation"]).label,
            assurance=row["assurance"],
            comment=comments.get(indicator.id, ""),
            plan_title=plan.title if plan else "",
            plan_version=version.number if version else None,
            plan_status=f"Open since {plan.opened_on:%-d %B %Y}, owner {_person(plan.owner)}"
            if plan
            else "",
            actions=[
                PlanAction(
                    description=action.description,
                    owner=_person(action.owner),
                    due=f"{action.due_on:%-d %b %Y}",
                    status=action.get_status_display(),
                    progress=action.progress_note,
                )
                for action in (version.actions.all() if version else [])
            ],
            chart=_value_chart(indicator, data[indicator.id], period)
            if indicator.id in charted
            else None,
        )
        if with_questions:
            spotlight.questions = _questions(spotlight)
        result.append(spotlight)
    return result


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


def _with_labels(row: dict) -> dict:
    return {**row, "variation_label": spc.Variation(row["variation"]).label}


def _open_data(rows: list[dict], period: Period) -> Table:
    return Table(
        id="open-data",
        caption=f"Indicator values for {period}",
        columns=OPEN_DATA_COLUMNS,
        rows=[{c.key: row[c.key] for c in OPEN_DATA_COLUMNS} for row in rows],
        sheet="Open data",
    )


def _statuses(indicators: list[Indicator], period: Period, today) -> list[dict]:
    states = performance_selectors.indicator_statuses(
        indicators, period, with_spc=True, today=today
    )
    return [_status_row(i, states[i.id]) for i in indicators if i.id in states]


# --- quarterly performance report ---------------------------------------------------------------

# An outcome with more indicators than this lists its exceptions only (the rest are counted):
# a committee reads the indicators that need its attention, not 2,000 rows of Green.
FULL_LIST_MAX = 25


def _is_exception(row: dict) -> bool:
    """Red, Amber, No data, or a special cause of concern on the SPC chart."""
    return (
        row["status"] in ("red", "amber", "no_data")
        or row["variation"] == spc.Variation.CONCERNING.value
    )


def _listed(rows: list[dict]) -> tuple[list[dict], str]:
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


def _workbook_list(rows: list[dict], period: Period, full: bool) -> Section:
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
) -> Report:
    """The quarterly report on the Strategic Plan: KPIs and every indicator linked to an outcome."""
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
    plan = performance_selectors.current_plan()

    full = audience is Audience.MT
    spotlights = _spotlights(
        by_id,
        rows,
        period,
        with_charts=audience is not Audience.CABINET,
        with_questions=audience is Audience.SCRUTINY,
    )
    sections = [_summary_section(rows, period, "indicators")]

    priority_rows, outcome_tables = [], []
    everything: list[dict] = []
    listed: list[tuple[list[dict], list[dict]]] = []  # (rows shown, rows of the table)
    for priority in plan.priorities.all() if plan else []:
        counts: Counter = Counter()
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
            shown, note = _listed(members)
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
        if tables:
            outcome_tables.append((priority, tables))

    priority_table = Table(
        id="priorities-table",
        caption=f"Indicators by priority and status, {period}",
        columns=[
            Column("priority", "Priority"),
            Column("indicators", "Indicators", "int"),
            Column("green", "✓ Green", "int"),
            Column("amber", "! Amber", "int"),
            Column("red", "✕ Red", "int"),
            Column("no_data", "? No data", "int"),
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
    if audience is Audience.CABINET:
        red = [s.code for s in spotlights if s.status == "red"]
        without_plan = [s.code for s in spotlights if s.status == "red" and not s.plan_title]
        decisions = [
            f"Note the performance of the {len(rows)} indicators reported for {period}.",
            f"Agree the action plans for the Red indicators ({', '.join(red)})."
            if red
            else "Note that no indicator is at Red this period.",
        ]
        if without_plan:
            decisions.append(
                "Ask the services concerned to bring action plans for "
                f"{', '.join(without_plan)} to the next meeting."
            )
        sections.append(
            Section(
                id="decisions",
                title="Decisions for Cabinet",
                paragraphs=["Cabinet is asked to:"],
                items=decisions,
            )
        )
        sections.append(
            Section(id="priorities", title="Performance by priority", tables=[priority_table])
        )
        sections.append(exceptions)
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

    for priority, tables in outcome_tables:
        sections.append(
            Section(
                id=f"priority-{priority.number}",
                title=f"Priority {priority.number}: {priority.title}",
                tables=tables,
            )
        )
    others = sorted(
        (row for row in rows if row["indicator_id"] not in linked), key=lambda r: r["indicator"]
    )
    everything += [{**row, "outcome": "Not linked to an outcome"} for row in others]
    if others and audience is not Audience.SCRUTINY:
        shown, note = _listed(others)
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


# --- monthly operational report -----------------------------------------------------------------


def monthly(
    *,
    period: Period,
    audience: Audience,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> Report:
    """Monthly indicators to Management Team, by team, with Red and Amber ones spotlighted."""
    indicators = _indicators(Q(frequency=Frequency.MONTHLY.value), team_ids)
    by_id = {i.id: i for i in indicators}
    rows = [_with_labels(row) for row in _statuses(indicators, period, today)]
    sections = [_summary_section(rows, period, "monthly indicators")]
    spotlights = _spotlights(by_id, rows, period, with_charts=True, with_questions=False)
    sections.append(
        Section(
            id="exceptions",
            title="Red and Amber indicators",
            paragraphs=[] if spotlights else ["No monthly indicator is at Red or Amber."],
            spotlights=spotlights,
        )
    )
    by_team: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_team[row["team"]].append(row)
    sections.append(
        Section(
            id="teams",
            title="Monthly indicators by team",
            tables=[
                Table(
                    id=f"team-{index}",
                    caption=f"{team}, {period}",
                    columns=_indicator_columns(True),
                    rows=team_rows,
                    sheet=team[:31],
                    header_key="indicator",
                )
                for index, (team, team_rows) in enumerate(sorted(by_team.items()), start=1)
            ],
            paragraphs=[] if rows else ["No monthly indicator has a value or a target this month."],
        )
    )
    return _report(
        Kind.MONTHLY,
        audience,
        period,
        sections=sections,
        open_data=_open_data(rows, period),
        summary=sections[0].paragraphs,
        notes=["Only values activated by a data manager are reported."],
        teams_note=_teams_note(team_ids),
    )


# --- complaints ---------------------------------------------------------------------------------


def complaints(*, period: Period, audience: Audience, today: dt.date | None = None, **_) -> Report:
    """The quarterly complaints report: counts per team and in total, with the trend (SPEC §6)."""
    from reach_summit import selectors as rts_selectors

    data = rts_selectors.complaints_report(period, today=today)
    counts = [
        Column("team", "Team"),
        Column("received", "Received", "int"),
        Column("responded", "Responded", "int"),
        Column("fell_due", "Fell due", "int"),
        Column("on_time", "On time", "int"),
        Column("late", "Late", "int"),
        Column("pending", "Not yet due or answered", "int"),
        Column("percent_on_time", "% on time", "percent", 1),
    ]

    def row(name: str, c) -> dict:
        return {
            "team": name,
            "received": c.received,
            "responded": c.responded,
            "fell_due": c.fell_due,
            "on_time": c.on_time,
            "late": c.late,
            "pending": c.pending,
            "percent_on_time": plain(c.percent_on_time),
            "late_references": ", ".join(c.late_references),
        }

    team_rows = [row(c.team_name, c) for c in data.summary.teams]
    total = data.summary.total
    trend_rows = []
    previous = None
    for quarter, c in data.trend:
        direction = "none"
        if previous is not None and c.percent_on_time is not None and previous is not None:
            direction = (
                "improving"
                if c.percent_on_time > previous
                else "deteriorating"
                if c.percent_on_time < previous
                else "stable"
            )
        previous = c.percent_on_time
        trend_rows.append({**row(str(quarter), c), "quarter": str(quarter), "direction": direction})
    totals = Counter({"on_time": total.on_time, "late": total.late, "pending": total.pending})
    legend = {
        "on_time": ("✓ Answered on time", "green"),
        "late": ("✕ Late", "red"),
        "pending": ("… Not yet due", "grey"),
    }
    summary = (
        f"{total.received} complaints received and {total.responded} answered in {period}. "
        f"Of the {total.fell_due} that fell due, {total.on_time} were answered on time and "
        f"{total.late} late"
        + (f" ({total.percent_on_time}% on time)." if total.percent_on_time is not None else ".")
    )
    sections = [
        Section(
            id="summary",
            title="Summary",
            paragraphs=[summary],
            charts=[
                _bars("chart-complaints", f"Complaints that fell due in {period}", totals, legend)
            ],
        ),
        Section(
            id="teams",
            title="Complaints by team",
            paragraphs=[
                "A complaint is late when it was answered after its due date, or not answered by "
                "the end of the quarter in which it fell due. Due dates skip weekends and bank holidays."
            ],
            tables=[
                Table(
                    id="complaints-teams",
                    caption=f"Complaints by team, {period}",
                    columns=[*counts, Column("late_references", "Late complaints")],
                    rows=[*team_rows, row("All teams", total)],
                    sheet="By team",
                )
            ],
        ),
        Section(
            id="trend",
            title="Trend over four quarters",
            tables=[
                Table(
                    id="complaints-trend",
                    caption="All teams, last four quarters",
                    columns=[
                        Column("quarter", "Quarter"),
                        *counts[1:],
                        Column("direction", "Direction (% on time)", "direction"),
                    ],
                    rows=trend_rows,
                    sheet="Trend",
                )
            ],
        ),
    ]
    return _report(
        Kind.COMPLAINTS,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"Complaints by team, {period}",
            columns=counts,
            rows=[{c.key: r[c.key] for c in counts} for r in team_rows],
            sheet="Open data",
        ),
        summary=[summary],
    )


# --- strategic actions --------------------------------------------------------------------------

ACTION_STATUS = dict(StrategicActionUpdate.Status.choices)


def strategic_actions(*, period: Period, audience: Audience, **_) -> Report:
    """Bi-annual progress of the Strategic Plan's actions (SPEC §2), by priority."""
    plan = performance_selectors.current_plan()
    actions = (
        list(
            StrategicAction.objects.filter(outcome__priority__plan=plan)
            .select_related("outcome__priority", "owner")
            .order_by("outcome__priority__number", "outcome__number", "id")
        )
        if plan
        else []
    )
    updates = {
        u.action_id: u
        for u in StrategicActionUpdate.objects.filter(
            action__in=[a.id for a in actions], period=str(period)
        )
    }
    columns = [
        Column("action", "Action"),
        Column("outcome", "Outcome"),
        Column("owner", "Owner"),
        Column("due", "Due"),
        Column("status", "Status"),
        Column("percent_complete", "Complete", "percent"),
        Column("progress", "Progress"),
    ]
    rows_by_priority: dict[tuple[int, str], list[dict]] = defaultdict(list)
    all_rows = []
    for action in actions:
        update = updates.get(action.id)
        row = {
            "action": action.title,
            "priority": f"{action.outcome.priority.number}. {action.outcome.priority.title}",
            "outcome": f"{action.outcome.priority.number}.{action.outcome.number} {action.outcome.title}",
            "owner": _person(action.owner),
            "due": f"{action.due_on:%-d %b %Y}" if action.due_on else "",
            "status": ACTION_STATUS[update.status] if update else "No update",
            "percent_complete": update.percent_complete if update else "",
            "progress": update.progress if update else "",
        }
        rows_by_priority[(action.outcome.priority.number, action.outcome.priority.title)].append(
            row
        )
        all_rows.append(row)
    counts = Counter(row["status"] for row in all_rows)
    legend = {
        "Complete": ("✓ Complete", "green"),
        "On track": ("✓ On track", "blue"),
        "At risk": ("! At risk", "amber"),
        "Off track": ("✕ Off track", "red"),
        "No update": ("? No update", "grey"),
    }
    summary = (
        f"{len(all_rows)} strategic actions; at {period}: "
        + ", ".join(f"{counts.get(key, 0)} {key.lower()}" for key in legend)
        + "."
    )
    sections = [
        Section(
            id="summary",
            title="Summary",
            paragraphs=[summary],
            charts=[
                _bars("chart-actions", f"Strategic actions by status, {period}", counts, legend)
            ],
        )
    ]
    for (number, title), rows in sorted(rows_by_priority.items()):
        sections.append(
            Section(
                id=f"priority-{number}",
                title=f"Priority {number}: {title}",
                tables=[
                    Table(
                        id=f"actions-{number}",
                        caption=f"Strategic actions of priority {number}, {period}",
                        columns=columns,
                        rows=rows,
                        sheet=f"Priority {number}",
                    )
                ],
            )
        )
    if not all_rows:
        sections.append(
            Section(
                id="none", title="Actions", paragraphs=["The Strategic Plan has no actions yet."]
            )
        )
    open_columns = [Column("priority", "Priority"), *columns]
    return _report(
        Kind.STRATEGIC_ACTIONS,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"Strategic actions, {period}",
            columns=open_columns,
            rows=all_rows,
            sheet="Open data",
        ),
        summary=[summary],
        notes=[
            "Progress is updated twice a year: at Q2 (requested 1 October) and Q4 (requested 1 April)."
        ],
    )


# --- data quality -------------------------------------------------------------------------------


DQ_COMPLETENESS_COLUMNS = [
    Column("team", "Team"),
    Column("expected", "Expected", "int"),
    Column("on_time", "Activated on time", "int"),
    Column("late", "Activated late", "int"),
    Column("not_activated", "Entered, not activated", "int"),
    Column("missing", "Missing", "int"),
    Column("completeness", "Completeness", "percent", 1),
    Column("mean_days", "Mean days to activation", "number", 1),
]
DQ_FEATURE_COLUMNS = [
    Column("team", "Team"),
    Column("rejected", "Validity: entries refused", "int"),
    Column("signals", "Reliability: special-cause signals", "int"),
    Column("corrections", "Reliability: corrections after activation", "int"),
    Column("returned", "Accuracy: returned by managers", "int"),
    Column("not_reviewed", "Relevance: not reviewed this year", "int"),
]


def data_quality(
    *,
    period: Period,
    audience: Audience,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> Report:
    """The six features of data quality (SPEC §9) per team, with totals, and the problem items.

    Read from `dataquality.selectors.dashboard` (its fixed number of queries), so the report and
    the dashboard count alike: completeness (missing, late, not activated), timeliness (mean days
    from request to activation), validity (entries refused), reliability (special-cause signals
    and corrections), accuracy (returns by managers) and relevance (indicators not reviewed this
    financial year). Expected: each active indicator at each period of its own frequency inside
    the report's period whose request date has come. On time: activated by the close of the
    period's collection window.
    """
    from dataquality import selectors as dataquality_selectors

    today = today or timezone.localdate()
    board = dataquality_selectors.dashboard(team_ids=team_ids, period=period, today=today)

    def ours(team_id: int | None) -> bool:
        return team_ids is None or team_id in team_ids

    team_rows_dq = [row for row in board.rows if row.team is not None and ours(row.team.pk)]
    total = board.total if team_ids is None else _dq_total(team_rows_dq)
    completeness_rows = [_dq_completeness(row.label, row) for row in team_rows_dq]
    feature_rows = [_dq_features(row.label, row) for row in team_rows_dq]
    if team_rows_dq:
        completeness_rows.append(_dq_completeness("All teams", total))
        feature_rows.append(_dq_features("All teams", total))

    items = [item for item in board.items if ours(item.indicator.team_id)]
    problems = []
    for item in items:
        issues = _dq_issues(item)
        if issues:
            problems.append(
                {
                    "indicator": item.indicator.code,
                    "title": item.indicator.title,
                    "team": item.indicator.team.name,
                    "period": str(item.period),
                    "state": "; ".join(issues),
                }
            )
    not_reviewed = sorted((i for i in board.not_reviewed if ours(i.team_id)), key=lambda i: i.code)

    counts = total.counts
    activated = total.activated
    on_time = activated - counts["late"]
    days = settings.COLLECTION_WINDOW_DAYS
    completeness = f" ({plain(total.completeness)}%)" if total.completeness is not None else ""
    mean_days = (
        f"a mean of {plain(total.mean_days)} days from request to activation"
        if total.mean_days is not None
        else "no value activated yet"
    )
    summary = (
        f"{_count(total.expected, 'value was', 'values were')} requested for {period}: "
        f"{activated} activated{completeness}, {on_time} on time and {counts['late']} late; "
        f"{counts['unactivated']} entered but not activated; {counts['missing']} missing."
    )
    features = (
        f"Timeliness: {mean_days}. "
        f"Validity: {_count(counts['rejected'], 'entry', 'entries')} refused. "
        f"Reliability: {_count(counts['signals'], 'special-cause signal')} and "
        f"{_count(counts['corrections'], 'correction')} after activation. "
        f"Accuracy: {_count(counts['returned'], 'return')} by data managers. "
        f"Relevance: {_count(counts['not_reviewed'], 'indicator')} not reviewed in "
        f"{board.review_year}."
    )
    legend = {
        "on_time": ("✓ Activated on time", "green"),
        "late": ("! Activated late", "amber"),
        "not_activated": ("… Not activated", "blue"),
        "missing": ("✕ Missing", "red"),
    }
    bars = Counter(
        on_time=on_time,
        late=counts["late"],
        not_activated=counts["unactivated"],
        missing=counts["missing"],
    )
    sections = [
        Section(
            id="summary",
            title="Summary",
            paragraphs=[summary, features],
            charts=[_bars("chart-dq", f"Completeness and timeliness, {period}", bars, legend)],
        ),
        Section(
            id="teams",
            title="The six features by team",
            paragraphs=[
                f"On time means activated by the close of the period's {days}-day collection "
                "window; missing, that the window has closed with no value submitted. "
                "Completeness is the share of requested values that have been activated; "
                "timeliness, the mean days from the request to activation.",
                "Validity counts entries refused by validation (form, Excel upload or import); "
                "reliability, activated values read as special cause and corrections after "
                "activation; accuracy, every return by a data manager; relevance, active "
                f"indicators whose definition was not reviewed in {board.review_year}.",
            ],
            tables=[
                Table(
                    id="dq-teams",
                    caption=f"Completeness and timeliness by team, {period}",
                    columns=DQ_COMPLETENESS_COLUMNS,
                    rows=completeness_rows,
                    sheet="By team",
                ),
                Table(
                    id="dq-features",
                    caption=f"Validity, reliability, accuracy and relevance by team, {period}",
                    columns=DQ_FEATURE_COLUMNS,
                    rows=feature_rows,
                    sheet="Features by team",
                ),
            ],
        ),
        Section(
            id="problems",
            title="Values needing attention",
            tables=[
                Table(
                    id="dq-problems",
                    caption=f"Indicators needing attention, {period}",
                    columns=[
                        Column("indicator", "Code"),
                        Column("title", "Indicator"),
                        Column("team", "Team"),
                        Column("period", "Period"),
                        Column("state", "Problem"),
                    ],
                    rows=sorted(problems, key=lambda r: (r["team"], r["indicator"], r["period"])),
                    sheet="Problems",
                    header_key="indicator",
                    note=""
                    if problems
                    else "Every requested value was activated on time, with no refusal, "
                    "return, correction or special-cause signal.",
                ),
                Table(
                    id="dq-not-reviewed",
                    caption=f"Indicators not reviewed in {board.review_year}",
                    columns=[
                        Column("indicator", "Code"),
                        Column("title", "Indicator"),
                        Column("team", "Team"),
                        Column("reviewed", "Last reviewed"),
                    ],
                    rows=[
                        {
                            "indicator": i.code,
                            "title": i.title,
                            "team": i.team.name,
                            "reviewed": i.reviewed_on.isoformat() if i.reviewed_on else "Never",
                        }
                        for i in not_reviewed
                    ],
                    sheet="Not reviewed",
                    note="" if not_reviewed else "Every indicator was reviewed this year.",
                ),
            ],
        ),
    ]
    open_columns = DQ_COMPLETENESS_COLUMNS + DQ_FEATURE_COLUMNS[1:]
    return _report(
        Kind.DATA_QUALITY,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"Data quality by team, {period}",
            columns=open_columns,
            rows=[
                {**one, **two}
                for one, two in zip(completeness_rows, feature_rows, strict=True)
                if one["team"] != "All teams"
            ],
            sheet="Open data",
        ),
        summary=[summary, features],
        notes=[
            "The figures are those of the data quality dashboard (SPEC §9) for the period: "
            "completeness, timeliness, validity, reliability, accuracy and relevance."
        ],
        teams_note=_teams_note(team_ids),
    )


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def _dq_total(rows) -> object:
    """The total row of some of the dashboard's team rows."""
    from dataquality.selectors import Row

    total = Row(key="all", label="All")
    for row in rows:
        total.expected += row.expected
        total.activated += row.activated
        total.day_total += row.day_total
        total.day_count += row.day_count
        for key, count in row.counts.items():
            total.counts[key] += count
    return total


def _dq_completeness(team: str, row) -> dict:
    return {
        "team": team,
        "expected": row.expected,
        "on_time": row.activated - row.counts["late"],
        "late": row.counts["late"],
        "not_activated": row.counts["unactivated"],
        "missing": row.counts["missing"],
        "completeness": plain(row.completeness),
        "mean_days": plain(row.mean_days),
    }


def _dq_features(team: str, row) -> dict:
    return {
        "team": team,
        **{column.key: row.counts[column.key] for column in DQ_FEATURE_COLUMNS[1:]},
    }


MISSING_WORDS = {
    "none": "No value entered",
    "no_data": "Recorded as No data",
    "draft": "Draft, not submitted",
    "returned": "Returned, not resubmitted",
}


def _dq_issues(item) -> list[str]:
    """What is wrong with one requested value, in words (empty when nothing is)."""
    issues = []
    if item.missing:
        issues.append(MISSING_WORDS.get(item.state, "Not submitted"))
    if item.unactivated:
        issues.append("Entered but not activated")
    if item.late:
        issues.append("Activated after the window closed")
    if item.rejected:
        issues.append(f"{_count(item.rejected, 'entry', 'entries')} refused")
    if item.returned:
        issues.append(f"returned {_count(item.returned, 'time')} by a data manager")
    if item.corrections:
        issues.append(f"corrected {_count(item.corrections, 'time')} after activation")
    if item.signal is not None:
        issues.append(item.signal.label.lower())
    if issues:
        issues[0] = issues[0][0].upper() + issues[0][1:]
    return issues


# --- Reach the Summit ---------------------------------------------------------------------------


def reach_the_summit(
    *, period: Period, audience: Audience, today: dt.date | None = None, **_
) -> Report:
    """The quarter's league table, awards and the staff newsletter item (SPEC §7)."""
    from reach_summit import exports as rts_exports
    from reach_summit import selectors as rts_selectors

    table = rts_selectors.league_table(period, today=today)
    columns = [
        Column("rank", "Rank", "int"),
        Column("team", "Team"),
        Column("customer", "Customer"),
        Column("financial", "Financial"),
        Column("process", "Process"),
        Column("learning", "Learning"),
        Column("improvements", "Improvements", "number", 2),
        Column("late_complaints", "Late complaints", "int"),
        Column("score", "Score", "number", 2),
        Column("award", "Award"),
    ]
    awards = {"top": "Top Team", "runner_up": "Runner-up", "": ""}
    rows = [
        {
            "rank": f"{row.rank}",
            "team": row.team_name,
            "customer": row.customer.label,
            "financial": row.financial.label,
            "process": row.process.label,
            "learning": row.learning.label,
            "improvements": plain(row.improvements),
            "late_complaints": row.late_complaints,
            "score": plain(row.score),
            "award": awards[row.award.value],
        }
        for row in table.rows
    ]
    state = (
        "Provisional: the quarter's collection window is still open."
        if table.provisional
        else "Final: frozen when the collection window closed."
    )
    newsletter = rts_exports.newsletter(table).strip().split("\n\n") if table.rows else []
    sections = [
        Section(
            id="table",
            title="League table",
            paragraphs=[
                state,
                "Each scorecard measure scores 3 points at Summit (on target), 1 at Firstbase, "
                "0 at Basecamp and −0.25 for No data; approved improvements add points and each "
                "late complaint takes 0.25 away.",
            ],
            tables=[
                Table(
                    id="league-table",
                    caption=f"Reach the Summit league table, {period}",
                    columns=columns,
                    rows=rows,
                    sheet="League table",
                    header_key="team",
                    note="" if rows else "No team has a scorecard for this quarter.",
                )
            ],
        ),
        Section(
            id="newsletter",
            title="Staff newsletter item",
            paragraphs=[p.replace("\n", " ") for p in newsletter] or ["No table yet."],
        ),
    ]
    top = [r.team_name for r in table.top]
    summary = f"{len(rows)} teams scored for {period}. Top Team: {', '.join(top) or 'none yet'}."
    return _report(
        Kind.REACH_THE_SUMMIT,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"League table, {period}",
            columns=columns,
            rows=rows,
            sheet="Open data",
        ),
        summary=[summary],
    )


# --- benchmarking -------------------------------------------------------------------------------


def benchmarking(*, period: Period, audience: Audience, **_) -> Report:
    """Our latest position on every benchmark measure in the default comparator group (SPEC §8)."""
    from benchmarking import selectors as bm_selectors

    group = bm_selectors.default_group()
    columns = [
        Column("measure", "Measure"),
        Column("period", "Period"),
        Column("value", "Our value", "number", 1),
        Column("rank", "Rank", "int"),
        Column("of", "Of", "int"),
        Column("quartile", "Quartile"),
        Column("median", "Group median", "number", 1),
        Column("direction", "Position trend", "direction"),
        Column("source", "Source"),
    ]
    rows = []
    sections = []
    if group is None:
        summary = "No comparator group has been set up yet."
    else:
        overview = bm_selectors.overview(group)
        quartile_words = {1: "1 (top)", 2: "2", 3: "3", 4: "4 (bottom)"}
        for item in overview.rows:
            position = item.position
            rows.append(
                {
                    "measure": item.measure.title,
                    "period": item.period or "",
                    "value": plain(position.value if position else None),
                    "rank": position.rank if position and position.rank else "",
                    "of": position.of if position else "",
                    "quartile": quartile_words.get(position.quartile, "Not judged")
                    if position and position.quartile
                    else "–",
                    "median": plain(position.median if position else None),
                    "direction": item.change.direction.value if item.change else "none",
                    "source": item.measure.source
                    + (" (demo data)" if item.measure.is_demo else ""),
                }
            )
        counts = overview.counts
        by_quartile = Counter({f"q{n}": counts.by_quartile[n - 1] for n in range(1, 5)})
        legend = {
            "q1": ("1st (top) quartile", "green"),
            "q2": ("2nd quartile", "blue"),
            "q3": ("3rd quartile", "amber"),
            "q4": ("4th (bottom)", "red"),
        }
        summary = (
            f"Compared with {group.name}: {counts.by_quartile[0]} measures in the top quartile, "
            f"{counts.by_quartile[3]} in the bottom; {counts.improving} improving, "
            f"{counts.deteriorating} deteriorating."
        )
        sections.append(
            Section(
                id="summary",
                title="Summary",
                paragraphs=[summary],
                charts=[
                    _bars(
                        "chart-quartiles",
                        f"Measures by quartile against {group.name}",
                        by_quartile,
                        legend,
                    )
                ],
            )
        )
    sections.append(
        Section(
            id="measures",
            title="Our position on each measure",
            paragraphs=[
                "Quartile 1 is the best 25% of the group (polarity-aware); rank 1 is the best. "
                "Each measure shows its latest period with data."
            ],
            tables=[
                Table(
                    id="benchmark-measures",
                    caption=f"Benchmark positions{f' against {group.name}' if group else ''}",
                    columns=columns,
                    rows=rows,
                    sheet="Measures",
                    note="" if rows else "No benchmark data yet.",
                )
            ],
        )
    )
    return _report(
        Kind.BENCHMARKING,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption="Benchmark positions",
            columns=columns,
            rows=rows,
            sheet="Open data",
        ),
        summary=[summary],
    )


BUILDERS: dict[Kind, Callable[..., Report]] = {
    Kind.QUARTERLY: quarterly,
    Kind.MONTHLY: monthly,
    Kind.COMPLAINTS: complaints,
    Kind.STRATEGIC_ACTIONS: strategic_actions,
    Kind.DATA_QUALITY: data_quality,
    Kind.REACH_THE_SUMMIT: reach_the_summit,
    Kind.BENCHMARKING: benchmarking,
}


def build(
    kind: Kind,
    *,
    period: Period,
    audience: Audience = Audience.MT,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> Report:
    """Any report kind's data. `team_ids` narrows indicator reports to a reader's teams."""
    return BUILDERS[kind](period=period, audience=audience, team_ids=team_ids, today=today)


def reader_team_ids(user) -> set[int] | None:
    """None when `user` reads every team (officers and members), else their teams' ids."""
    from performance.common import access
    from performance.core.roles import Role

    if access.is_performance_officer(user) or access.has_role(user, Role.MEMBER):
        return None
    return set(access.teams_readable(user).values_list("id", flat=True))
