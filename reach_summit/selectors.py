"""Reads of Reach the Summit, shaped into the pure calculations' inputs and into page rows.

A league table comes from one of two places: the frozen `Snapshot` of a quarter whose window
has closed (shown exactly as stored), or the live, provisional computation from the current
data. Both give the same `Table` of `TableRow`s, so pages, exports and the command treat them
alike. Every read here uses a fixed number of queries whatever the number of teams.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q
from django.utils import timezone

from performance.common import cache
from performance.core import periods, plan_progress, status
from performance.core.calculations import Level, Polarity, Reading, level_of, round_to
from performance.core.periods import Frequency, Period
from performance.indicators import selectors as performance_selectors
from performance.models import Indicator, Milestone, Team
from reach_summit import calculations, timescales
from reach_summit.calculations import Award, Perspective, TieBreak
from reach_summit.models import (
    Complaint,
    ComplaintTimescale,
    Improvement,
    Scorecard,
    Snapshot,
    SnapshotRow,
)

LEARNING_TARGET = Decimal(100)
LEARNING_DECIMALS = 1
"""Service-plan progress is a percentage judged at one decimal place against 100%."""

SORT_KEYS = (
    "rank",
    "team",
    "customer",
    "financial",
    "process",
    "learning",
    "improvements",
    "late_complaints",
    "score",
)


# ----------------------------------------------------------------------------- quarter periods


def parse_quarter(text: str | None) -> Period:
    """A quarter written `2024/25 Q1` or as its URL form `2024-25-q1`; PeriodError otherwise."""
    cleaned = (text or "").strip()
    if len(cleaned) == 10 and cleaned[4] == "-" and cleaned[7] == "-":
        cleaned = f"{cleaned[:4]}/{cleaned[5:7]} {cleaned[8:].upper()}"
    period = periods.parse(cleaned, kind=Frequency.QUARTERLY)
    # A table reads the quarters before it (the Runner-up rule): they must exist too (found by
    # the API's schema fuzzing: 1000/01 Q1 was a 500 on the page and the CSV).
    period.shift(-calculations.AWARD_EXCLUSION_QUARTERS)
    return period


def quarter_slug(period: Period) -> str:
    """URL form of a quarter: `2024/25 Q1` → `2024-25-q1`."""
    return str(period).replace("/", "-").replace(" ", "-").lower()


def default_quarter(*, today: dt.date | None = None) -> Period:
    """The quarter most recently requested (the one being collected or just frozen)."""
    return performance_selectors.latest_reporting_period(today=today)


def quarter_choices(*, today: dt.date | None = None) -> list[Period]:
    """Quarters to offer in pickers, newest first: from the first scorecard year to now."""
    today = today or timezone.localdate()
    current = periods.quarter_of(today)
    first_year = Scorecard.objects.order_by("year").values_list("year", flat=True).first()
    first = periods.parse(first_year).quarters()[0] if first_year else current.shift(-3)
    first = min(first, default_quarter(today=today))
    return list(reversed(periods.between(first, current)))


def is_provisional(period: Period, *, today: dt.date | None = None) -> bool:
    """True while the quarter's collection window has not closed (SPEC §7)."""
    return not performance_selectors.window_closed(period, today=today)


def timescales_in_force() -> dict[int, int]:
    """Working days per complaint stage: the configured ones over SPEC §6's defaults."""
    configured = dict(ComplaintTimescale.objects.values_list("stage", "working_days"))
    return {**timescales.DEFAULT_TIMESCALES, **configured}


# ------------------------------------------------------------------------------- team facts


@dataclass(frozen=True)
class TeamFacts:
    """One team's scored quarter plus where each point came from (for the explanation)."""

    team_id: int
    slug: str
    quarter: calculations.TeamQuarter
    sources: dict[str, dict[str, Any]]
    pending: frozenset[str] = frozenset()
    improvement_ids: tuple[int, ...] = ()
    late_details: tuple[dict[str, str], ...] = ()


