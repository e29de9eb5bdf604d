"""The pure risk rules (SPEC §14): scores, ratings at every band edge, appetite, direction,
escalation, the heat map grid and the review timetable. No database."""

from __future__ import annotations

import datetime as dt

import pytest

from performance.core import risks as rules
from performance.core.risks import Bands, Direction, Rating, Register


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [(1, 1, 1), (1, 5, 5), (5, 1, 5), (2, 3, 6), (3, 5, 15), (4, 4, 16), (5, 5, 25)],
)
def test_score_is_likelihood_times_impact(likelihood, impact, expected):
    assert rules.score(likelihood, impact) == expected


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True, None])
def test_a_point_outside_one_to_five_is_refused_with_the_range(bad):
    with pytest.raises(ValueError, match="whole number from 1 to 5"):
        rules.score(bad, 3)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1, Rating.LOW),
        (4, Rating.LOW),
        (5, Rating.MEDIUM),
        (9, Rating.MEDIUM),
        (10, Rating.HIGH),
        (15, Rating.HIGH),
        (16, Rating.VERY_HIGH),
        (25, Rating.VERY_HIGH),
    ],
)
def test_default_ratings_at_every_band_edge(score, expected):
    assert rules.rating_of(score) is expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [(2, Rating.LOW), (3, Rating.MEDIUM), (6, Rating.MEDIUM), (7, Rating.HIGH), (12, Rating.HIGH)],
)
def test_configured_bands_move_the_edges(score, expected):
    bands = Bands(low_max=2, medium_max=6, high_max=12)
    assert rules.rating_of(score, bands) is expected
    assert rules.rating_of(13, bands) is Rating.VERY_HIGH


@pytest.mark.parametrize("score", [0, 26, -3])
def test_a_score_outside_the_matrix_has_no_rating(score):
    with pytest.raises(ValueError, match="1 to 25"):
        rules.rating_of(score)


def test_bands_that_do_not_rise_are_named():
    assert Bands().problems() == []
    assert Bands(4, 4, 15).problems() == [
        "Medium must start above low: its top score must be higher than low's"
    ]
    assert "High must stop below 25, so very high keeps a score" in Bands(4, 9, 25).problems()
    assert "Low must include at least the score 1" in Bands(0, 9, 15).problems()


@pytest.mark.parametrize(
    ("current", "appetite", "expected"),
    [(12, 12, False), (13, 12, True), (11, 12, False), (25, None, False), (2, 1, True)],
)
def test_above_appetite_is_strictly_greater(current, appetite, expected):
    assert rules.above_appetite(current, appetite) is expected


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (9, None, Direction.NONE),
        (8, 9, Direction.IMPROVING),
        (10, 9, Direction.DETERIORATING),
        (9, 9, Direction.STABLE),
    ],
)
def test_direction_compares_with_the_previous_review(current, previous, expected):
    assert rules.direction(current, previous) is expected


@pytest.mark.parametrize(
    ("register", "up"),
    [
        (Register.SERVICE, Register.DIRECTORATE),
        (Register.DIRECTORATE, Register.CORPORATE),
        (Register.PROJECT, Register.CORPORATE),
        (Register.PARTNERSHIP, Register.CORPORATE),
        (Register.CORPORATE, None),
    ],
)
def test_escalation_goes_one_register_up(register, up):
    assert rules.escalated(register) == up


def test_kri_alert_on_red_or_concerning_only():
    assert rules.kri_alert(["green", "red"], ["none", "none"])
    assert rules.kri_alert(["amber"], ["concerning"])
    assert not rules.kri_alert(["amber", "green", "no_data"], ["improving", "neutral", "none"])
    assert not rules.kri_alert([], [])


def test_heat_map_counts_each_cell_with_most_likely_at_the_top():
    grid = rules.heat_map([(5, 1), (5, 1), (1, 5), (3, 3)])
    assert [cell.likelihood for cell in grid[0]] == [5] * 5
    assert [cell.impact for cell in grid[0]] == [1, 2, 3, 4, 5]
    assert grid[0][0].count == 2
    assert grid[4][4].count == 1  # likelihood 1, impact 5
    assert grid[2][2].count == 1
    assert grid[2][2].score == 9
    assert sum(cell.count for row in grid for cell in row) == 4
    assert grid[0][4].rating is Rating.VERY_HIGH
    assert grid[4][0].rating is Rating.LOW


@pytest.mark.parametrize(
    ("day", "period", "due"),
    [
        (dt.date(2024, 7, 5), "2024/25 Q1", dt.date(2024, 10, 10)),
        (dt.date(2024, 7, 1), "2024/25 Q1", dt.date(2024, 10, 10)),
        (dt.date(2024, 6, 30), "2023/24 Q4", dt.date(2024, 7, 10)),
        (dt.date(2025, 3, 31), "2024/25 Q3", dt.date(2025, 4, 10)),
        (dt.date(2025, 4, 1), "2024/25 Q4", dt.date(2025, 7, 10)),
    ],
)
def test_a_review_counts_for_the_quarter_just_ended_and_is_next_due_at_the_next_close(
    day, period, due
):
    assert str(rules.review_period(day)) == period
    assert rules.next_review_due(day, 10) == due


def test_matrix_labels_by_point():
    matrix = rules.DEFAULT_MATRIX
    assert matrix.likelihood_label(1) == "Rare"
    assert matrix.likelihood_label(5) == "Almost certain"
    assert matrix.impact_label(5) == "Severe"
