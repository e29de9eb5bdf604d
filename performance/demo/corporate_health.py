"""The demo council's corporate health indicators (issue 20): how the council itself is run.

Five council-wide quarterly indicators in a `COR` series, owned by Customer Services (else the
first team), with a target for every quarter and activated values for each quarter whose
collection window has closed, from the first year of the demo's history:

- COR 001 working days lost to sickness absence per FTE (rolling twelve months; lower);
- COR 002 staff turnover, % (rolling twelve months; lower);
- COR 003 complaints answered within the corporate timescale, % (higher);
- COR 004 FOI requests answered within 20 working days, % (higher);
- COR 005 undisputed invoices paid within 30 days, % (higher).

Figures are realistic for an English district council (sickness 8–10 days, turnover 10–15%,
FOI 85–95%, invoices 92–98%). They are drawn from a random generator of their own, seeded from
the scale's name, so adding them moves no other figure of the council (`indicators` draws from
`context.rng` in a fixed order). Written with bulk_create, unaudited like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings

from performance.core import calculations, periods
from performance.core.periods import Frequency, Period
from performance.demo.organisation import Org
from performance.demo.values import _timestamps
from performance.models import Indicator, LongTermTarget, Outcome, Target, Value

if TYPE_CHECKING:
    from performance.demo import DemoContext


@dataclass(frozen=True)
class _Spec:
    code: str
    title: str
    polarity: str
    unit: str
    target: float
    typical: float  # the usual value
    noise: float
    low: float
    high: float
    definition: str
    source: str


SPECS = (
    _Spec(
        "COR 001",
        "Working days lost to sickness absence per FTE (rolling 12 months)",
        "lower",
        "days",
        8.5,
        9.1,
        0.5,
        5.0,
        14.0,
        "Working days lost to sickness absence in the last twelve months, divided by the "
        "council's average full-time equivalent staff.",
        "HR and payroll system",
    ),
    _Spec(
        "COR 002",
        "Staff turnover (rolling 12 months)",
        "lower",
        "percent",
        12.0,
        12.8,
        1.0,
        5.0,
        25.0,
        "Leavers in the last twelve months (voluntary and involuntary, excluding the end of "
        "fixed-term contracts) as a percentage of average headcount.",
        "HR and payroll system",
    ),
    _Spec(
        "COR 003",
        "Complaints answered within the corporate timescale",
        "higher",
        "percent",
        90.0,
        86.0,
        4.0,
        50.0,
        100.0,
        "Stage 1 and stage 2 complaints answered within 10 and 20 working days as a percentage "
        "of complaints answered in the quarter.",
        "Complaints system",
    ),
    _Spec(
        "COR 004",
        "FOI requests answered within 20 working days",
        "higher",
        "percent",
        90.0,
        89.0,
        3.5,
        50.0,
        100.0,
        "Requests under the Freedom of Information Act and Environmental Information "
        "Regulations answered within 20 working days as a percentage of those answered.",
        "Information requests system",
    ),
    _Spec(
        "COR 005",
        "Undisputed invoices paid within 30 days",
        "higher",
        "percent",
        95.0,
        95.5,
        1.5,
        70.0,
        100.0,
        "Undisputed supplier invoices paid within 30 days of receipt as a percentage of those "
        "paid in the quarter.",
        "Finance ledger",
    ),
)


# Amber and Red values carry a performance comment, as every service's do.
BEHIND = (calculations.Level.FIRSTBASE, calculations.Level.BASECAMP)
COMMENTS = {
    "COR 001": "Long-term absence (stress and musculoskeletal) rose; occupational health "
    "referrals are now made in the first week and return-to-work interviews are checked.",
    "COR 002": "Leavers rose in hard-to-recruit posts (planning, environmental health); a "
    "market supplement and exit interviews are under review with HR.",
    "COR 003": "A rise in complaints about missed bins took longer to answer; extra staff are "
    "answering stage 1 complaints until the backlog clears.",
    "COR 004": "Several large requests needed redaction; a second information officer has been "
    "trained to share the work.",
    "COR 005": "Invoices waited for approval while budget holders were on leave; delegated "
    "approvers have been set for every cost centre.",
}


def _quarters(first_fy: int, today: dt.date) -> list[Period]:
    """Every quarter from the start of `first_fy` whose collection window has closed."""
    result = []
    period = Period.for_year(first_fy).sub_periods(Frequency.QUARTERLY)[0]
    while periods.window_close(period.request_date(), settings.COLLECTION_WINDOW_DAYS) < today:
        result.append(period)
        period = period.next()
    return result


def create_corporate_health(
    context: DemoContext,
    org: Org,
    outcomes: dict[str, Outcome],
    *,
    first_fy: int,
    today: dt.date,
) -> int:
    """Create the corporate health indicators with their targets and values. Returns how many
    indicators were made (0 when the council already has them)."""
    if Indicator.objects.filter(code__in=[s.code for s in SPECS]).exists():
        return 0
    team = next((t for t in context.teams if t.name == "Customer Services"), context.teams[0])
    # A source of its own (the scale's name: the context keeps no seed), so that these draws
    # move nothing else.
    rng = random.Random(f"corporate-health-{context.scale.name}")
    quarters = _quarters(first_fy, today)
    current_fy = periods.financial_year_of(today).fy_start_year
    days = settings.COLLECTION_WINDOW_DAYS
    zone = ZoneInfo(settings.TIME_ZONE)
    # Entered by the team's enterers and activated by its data managers, as every value is.
    enterers = org.enterers.get(team.id, [])
    managers = [m for m in org.managers.get(team.id, []) if m not in enterers[:1]]
    targets: list[Target] = []
    values: list[Value] = []
    long_term: list[LongTermTarget] = []
    for spec in SPECS:
        indicator = Indicator.objects.create(
            code=spec.code,
            title=spec.title,
            kind=Indicator.Kind.KPI,
            perspective=Indicator.Perspective.LEARNING,
            aspect=Indicator.Aspect.QUALITY,
            polarity=spec.polarity,
            unit=spec.unit,
            decimals=1,
            frequency=Indicator.FrequencyChoice.QUARTERLY,
            aggregation=Indicator.AggregationChoice.LAST,
            definition=spec.definition,
            guidance="Enter the figure at the end of the quarter; longer periods take the last.",
            data_source=spec.source,
            team=team,
            corporate_health=True,
            baseline=Decimal(f"{spec.typical:.1f}"),
            baseline_period=str(Period.for_year(first_fy - 1)),
        )
        indicator.enterers.set(enterers)
        # The outcome the catalogue's own sickness and invoice indicators serve (a well-run
        # council), else the plan's first.
        indicator.outcomes.set([outcomes.get("4.3") or next(iter(outcomes.values()))])
        indicator.managers.set(managers)
        better = spec.target * (1.05 if spec.polarity == "higher" else 0.95)
        long_term.append(
            LongTermTarget(
                indicator=indicator,
                by_year=str(Period.for_year(current_fy + 3)),
                value=Decimal(f"{min(better, 100.0) if spec.unit == 'percent' else better:.1f}"),
            )
        )
        figure = spec.typical
        for quarter in [*quarters, *Period.for_year(current_fy).sub_periods(Frequency.QUARTERLY)]:
            if any(t.indicator_id == indicator.pk and t.period == str(quarter) for t in targets):
                continue
            targets.append(
                Target(
                    indicator=indicator,
                    period=str(quarter),
                    period_start=quarter.start,
                    value=Decimal(str(spec.target)),
                )
            )
        for quarter in quarters:
            # An AR(1) walk around the typical figure, kept within realistic bounds.
            figure = spec.typical + 0.6 * (figure - spec.typical) + rng.gauss(0, spec.noise)
            figure = min(max(figure, spec.low), spec.high)
            value = Decimal(f"{figure:.1f}")
            entered, submitted, activated = _timestamps(rng, quarter, days, zone)
            level = calculations.level_of(
                calculations.Reading(
                    actual=value,
                    target=Decimal(str(spec.target)),
                    polarity=calculations.Polarity(spec.polarity),
                    decimals=1,
                )
            )
            values.append(
                Value(
                    indicator=indicator,
                    period=str(quarter),
                    period_start=quarter.start,
                    value=value,
                    comment=COMMENTS[spec.code] if level in BEHIND else "",
                    status=Value.Status.ACTIVATED,
                    entered_by_id=enterers[0] if enterers else None,
                    entered_at=entered,
                    submitted_at=submitted,
                    activated_by_id=managers[0] if managers else None,
                    activated_at=activated,
                    changed_at=activated,
                )
            )
    Target.objects.bulk_create(targets, batch_size=500)
    Value.objects.bulk_create(values, batch_size=500)
    LongTermTarget.objects.bulk_create(long_term)
    return len(SPECS)
