"""Milestone-based service-plan progress and strategic-action half-years: pure, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from performance.core import plan_progress
from performance.core.plan_progress import MilestoneFact, month_progress

JULY_END = date(2025, 7, 31)


def test_month_with_no_milestone_due_has_no_progress():
    milestones = [MilestoneFact(due_on=date(2025, 8, 1), met_on=date(2025, 6, 1))]
    assert month_progress(milestones, JULY_END) is None


def test_no_milestones_at_all_has_no_progress():
    assert month_progress([], JULY_END) is None


def test_all_due_milestones_met_is_100_percent():
    milestones = [
        MilestoneFact(due_on=date(2025, 5, 31), met_on=date(2025, 5, 20)),
        MilestoneFact(due_on=date(2025, 7, 31), met_on=date(2025, 7, 31)),
    ]
    assert month_progress(milestones, JULY_END) == Decimal(100)


def test_milestone_due_on_the_month_end_counts_as_due():
    milestones = [
        MilestoneFact(due_on=date(2025, 7, 31), met_on=None),
        MilestoneFact(due_on=date(2025, 7, 1), met_on=date(2025, 7, 2)),
    ]
    assert month_progress(milestones, JULY_END) == Decimal(50)


def test_milestone_met_late_but_within_the_month_counts_as_met():
    # Due in June, met in July: missed in June, met by the end of July.
    late = MilestoneFact(due_on=date(2025, 6, 15), met_on=date(2025, 7, 10))
    assert month_progress([late], date(2025, 6, 30)) == Decimal(0)
    assert month_progress([late], JULY_END) == Decimal(100)


def test_milestone_met_after_the_month_end_is_not_met_for_that_month():
    milestones = [
        MilestoneFact(due_on=date(2025, 7, 10), met_on=date(2025, 8, 1)),
        MilestoneFact(due_on=date(2025, 7, 20), met_on=date(2025, 7, 19)),
        MilestoneFact(due_on=date(2025, 4, 30), met_on=None),
    ]
    # Due by 31 July: all three; met by then: one.
    result = month_progress(milestones, JULY_END)
    assert result == Decimal(1) * 100 / Decimal(3)
    assert str(result).startswith("33.333")


def test_milestone_met_early_but_not_yet_due_is_left_out():
    milestones = [
        MilestoneFact(due_on=date(2025, 7, 1), met_on=None),
        MilestoneFact(due_on=date(2025, 9, 30), met_on=date(2025, 7, 5)),
    ]
    # Only the July milestone is due, and it is not met: early delivery does not inflate July.
    assert month_progress(milestones, JULY_END) == Decimal(0)
    assert month_progress(milestones, date(2025, 9, 30)) == Decimal(50)


def test_three_of_four_met_is_75_percent_and_unrounded_decimal():
    milestones = [
        MilestoneFact(due_on=date(2025, 4, 30), met_on=date(2025, 4, 30)),
        MilestoneFact(due_on=date(2025, 5, 31), met_on=date(2025, 6, 2)),
        MilestoneFact(due_on=date(2025, 6, 30), met_on=None),
        MilestoneFact(due_on=date(2025, 7, 31), met_on=date(2025, 7, 1)),
    ]
    result = month_progress(milestones, JULY_END)
    assert isinstance(result, Decimal)
    assert result == Decimal(75)


def test_month_summary_counts_due_and_met():
    milestones = [
        MilestoneFact(due_on=date(2025, 4, 30), met_on=date(2025, 4, 30)),
        MilestoneFact(due_on=date(2025, 6, 30), met_on=None),
        MilestoneFact(due_on=date(2025, 12, 31), met_on=None),
    ]
    summary = plan_progress.month_summary(milestones, JULY_END)
    assert (summary.due, summary.met) == (2, 1)
    assert summary.percent == Decimal(50)


def test_milestone_fact_is_frozen():
    fact = MilestoneFact(due_on=date(2025, 4, 30), met_on=None)
    with pytest.raises(AttributeError):
        fact.met_on = date(2025, 4, 30)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 4, 11), "2025/26 Q2"),
        (date(2025, 7, 1), "2025/26 Q2"),
        (date(2025, 9, 30), "2025/26 Q2"),
        (date(2025, 10, 1), "2025/26 Q2"),  # the 1 October window is for April-September
        (date(2025, 10, 10), "2025/26 Q2"),
        (date(2025, 10, 11), "2025/26 Q4"),
        (date(2026, 1, 15), "2025/26 Q4"),
        (date(2026, 4, 10), "2025/26 Q4"),
        (date(2026, 4, 11), "2026/27 Q2"),
    ],
)
def test_strategic_action_updates_are_for_the_half_year_whose_window_is_open(day, expected):
    assert str(plan_progress.reporting_half_year(day, 10)) == expected


def test_a_longer_window_keeps_the_previous_half_year_open_longer():
    assert str(plan_progress.reporting_half_year(date(2025, 10, 12), 14)) == "2025/26 Q2"
    assert str(plan_progress.half_year_of(date(2025, 10, 12))) == "2025/26 Q4"
