"""When an indicator asks for an action plan, and when its plan may close (core.action_plans):
pure, no database."""

from __future__ import annotations

from decimal import Decimal

from performance.core import action_plans, periods, status
from performance.core.action_plans import PlanReason, Reading, needs_plan, recovered
from performance.core.calculations import Aggregation, Direction, Level, Observation, Polarity
from performance.core.periods import Frequency

D = Decimal
RED, AMBER, GREEN, NO_DATA = Level.BASECAMP, Level.FIRSTBASE, Level.SUMMIT, Level.NO_DATA
WORSE, BETTER, SAME, NONE = (
    Direction.DETERIORATING,
    Direction.IMPROVING,
    Direction.STABLE,
    Direction.NONE,
)


FIFTY = D(50)


def r(level: Level | None, direction: Direction, actual: Decimal | None = FIFTY) -> Reading:
    return Reading("2026/27 Q2", actual, level, direction)


def test_red_asks_for_a_plan_whatever_the_direction():
    assert needs_plan([r(RED, BETTER)]) is PlanReason.RED
    assert needs_plan([r(GREEN, SAME), r(RED, BETTER)]) is PlanReason.RED


def test_deteriorating_twice_running_asks_for_a_plan():
    assert needs_plan([r(GREEN, WORSE), r(AMBER, WORSE)]) is PlanReason.DETERIORATING


def test_deteriorating_once_does_not():
    assert needs_plan([r(GREEN, BETTER), r(AMBER, WORSE)]) is None
    assert needs_plan([r(AMBER, WORSE)]) is None  # no earlier period


def test_a_period_without_a_comparison_breaks_the_run():
    assert needs_plan([r(GREEN, NONE), r(AMBER, WORSE)]) is None
    assert needs_plan([r(None, WORSE, actual=None), r(AMBER, WORSE)]) is None


def test_a_latest_reading_without_a_figure_asks_for_nothing():
    assert needs_plan([]) is None
    assert needs_plan([r(RED, WORSE), r(NO_DATA, NONE, actual=None)]) is None


def test_green_or_amber_and_not_deteriorating_is_no_reason():
    assert needs_plan([r(AMBER, SAME), r(AMBER, WORSE)]) is None
    assert needs_plan([r(GREEN, WORSE), r(GREEN, SAME)]) is None


def test_recovered_needs_two_periods_neither_red_nor_deteriorating():
    assert recovered([r(GREEN, BETTER), r(AMBER, SAME)])
    assert recovered([r(None, NONE), r(None, BETTER)])  # no target: judged by direction only
    assert not recovered([r(AMBER, SAME)])  # one period is not a run
    assert not recovered([r(RED, BETTER), r(GREEN, BETTER)])
    assert not recovered([r(GREEN, BETTER), r(GREEN, WORSE)])


def test_a_period_without_a_figure_is_not_evidence_of_recovery():
    assert not recovered([r(NO_DATA, NONE, actual=None), r(GREEN, BETTER)])


def facts() -> status.IndicatorFacts:
    return status.IndicatorFacts(
        code="WAS 001",
        polarity=Polarity.HIGHER,
        decimals=1,
        frequency=Frequency.QUARTERLY,
        aggregation=Aggregation.LAST,
    )


def data(values: dict[str, int], targets: dict[str, int]) -> status.IndicatorData:
    return status.IndicatorData(
        values={k: Observation(D(v)) for k, v in values.items()},
        targets={k: D(v) for k, v in targets.items()},
    )


def test_latest_readings_are_the_latest_value_and_the_period_before():
    found = action_plans.latest_readings(
        facts(),
        data(
            {"2026/27 Q2": 60, "2026/27 Q1": 70, "2025/26 Q4": 80},
            {"2026/27 Q2": 90, "2026/27 Q1": 70},
        ),
    )
    assert [x.period for x in found] == ["2026/27 Q1", "2026/27 Q2"]
    assert (found[1].level, found[1].direction) == (RED, WORSE)
    assert (found[0].level, found[0].direction) == (GREEN, WORSE)
    assert needs_plan(found) is PlanReason.RED


def test_latest_readings_without_values_are_empty():
    assert action_plans.latest_readings(facts(), data({}, {"2026/27 Q2": 90})) == []
    assert periods.parse("2026/27 Q2").previous() == periods.parse("2026/27 Q1")