def _text(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    return format(round_to(value, decimals), "f")


def _indicator_source(
    indicator: Indicator, state: status.Status | None, closed: bool, period: Period
) -> tuple[Level, bool, dict[str, Any]]:
    """(level, pending, source) of one scorecard indicator in the quarter."""
    source: dict[str, Any] = {
        "indicator_id": indicator.id,
        "code": indicator.code,
        "title": indicator.title,
        "unit": indicator.get_unit_display(),
        "polarity": indicator.get_polarity_display(),
        "tolerance": format(indicator.effective_tolerance.normalize(), "f"),
        "value": "",
        "target": "",
        "shortfall": "",
        "note": "",
    }
    if state is None:
        source["note"] = (
            f"{indicator.code} reports {indicator.frequency}: it has no quarterly value"
        )
        level = None
    else:
        source["value"] = _text(state.actual, indicator.decimals)
        source["target"] = _text(state.target, indicator.decimals)
        if state.shortfall is not None:
            source["shortfall"] = format(round_to(state.shortfall, 2), "f")
        level = state.level
        if level is None and state.target is None:
            source["note"] = f"No target was set for {period}"
        elif level is Level.NO_DATA:
            source["note"] = f"No activated value by the end of the {period} window"
    if level is None:
        if closed:
            source["note"] = source["note"] or "No level could be judged"
            source["note"] += ": scored as No data"
            return Level.NO_DATA, False, source
        source["note"] = "Awaiting an activated value: counts as No data if none arrives"
        return Level.NO_DATA, True, source
    return level, False, source


def _learning_source(
    plan_name: str,
    facts: Sequence[plan_progress.MilestoneFact],
    closed: bool,
    period: Period,
    today: dt.date,
) -> tuple[Level, bool, dict[str, Any]]:
    """(level, pending, source) of the team's service-plan progress in the quarter's last month.

    Before the quarter has ended its last month cannot be judged: pending (provisional No data).
    """
    month = period.months()[-1]
    if not closed and today <= period.end:
        return (
            Level.NO_DATA,
            True,
            {
                "plan": plan_name,
                "month": str(month),
                "due": 0,
                "met": 0,
                "value": "",
                "target": str(LEARNING_TARGET),
                "shortfall": "",
                "note": f"Judged on {month} once it has ended: counts as No data until then",
            },
        )
    summary = plan_progress.month_summary(facts, period.end)
    percent = summary.percent
    source: dict[str, Any] = {
        "plan": plan_name,
        "month": str(month),
        "due": summary.due,
        "met": summary.met,
        "value": _text(percent, LEARNING_DECIMALS),
        "target": str(LEARNING_TARGET),
        "shortfall": "",
        "note": "",
    }
    level = None
    if percent is not None:
        reading = Reading(
            actual=percent,
            target=LEARNING_TARGET,
            polarity=Polarity.HIGHER,
            decimals=LEARNING_DECIMALS,
        )
        level = level_of(reading)
        source["shortfall"] = _text(LEARNING_TARGET - round_to(percent, LEARNING_DECIMALS), 2)
    elif not plan_name:
        source["note"] = f"No service plan for {period.financial_year}"
    else:
        source["note"] = f"No milestone of the plan was due by the end of {month}"
    if level is None:
        if closed:
            source["note"] += ": scored as No data"
            return Level.NO_DATA, False, source
        source["note"] = (source["note"] + ". " if source["note"] else "") + (
            "Counts as No data if nothing is due and met by the end of the window"
        )
        return Level.NO_DATA, True, source
    return level, False, source


def quarter_facts(
    quarters: Sequence[Period], *, today: dt.date | None = None
) -> dict[Period, list[TeamFacts]]:
    """Scored facts of every active team with a scorecard, for each of `quarters`.

    Seven queries whatever the number of teams and quarters. A team is in a quarter's table
    when it has a scorecard for that financial year. A perspective without a level (no value
    yet, no target, an annual indicator, no milestone due) counts as No data once the window
    has closed; before that it counts as No data provisionally and is marked pending.
    """
    today = today or timezone.localdate()
    result: dict[Period, list[TeamFacts]] = {q: [] for q in quarters}
    if not quarters:
        return result
    years = sorted({str(q.financial_year) for q in quarters})
    cards = list(
        Scorecard.objects.filter(year__in=years, team__active=True).select_related(
            "team", "customer", "financial", "process"
        )
    )
    if not cards:
        return result
    first = min(q.start for q in quarters)
    last = max(q.end for q in quarters)
    indicator_ids = {c.customer_id for c in cards} | {c.financial_id for c in cards}
    indicator_ids |= {c.process_id for c in cards}
    data = performance_selectors.indicator_data(indicator_ids, until=last, since=first)
    team_ids = {c.team_id for c in cards}
    service_ids = {c.team.service_id for c in cards if c.team.service_id}

    plans: dict[tuple[int | None, str], str] = {}
    milestones: dict[tuple[int | None, str], list[plan_progress.MilestoneFact]] = defaultdict(list)
    # Grouped in Python, so unordered (the models' default orders only cost a sort or a join).
    for service_id, year, plan_name, due_on, met_on in (
        Milestone.objects.filter(
            activity__objective__plan__service_id__in=service_ids,
            activity__objective__plan__year__in=years,
        )
        .order_by()
        .values_list(
            "activity__objective__plan__service_id",
            "activity__objective__plan__year",
            "activity__objective__plan__service__name",
            "due_on",
            "met_on",
        )
    ):
        plans[(service_id, year)] = f"{plan_name} service plan {year}"
        milestones[(service_id, year)].append(plan_progress.MilestoneFact(due_on, met_on))

    improvements: dict[tuple[int, str], list[tuple[int, str, Decimal]]] = defaultdict(list)
    for pk, team_id, written, title, points in (
        Improvement.objects.filter(team_id__in=team_ids, quarter__in=[str(q) for q in quarters])
        .order_by("id")
        .values_list("id", "team_id", "quarter", "title", "points")
    ):
        improvements[(team_id, written)].append((pk, title, points))

    complaints: dict[int, list[tuple[str, dt.date, dt.date | None, dt.date]]] = defaultdict(list)
    for team_id, reference, due, responded, received in (
        Complaint.objects.filter(team_id__in=team_ids, due__gte=first, due__lte=last)
        .order_by()
        .values_list("team_id", "reference", "due", "responded", "received")
    ):
        complaints[team_id].append((reference, due, responded, received))

    for quarter in quarters:
        closed = performance_selectors.window_closed(quarter, today=today)
        year = str(quarter.financial_year)
        for card in sorted((c for c in cards if c.year == year), key=lambda c: c.team.name):
            result[quarter].append(
                _team_facts(
                    card, quarter, closed, today, data, plans, milestones, improvements, complaints
                )
            )
    return result


def _team_facts(
    card: Scorecard,
    quarter: Period,
    closed: bool,
    today: dt.date,
    data: dict[int, status.IndicatorData],
    plans: dict[tuple[int | None, str], str],
    milestones: dict[tuple[int | None, str], list[plan_progress.MilestoneFact]],
    improvements: dict[tuple[int, str], list[tuple[int, str, Decimal]]],
    complaints: dict[int, list[tuple[str, dt.date, dt.date | None, dt.date]]],
) -> TeamFacts:
    levels: dict[str, Level] = {}
    sources: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    for name in ("customer", "financial", "process"):
        indicator = getattr(card, name)
        facts = performance_selectors.indicator_facts(indicator)
        state = None
        if status.applies(facts, quarter):
            state = status.status_for(
                facts, data[indicator.id], quarter, window_closed=closed, with_spc=False
            )
        level, waiting, source = _indicator_source(indicator, state, closed, quarter)
        levels[name], sources[name] = level, source
        if waiting:
            pending.add(name)
    key = (card.team.service_id, card.year)
    level, waiting, source = _learning_source(
        plans.get(key, ""), milestones.get(key, []), closed, quarter, today
    )
    levels["learning"], sources["learning"] = level, source
    if waiting:
        pending.add("learning")

    approved = improvements.get((card.team_id, str(quarter)), [])
    late = sorted(
        (ref, due, responded, received)
        for ref, due, responded, received in complaints.get(card.team_id, [])
        if timescales.late_in_quarter(due, responded, quarter.start, quarter.end, today)
    )
    team_quarter = calculations.TeamQuarter(
        key=card.team_id,
        name=card.team.name,
        customer=levels["customer"],
        financial=levels["financial"],
        process=levels["process"],
        learning=levels["learning"],
        improvements=tuple(
            calculations.Improvement(title, points) for _, title, points in approved
        ),
        late_complaint_refs=tuple(ref for ref, *_ in late),
    )
    return TeamFacts(
        team_id=card.team_id,
        slug=card.team.slug,
        quarter=team_quarter,
        sources=sources,
        pending=frozenset(pending),
        improvement_ids=tuple(pk for pk, _, _ in approved),
        late_details=tuple(
            {
                "reference": ref,
                "received": received.isoformat(),
                "due": due.isoformat(),
                "responded": responded.isoformat() if responded and responded <= today else "",
            }
            for ref, due, responded, received in late
        ),
    )


# ------------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class TableRow:
    """One row of a league table page, export or snapshot."""

    position: int
    rank: int
    joint: bool
    team_id: int | None
    team_name: str
    team_slug: str
    customer: Level
    financial: Level
    process: Level
    learning: Level
    improvements: Decimal
    late_complaints: int
    score: Decimal
    award: Award
    explanation: dict[str, Any] = field(default_factory=dict)
    pending: frozenset[str] = frozenset()

    @property
    def levels(self) -> list[tuple[Perspective, Level, bool]]:
        return [
            (p, getattr(self, p.value), p.value in self.pending)
            for p in (
                Perspective.CUSTOMER,
                Perspective.FINANCIAL,
                Perspective.PROCESS,
                Perspective.LEARNING,
            )
        ]

    @property
    def summits(self) -> int:
        return sum(1 for _, level, _ in self.levels if level is Level.SUMMIT)

    @property
    def lines(self) -> list[dict[str, Any]]:
        return list(self.explanation.get("lines", []))

    @property
    def formula(self) -> str:
        formula: str = self.explanation.get("formula", "")
        return formula


@dataclass(frozen=True)
class Table:
    period: Period
    provisional: bool
    rows: tuple[TableRow, ...]
    top_decided_by: TieBreak | None
    frozen_at: dt.datetime | None = None
    recomputations: int = 0
    # New for every table computed or read: what is derived from it (a rendered page) can be
    # cached under it and goes stale with it.
    token: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False, repr=False)

    @property
    def top(self) -> list[TableRow]:
        return [r for r in self.rows if r.award is Award.TOP]

    @property
    def runners_up(self) -> list[TableRow]:
        return [r for r in self.rows if r.award is Award.RUNNER_UP]

    def row_for(self, slug: str) -> TableRow | None:
        return next((r for r in self.rows if r.team_slug == slug), None)


