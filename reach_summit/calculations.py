"""Pure Reach the Summit rules of SPEC §7: team scores with their explanation, ranks and awards.

No Django import here (a test asserts it): frozen dataclasses in, frozen dataclasses out, and
`Decimal` for every point and score. Scores are exact sums, never rounded: every input is a
quarter or half point (or whatever improvement value the council configures), so what a
council adds up by hand on paper is what this module returns.

League position
    The position used for the Runner-up average is the team's *rank*, so teams that share a
    rank share the position (two teams at rank 2 both count 2, the next team counts 4).

Quarters
    Functions that need history take the previous quarters as a sequence of `QuarterStanding`,
    oldest first, one entry for every consecutive quarter (give an empty standing for a quarter
    with no table). Nothing here parses period strings; `quarter` is a label only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from performance.core.calculations import Level

TeamKey = str | int

MINUS = "\N{MINUS SIGN}"  # U+2212, as the SPEC writes its sums

LATE_COMPLAINT_POINTS = Decimal("-0.25")
"""Points for each late complaint that fell due in the quarter (SPEC §7)."""

DEFAULT_IMPROVEMENT_POINTS = Decimal("0.5")
"""Default value of one approved improvement (SPEC §6); the council may configure another."""

RUNNER_UP_QUARTERS = 4
"""The Runner-up average covers the current quarter and the previous three."""

RUNNER_UP_MIN_RANKED = 2
"""A team must have been ranked in at least this many of those quarters to be eligible."""

AWARD_EXCLUSION_QUARTERS = 3
"""A team that won either award in this many previous quarters cannot be Runner-up."""


class Perspective(StrEnum):
    """Balanced-scorecard perspectives of a team's scorecard, in scorecard order."""

    CUSTOMER = "customer"
    FINANCIAL = "financial"
    PROCESS = "process"
    LEARNING = "learning"

    @property
    def label(self) -> str:
        return {
            "customer": "Customer",
            "financial": "Financial",
            "process": "Process",
            "learning": "Learning and development",
        }[self.value]


class Award(StrEnum):
    """Quarterly award as written in the `league_table` export: `top|runner_up|` (empty)."""

    TOP = "top"
    RUNNER_UP = "runner_up"
    NONE = ""

    @property
    def label(self) -> str:
        return {"top": "Top Team", "runner_up": "Runner-up", "": ""}[self.value]


class LineKind(StrEnum):
    LEVEL = "level"
    IMPROVEMENT = "improvement"
    LATE_COMPLAINT = "late_complaint"


class TieBreak(StrEnum):
    """What decided the Top Team (SPEC §7), so the league table can say why."""

    SCORE = "score"
    SUMMITS = "summits"
    NO_DATA = "no_data"
    LATE_COMPLAINTS = "late_complaints"
    JOINT = "joint"

    @property
    def label(self) -> str:
        return {
            "score": "highest score",
            "summits": "tie on score broken by more Summits",
            "no_data": "tie on score and Summits broken by fewer No data",
            "late_complaints": "tie broken by fewer late complaints",
            "joint": "still tied after every tie-break: joint award",
        }[self.value]


# --------------------------------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class Improvement:
    """One service improvement the performance officer approved for the team in the quarter."""

    title: str
    points: Decimal = DEFAULT_IMPROVEMENT_POINTS


