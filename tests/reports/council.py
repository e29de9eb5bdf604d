"""A small, hand-made council for the report tests: every report kind has something to show.

`make_council()` writes it and returns the objects tests refer to. Report period: 2025/26 Q3
(values from 2022/23 Q1, so SPC has more than 12 points), month 2025-12.

- WAS 001 (KPI, outcome 1.2, higher is better): 38.0% against 45% → Red, with a comment and an
  open action plan (version 2, two actions).
- CLN 002 (KPI, outcome 1.1, lower is better): 5.3% against 5% → Amber, with a comment.
- HOU 003 (KPI, outcome 2.1, lower): 55 against 60 → Green.
- COR 004 (KPI, no outcome): 82.0% against 80% → Green.
- SEC 006 (KPI, outcome 1.1): its only value for the period is SUBMITTED, not activated:
  777.7 must never appear in a report or under /public/.
- SPI 005 (SPI, no outcome): not in the quarterly report.
- MON 010 (monthly, lower): 70 against 60 in 2025-12 → Red.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from benchmarking.models import (
    Authority,
    BenchmarkMeasure,
    BenchmarkValue,
    ComparatorGroup,
)
from performance.core import periods
from performance.core.roles import Role
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Indicator,
    Outcome,
    Priority,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Value,
)
from reach_summit.models import Complaint, Scorecard
from tests.factories import TeamFactory, UserFactory

PERIOD = "2025/26 Q3"
MONTH = "2025-12"
UNPUBLISHED = Decimal("777.7")


@dataclass
class Council:
    officer: object
    member: object
    enterer: object
    waste: object
    housing: object
    red: Indicator
    amber: Indicator
    green: Indicator
    unactivated: Indicator
    monthly: Indicator
    red_value: Value


def _series(indicator, quarters, values, targets, *, activated_at=None):
    rows = []
    for quarter, value, target in zip(quarters, values, targets, strict=True):
        Target.objects.create(
            indicator=indicator, period=str(quarter), period_start=quarter.start, value=target
        )
        rows.append(
            Value.objects.create(
                indicator=indicator,
                period=str(quarter),
                period_start=quarter.start,
                value=value,
                status=Value.Status.ACTIVATED,
                activated_at=activated_at
                or timezone.make_aware(dt.datetime.combine(quarter.request_date(), dt.time(10))),
            )
        )
    return rows


def make_council() -> Council:
    officer = UserFactory(
        username="pat", first_name="Pat", last_name="Okafor", roles=[Role.PERFORMANCE_OFFICER]
    )
    member = UserFactory(username="cllr", first_name="Mary", last_name="Ellis", roles=[Role.MEMBER])
    waste = TeamFactory(name="Waste and Street Scene")
    housing = TeamFactory(name="Housing and Homelessness")
    enterer = UserFactory(username="erin", roles=[Role.DATA_ENTERER], teams=[housing])

    plan = StrategicPlan.objects.create(title="Strategic Plan", first_year=2024, vision="A borough")
    safe = Priority.objects.create(plan=plan, number=1, title="Safe, clean and green")
    homes = Priority.objects.create(plan=plan, number=2, title="Homes and communities")
    clean = Outcome.objects.create(priority=safe, number=1, title="Streets are clean")
    recycled = Outcome.objects.create(priority=safe, number=2, title="More waste is recycled")
    housed = Outcome.objects.create(priority=homes, number=1, title="Fewer households are homeless")

    def indicator(code, title, **fields):
        defaults = {
            "kind": Indicator.Kind.KPI,
            "perspective": Indicator.Perspective.CUSTOMER,
            "aspect": Indicator.Aspect.DELIVERY,
            "polarity": "higher",
            "unit": Indicator.Unit.PERCENT,
            "decimals": 1,
            "frequency": "quarterly",
            "aggregation": "last",
            "team": waste,
        }
        return Indicator.objects.create(code=code, title=title, **{**defaults, **fields})

    quarters = periods.between(periods.parse("2022/23 Q1"), periods.parse(PERIOD))  # 15
    red = indicator("WAS 001", "Household waste recycled")
    red.outcomes.add(recycled)
    rows = _series(
        red,
        quarters,
        [
            Decimal(v)
            for v in [
                "46",
                "47",
                "45.5",
                "46.5",
                "47",
                "46",
                "45",
                "46.5",
                "47.5",
                "46",
                "45",
                "44",
                "42",
                "40",
                "38",
            ]
        ],
        [Decimal(45)] * len(quarters),
    )
    red_value = rows[-1]
    red_value.comment = "Recycling fell after the contamination checks at the sorting plant."
    red_value.save(update_fields=["comment"])

    amber = indicator(
        "CLN 002", "Streets below the litter standard", polarity="lower", perspective="process"
    )
    amber.outcomes.add(clean)
    _series(
        amber,
        quarters[-5:],
        [Decimal(v) for v in ["4.8", "4.9", "5.0", "4.7", "5.3"]],
        [Decimal(5)] * 5,
    )
    Value.objects.filter(indicator=amber, period=PERIOD).update(comment="Leaf fall came early.")

    green = indicator(
        "HOU 003",
        "Households in temporary accommodation",
        polarity="lower",
        unit=Indicator.Unit.NUMBER,
        decimals=0,
        team=housing,
    )
    green.outcomes.add(housed)
    _series(green, quarters[-5:], [Decimal(v) for v in (70, 66, 64, 58, 55)], [Decimal(60)] * 5)

    calls = indicator("COR 004", "Calls answered within 60 seconds", perspective="financial")
    _series(calls, quarters[-5:], [Decimal(v) for v in (78, 79, 80, 81, 82)], [Decimal(80)] * 5)

    unactivated = indicator("SEC 006", "Anti-social behaviour cases resolved", team=housing)
    unactivated.outcomes.add(clean)
    this = periods.parse(PERIOD)
    Target.objects.create(
        indicator=unactivated, period=PERIOD, period_start=this.start, value=Decimal(90)
    )
    Value.objects.create(
        indicator=unactivated,
        period=PERIOD,
        period_start=this.start,
        value=UNPUBLISHED,
        status=Value.Status.SUBMITTED,
        comment="A draft comment nobody has approved.",
    )

    spi = indicator("SPI 005", "Pest control visits", kind=Indicator.Kind.SPI)
    _series(spi, quarters[-2:], [Decimal(10), Decimal(11)], [Decimal(10), Decimal(10)])

    monthly = indicator(
        "MON 010",
        "Missed bins per 100,000 collections",
        polarity="lower",
        unit=Indicator.Unit.NUMBER,
        decimals=0,
        frequency="monthly",
        aggregation="mean",
    )
    months = periods.between(periods.parse("2025-07"), periods.parse(MONTH))
    _series(monthly, months, [Decimal(v) for v in (55, 58, 57, 62, 65, 70)], [Decimal(60)] * 6)
    Value.objects.filter(indicator=monthly, period=MONTH).update(
        comment="Two vehicles off the road in December."
    )

    plan_row = ActionPlan.objects.create(
        indicator=red,
        team=waste,
        title="Recover the recycling rate",
        reason="Red for two quarters",
        owner=officer,
        opened_on=dt.date(2025, 10, 15),
    )
    ActionPlanVersion.objects.create(plan=plan_row, number=1, created_by=officer)
    current = ActionPlanVersion.objects.create(plan=plan_row, number=2, created_by=officer)
    Action.objects.create(
        version=current,
        description="Door-step campaign on the ten lowest-recycling rounds",
        owner=officer,
        due_on=dt.date(2026, 2, 28),
        status=Action.Status.IN_PROGRESS,
        progress_note="Four rounds done.",
    )
    Action.objects.create(
        version=current,
        description="Contamination stickers on every returned bin",
        owner=officer,
        due_on=dt.date(2026, 1, 31),
        status=Action.Status.NOT_STARTED,
    )

    action = StrategicAction.objects.create(
        outcome=recycled, title="Roll out food waste collections", owner=officer
    )
    StrategicActionUpdate.objects.create(
        action=action,
        period="2025/26 Q2",
        status=StrategicActionUpdate.Status.AT_RISK,
        percent_complete=40,
        progress="Vehicles ordered; delivery delayed to spring.",
    )
    StrategicAction.objects.create(outcome=housed, title="Open a new family hostel", owner=officer)

    for number, (received, due, responded) in enumerate(
        [
            (dt.date(2025, 10, 1), dt.date(2025, 10, 15), dt.date(2025, 10, 10)),
            (dt.date(2025, 10, 6), dt.date(2025, 10, 20), dt.date(2025, 10, 30)),
            (dt.date(2025, 11, 3), dt.date(2025, 11, 17), dt.date(2025, 11, 12)),
        ],
        start=1,
    ):
        Complaint.objects.create(
            reference=f"CMP-{number:03d}",
            team=waste if number < 3 else housing,
            received=received,
            due=due,
            responded=responded,
        )

    Scorecard.objects.create(
        team=waste, year="2025/26", customer=red, financial=calls, process=amber
    )

    ours = Authority.objects.create(code="E07000110", name="Demo Borough Council")
    others = [
        Authority.objects.create(code=f"E0700011{n}", name=f"Neighbour {n}") for n in (1, 2, 3)
    ]
    group = ComparatorGroup.objects.create(
        name="Nearest neighbours", kind=ComparatorGroup.Kind.NEAREST_NEIGHBOURS
    )
    group.members.set([ours, *others])
    measure = BenchmarkMeasure.objects.create(
        code="BV082", title="Household waste recycled (benchmark)", unit="percent", decimals=1
    )
    for authority, value in zip([ours, *others], ("41.5", "50.2", "44.0", "39.9"), strict=True):
        BenchmarkValue.objects.create(
            measure=measure, authority=authority, period="2024/25", value=Decimal(value)
        )

    return Council(
        officer=officer,
        member=member,
        enterer=enterer,
        waste=waste,
        housing=housing,
        red=red,
        amber=amber,
        green=green,
        unactivated=unactivated,
        monthly=monthly,
        red_value=red_value,
    )
