"""Reach the Summit's part of the demo council (called by seed_demo after the performance demo).

Scorecards for every team and every financial year from 2024/25 to now, using each team's own
indicators where the indicator demo made them (one with a target per perspective) and
otherwise three scorecard indicators with quarterly targets and activated values; a service
plan with monthly milestones per team; complaints and approved improvements every quarter;
then the closed quarters frozen exactly as the nightly task would freeze them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from performance.common import cache
from performance.core import periods
from performance.core.periods import Period
from performance.models import (
    Activity,
    Indicator,
    Milestone,
    Outcome,
    Service,
    ServicePlan,
    ServicePlanObjective,
    Target,
    Value,
)
from reach_summit import services, timescales
from reach_summit.models import Complaint, Improvement, Scorecard

FIRST_YEAR = 2024

INDICATORS = {
    # perspective: (title, aspect, polarity, unit, decimals, target)
    "customer": ("Customers satisfied with the service", "quality", "higher", "percent", 1, "90"),
    "financial": ("Cost per case", "cost", "lower", "currency", 2, "42.00"),
    "process": ("Requests completed on time", "delivery", "higher", "percent", 1, "85"),
}
IMPROVEMENTS = [
    "Online booking replaced paper forms",
    "Same-day call-backs for missed collections",
    "Self-service account for residents",
    "Backlog of cases cleared",
    "Plain-English letters rewritten with residents",
    "Shared inbox triage cut waiting times",
    "New mobile working for officers on site",
    "Weekend opening pilot",
]
MILESTONES = [
    "Review of procedures",
    "Staff training delivered",
    "Customer survey analysed",
    "Digital form launched",
    "Budget review",
    "Partnership agreement signed",
    "Performance clinic held",
    "Quarterly service review",
    "Equality impact assessment",
    "Process mapping complete",
    "Draft plan consulted on",
    "Year-end review",
]


def _quarters(today: dt.date) -> list[Period]:
    first = Period.for_quarter(FIRST_YEAR, 1)
    return list(periods.between(first, periods.quarter_of(today)))


def _actual(rng, target: Decimal, polarity: str, level: str, decimals: int) -> Decimal:
    if level == "summit":
        change = Decimal(str(rng.uniform(0.0, 0.08)))
        better = target * (1 + change) if polarity == "higher" else target * (1 - change)
        value = better
    else:
        low, high = (0.015, 0.085) if level == "firstbase" else (0.12, 0.3)
        change = Decimal(str(rng.uniform(low, high)))
        value = target * (1 - change) if polarity == "higher" else target * (1 + change)
    if polarity == "higher" and target <= 100:
        value = min(value, Decimal(100))
    return value.quantize(Decimal(1).scaleb(-decimals))


def _level(rng, strength: float) -> str:
    draw = rng.random()
    if draw < 0.04:
        return "missing"
    if draw < 0.04 + strength:
        return "summit"
    if draw < 0.04 + strength + (1 - strength) * 0.55:
        return "firstbase"
    return "basecamp"


def _scorecard_indicator(context, team, index: int, perspective: str, quarters, today):
    """The team's own indicator of the perspective with targets, or a new demo one."""
    existing = (
        Indicator.objects.filter(team=team, perspective=perspective, active=True)
        .exclude(polarity="none")
        .filter(targets__isnull=False)
        .distinct()
        .order_by("code")
        .first()
    )
    if existing is not None:
        return existing
    title, aspect, polarity, unit, decimals, target = INDICATORS[perspective]
    indicator = Indicator.objects.create(
        code=f"RTS {index:03d}{perspective[0].upper()}",
        title=f"{title} ({team.name})",
        kind=Indicator.Kind.SPI,
        perspective=perspective,
        aspect=aspect,
        polarity=polarity,
        unit=unit,
        decimals=decimals,
        frequency="quarterly",
        aggregation="last",
        team=team,
        definition=f"{title}: the team's Reach the Summit {perspective} measure.",
        data_source="Service records",
    )
    rng = context.rng
    strength = 0.25 + 0.5 * rng.random()
    target_value = Decimal(target)
    manager = context.users.get("manager")
    targets, values = [], []
    for quarter in quarters:
        targets.append(
            Target(
                indicator=indicator,
                period=str(quarter),
                period_start=quarter.start,
                value=target_value,
                realistic=True,
            )
        )
        if quarter.request_date() > today:
            continue  # not yet requested
        level = _level(rng, strength)
        if level == "missing":
            continue
        activated = timezone.make_aware(
            dt.datetime.combine(quarter.request_date() + dt.timedelta(days=6), dt.time(10))
        )
        values.append(
            Value(
                indicator=indicator,
                period=str(quarter),
                period_start=quarter.start,
                value=_actual(rng, target_value, polarity, level, decimals),
                status=Value.Status.ACTIVATED,
                activated_by=manager,
                activated_at=activated,
                entered_at=activated,
                submitted_at=activated,
            )
        )
    Target.objects.bulk_create(targets)
    Value.objects.bulk_create(values)
    return indicator