@dataclass(frozen=True, slots=True)
class TeamQuarter:
    """Everything that scores one team in one quarter.

    `improvement_points` is the sum of the approved improvements. Give the improvements
    themselves in `improvements` so the explanation can list them one by one; when
    `improvements` is given and `improvement_points` is left at 0 the sum is taken from them,
    and when both are given they must agree. Likewise `late_complaint_refs` (one reference per
    late complaint) fills `late_complaints` when that is left at 0, and must match it otherwise.
    Floats are refused: 0.1 + 0.2 is not what a council adds up.
    """

    key: TeamKey
    name: str
    customer: Level
    financial: Level
    process: Level
    learning: Level
    improvement_points: Decimal = Decimal(0)
    late_complaints: int = 0
    late_complaint_refs: tuple[str, ...] = ()
    improvements: tuple[Improvement, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.improvement_points, Decimal) or any(
            not isinstance(i.points, Decimal) for i in self.improvements
        ):
            raise TypeError("improvement points must be Decimal")
        if self.improvements:
            total = sum((i.points for i in self.improvements), Decimal(0))
            if self.improvement_points == 0:
                # Frozen: object.__setattr__ is the documented way to derive a field.
                object.__setattr__(self, "improvement_points", total)
            elif self.improvement_points != total:
                raise ValueError(
                    f"{self.name}: improvement_points {self.improvement_points} "
                    f"is not the sum of the improvements ({total})"
                )
        if self.late_complaints < 0:
            raise ValueError(f"{self.name}: late_complaints cannot be negative")
        if self.late_complaint_refs:
            if self.late_complaints == 0:
                object.__setattr__(self, "late_complaints", len(self.late_complaint_refs))
            elif self.late_complaints != len(self.late_complaint_refs):
                raise ValueError(
                    f"{self.name}: {self.late_complaints} late complaints but "
                    f"{len(self.late_complaint_refs)} references"
                )

    @property
    def levels(self) -> tuple[tuple[Perspective, Level], ...]:
        """The four perspectives with their levels, in scorecard order."""
        return (
            (Perspective.CUSTOMER, self.customer),
            (Perspective.FINANCIAL, self.financial),
            (Perspective.PROCESS, self.process),
            (Perspective.LEARNING, self.learning),
        )

    @property
    def summits(self) -> int:
        return sum(1 for _, level in self.levels if level is Level.SUMMIT)

    @property
    def no_data(self) -> int:
        return sum(1 for _, level in self.levels if level is Level.NO_DATA)


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One contribution to a score: a perspective's level, an improvement or a late complaint."""

    kind: LineKind
    label: str
    points: Decimal
    perspective: Perspective | None = None
    level: Level | None = None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class ScoreExplanation:
    """A score and the lines it is the exact sum of."""

    team_key: TeamKey
    team_name: str
    lines: tuple[ScoreLine, ...]
    score: Decimal

    def formula(self) -> str:
        """The sum as a council writes it: `3 + 1 - 0.25 + 3 + 0.5 - 0.75 = 6.5` (SPEC §13),
        with U+2212 minus signs as the SPEC prints them."""
        terms: list[str] = []
        for line in self.lines:
            magnitude = format_points(abs(line.points))
            if not terms:
                terms.append(f"{MINUS}{magnitude}" if line.points < 0 else magnitude)
            else:
                terms.append(f"{MINUS if line.points < 0 else '+'} {magnitude}")
        return f"{' '.join(terms) or '0'} = {format_points(self.score)}"


def format_points(points: Decimal) -> str:
    """Points without trailing zeros or exponent: 3, 0.5, -0.25, 6.5 (a minus as U+2212)."""
    if points == 0:
        return "0"  # never "-0"
    text = format(points.normalize(), "f")
    return text.replace("-", MINUS)


def score_of(team: TeamQuarter) -> Decimal:
    """Team score (SPEC §7): the four levels' points + improvement points - 0.25 per late complaint.

    Exact `Decimal` arithmetic, no rounding. The score may be negative (four No data and late
    complaints); that is kept, not floored at zero.
    """
    levels = sum((level.points for _, level in team.levels), Decimal(0))
    return levels + team.improvement_points + LATE_COMPLAINT_POINTS * team.late_complaints


def explain(team: TeamQuarter) -> ScoreExplanation:
    """Every contribution to the team's score, whose sum is `score_of(team)`.

    Lines come in scorecard order: customer, financial, process, learning, then each approved
    improvement (or one total line when only the total is known), then one -0.25 line per late
    complaint, labelled with its reference when given ("late complaint 2 of 3" otherwise).
    """
    lines = [
        ScoreLine(
            kind=LineKind.LEVEL,
            label=f"{perspective.label}: {level.label}",
            points=level.points,
            perspective=perspective,
            level=level,
        )
        for perspective, level in team.levels
    ]
    if team.improvements:
        lines.extend(
            ScoreLine(kind=LineKind.IMPROVEMENT, label=f"Improvement: {i.title}", points=i.points)
            for i in team.improvements
        )
    elif team.improvement_points:
        lines.append(
            ScoreLine(
                kind=LineKind.IMPROVEMENT,
                label="Approved improvements",
                points=team.improvement_points,
            )
        )
    refs = team.late_complaint_refs or tuple("" for _ in range(team.late_complaints))
    lines.extend(
        ScoreLine(
            kind=LineKind.LATE_COMPLAINT,
            label=(
                f"Late complaint {ref}" if ref else f"Late complaint {n} of {team.late_complaints}"
            ),
            points=LATE_COMPLAINT_POINTS,
            reference=ref,
        )
        for n, ref in enumerate(refs, start=1)
    )
    return ScoreExplanation(
        team_key=team.key, team_name=team.name, lines=tuple(lines), score=score_of(team)
    )


