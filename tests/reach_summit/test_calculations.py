"""Reach the Summit scoring, ranks and awards (SPEC §7, §13). No database; milliseconds."""

from __future__ import annotations

import itertools
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.core.calculations import Level
from reach_summit.calculations import (
    MINUS,
    Award,
    Improvement,
    LineKind,
    Perspective,
    QuarterStanding,
    RankedRow,
    TeamQuarter,
    TieBreak,
    explain,
    format_points,
    league_table,
    league_tables,
    rank,
    runner_up,
    score_of,
    top_team,
)

S, F, B, N = Level.SUMMIT, Level.FIRSTBASE, Level.BASECAMP, Level.NO_DATA


def team(
    name: str,
    levels: tuple[Level, Level, Level, Level] = (B, B, B, B),
    *,
    bonus: str = "0",
    late: int = 0,
) -> TeamQuarter:
    """A team keyed by its name; `bonus` improvement points let a test set the score exactly."""
    return TeamQuarter(
        key=name,
        name=name,
        customer=levels[0],
        financial=levels[1],
        process=levels[2],
        learning=levels[3],
        improvement_points=Decimal(bonus),
        late_complaints=late,
    )


def scored(*scores: int) -> list[TeamQuarter]:
    """Teams A, B, C, ... scoring the given points (all Basecamp plus a bonus)."""
    return [team(chr(ord("A") + i), bonus=str(s)) for i, s in enumerate(scores)]


def standing(quarter: str, positions: dict[str, int], **awards: Award) -> QuarterStanding:
    return QuarterStanding(quarter=quarter, positions=positions, awards=awards)


# ---------------------------------------------------------------------------------------- score


def spec_example() -> TeamQuarter:
    return TeamQuarter(
        key=7,
        name="Waste and Street Scene",
        customer=S,
        financial=F,
        process=N,
        learning=S,
        improvements=(Improvement("Garden waste online renewals"),),
        late_complaint_refs=("C-101", "C-102", "C-103"),
    )


def test_spec_worked_example_scores_six_and_a_half() -> None:
    assert score_of(spec_example()) == Decimal("6.5")


def test_explanation_of_spec_example_reads_as_the_spec_writes_it() -> None:
    explanation = explain(spec_example())
    assert explanation.formula() == "3 + 1 - 0.25 + 3 + 0.5 - 0.25 - 0.25 - 0.25 = 6.5".replace(
        "-", MINUS
    )
    assert [line.kind for line in explanation.lines] == [LineKind.LEVEL] * 4 + [
        LineKind.IMPROVEMENT
    ] + [LineKind.LATE_COMPLAINT] * 3
    assert [line.reference for line in explanation.lines[-3:]] == ["C-101", "C-102", "C-103"]
    assert explanation.lines[2].perspective is Perspective.PROCESS
    assert explanation.lines[2].level is N
    assert explanation.lines[2].label == "Process: No data"


def test_each_late_complaint_costs_a_quarter_point() -> None:
    assert score_of(team("A", late=1)) == Decimal("-0.25")
    assert score_of(team("A", late=4)) == Decimal(-1)


def test_four_no_data_and_late_complaints_give_a_negative_score_kept_as_is() -> None:
    assert score_of(team("A", (N, N, N, N), late=2)) == Decimal("-1.5")


def test_improvement_total_without_the_list_is_one_explanation_line() -> None:
    explanation = explain(team("A", bonus="1.0"))
    assert explanation.lines[-1].label == "Approved improvements"
    assert explanation.lines[-1].points == Decimal(1)


def test_late_complaints_without_references_are_numbered_in_the_explanation() -> None:
    labels = [line.label for line in explain(team("A", late=2)).lines[-2:]]
    assert labels == ["Late complaint 1 of 2", "Late complaint 2 of 2"]


def test_improvement_points_that_disagree_with_the_improvements_are_refused() -> None:
    with pytest.raises(ValueError, match="sum of the improvements"):
        TeamQuarter(
            "A", "A", S, S, S, S, improvement_points=Decimal(1), improvements=(Improvement("x"),)
        )