def _explanation(
    facts: TeamFacts, averages: dict[Any, calculations.AveragePosition]
) -> dict[str, Any]:
    explained = calculations.explain(facts.quarter)
    improvements = iter(facts.improvement_ids)
    late = {d["reference"]: d for d in facts.late_details}
    lines = []
    for line in explained.lines:
        entry: dict[str, Any] = {
            "kind": line.kind.value,
            "label": line.label,
            "points": str(line.points),
        }
        if line.perspective is not None:
            entry["perspective"] = line.perspective.value
            entry["perspective_label"] = line.perspective.label
            entry["level"] = line.level.value if line.level else ""
            entry["pending"] = line.perspective.value in facts.pending
            entry["source"] = facts.sources[line.perspective.value]
        elif line.kind is calculations.LineKind.IMPROVEMENT:
            entry["improvement_id"] = next(improvements, None)
        elif line.reference:
            entry["complaint"] = late.get(line.reference, {"reference": line.reference})
        lines.append(entry)
    average = averages.get(facts.quarter.key)
    return {
        "lines": lines,
        "formula": explained.formula(),
        "positions": list(average.positions) if average else [],
        "average": str(average.average) if average and average.ranked_quarters else "",
    }


def tidy(value: Decimal) -> Decimal:
    """The same number without trailing zeros or exponent (12.00 → 12, 1E+1 → 10)."""
    return value.normalize() + 0


