"""The Reach the Summit report: the quarter's league table, awards and newsletter item."""

from __future__ import annotations

import datetime as dt

from performance.core.periods import Period
from performance.reports.data import Audience, Column, Kind, Report, Section, Table, plain
from performance.reports.selectors.common import _report
from reach_summit import exports as rts_exports
from reach_summit import selectors as rts_selectors


def reach_the_summit(
    *, period: Period, audience: Audience, today: dt.date | None = None, **_: object
) -> Report:
    """The quarter's league table, awards and the staff newsletter item (SPEC §7)."""
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