def test_late_count_that_disagrees_with_the_references_is_refused() -> None:
    with pytest.raises(ValueError, match="references"):
        TeamQuarter("A", "A", S, S, S, S, late_complaints=2, late_complaint_refs=("C-1",))


def test_float_points_are_refused() -> None:
    with pytest.raises(TypeError):
        TeamQuarter("A", "A", S, S, S, S, improvement_points=0.5)  # type: ignore[arg-type]


def test_points_are_formatted_without_trailing_zeros_or_negative_zero() -> None:
    assert format_points(Decimal("6.50")) == "6.5"
    assert format_points(Decimal("10")) == "10"
    assert format_points(Decimal("-0.25")) == f"{MINUS}0.25"
    assert format_points(Decimal("-0.00")) == "0"


# ----------------------------------------------------------------------------------------- rank


def test_equal_scores_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = rank(scored(9, 7, 7, 5))
    assert [r.rank for r in ranked] == [1, 2, 2, 4]
    assert [r.joint for r in ranked] == [False, True, True, False]


def test_teams_sharing_a_rank_are_listed_by_name() -> None:
    teams = [team("bins", bonus="5"), team("Arts", bonus="5"), team("Parks", bonus="9")]
    assert [r.name for r in rank(teams)] == ["Parks", "Arts", "bins"]


def test_rank_does_not_depend_on_input_order() -> None:
    teams = scored(3, 5, 5, 1, 8)
    assert rank(teams) == rank(reversed(teams))


def test_a_team_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        rank([team("A"), team("A")])


# ------------------------------------------------------------------------------------- top team


def test_a_single_leader_is_top_team_by_score() -> None:
    table = league_table("Q", scored(5, 9, 7))
    assert [r.name for r in top_team(table.rows)] == ["B"]
    assert table.top_decided_by is TieBreak.SCORE


def test_tie_at_the_top_is_broken_by_more_summits() -> None:
    two_summits = team("Ants", (S, S, B, B))  # 6
    no_summits = team("Bees", (F, F, F, F), bonus="2")  # 6
    table = league_table("Q", [two_summits, no_summits])
    assert [r.rank for r in table.rows] == [1, 1]
    assert [r.name for r in top_team(table.rows)] == ["Ants"]
    assert table.top_decided_by is TieBreak.SUMMITS
    assert {r.name: r.award for r in table.rows} == {"Ants": Award.TOP, "Bees": Award.NONE}


def test_tie_on_score_and_summits_is_broken_by_fewer_no_data() -> None:
    no_no_data = team("Bees", (S, S, B, B))  # 6
    one_no_data = team("Ants", (S, S, F, N), late=3)  # 6.75 - 0.75 = 6
    table = league_table("Q", [no_no_data, one_no_data])
    assert [r.name for r in top_team(table.rows)] == ["Bees"]
    assert table.top_decided_by is TieBreak.NO_DATA


def test_tie_on_score_summits_and_no_data_is_broken_by_fewer_late_complaints() -> None:
    no_late = team("Bees", (S, S, B, B))  # 6
    four_late = team("Ants", (S, S, F, B), late=4)  # 7 - 1 = 6
    table = league_table("Q", [no_late, four_late])
    assert [r.name for r in top_team(table.rows)] == ["Bees"]
    assert table.top_decided_by is TieBreak.LATE_COMPLAINTS


def test_tie_surviving_every_tie_break_is_a_joint_top_team_award() -> None:
    fewer_summits = team("Cats", (F, F, F, F), bonus="2")  # 6, out at the first step
    teams = [team("Bees", (S, S, B, B)), team("Ants", (S, B, S, B)), fewer_summits]
    table = league_table("Q", teams)
    assert [r.name for r in top_team(table.rows)] == ["Ants", "Bees"]
    assert table.top_decided_by is TieBreak.JOINT
    assert [r.award for r in table.rows] == [Award.TOP, Award.TOP, Award.NONE]


def test_an_empty_quarter_has_no_awards() -> None:
    table = league_table("Q", [])
    assert table.rows == ()
    assert top_team(table.rows) == ()
    assert table.standing().positions == {}


# ------------------------------------------------------------------------------------ runner-up


def current_table(*scores: int) -> list[RankedRow]:
    return rank(scored(*scores))