def _rows_from_table(
    table: calculations.LeagueTable, facts: Iterable[TeamFacts]
) -> tuple[TableRow, ...]:
    by_key = {f.quarter.key: f for f in facts}
    averages = {a.team_key: a for a in table.averages}
    return tuple(
        TableRow(
            position=position,
            rank=row.rank,
            joint=row.joint,
            team_id=cast(int, row.key),  # a live table is keyed by team id
            team_name=row.name,
            team_slug=by_key[row.key].slug,
            customer=row.team.customer,
            financial=row.team.financial,
            process=row.team.process,
            learning=row.team.learning,
            improvements=tidy(row.team.improvement_points),
            late_complaints=row.team.late_complaints,
            score=tidy(row.score),
            award=row.award,
            explanation=_explanation(by_key[row.key], averages),
            pending=by_key[row.key].pending,
        )
        for position, row in enumerate(table.rows, start=1)
    )


def _rows_from_snapshot(rows: Iterable[SnapshotRow]) -> tuple[TableRow, ...]:
    return tuple(
        TableRow(
            position=r.position,
            rank=r.rank,
            joint=r.joint,
            team_id=r.team_id,
            team_name=r.team_name,
            team_slug=r.team_slug,
            customer=Level(r.customer),
            financial=Level(r.financial),
            process=Level(r.process),
            learning=Level(r.learning),
            improvements=tidy(r.improvements),
            late_complaints=r.late_complaints,
            score=tidy(r.score),
            award=Award(r.award),
            explanation=r.explanation,
        )
        for r in rows
    )


