"""The monthly operational report: monthly indicators to Management Team, by team."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q

from performance.core.periods import Frequency, Period
from performance.reports.data import Audience, Kind, Report, Section, Table
from performance.reports.selectors.common import _report
from performance.reports.selectors.scope import _teams_note
from performance.reports.selectors.spotlights import _spotlights
from performance.reports.selectors.statuses import (
    _indicator_columns,
    _indicators,
    _open_data,
    _statuses,
    _summary_section,
    _with_labels,
)


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
    by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
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
