"""The quarterly complaints report, read from Reach the Summit's complaint counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from performance.core import symbols
from performance.core.periods import Period
from performance.reports.data import Audience, Column, Kind, Report, Section, Table, plain
from performance.reports.selectors.common import _bars, _report
from reach_summit import selectors as rts_selectors
from reach_summit import timescales


def complaints(
    *, period: Period, audience: Audience, today: dt.date | None = None, **_: object
) -> Report:
    """The quarterly complaints report: counts per team and in total, with the trend (SPEC §6)."""
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

    def row(name: str, c: timescales.ComplaintCounts) -> dict[str, Any]:
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
        "on_time": (f"{symbols.char('task', 'done')} Answered on time", "green"),
        "late": (f"{symbols.char('task', 'overdue')} Late", "red"),
        "pending": (f"{symbols.char('task', 'due')} Not yet due", "grey"),
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