def test_runner_up_goes_past_the_top_team_to_the_next_best_average() -> None:
    previous = [
        standing("Q1", {"A": 1, "B": 2, "C": 3}),
        standing("Q2", {"A": 1, "B": 2, "C": 3}),
        standing("Q3", {"A": 1, "B": 2, "C": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["B"]
    assert winners[0].positions == (2, 2, 2, 2)
    assert winners[0].average == Decimal("2.00")


def test_runner_up_excludes_a_team_that_won_an_award_three_quarters_ago() -> None:
    previous = [
        standing("Q1", {"A": 1, "B": 2, "C": 3}, B=Award.RUNNER_UP),
        standing("Q2", {"A": 1, "B": 2, "C": 3}),
        standing("Q3", {"A": 1, "B": 2, "C": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["C"]


def test_runner_up_excludes_a_team_that_was_top_team_in_the_previous_three_quarters() -> None:
    previous = [
        standing("Q1", {"A": 1, "B": 2, "C": 3}),
        standing("Q2", {"A": 1, "B": 2, "C": 3}, B=Award.TOP),
        standing("Q3", {"A": 1, "B": 2, "C": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["C"]


def test_runner_up_may_go_to_a_team_that_won_four_quarters_ago() -> None:
    previous = [
        standing("Q0", {"A": 1, "B": 2, "C": 3}, B=Award.RUNNER_UP),
        standing("Q1", {"A": 1, "B": 2, "C": 3}),
        standing("Q2", {"A": 1, "B": 2, "C": 3}),
        standing("Q3", {"A": 1, "B": 2, "C": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["B"]


def test_team_ranked_in_only_one_of_the_four_quarters_is_not_eligible() -> None:
    # B is new this quarter: its average (2) is the best but rests on one quarter.
    previous = [standing(q, {"A": 1, "C": 2, "D": 3}) for q in ("Q1", "Q2", "Q3")]
    averages_by_team = {
        a.team_key: a for a in league_table("Q4", scored(9, 8, 7, 6), previous).averages
    }
    assert averages_by_team["B"].ranked_quarters == 1
    winners = runner_up(current_table(9, 8, 7, 6), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["C"]


def test_team_ranked_in_two_of_the_four_quarters_is_eligible_on_those_two() -> None:
    previous = [
        standing("Q1", {"A": 1, "C": 2}),
        standing("Q2", {"A": 1, "C": 3}),
        standing("Q3", {"A": 1, "B": 2, "C": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7), previous, top_team_keys={"A"})
    assert [(w.team_key, w.positions) for w in winners] == [("B", (None, None, 2, 2))]


def test_team_not_ranked_this_quarter_cannot_be_runner_up() -> None:
    previous = [standing(q, {"A": 2, "B": 3, "Z": 1}) for q in ("Q1", "Q2", "Q3")]
    winners = runner_up(current_table(9, 8), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["B"]


def test_runner_up_tie_on_average_is_broken_by_the_better_position_this_quarter() -> None:
    # Now: A 1, B 2, C 3, D 4.  B averages (4+3+3+2)/4 = 3; D averages (2+3+3+4)/4 = 3.
    previous = [
        standing("Q1", {"A": 1, "B": 4, "C": 9, "D": 2}),
        standing("Q2", {"A": 1, "B": 3, "C": 9, "D": 3}),
        standing("Q3", {"A": 1, "B": 3, "C": 9, "D": 3}),
    ]
    winners = runner_up(current_table(9, 8, 7, 6), previous, top_team_keys={"A"})
    assert [w.team_key for w in winners] == ["B"]


def test_runner_up_still_tied_after_this_quarters_position_is_a_joint_award() -> None:
    previous = [standing(q, {"A": 1, "B": 2, "C": 2}) for q in ("Q1", "Q2", "Q3")]
    table = league_table("Q4", scored(9, 8, 8), previous)
    assert [r.award for r in table.rows] == [Award.TOP, Award.RUNNER_UP, Award.RUNNER_UP]


def test_no_runner_up_in_the_first_quarter_of_the_scheme() -> None:
    table = league_table("Q1", scored(9, 8, 7))
    assert [r.award for r in table.rows] == [Award.TOP, Award.NONE, Award.NONE]


def test_runner_up_average_counts_only_ranked_quarters_and_shows_two_places() -> None:
    # Now B and C share rank 2. B: (1 + 2 + 2) / 3 = 1.67 (unranked in Q1);
    # C: (2 + 2 + 1 + 2) / 4 = 1.75.
    previous = [
        standing("Q1", {"A": 3, "C": 2}),
        standing("Q2", {"A": 3, "B": 1, "C": 2}),
        standing("Q3", {"A": 3, "B": 2, "C": 1}),
    ]
    winners = runner_up(current_table(9, 8, 8), previous, top_team_keys={"A"})
    assert [(w.team_key, w.ranked_quarters, w.average) for w in winners] == [
        ("B", 3, Decimal("1.67"))
    ]


def test_awards_over_consecutive_quarters_follow_the_exclusion_window() -> None:
    # The same order every quarter: A always Top Team, the Runner-up rotates as teams are excluded.
    quarters = [(f"Q{n}", scored(9, 8, 7, 6, 5)) for n in range(1, 8)]
    tables = league_tables(quarters)
    runners = [[r.name for r in t.rows if r.award is Award.RUNNER_UP] for t in tables]
    tops = [[r.name for r in t.rows if r.award is Award.TOP] for t in tables]
    assert tops == [["A"]] * 7
    # Q1 nobody has two quarters; then B, C, D, E; Q6: B's Q2 award is now four quarters ago.
    assert runners == [[], ["B"], ["C"], ["D"], ["E"], ["B"], ["C"]]


def test_league_tables_continue_from_frozen_standings() -> None:
    frozen = [standing("Q1", {"A": 1, "B": 2, "C": 3}, A=Award.TOP)]
    tables = league_tables([("Q2", scored(9, 8, 7))], previous=frozen)
    assert [r.award for r in tables[0].rows] == [Award.TOP, Award.RUNNER_UP, Award.NONE]


# ------------------------------------------------------------------------------------- property

levels = st.sampled_from(list(Level))
team_quarters = st.builds(
    TeamQuarter,
    key=st.just("T"),
    name=st.just("T"),
    customer=levels,
    financial=levels,
    process=levels,
    learning=levels,
    improvements=st.lists(
        st.builds(
            Improvement,
            title=st.text(max_size=5),
            points=st.sampled_from([Decimal("0.5"), Decimal(1), Decimal("0.25")]),
        ),
        max_size=4,
    ).map(tuple),
    late_complaint_refs=st.lists(st.text(min_size=1, max_size=5), max_size=8).map(tuple),
)


@given(team_quarters)
def test_score_equals_the_sum_of_its_explanation_lines(tq: TeamQuarter) -> None:
    explanation = explain(tq)
    assert sum((line.points for line in explanation.lines), Decimal(0)) == explanation.score
    assert explanation.score == score_of(tq)


score_lists = st.lists(st.integers(min_value=-8, max_value=40), max_size=30)


def quarter_points(points: list[int]) -> list[TeamQuarter]:
    return [team(f"T{i:02}", bonus=str(Decimal(p) / 4)) for i, p in enumerate(points)]


@given(score_lists)
def test_rank_is_monotone_in_score(points: list[int]) -> None:
    ranked = rank(quarter_points(points))
    for higher, lower in itertools.pairwise(ranked):
        assert higher.score >= lower.score
        assert higher.rank <= lower.rank
        assert (higher.rank == lower.rank) == (higher.score == lower.score)


@given(score_lists)
def test_shared_ranks_skip_exactly_as_many_places_as_the_tie_size(points: list[int]) -> None:
    ranked = rank(quarter_points(points))
    for row in ranked:
        assert row.rank == 1 + sum(1 for other in ranked if other.score > row.score)
    for row, following in itertools.pairwise(ranked):
        if following.rank != row.rank:
            tie_size = sum(1 for other in ranked if other.rank == row.rank)
            assert following.rank == row.rank + tie_size


# ---------------------------------------------------------------------------------------- purity


def test_calculation_modules_do_not_import_django() -> None:
    code = (
        "import sys, reach_summit.calculations, reach_summit.timescales; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    repo = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=repo, check=False).returncode == 0
