"""What the annual performance report reads (issue 20): the year's outturns over three years,
the forecasts made at Q2 and Q3, the strategic actions' year-end progress, the year's Reach the
Summit winners and our benchmark positions. A fixed number of queries whatever the number of
indicators (the benchmarking part: two per comparator group).

Policy:
- The outturn of an indicator for a financial year is `status.status_for` at the year: its own
  annual value, or its months or quarters aggregated by its rule (sum, mean, last, ratio), the
  same aggregation every page uses; its target the annual target, or the profile aggregated.
- Three-year direction compares this year's outturn with the one two years earlier, judged by
  polarity at the indicator's decimals; the year before is shown beside it.
- A forecast's error is (forecast − outturn) ÷ |outturn| × 100; an outturn of 0 has none.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from benchmarking import calculations as bm_calculations
from benchmarking import selectors as bm_selectors
from benchmarking.models import BenchmarkMeasure, ComparatorGroup
from performance.core import status
from performance.core.calculations import Direction, Polarity, direction_of_travel, round_to
from performance.core.periods import Period
from performance.indicators import forecasts
from performance.indicators import selectors as performance_selectors
from performance.models import Indicator, StrategicAction, StrategicActionUpdate
from performance.reports.data import DERIVED, plain
from performance.reports.selectors.common import _person
from reach_summit.models import SnapshotRow


@dataclass(frozen=True, slots=True)
class Outturn:
    """One indicator's year, as a report row (`row`) and its figures for the sections."""

    row: dict[str, Any]
    indicator: Indicator

    @property
    def status(self) -> str:
        return str(self.row["status"])


def outturns(indicators: list[Indicator], year: Period, today: dt.date | None) -> list[Outturn]:
    """Each indicator's outturn for `year` against its annual target, with the two years
    before. Four queries (`indicator_data`)."""
    earlier = year.shift(-2)
    data = performance_selectors.indicator_data(
        [i.id for i in indicators], until=year.end, since=earlier.start
    )
    closed = performance_selectors.window_closed(year, today=today)
    result = []
    for indicator in indicators:
        facts = performance_selectors.indicator_facts(indicator)
        figures = data[indicator.id]
        state = status.status_for(facts, figures, year, window_closed=closed, with_spc=False)
        before = status.value_for(facts, figures, year.previous())
        two_before = status.value_for(facts, figures, earlier)
        three_years = direction_of_travel(state.actual, two_before, facts.polarity, facts.decimals)
        shortfall = round_to(state.shortfall, 1) if state.shortfall is not None else None
        aggregated = indicator.frequency != year.kind.value
        row = {
            "indicator_id": indicator.id,
            "indicator": indicator.code,
            "title": indicator.title,
            "team": indicator.team.name if indicator.team else "Unassigned",
            "period": str(year),
            "value": plain(state.actual),
            "target": plain(state.target),
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "shortfall_pct": plain(shortfall),
            "status": state.status,
            "previous": plain(before),
            "earlier": plain(two_before),
            "dot_previous": state.dot_previous.value,
            "dot_three": three_years.value,
            "polarity": facts.polarity.value,
            # Aggregated from months or quarters: worked out, not entered (open data).
            DERIVED: [
                "shortfall_pct",
                *(["value", "previous", "earlier"] if aggregated else []),
                *(["target"] if aggregated and str(year) not in figures.targets else []),
            ],
        }
        result.append(Outturn(row=row, indicator=indicator))
    return result


def improved(row: dict[str, Any]) -> bool:
    return bool(row["dot_previous"] == Direction.IMPROVING.value)


# --- forecasts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Forecast:
    """The forecast made at a quarter: the figure and whose it was ('officer' or 'projection')."""

    value: Decimal
    source: str


def forecasts_at(ids: list[int], year: Period, quarter: int) -> dict[int, Forecast]:
    """The forecast of each indicator's outturn as it stood at `quarter` of `year`: the
    officer's, else the projection from the figures known then (`indicators.forecasts`)."""
    as_of = Period.for_quarter(year.fy_start_year, quarter)
    found = forecasts.forecasts_for(indicator_ids=ids, year=str(year), as_of=str(as_of))
    return {
        indicator_id: Forecast(value=f.value, source=f.source.value)
        for indicator_id, f in found.items()
        if f.value is not None and f.source is not None
    }


def forecast_error(forecast: Decimal | None, outturn: Decimal | None) -> Decimal | None:
    """(forecast − outturn) ÷ |outturn| × 100, unrounded; None without both or at outturn 0."""
    if forecast is None or outturn is None or outturn == 0:
        return None
    return (forecast - outturn) / abs(outturn) * 100


# --- strategic actions --------------------------------------------------------------------------