def _service_plans(context, team, years: list[str], today: dt.date) -> None:
    rng = context.rng
    if team.service_id is None:
        service, _ = Service.objects.get_or_create(
            name=team.name, defaults={"directorate": team.directorate}
        )
        team.service = service
        team.save(update_fields=["service"])
    outcome = Outcome.objects.order_by("priority__number", "number").first()
    if outcome is None:
        return
    reliability = 0.6 + 0.35 * rng.random()
    for year in years:
        if ServicePlan.objects.filter(service_id=team.service_id, year=year).exists():
            continue
        fy = periods.parse(year)
        plan = ServicePlan.objects.create(
            service_id=team.service_id,
            year=year,
            status=ServicePlan.Status.APPROVED,
            summary=f"How {team.name} will deliver the Strategic Plan in {year}.",
        )
        objective = ServicePlanObjective.objects.create(
            plan=plan,
            number=1,
            title=f"Deliver an excellent {team.name.lower()} service",
            outcome=outcome,
        )
        activity = Activity.objects.create(
            objective=objective, title="Service improvement programme", outcome=outcome
        )
        milestones = []
        for number, month in enumerate(fy.months()):
            due = month.start + dt.timedelta(days=rng.randint(5, 24))
            draw = rng.random()
            if draw < reliability:
                met = due - dt.timedelta(days=rng.randint(0, 4))
            elif draw < reliability + 0.25:
                met = due + dt.timedelta(days=rng.randint(12, 70))
            else:
                met = None
            milestones.append(
                Milestone(
                    activity=activity,
                    title=MILESTONES[number % len(MILESTONES)],
                    due_on=due,
                    met_on=met if met is not None and met <= today else None,
                )
            )
        Milestone.objects.bulk_create(milestones)


def _complaint_counts(context, slots: int) -> list[int]:
    """Complaints per team-quarter: 0-5 each, or exactly the scale's total spread with noise."""
    rng = context.rng
    wanted = context.scale.complaints
    if wanted is None:
        return [rng.randint(0, 5) for _ in range(slots)]
    mean = wanted / slots
    counts = [max(0, round(mean * rng.uniform(0.5, 1.5))) for _ in range(slots)]
    gap = wanted - sum(counts)
    while gap:
        index = rng.randrange(slots)
        if gap > 0:
            counts[index] += 1
            gap -= 1
        elif counts[index] > 0:
            counts[index] -= 1
            gap += 1
    return counts


def _complaints(context, teams, quarters, today: dt.date) -> int:
    rng = context.rng
    scales = dict(timescales.DEFAULT_TIMESCALES)
    exact = context.scale.complaints is not None
    started = [quarter for quarter in quarters if quarter.start <= today]
    counts = iter(_complaint_counts(context, len(started) * len(teams)))
    rows = []
    number = 0
    for quarter in started:
        # With an exact total, every complaint falls on or before today (none is skipped).
        last = min(quarter.end, today) if exact else quarter.end
        for team in teams:
            for _ in range(next(counts)):
                received = quarter.start + dt.timedelta(
                    days=rng.randint(0, (last - quarter.start).days)
                )
                if received > today:
                    continue
                stage = 1 if rng.random() < 0.85 else 2
                due = timescales.response_due(received, stage, scales)
                draw = rng.random()
                if draw < 0.82:
                    span = max((due - received).days, 0)
                    responded = received + dt.timedelta(days=rng.randint(0, span))
                elif draw < 0.95:
                    responded = due + dt.timedelta(days=rng.randint(1, 20))
                else:
                    responded = None
                if responded is not None and responded > today:
                    responded = None
                number += 1
                rows.append(
                    Complaint(
                        reference=f"CMP-{received:%y}-{number:05d}",
                        team=team,
                        stage=stage,
                        received=received,
                        due=due,
                        responded=responded,
                    )
                )
    Complaint.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _improvements(context, teams, quarters, today: dt.date) -> int:
    rng = context.rng
    officer = context.users.get("performance")
    rows = []
    for quarter in quarters:
        if quarter.start > today:
            continue
        for team in teams:
            if rng.random() < 0.3:
                rows.append(
                    Improvement(
                        team=team,
                        quarter=str(quarter),
                        quarter_start=quarter.start,
                        title=rng.choice(IMPROVEMENTS),
                        points=Decimal("1.0") if rng.random() < 0.15 else Decimal("0.5"),
                        approved_by=officer,
                    )
                )
    Improvement.objects.bulk_create(rows)
    return len(rows)


def seed(context) -> None:
    today = timezone.localdate()
    quarters = _quarters(today)
    years = sorted({str(q.financial_year) for q in quarters})
    teams = list(context.teams)
    cards = []
    for index, team in enumerate(teams, start=1):
        chosen = {
            perspective: _scorecard_indicator(context, team, index, perspective, quarters, today)
            for perspective in INDICATORS
        }
        for year in years:
            cards.append(Scorecard(team=team, year=year, **chosen))
        _service_plans(context, team, years, today)
    Scorecard.objects.bulk_create(cards)
    complaints = _complaints(context, teams, quarters, today)
    improvements = _improvements(context, teams, quarters, today)
    # Bulk writes send no signals: cached league tables must see the new data.
    cache.bump("reach_summit", "indicators")
    frozen = services.freeze_closed_quarters(today=today)
    context.log(
        f"Reach the Summit: {len(cards)} scorecards, {complaints} complaints, "
        f"{improvements} improvements over {len(quarters)} quarters; "
        f"{len(frozen)} closed quarters frozen."
    )
