"""The demo council's services, indicators, targets, values and plans for `seed_demo` (SPEC §2–§5).

`performance.demo.build()` calls `seed(context)` after `performance.demo.seed` (organisation,
users, Strategic Plan), inside the same transaction. This module makes the indicators and runs
the step; the other parts live beside it (`organisation`, `targets`, `values`, `strategic_plan`,
`service_plans`, `action_plans`).

What it makes, at every scale:
- one service per team, grouped in threes under Heads of Service ("head" heads the first three);
- six to ten indicators per team from `demo/data/indicator_catalogue.csv` (titles, targets and
  typical performance based on Hart District Council's published KPIs), the first three being
  the team's customer, financial and process indicators that Reach the Summit scores;
- enterers and data managers from the team's members ("enterer" and "manager" on the first
  team's indicators), outcomes and measures of success, targets for every period of every
  financial year with their SMART record, long-term targets for KPIs;
- activated values from 1 April five financial years back (ten at `stress`) to the last period
  whose collection window has closed; the open round is left empty for the collection cycle;
- strategic actions with bi-annual updates, a service plan per service for this and last
  financial year (objectives, activities, milestones, monthly progress), individual objectives,
  open action plans for a few Red indicators (one revised), and one SPC change point.

Policy:
- Deterministic: only `context.rng` is drawn from, always in the order of lists built here (never
  from database order), so the same `--seed` gives the same council on SQLite and PostgreSQL.
  Only "today" (`timezone.localdate()`) moves the history along. The parts are called in a fixed
  order, and each draws in the order it always has: moving a draw changes the whole council.
- Values come from a per-indicator random walk of the shortfall against target (`values`).
- Seeding is not an audited change: rows are bulk-created and no `AuditEvent` is written. The
  audit trail records people's changes to the council's data; loading a demo is neither, and
  hundreds of thousands of audit rows would only slow the `stress` scale down.
- Speed: rows are built in memory and written with `bulk_create` in batches; no query per row.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from performance.core import periods
from performance.core.calculations import Polarity
from performance.core.periods import Period
from performance.demo.action_plans import create_action_plans
from performance.demo.bulk import BATCH
from performance.demo.catalogue import Template, base_and_copy, load_catalogue
from performance.demo.corporate_health import create_corporate_health
from performance.demo.figures import (
    IndicatorPlan,
    clip,
    scaled_target,
    size_factor,
    stable_number,
    to_decimal,
    value_from_shortfall,
)
from performance.demo.forecasts import add_forecasts
from performance.demo.organisation import Org, services_and_staff
from performance.demo.service_plans import create_service_plans
from performance.demo.strategic_plan import create_strategic_actions, link_outcomes
from performance.demo.values import targets_and_values
from performance.models import Indicator, Outcome, StrategicPlan

if TYPE_CHECKING:
    from performance.demo import DemoContext

HISTORY_YEARS = {"small": 5, "council": 5, "county": 5, "stress": 10}


def seed(context: DemoContext) -> None:
    """Add services, indicators, targets, values and plans to the council `context` describes."""
    started = time.monotonic()
    today = timezone.localdate()
    scale = context.scale.name
    current_fy = periods.financial_year_of(today).fy_start_year
    first_fy = current_fy - HISTORY_YEARS.get(scale, 5)
    plan = StrategicPlan.objects.order_by("-first_year").first()
    rows = Outcome.objects.filter(priority__plan=plan).select_related("priority")
    outcomes = {
        f"{o.priority.number}.{o.number}": o
        for o in sorted(rows, key=lambda o: (o.priority.number, o.number))
    }
    if not outcomes:
        raise ValueError("The demo's indicators need the Strategic Plan's outcomes seeded first.")
    org = services_and_staff(context)
    templates = load_catalogue()
    plans = _indicator_plans(context, org, templates, outcomes)
    _create_indicators(plans, first_fy=first_fy, current_fy=current_fy, today=today)
    counts = targets_and_values(context, plans, first_fy, current_fy, today)
    link_outcomes(plans, outcomes)
    create_strategic_actions(context, plan, outcomes, org, today)
    plan_counts = create_service_plans(context, org, outcomes, current_fy, today)
    action_plans = create_action_plans(context, plans, org, today)
    corporate = create_corporate_health(context, org, outcomes, first_fy=first_fy, today=today)
    forecast_count = add_forecasts(context, today=today)  # issue 20; last: its own randomness
    context.log(
        f"Indicators: {len(plans)} ({sum(p.template.kind == 'KPI' for p in plans)} KPIs) with "
        f"{counts['targets']} targets and {counts['values']} values from "
        f"{periods.Period.for_year(first_fy)} to {counts['last'] or 'none yet'}; "
        f"{plan_counts['plans']} service plans, {plan_counts['milestones']} milestones, "
        f"{action_plans} action plans, {corporate} corporate health indicators, "
        f"{forecast_count} year-end forecasts "
        f"({time.monotonic() - started:.1f} s)."
    )


def _per_team(scale: str, index: int) -> int:
    if scale == "stress":
        return 10
    if scale == "county":
        return 7 if index % 3 != 2 else 6
    return 6


def _indicator_plans(
    context: DemoContext, org: Org, templates: list[Template], outcomes: dict[str, Outcome]
) -> list[IndicatorPlan]:
    rng = context.rng
    by_team: dict[str, list[Template]] = defaultdict(list)
    for template in templates:
        by_team[template.team].append(template)
    team_types = list(by_team)
    fallback_outcome = next(iter(outcomes.values()))
    demo_enterer, demo_manager = context.users["enterer"].pk, context.users["manager"].pk
    plans = []
    for index, team in enumerate(context.teams):
        base, copy = base_and_copy(team.name)
        known = base in by_team
        # A team name the catalogue does not know borrows a team type and numbers its codes.
        chosen = by_team[base] if known else by_team[team_types[index % len(team_types)]]
        size = 1.0 if copy == 1 else rng.uniform(0.6, 1.6)
        enterers = org.enterers.get(team.id, [])
        managers = org.managers.get(team.id, [])
        if index == 0:  # the demo logins enter and manage the first team's data
            enterers = [demo_enterer, *[u for u in enterers if u != demo_enterer]]
            managers = [demo_manager, *[u for u in managers if u != demo_manager]]
        for template in chosen[: _per_team(context.scale.name, index)]:
            prefix, number = template.code.split()
            if not known:
                prefix = f"T{index + 1:03d}"
            elif copy > 1:
                prefix = f"{prefix}{copy}"
            code = f"{prefix} {number}"
            outcome = outcomes.get(template.outcome, fallback_outcome)
            sd = template.noise
            plans.append(
                IndicatorPlan(
                    template=template,
                    team=team,
                    code=code,
                    size=size,
                    outcome_id=outcome.pk,
                    enterers=enterers,
                    managers=managers,
                    bias=template.bias - 0.4 * sd + rng.gauss(0, 0.6 * sd),
                    drift=rng.gauss(0, 0.35),
                    step=rng.uniform(0, 0.8),
                    phi=rng.uniform(0.3, 0.7),
                    # A few targets lack SMART parts, so the check has something to show;
                    # never on the first team, whose pages the demo logins open first.
                    smart_complete=rng.random() > 0.08 or index == 0,
                )
            )
    return plans


def _create_indicators(
    plans: list[IndicatorPlan], *, first_fy: int, current_fy: int, today: dt.date
) -> None:
    """Create the indicators with their team, enterers and data managers.

    The baseline is the year before the history starts, at the indicator's typical shortfall.
    """
    baseline_period = str(Period.for_year(first_fy - 1))
    rows = []
    for plan in plans:
        t = plan.template
        baseline = None
        if t.polarity is Polarity.NONE:
            baseline = to_decimal(t.level * size_factor(plan, t), t.decimals)
        elif t.target is not None:
            target = scaled_target(plan, first_fy, current_fy)
            baseline = value_from_shortfall(t, float(target), plan.bias)
            baseline = to_decimal(clip(t, baseline, target), t.decimals)
        rows.append(
            Indicator(
                code=plan.code,
                title=t.title,
                kind=t.kind,
                perspective=t.perspective,
                aspect=t.aspect,
                polarity=t.polarity.value,
                unit=t.unit,
                decimals=t.decimals,
                frequency=t.frequency.value,
                aggregation=t.aggregation,
                year_to_date=t.ytd,
                definition=t.definition,
                guidance=_guidance(t),
                data_source=f"third party: {t.partner}" if t.partner else t.source,
                third_party_partner=t.partner,
                team=plan.team,
                baseline=baseline,
                baseline_period=baseline_period if baseline is not None else "",
                tolerance=t.tolerance,
                vfm_role=t.vfm,
                reviewed_on=today - dt.timedelta(days=20 + (stable_number(plan.code) % 520)),
            )
        )
    created = Indicator.objects.bulk_create(rows, batch_size=BATCH)
    through_rows: list[models.Model] = []
    for plan, indicator in zip(plans, created, strict=True):
        plan.indicator_id = indicator.pk
        through_rows += [
            Indicator.enterers.through(indicator_id=indicator.pk, user_id=u) for u in plan.enterers
        ]
    Indicator.enterers.through.objects.bulk_create(through_rows, batch_size=BATCH)
    Indicator.managers.through.objects.bulk_create(
        [
            Indicator.managers.through(indicator_id=plan.indicator_id, user_id=u)
            for plan in plans
            for u in plan.managers
        ],
        batch_size=BATCH,
    )


def _guidance(t: Template) -> str:
    how = {
        "sum": "Enter the count for the period; longer periods add the periods up.",
        "last": "Enter the position at the end of the period; longer periods take the last one.",
        "mean": "Enter the figure for the period; longer periods take the mean.",
        "ratio": "Enter the numerator and the denominator; longer periods divide their sums.",
    }[t.aggregation]
    if t.ytd:
        how += " The figure is cumulative from 1 April, so the target rises through the year."
    decimals = f"Report to {t.decimals} decimal place{'s' if t.decimals != 1 else ''}."
    return f"{how} {decimals}" if t.decimals else f"{how} Report whole numbers."
