"""The demo's Strategic Plan and its golden thread (SPEC §2).

The plan's priorities and outcomes (made by the organisation step), then, from the indicators
step, each indicator linked to the outcome it serves, measures of success, and two strategic
actions per outcome with bi-annual updates.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings

from performance.core import periods
from performance.core.calculations import Polarity
from performance.core.periods import Period
from performance.demo.bulk import BATCH
from performance.models import (
    Indicator,
    MeasureOfSuccess,
    Outcome,
    Priority,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
)

if TYPE_CHECKING:
    from performance.demo import DemoContext
    from performance.demo.figures import IndicatorPlan
    from performance.demo.organisation import Org

PLAN = {
    "title": "Strategic Plan",
    "first_year": 2024,
    "vision": "A vibrant, prosperous borough where people are proud to live, work and visit.",
    "community_strategy": "Sustainable Community Strategy 2020–2030: a borough that works for everyone.",
    "financial_strategy": (
        "Medium-term financial strategy 2024/25–2028/29: a balanced budget each year, "
        "£2.1m of savings over four years, reserves kept above £4m."
    ),
    "priorities": [
        (
            "Safe, clean and green",
            [
                "Streets and open spaces are clean and well maintained",
                "Household waste is reduced and more of it is recycled",
                "Residents feel safe in their neighbourhoods",
            ],
        ),
        (
            "Homes and communities",
            [
                "Fewer households are homeless or in temporary accommodation",
                "New homes meet local need, including affordable homes",
            ],
        ),
        (
            "A thriving place",
            [
                "Planning decisions are timely and of high quality",
                "The town centre and local high streets are vibrant",
            ],
        ),
        (
            "An efficient and accessible council",
            [
                "Customers get what they need at the first contact",
                "Council tax and business rates are collected efficiently",
                "The council's finances are sustainable",
            ],
        ),
    ],
}
STRATEGIC_ACTIONS = {
    "1.1": [
        "Deliver the street cleansing improvement programme",
        "Set up a litter and fly-tipping enforcement partnership",
    ],
    "1.2": [
        "Introduce weekly food waste collections",
        "Deliver the recycling communications campaign",
    ],
    "1.3": [
        "Refresh the Community Safety Partnership plan",
        "Upgrade the town centre CCTV network",
    ],
    "2.1": [
        "Adopt the Homelessness and Rough Sleeping Strategy",
        "Acquire homes for temporary accommodation",
    ],
    "2.2": ["Adopt the new Local Plan", "Deliver 250 affordable homes with partners"],
    "3.1": ["Modernise the planning service", "Publish design codes for the main growth areas"],
    "3.2": [
        "Deliver the town centre regeneration masterplan",
        "Support the Business Improvement District renewal ballot",
    ],
    "4.1": ["Deliver the Customer Access Strategy", "Launch the customer account on the website"],
    "4.2": [
        "Modernise council tax and business rates collection",
        "Review the council tax support scheme",
    ],
    "4.3": [
        "Deliver the savings programme of the medium-term financial strategy",
        "Deliver the property investment and income strategy",
    ],
}
MEASURES = {
    "1.1": "Residents' satisfaction with street cleanliness rises year on year",
    "1.2": "Recycling rate in the top quartile of our nearest neighbours by 2028",
    "1.3": "Three in four residents feel safe outside after dark",
    "2.1": "No family in bed and breakfast for more than six weeks",
    "2.2": "1,000 new homes a year, a third of them affordable",
    "3.1": "Planning speed and quality above the government's designation thresholds",
    "3.2": "Town centre vacancy rate below the national average",
    "4.1": "Eight in ten customer transactions completed online by 2028",
    "4.2": "Collection rates in the top quartile of district councils",
    "4.3": "A balanced budget every year without drawing on general reserves",
}
UPDATE_TEXT = {
    StrategicActionUpdate.Status.ON_TRACK: "Progressing to plan; the next stage is being prepared.",
    StrategicActionUpdate.Status.AT_RISK: "Slower than planned because of competing priorities; "
    "a revised timetable goes to Management Team.",
    StrategicActionUpdate.Status.OFF_TRACK: "Behind plan: the original timetable will be missed "
    "and the lead member has been briefed.",
    StrategicActionUpdate.Status.COMPLETE: "Complete; benefits will be reported in the next review.",
}


def create_strategic_plan() -> StrategicPlan:
    """The Strategic Plan of `PLAN` with its numbered priorities and outcomes."""
    plan = StrategicPlan.objects.create(
        title=PLAN["title"],
        first_year=PLAN["first_year"],
        vision=PLAN["vision"],
        community_strategy=PLAN["community_strategy"],
        financial_strategy=PLAN["financial_strategy"],
    )
    for number, (title, outcomes) in enumerate(PLAN["priorities"], start=1):
        priority = Priority.objects.create(plan=plan, number=number, title=title)
        for outcome_number, outcome in enumerate(outcomes, start=1):
            Outcome.objects.create(priority=priority, number=outcome_number, title=outcome)
    return plan


def link_outcomes(plans: list[IndicatorPlan], outcomes: dict[str, Outcome]) -> None:
    """Each indicator serves its outcome; the plan's measures of success name a few KPIs."""
    finances = outcomes.get("4.3")
    links = set()
    for plan in plans:
        links.add((plan.indicator_id, plan.outcome_id))
        if finances is not None and plan.template.perspective == "financial":
            links.add((plan.indicator_id, finances.pk))
    Indicator.outcomes.through.objects.bulk_create(
        [
            Indicator.outcomes.through(indicator_id=indicator_id, outcome_id=outcome_id)
            for indicator_id, outcome_id in sorted(links)
        ],
        batch_size=BATCH,
    )
    measures = []
    for code, outcome in outcomes.items():
        kpis = [
            plan
            for plan in plans
            if plan.outcome_id == outcome.pk
            and plan.template.kind == "KPI"
            and plan.template.polarity is not Polarity.NONE
        ]
        seen_titles: set[str] = set()
        for plan in kpis:
            if plan.template.title in seen_titles or len(seen_titles) == 3:
                continue
            seen_titles.add(plan.template.title)
            measures.append(
                MeasureOfSuccess(
                    outcome=outcome,
                    indicator_id=plan.indicator_id,
                    description=f"{plan.template.title} meets its target ({plan.code})"[:300],
                )
            )
        if code in MEASURES:
            measures.append(MeasureOfSuccess(outcome=outcome, description=MEASURES[code]))
    MeasureOfSuccess.objects.bulk_create(measures, batch_size=BATCH)