def snapshot_standings(quarters: Sequence[Period]) -> dict[Period, calculations.QuarterStanding]:
    """Positions and awards of the frozen quarters among `quarters` (one query)."""
    labels = {str(q): q for q in quarters}
    positions: dict[str, dict[calculations.TeamKey, int]] = defaultdict(dict)
    awards: dict[str, dict[calculations.TeamKey, Award]] = defaultdict(dict)
    frozen: set[str] = set()
    for quarter, team_id, rank_, award in SnapshotRow.objects.filter(
        snapshot__quarter__in=list(labels)
    ).values_list("snapshot__quarter", "team_id", "rank", "award"):
        frozen.add(quarter)
        if team_id is None:
            continue
        positions[quarter][team_id] = rank_
        if award:
            awards[quarter][team_id] = Award(award)
    return {
        labels[q]: calculations.QuarterStanding(q, dict(positions[q]), dict(awards[q]))
        for q in frozen
    }


def live_table(period: Period, *, today: dt.date | None = None) -> Table:
    """The table computed now from current data: provisional while the window is open.

    The previous three quarters give the Runner-up history: their frozen snapshots where they
    exist, otherwise their live tables computed in the same pass (about ten queries in all).
    """
    today = today or timezone.localdate()
    previous = [period.shift(step) for step in range(-calculations.AWARD_EXCLUSION_QUARTERS, 0)]
    frozen = snapshot_standings(previous)
    missing = [q for q in previous if q not in frozen]
    facts = quarter_facts([*missing, period], today=today)
    history: list[calculations.QuarterStanding] = []
    for quarter in previous:
        if quarter in frozen:
            history.append(frozen[quarter])
        else:
            earlier = calculations.league_table(
                str(quarter), (f.quarter for f in facts[quarter]), tuple(history)
            )
            history.append(earlier.standing())
    table = calculations.league_table(str(period), (f.quarter for f in facts[period]), history)
    return Table(
        period=period,
        provisional=is_provisional(period, today=today),
        rows=_rows_from_table(table, facts[period]),
        top_decided_by=table.top_decided_by if table.rows else None,
    )


def frozen_table(period: Period) -> Table | None:
    snapshot = Snapshot.objects.filter(quarter=str(period)).first()
    if snapshot is None:
        return None
    return Table(
        period=period,
        provisional=False,
        rows=_rows_from_snapshot(snapshot.rows.all()),
        top_decided_by=TieBreak(snapshot.top_decided_by) if snapshot.top_decided_by else None,
        frozen_at=snapshot.frozen_at,
        recomputations=snapshot.recomputations,
    )


FROZEN_GENERATIONS = ("reach_summit",)
LIVE_GENERATIONS = ("reach_summit", "indicators")
"""Generations (performance.common.cache) of what a table reads. A frozen one: its snapshot (and
whether there is one). A live one also: scorecards, complaints, improvements, milestones and
the indicators' values and targets."""


def league_table(period: Period, *, today: dt.date | None = None) -> Table:
    """The quarter's table as everyone sees it: the frozen snapshot if there is one, else live.

    Cached per process under the generations of its data: a frozen table is not recomputed when
    an indicator value changes (one query on a hit), a live one is, and is cached per day since
    its pending marks and late complaints depend on today (two queries on a hit). Callers must
    not change what they get. Freezing and recomputing use `live_table`, never the cache.
    """
    today = today or timezone.localdate()
    frozen = cache.cached(
        f"reach_summit:frozen:{period}", FROZEN_GENERATIONS, lambda: frozen_table(period)
    )
    if frozen is not None:
        return frozen
    return cache.cached(
        f"reach_summit:live:{period}:{today.isoformat()}",
        LIVE_GENERATIONS,
        lambda: live_table(period, today=today),
    )


