"""Builders for Reach the Summit tests: a team with a scorecard whose levels are chosen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.text import slugify

from performance.core.periods import Period
from performance.models import (
    Activity,
    Indicator,
    Milestone,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicPlan,
    Target,
    Value,
)
from reach_summit.models import Scorecard
from tests.factories import TeamFactory

Q1 = Period.for_quarter(2024, 1)  # 2024/25 Q1: its window closed on 10 July 2024
ACTUALS = {"summit": "100", "firstbase": "95", "basecamp": "80"}


def _outcome() -> Outcome:
    plan, _ = StrategicPlan.objects.get_or_create(
        first_year=2024, defaults={"title": "Plan", "vision": "A good place"}
    )
    priority, _ = Priority.objects.get_or_create(plan=plan, number=1, defaults={"title": "P"})
    outcome, _ = Outcome.objects.get_or_create(priority=priority, number=1, defaults={"title": "O"})
    return outcome


def set_value(indicator: Indicator, quarter: Period, level: str) -> None:
    """Record the activated value that gives `level` against a target of 100 (or none)."""
    Target.objects.get_or_create(
        indicator=indicator,
        period=str(quarter),
        defaults={"period_start": quarter.start, "value": Decimal(100)},
    )
    if level in ACTUALS:
        Value.objects.update_or_create(
            indicator=indicator,
            period=str(quarter),
            defaults={
                "period_start": quarter.start,
                "value": Decimal(ACTUALS[level]),
                "status": Value.Status.ACTIVATED,
            },
        )


def build_team(
    name: str,
    levels: tuple[str, str, str, str] = ("summit", "summit", "summit", "summit"),
    quarters: tuple[Period, ...] = (Q1,),
):
    """A team with a scorecard for the quarters' years; each quarter gets `levels`
    (customer, financial, process, learning), learning via its service plan's milestones."""
    team = TeamFactory(name=name, slug=slugify(name))
    service = Service.objects.create(name=f"{name} service", directorate=team.directorate)
    team.service = service
    team.save(update_fields=["service"])
    indicators = {}
    for perspective in ("customer", "financial", "process"):
        indicators[perspective] = Indicator.objects.create(
            code=f"{team.slug[:12]}-{perspective[:3]}",
            title=f"{name} {perspective}",
            kind="SPI",
            perspective=perspective,
            aspect="delivery",
            polarity="higher",
            unit="percent",
            decimals=0,
            frequency="quarterly",
            aggregation="last",
            team=team,
        )
    outcome = _outcome()
    for year in sorted({str(q.financial_year) for q in quarters}):
        Scorecard.objects.create(team=team, year=year, **indicators)
        plan = ServicePlan.objects.create(service=service, year=year)
        objective = ServicePlanObjective.objects.create(
            plan=plan, number=1, title="Objective", outcome=outcome
        )
        Activity.objects.create(objective=objective, title="Activity", outcome=outcome)
    for quarter in quarters:
        for perspective, level in zip(("customer", "financial", "process"), levels, strict=False):
            set_value(indicators[perspective], quarter, level)
        set_learning(team, quarter, levels[3])
    team.indicators_by_perspective = indicators
    return team


def set_learning(team, quarter: Period, level: str) -> None:
    """One milestone due in the quarter's last month: met → Summit, not met → Basecamp;
    'no_data' adds none (nothing due → No data once the window has closed)."""
    if level == "no_data":
        return
    activity = Activity.objects.get(
        objective__plan__service=team.service, objective__plan__year=str(quarter.financial_year)
    )
    due = quarter.end - dt.timedelta(days=3)
    if level == "firstbase":
        # 19 of 20 met = 95%: Firstbase.
        for n in range(20):
            Milestone.objects.create(
                activity=activity, title=f"M{n}", due_on=due, met_on=due if n else None
            )
        return
    Milestone.objects.create(
        activity=activity,
        title="Milestone",
        due_on=due,
        met_on=due if level == "summit" else None,
    )


@pytest.fixture
def make_team(db):
    return build_team