def create_strategic_actions(
    context: DemoContext,
    plan: StrategicPlan | None,
    outcomes: dict[str, Outcome],
    org: Org,
    today: dt.date,
) -> None:
    """Two actions per outcome with an update for every half-year whose round has closed."""
    if plan is None:
        return
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    owners = list(dict.fromkeys(org.heads[team.id] for team in context.teams))
    start = dt.date(plan.first_year, 4, 1)
    actions, paces = [], []
    for number, (code, outcome) in enumerate(outcomes.items()):
        for offset, title in enumerate(STRATEGIC_ACTIONS.get(code, [])):
            actions.append(
                StrategicAction(
                    outcome=outcome,
                    title=title,
                    owner_id=owners[(number * 2 + offset) % len(owners)],
                    due_on=dt.date(plan.first_year + 2 + (number + offset) % 3, 3, 31),
                )
            )
            paces.append(rng.uniform(0.7, 1.15))
    StrategicAction.objects.bulk_create(actions, batch_size=BATCH)
    updates = []
    half = Period.for_quarter(plan.first_year, 2)
    last_quarter = Period.for_quarter(plan.first_year + 3, 4)
    while half <= last_quarter and periods.window_close(half.request_date(), days) < today:
        for action, pace in zip(actions, paces, strict=True):
            elapsed = (half.end - start).days / max(1, (action.due_on - start).days)
            percent = min(100, round(elapsed * pace * 100))
            if percent >= 100:
                status = StrategicActionUpdate.Status.COMPLETE
            elif pace < 0.8 and elapsed > 0.5:
                status = StrategicActionUpdate.Status.OFF_TRACK
            elif pace < 0.9:
                status = StrategicActionUpdate.Status.AT_RISK
            else:
                status = StrategicActionUpdate.Status.ON_TRACK
            updates.append(
                StrategicActionUpdate(
                    action=action,
                    period=str(half),
                    status=status,
                    percent_complete=percent,
                    progress=UPDATE_TEXT[status],
                    updated_by_id=action.owner_id,
                )
            )
        half = half.shift(2)
    StrategicActionUpdate.objects.bulk_create(updates, batch_size=BATCH)