def sort_rows(rows: Sequence[TableRow], key: str, descending: bool) -> list[TableRow]:
    """Rows ordered by a column; ties keep the league order. Unknown keys sort by rank."""
    getters = {
        "team": lambda r: r.team_name.casefold(),
        "customer": lambda r: r.customer.points,
        "financial": lambda r: r.financial.points,
        "process": lambda r: r.process.points,
        "learning": lambda r: r.learning.points,
        "improvements": lambda r: r.improvements,
        "late_complaints": lambda r: r.late_complaints,
        "score": lambda r: r.score,
    }
    getter = getters.get(key)
    ordered = sorted(rows, key=lambda r: r.position)
    if getter is None:
        return list(reversed(ordered)) if descending else ordered
    return sorted(ordered, key=getter, reverse=descending)


# ---------------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryPoint:
    quarter: str
    rank: int
    of: int
    score: Decimal
    award: Award


def team_history(team: Team) -> list[HistoryPoint]:
    """The team's frozen positions, oldest first (two queries)."""
    sizes = dict(
        SnapshotRow.objects.values_list("snapshot__quarter").order_by().annotate(n=Count("id"))
    )
    return [
        HistoryPoint(quarter, rank_, sizes.get(quarter, 0), tidy(score), Award(award))
        for quarter, rank_, score, award in SnapshotRow.objects.filter(team=team)
        .order_by("snapshot__quarter_start")
        .values_list("snapshot__quarter", "rank", "score", "award")
    ]


@dataclass(frozen=True)
class AwardsQuarter:
    quarter: str
    top: list[TableRow]
    runners_up: list[TableRow]

    @property
    def slug(self) -> str:
        return quarter_slug(periods.parse(self.quarter))


def awards_history() -> list[AwardsQuarter]:
    """Every frozen quarter's award winners, newest first (one query)."""
    grouped: dict[str, AwardsQuarter] = {}
    for snapshot_quarter, row in (
        (r.snapshot.quarter, r)
        for r in SnapshotRow.objects.filter(~Q(award=""))
        .select_related("snapshot")
        .order_by("-snapshot__quarter_start", "position")
    ):
        entry = grouped.setdefault(snapshot_quarter, AwardsQuarter(snapshot_quarter, [], []))
        (entry.top if row.award == Award.TOP else entry.runners_up).append(
            _rows_from_snapshot([row])[0]
        )
    return list(grouped.values())


# --------------------------------------------------------------------------- complaints report


@dataclass(frozen=True)
class ComplaintsReport:
    period: Period
    summary: timescales.ComplaintsSummary
    trend: list[tuple[Period, timescales.ComplaintCounts]]


def complaints_report(period: Period, *, today: dt.date | None = None) -> ComplaintsReport:
    """The quarterly complaints report: per team and total, with the last four quarters' totals.

    Two queries: the teams and the complaints that touch the four quarters.
    """
    today = today or timezone.localdate()
    quarters = [period.shift(step) for step in range(-3, 1)]
    start = quarters[0].start
    teams = list(Team.objects.filter(active=True).values_list("id", "name"))
    rows = [
        timescales.Complaint(
            reference=c.reference,
            team_key=c.team_id,
            team_name=c.team.name,
            received=c.received,
            due=c.due,
            responded=c.responded,
            stage=c.stage,
        )
        for c in Complaint.objects.filter(received__lte=period.end)
        .filter(Q(received__gte=start) | Q(due__gte=start) | Q(responded__gte=start))
        .select_related("team")
        .only("reference", "team_id", "team__name", "received", "due", "responded", "stage")
    ]
    summaries = {
        q: timescales.summarise_complaints(
            rows, quarter_start=q.start, quarter_end=q.end, today=today, teams=teams
        )
        for q in quarters
    }
    return ComplaintsReport(
        period=period,
        summary=summaries[period],
        trend=[(q, summaries[q].total) for q in quarters],
    )
