"""The data quality report: the six features per team, read from the data quality dashboard."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from dataquality import selectors as dataquality_selectors
from performance.core import symbols
from performance.core.periods import Period
from performance.models import Team
from performance.reports.data import Audience, Column, Kind, Report, Section, Table, plain
from performance.reports.selectors.common import _bars, _report
from performance.reports.selectors.scope import _teams_note

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
                    "team": _team_name(item.indicator.team),
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
        "on_time": (f"{symbols.char('task', 'done')} Activated on time", "green"),
        "late": (f"{symbols.char('task', 'overdue')} Activated late", "amber"),
        "not_activated": (f"{symbols.char('task', 'due')} Not activated", "blue"),
        "missing": (f"{symbols.char('task', 'no_data')} Missing", "red"),
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
                            "team": _team_name(i.team),
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


def _dq_total(rows: Iterable[dataquality_selectors.Row]) -> dataquality_selectors.Row:
    """The total row of some of the dashboard's team rows."""
    total = dataquality_selectors.Row(key="all", label="All")
    for row in rows:
        total.expected += row.expected
        total.activated += row.activated
        total.day_total += row.day_total
        total.day_count += row.day_count
        for key, count in row.counts.items():
            total.counts[key] += count
    return total


def _dq_completeness(team: str, row: dataquality_selectors.Row) -> dict[str, Any]:
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


def _dq_features(team: str, row: dataquality_selectors.Row) -> dict[str, Any]:
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


def _dq_issues(item: dataquality_selectors.Item) -> list[str]:
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


def _team_name(team: Team | None) -> str:
    """An indicator's team as the pages write it: "Unassigned" when it has none."""
    return team.name if team is not None else "Unassigned"