# ---------------------------------------------------------------------------------------- ranks


@dataclass(frozen=True, slots=True)
class RankedRow:
    """One row of the league table. `joint` is true when another team shares the rank."""

    rank: int
    team: TeamQuarter
    score: Decimal
    joint: bool = False
    award: Award = Award.NONE

    @property
    def key(self) -> TeamKey:
        return self.team.key

    @property
    def name(self) -> str:
        return self.team.name


def _name_order(team: TeamQuarter) -> tuple[str, str, str]:
    # casefold so "bins" sorts with "Bins"; then the exact name and key so order is total.
    return (team.name.casefold(), team.name, str(team.key))


def rank(rows: Iterable[TeamQuarter]) -> list[RankedRow]:
    """League table order (SPEC §7): highest score first; equal scores share a rank (1, 2, 2, 4).

    Within a shared rank teams are listed by name (case-insensitive), which decides nothing but
    the order on the page. A team key given twice is an error.
    """
    teams = list(rows)
    keys = [t.key for t in teams]
    if len(set(keys)) != len(keys):
        raise ValueError("a team appears more than once in the league table")
    scored = sorted(((score_of(t), t) for t in teams), key=lambda st: (-st[0], _name_order(st[1])))
    counts: dict[Decimal, int] = {}
    for score, _ in scored:
        counts[score] = counts.get(score, 0) + 1
    ranked: list[RankedRow] = []
    for position, (score, team) in enumerate(scored, start=1):
        shared = ranked[-1].rank if ranked and ranked[-1].score == score else position
        ranked.append(RankedRow(rank=shared, team=team, score=score, joint=counts[score] > 1))
    return ranked


def _top_team(ranked: Sequence[RankedRow]) -> tuple[tuple[RankedRow, ...], TieBreak]:
    tied = [r for r in ranked if r.rank == 1]
    if len(tied) <= 1:
        return tuple(tied), TieBreak.SCORE
    steps = (
        (TieBreak.SUMMITS, lambda r: -r.team.summits),
        (TieBreak.NO_DATA, lambda r: r.team.no_data),
        (TieBreak.LATE_COMPLAINTS, lambda r: r.team.late_complaints),
    )
    for step, key in steps:
        best = min(key(r) for r in tied)
        tied = [r for r in tied if key(r) == best]
        if len(tied) == 1:
            return tuple(tied), step
    return tuple(tied), TieBreak.JOINT


def top_team(ranked: Sequence[RankedRow]) -> tuple[RankedRow, ...]:
    """The Top Team (SPEC §7): the team ranked 1.

    A tie at the top is broken by more Summits, then fewer No data, then fewer late complaints,
    each step applied only to the teams still tied. Still tied → every one of them wins (joint
    award), in name order. No rows → no Top Team. A negative top score still wins: the rule
    has no threshold.
    """
    return _top_team(ranked)[0]


# ------------------------------------------------------------------------------------ runner-up


@dataclass(frozen=True, slots=True)
class QuarterStanding:
    """One quarter's league positions (ranks) and awards: the history later quarters need."""

    quarter: str
    positions: Mapping[TeamKey, int]
    awards: Mapping[TeamKey, Award] = field(default_factory=dict)

    def award_winners(self) -> frozenset[TeamKey]:
        return frozenset(k for k, a in self.awards.items() if a is not Award.NONE)


@dataclass(frozen=True, slots=True)
class AveragePosition:
    """A team's league positions over the Runner-up window and their average.

    `positions` runs oldest first and ends with the current quarter; `None` marks a quarter in
    which the team was not ranked and which does not count. `average` is for display (2 dp,
    half up); comparisons use the exact fraction.
    """

    team_key: TeamKey
    team_name: str
    positions: tuple[int | None, ...]
    current_position: int

    @property
    def ranked_quarters(self) -> int:
        return sum(1 for p in self.positions if p is not None)

    @property
    def exact_average(self) -> Fraction:
        counted = [p for p in self.positions if p is not None]
        return Fraction(sum(counted), len(counted))

    @property
    def average(self) -> Decimal:
        exact = self.exact_average
        return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


