"""Reads: each report kind's data gathered into a `data.Report` (SPEC §10).

Only activated values reach a report: statuses come from `performance.indicators.selectors.indicator_statuses`
(which reads activated values and No data marks only), and performance comments are taken from
activated values. Each builder runs a fixed number of queries whatever the number of
indicators, teams or actions.

One module per report kind (`quarterly`, `monthly`, `complaints`, `strategic_actions`,
`data_quality`, `reach_the_summit`, `benchmarking`, `risks`, `annual`) over the pieces they share: `common` (the
report frame, bar charts), `statuses` (indicator rows and their summary), `spotlights` (Red and
Amber indicators with comment, action plan and chart) and `scope` (whose teams a reader sees).
Callers use the two entry points here: `build` and `reader_team_ids`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from performance.core.periods import Period
from performance.models.visibility import User
from performance.reports.data import Audience, Kind, Report
from performance.reports.selectors import (
    annual,
    benchmarking,
    complaints,
    data_quality,
    monthly,
    quarterly,
    reach_the_summit,
    risks,
    strategic_actions,
)
from performance.reports.selectors.scope import reader_team_ids

__all__ = ["BUILDERS", "build", "reader_team_ids"]

BUILDERS: dict[Kind, Callable[..., Report]] = {
    Kind.QUARTERLY: quarterly.quarterly,
    Kind.MONTHLY: monthly.monthly,
    Kind.COMPLAINTS: complaints.complaints,
    Kind.STRATEGIC_ACTIONS: strategic_actions.strategic_actions,
    Kind.DATA_QUALITY: data_quality.data_quality,
    Kind.REACH_THE_SUMMIT: reach_the_summit.reach_the_summit,
    Kind.BENCHMARKING: benchmarking.benchmarking,
    Kind.RISK: risks.risk,
    Kind.ANNUAL: annual.annual,
}
# Kinds with risks in them: they read as their reader (`reader`) and leave confidential risks
# out of what is published (`public`), see selectors/risks.py.
WITH_RISKS = frozenset({Kind.RISK, Kind.QUARTERLY})


def build(
    kind: Kind,
    *,
    period: Period,
    audience: Audience = Audience.MT,
    team_ids: set[int] | None = None,
    today: dt.date | None = None,
    reader: User | None = None,
    public: bool = False,
) -> Report:
    """Any report kind's data. `team_ids` narrows indicator reports to a reader's teams;
    `reader` (None: the system) narrows risks to those the person reads, and `public` (a
    publication) leaves confidential risks out."""
    extra: dict[str, object] = {"reader": reader, "public": public} if kind in WITH_RISKS else {}
    return BUILDERS[kind](period=period, audience=audience, team_ids=team_ids, today=today, **extra)