ACTION_STATUS = dict(StrategicActionUpdate.Status.choices)


def action_rows(plan: Any, year: Period) -> list[dict[str, Any]]:
    """Each strategic action of `plan` with its latest update of `year` (Q4's, else Q2's).
    Two queries."""
    if plan is None:
        return []
    actions = list(
        StrategicAction.objects.filter(outcome__priority__plan=plan)
        .select_related("outcome__priority", "owner")
        .order_by("outcome__priority__number", "outcome__number", "id")
    )
    q2, q4 = (str(Period.for_quarter(year.fy_start_year, n)) for n in (2, 4))
    updates: dict[int, StrategicActionUpdate] = {}
    for each in StrategicActionUpdate.objects.filter(
        action__in=[a.id for a in actions], period__in=[q2, q4]
    ).order_by("period"):
        updates[each.action_id] = each  # Q4 after Q2: the later one wins
    rows = []
    for action in actions:
        update = updates.get(action.id)
        priority = action.outcome.priority
        rows.append(
            {
                "priority_number": priority.number,
                "action": action.title,
                "priority": f"{priority.number}. {priority.title}",
                "outcome": f"{priority.number}.{action.outcome.number} {action.outcome.title}",
                "owner": _person(action.owner),
                "due": f"{action.due_on:%-d %b %Y}" if action.due_on else "",
                "status": ACTION_STATUS[update.status] if update else "No update",
                "as_at": update.period if update else "",
                "percent_complete": update.percent_complete if update else "",
                "progress": update.progress if update else "",
            }
        )
    return rows


# --- Reach the Summit ---------------------------------------------------------------------------


def summit_winners(year: Period) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows, quarters without a frozen table): the Top Team and runners-up of each quarter of
    `year` from the frozen league tables (final once a quarter's window closed). One query."""
    quarters = [str(q) for q in year.quarters()]
    rows: list[dict[str, Any]] = []
    frozen: set[str] = set()
    for row in (
        SnapshotRow.objects.filter(snapshot__quarter__in=quarters)
        .filter(~Q(award=""))
        .select_related("snapshot")
        .order_by("snapshot__quarter_start", "position")
    ):
        frozen.add(row.snapshot.quarter)
        rows.append(
            {
                "quarter": row.snapshot.quarter,
                "award": "Top Team" if row.award == "top" else "Runner-up",
                "team": row.team_name,
                "score": plain(row.score),
                "rank": row.rank,
            }
        )
    return rows, [q for q in quarters if q not in frozen]


# --- benchmarking -------------------------------------------------------------------------------


def _at_or_before(available: list[str], year: Period) -> str | None:
    """The period to read for `year`: the year's own, else the latest ending by its end."""
    if str(year) in available:
        return str(year)
    fitting = []
    for label in available:
        try:
            period = status.parsed(label)
        except ValueError:
            continue
        if period.end <= year.end:
            fitting.append(period)
    return str(max(fitting)) if fitting else None


def benchmark_rows(year: Period) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows, group names): our rank and quartile in each comparator group on each measure,
    for `year` (or the latest period before it: published benchmarks lag). Two queries, and
    two per group."""
    groups = list(ComparatorGroup.objects.order_by("name"))
    measures = list(BenchmarkMeasure.objects.order_by("title"))
    authority = bm_selectors.council_code()
    quartile_words = {1: "1 (top)", 2: "2", 3: "3", 4: "4 (bottom)"}
    rows = []
    for group in groups:
        data = bm_selectors.group_data(group, authority=authority, measures=measures)
        for measure in measures:
            period = _at_or_before(data.periods(measure.pk), year)
            if period is None:
                continue
            position = bm_calculations.position_of(
                data.period_values(measure.pk, period), authority, Polarity(measure.polarity)
            )
            if position.value is None:
                continue
            rows.append(
                {
                    "group": group.name,
                    "measure": measure.title,
                    "period": period,
                    "value": plain(position.value),
                    "rank": position.rank or "",
                    "of": position.of,
                    "quartile_number": position.quartile or 0,
                    "quartile": quartile_words.get(position.quartile or 0, "Not judged"),
                    "median": plain(position.median),
                    DERIVED: ["median"],
                }
            )
    return rows, [g.name for g in groups]


def outcome_links(ids: list[int]) -> dict[int, list[int]]:
    """Outcome id → ids of its indicators among `ids`. One query."""
    links: dict[int, list[int]] = defaultdict(list)
    for indicator_id, outcome_id in Indicator.outcomes.through.objects.filter(
        indicator_id__in=ids
    ).values_list("indicator_id", "outcome_id"):
        links[outcome_id].append(indicator_id)
    return links