def average_positions(
    current: Sequence[RankedRow], previous: Sequence[QuarterStanding]
) -> tuple[AveragePosition, ...]:
    """Average league position of every team ranked this quarter, over this and the previous
    three quarters (`previous` oldest first; only its last three entries are read).

    Teams not in this quarter's table are left out: an award is a row of this quarter's table.
    """
    window = list(previous)[-(RUNNER_UP_QUARTERS - 1) :]
    return tuple(
        AveragePosition(
            team_key=row.key,
            team_name=row.name,
            positions=(*(s.positions.get(row.key) for s in window), row.rank),
            current_position=row.rank,
        )
        for row in current
    )


def runner_up(
    current: Sequence[RankedRow],
    previous: Sequence[QuarterStanding],
    *,
    top_team_keys: Collection[TeamKey],
) -> tuple[AveragePosition, ...]:
    """The Runner-up (SPEC §7): best (lowest) average league position over this quarter and the
    previous three, counting only quarters in which the team was ranked.

    Eligible: ranked this quarter, ranked in at least two of the four quarters, not this
    quarter's Top Team, and no award (Top Team or Runner-up, joint or not) in the previous three
    quarters — a win four quarters ago no longer excludes. A tie on the average is broken by the
    better position this quarter; still tied → joint Runner-up (as the SPEC does for the Top
    Team: alphabetical order is not performance and cannot be explained to staff). Nobody
    eligible (e.g. the scheme's first quarter) → no Runner-up.
    """
    excluded = set(top_team_keys)
    for standing in list(previous)[-AWARD_EXCLUSION_QUARTERS:]:
        excluded |= standing.award_winners()
    eligible = [
        a
        for a in average_positions(current, previous)
        if a.team_key not in excluded and a.ranked_quarters >= RUNNER_UP_MIN_RANKED
    ]
    if not eligible:
        return ()
    best = min((a.exact_average, a.current_position) for a in eligible)
    return tuple(a for a in eligible if (a.exact_average, a.current_position) == best)


# ------------------------------------------------------------------------------- whole quarters


@dataclass(frozen=True, slots=True)
class LeagueTable:
    """A quarter's league table with its awards and the reasons for them."""

    quarter: str
    rows: tuple[RankedRow, ...]
    top_decided_by: TieBreak
    averages: tuple[AveragePosition, ...]

    def standing(self) -> QuarterStanding:
        """Positions and awards of this quarter, as history for the next ones."""
        return QuarterStanding(
            quarter=self.quarter,
            positions={r.key: r.rank for r in self.rows},
            awards={r.key: r.award for r in self.rows if r.award is not Award.NONE},
        )


def league_table(
    quarter: str, teams: Iterable[TeamQuarter], previous: Sequence[QuarterStanding] = ()
) -> LeagueTable:
    """Rank a quarter and give its awards, given the previous quarters' standings (oldest
    first, consecutive; only the last three are read). An empty quarter has no awards."""
    ranked = rank(teams)
    winners, decided_by = _top_team(ranked)
    top_keys = {r.key for r in winners}
    runner_keys = {a.team_key for a in runner_up(ranked, previous, top_team_keys=top_keys)}
    rows = tuple(
        replace(r, award=Award.TOP)
        if r.key in top_keys
        else replace(r, award=Award.RUNNER_UP)
        if r.key in runner_keys
        else r
        for r in ranked
    )
    return LeagueTable(
        quarter=quarter,
        rows=rows,
        top_decided_by=decided_by,
        averages=average_positions(ranked, previous),
    )


def league_tables(
    quarters: Iterable[tuple[str, Iterable[TeamQuarter]]],
    previous: Sequence[QuarterStanding] = (),
) -> list[LeagueTable]:
    """Compute consecutive quarters in order, each one's awards depending on the ones before.

    `quarters` is oldest first, one entry per consecutive quarter (empty teams for a quarter
    with no table); `previous` holds standings before the first of them (e.g. frozen
    snapshots). Cost is O(teams x quarters): each quarter reads only the last three standings.
    """
    history: deque[QuarterStanding] = deque(previous, maxlen=RUNNER_UP_QUARTERS - 1)
    tables: list[LeagueTable] = []
    for quarter, teams in quarters:
        table = league_table(quarter, teams, tuple(history))
        tables.append(table)
        history.append(table.standing())
    return tables
