"""A small council with three financial years of figures, for the annual report (issue 20).

Report year 2025/26, with 2024/25 and 2023/24 before it. Every figure the tests expect is
worked out by hand here, from the values below.

- REC 001 (KPI, outcome 1.1, quarterly, `sum`, higher is better, 0 decimals; annual target
  480 of its own). Quarters 2023/24: 100 ×4 = 400; 2024/25: 110 ×4 = 440; 2025/26:
  120 + 120 + 130 + 130 = 500. Shortfall (480 − 500) / 480 × 100 = −4.17 → −4.2: Green.
  On last year 500 > 440: improving; over three years 500 > 400: improving → an achievement.
  Officer's forecasts: 450 with Q2, 490 with Q3 → errors (450 − 500) / 500 = −10.0% and
  (490 − 500) / 500 = −2.0%; neither is more than 10% out.
- MIS 002 (KPI, outcome 1.1, quarterly, `mean`, lower is better, 1 decimal; annual target 12).
  2023/24: 10 ×4 → 10.0; 2024/25: 12 ×4 → 12.0; 2025/26: 14, 14, 15, 15 → 14.5. Shortfall
  (14.5 − 12) / 12 × 100 = 20.83 → 20.8: Red (≥ 10). On last year 14.5 > 12 (lower is better):
  deteriorating; over three years 14.5 > 10: deteriorating. Forecasts 12.5 at Q2 → (12.5 −
  14.5) / 14.5 = −13.79 → −13.8% (out by more than 10%); 14.0 at Q3 → −3.448 → −3.4%.
- LST 004 (KPI, outcome 2.1, quarterly, `last`, higher, percent, 1 decimal; quarterly targets of
  80 only, so the annual target is the last quarter's, 80). Q4 values: 2023/24 78, 2024/25 80,
  2025/26 78 (other quarters 70). Shortfall (80 − 78) / 80 = 2.5%: Amber. On last year 78 < 80:
  deteriorating; over three years 78 = 78: stable. No officer forecast: the projection stands.
- NOD 005 (KPI, no outcome, annual, higher, 0 decimals; target 50 for 2025/26): 40 in 2023/24,
  45 in 2024/25, nothing for 2025/26 once the window closed → No data.
- CON 009 (KPI, outcome 1.1, `sum`, annual target 20): its 2025/26 Q4 value 999 is SUBMITTED,
  never activated, so the year has three quarters of four: no outturn (a sum of three quarters
  is not the year's), No data; 999 appears in no report.
- Strategic actions (outcome 1.1): "Food waste rollout" On track 40% at Q2 then Complete 100% at
  Q4 → Complete; "Bring sites review" At risk 30% at Q2 only → At risk (as at Q2); outcome 2.1:
  "New hostel", no update → No update.
- Reach the Summit: 2025/26 Q1 frozen (Top Team Waste, runner-up Housing), Q2 frozen (Top Team
  Housing); Q3 and Q4 not frozen.
- Benchmarking, "Nearest neighbours" (us and three): 2024/25 values us 40, 50, 30, 20 → rank 2
  of 4; quartiles (QUARTILE.INC of 20, 30, 40, 50): Q1 27.5, median 35, Q3 42.5; 40 ≥ median
  and < Q3 → quartile 2. A 2026/27 value (after the year) is not read; 2025/26 has none, so
  2024/25 is the period shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from benchmarking.models import Authority, BenchmarkMeasure, BenchmarkValue, ComparatorGroup
from performance.core import periods
from performance.core.roles import Role
from performance.models import (
    Indicator,
    Outcome,
    Priority,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Value,
)
from reach_summit.models import Snapshot, SnapshotRow
from tests.factories import TeamFactory, UserFactory

YEAR = "2025/26"
TODAY = dt.date(2026, 5, 20)  # after the year's window closed (10 April 2026)
SUBMITTED = Decimal("999")


@dataclass
class AnnualCouncil:
    officer: object
    member: object
    rec: Indicator
    mis: Indicator
    lst: Indicator
    nod: Indicator
    con: Indicator


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _value(indicator, period, value, *, forecast=None, state=Value.Status.ACTIVATED):
    Value.objects.create(
        indicator=indicator,
        period=str(period),
        period_start=period.start,
        value=Decimal(str(value)),
        status=state,
        activated_at=_at(period.request_date()) if state == Value.Status.ACTIVATED else None,
        forecast=None if forecast is None else Decimal(str(forecast)),
    )


def _target(indicator, period, value):
    Target.objects.create(
        indicator=indicator, period=str(period), period_start=period.start, value=Decimal(value)
    )


def _quarters(indicator, year, values, *, forecasts=None, targets=None):
    fy = periods.parse(year)
    for number, (quarter, value) in enumerate(zip(fy.quarters(), values, strict=True), start=1):
        _value(indicator, quarter, value, forecast=(forecasts or {}).get(number))
        if targets is not None:
            _target(indicator, quarter, targets)


def make_annual_council() -> AnnualCouncil:
    officer = UserFactory(
        username="pat", first_name="Pat", last_name="Okafor", roles=[Role.PERFORMANCE_OFFICER]
    )
    member = UserFactory(username="cllr", first_name="Mary", last_name="Ellis", roles=[Role.MEMBER])
    waste = TeamFactory(name="Waste and Street Scene")
    housing = TeamFactory(name="Housing and Homelessness")

    plan = StrategicPlan.objects.create(title="Strategic Plan", first_year=2024, vision="A borough")
    clean = Priority.objects.create(plan=plan, number=1, title="Clean and green")
    homes = Priority.objects.create(plan=plan, number=2, title="Homes for all")
    recycled = Outcome.objects.create(priority=clean, number=1, title="More waste is recycled")
    housed = Outcome.objects.create(priority=homes, number=1, title="Fewer households homeless")

    def indicator(code, title, outcome=None, **fields):
        defaults = {
            "kind": Indicator.Kind.KPI,
            "perspective": Indicator.Perspective.CUSTOMER,
            "aspect": Indicator.Aspect.DELIVERY,
            "polarity": "higher",
            "unit": Indicator.Unit.NUMBER,
            "decimals": 0,
            "frequency": "quarterly",
            "aggregation": "sum",
            "team": waste,
        }
        made = Indicator.objects.create(code=code, title=title, **{**defaults, **fields})
        if outcome is not None:
            made.outcomes.add(outcome)
        return made

    rec = indicator("REC 001", "Tonnes of waste recycled", recycled)
    _quarters(rec, "2023/24", [100, 100, 100, 100])
    _quarters(rec, "2024/25", [110, 110, 110, 110])
    _quarters(rec, YEAR, [120, 120, 130, 130], forecasts={2: 450, 3: 490})
    _target(rec, periods.parse(YEAR), "480")

    mis = indicator(
        "MIS 002", "Missed bins per 100,000", recycled, polarity="lower", decimals=1,
        aggregation="mean",
    )  # fmt: skip
    _quarters(mis, "2023/24", [10, 10, 10, 10])
    _quarters(mis, "2024/25", [12, 12, 12, 12])
    _quarters(mis, YEAR, [14, 14, 15, 15], forecasts={2: "12.5", 3: "14.0"})
    _target(mis, periods.parse(YEAR), "12")

    lst = indicator(
        "LST 004", "Households helped to stay housed", housed, unit=Indicator.Unit.PERCENT,
        decimals=1, aggregation="last", team=housing,
    )  # fmt: skip
    _quarters(lst, "2023/24", [70, 70, 70, 78], targets="80")
    _quarters(lst, "2024/25", [70, 70, 70, 80], targets="80")
    _quarters(lst, YEAR, [70, 70, 70, 78], targets="80")

    nod = indicator("NOD 005", "Residents satisfied with the area", frequency="annual")
    for year, value in (("2023/24", 40), ("2024/25", 45)):
        _value(nod, periods.parse(year), value)
    _target(nod, periods.parse(YEAR), "50")

    con = indicator("CON 009", "Fly-tips cleared", recycled)
    _quarters(con, "2024/25", [5, 5, 5, 5])
    fy = periods.parse(YEAR).quarters()
    for quarter in fy[:3]:
        _value(con, quarter, 6)
    _value(con, fy[3], SUBMITTED, state=Value.Status.SUBMITTED)
    _target(con, periods.parse(YEAR), "20")

    food = StrategicAction.objects.create(
        outcome=recycled, title="Food waste rollout", owner=officer
    )
    StrategicActionUpdate.objects.create(
        action=food, period="2025/26 Q2", status="on_track", percent_complete=40, progress="Ok"
    )
    StrategicActionUpdate.objects.create(
        action=food, period="2025/26 Q4", status="complete", percent_complete=100, progress="Done"
    )
    sites = StrategicAction.objects.create(
        outcome=recycled, title="Bring sites review", owner=officer
    )
    StrategicActionUpdate.objects.create(
        action=sites, period="2025/26 Q2", status="at_risk", percent_complete=30, progress="Late"
    )
    StrategicAction.objects.create(outcome=housed, title="New hostel", owner=officer)

    for quarter, winners in (
        ("2025/26 Q1", [(waste, "top"), (housing, "runner_up")]),
        ("2025/26 Q2", [(housing, "top"), (waste, "")]),
    ):
        period = periods.parse(quarter)
        snapshot = Snapshot.objects.create(
            quarter=quarter,
            quarter_start=period.start,
            frozen_at=_at(period.window_close()),
            top_decided_by="score",
        )
        for position, (team, award) in enumerate(winners, start=1):
            SnapshotRow.objects.create(
                snapshot=snapshot,
                team=team,
                team_name=team.name,
                team_slug=team.slug,
                position=position,
                rank=position,
                customer="summit",
                financial="summit",
                process="firstbase",
                learning="summit",
                improvements=Decimal("1.00"),
                late_complaints=0,
                score=Decimal(str(10.5 - position)),
                award=award,
            )

    ours = Authority.objects.create(code="E07000110", name="Demo Borough Council")
    others = [Authority.objects.create(code=f"E0700011{n}", name=f"N{n}") for n in (1, 2, 3)]
    group = ComparatorGroup.objects.create(
        name="Nearest neighbours", kind=ComparatorGroup.Kind.NEAREST_NEIGHBOURS
    )
    group.members.set([ours, *others])
    measure = BenchmarkMeasure.objects.create(
        code="BV082", title="Household waste recycled (benchmark)", unit="percent", decimals=1
    )
    for authority, value in zip([ours, *others], ("40", "50", "30", "20"), strict=True):
        BenchmarkValue.objects.create(
            measure=measure, authority=authority, period="2024/25", value=Decimal(value)
        )
    BenchmarkValue.objects.create(
        measure=measure, authority=ours, period="2026/27", value=Decimal("99")
    )
    return AnnualCouncil(
        officer=officer, member=member, rec=rec, mis=mis, lst=lst, nod=nod, con=con
    )
