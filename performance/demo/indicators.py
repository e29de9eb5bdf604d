"""The demo council's services, indicators, targets, values and plans for `seed_demo` (SPEC §2–§5).

`performance.demo.build()` calls `seed(context)` after `performance.demo.seed` (organisation,
users, Strategic Plan), inside the same transaction.

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
  Only "today" (`timezone.localdate()`) moves the history along.
- Values come from a per-indicator random walk of the shortfall against target: an AR(1) wobble
  around the indicator's typical shortfall, a slow drift (improving or deteriorating over the
  years) and, for a few indicators, a sudden shift of about two standard deviations some periods
  ago, which SPC reads as special cause. Amber and Red values carry a performance comment.
- Seeding is not an audited change: rows are bulk-created and no `AuditEvent` is written. The
  audit trail records people's changes to the council's data; loading a demo is neither, and
  hundreds of thousands of audit rows would only slow the `stress` scale down.
- Speed: rows are built in memory and written with `bulk_create` in batches; no query per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone

from performance.common import access
from performance.core import calculations, periods
from performance.core.calculations import Level, Polarity
from performance.core.periods import Frequency, Period
from performance.core.roles import Role
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    Indicator,
    IndicatorComment,
    IndividualObjective,
    LongTermTarget,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Service,
    ServicePlan,
    ServicePlanObjective,
    SpcChangePoint,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
    Value,
)

DATA = Path(__file__).resolve().parent / "data"
HART_CSV = DATA / "kpi_hart_district_council_2014.csv"
CATALOGUE_CSV = DATA / "indicator_catalogue.csv"
SERVICE_PLANS_CSV = DATA / "service_plans.csv"

BATCH = 2000  # rows per INSERT; Django splits further if the database needs it
HISTORY_YEARS = {"small": 5, "council": 5, "county": 5, "stress": 10}
ACTION_PLANS = {"small": 3, "council": 4, "county": 6, "stress": 12}
TEAMS_PER_HEAD = 3
# Typical shortfalls are kept in this band (percent of target) so that no indicator is hopeless
# or beyond reach; Hart's own figures include data errors that would say otherwise.
BIAS_RANGE = (-6.0, 12.0)
NO_DATA_RATE = 0.006
PROXY_RATE = 0.004
SHIFT_RATE = 0.05

if TYPE_CHECKING:
    from performance.demo import DemoContext


# --- the catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """One row of the indicator catalogue, with Hart's figures folded in."""

    team: str
    code: str
    title: str
    kind: str
    perspective: str
    aspect: str
    polarity: Polarity
    unit: str
    decimals: int
    frequency: Frequency
    aggregation: str
    ytd: bool
    target: float | None
    bias: float  # typical shortfall in % of target (in units when the target is 0)
    level: float | None  # typical value of a data-only indicator
    noise: float
    volume: int | None
    tolerance: Decimal | None
    outcome: str
    source: str
    partner: str
    vfm: str
    definition: str
    hart_ref: str


def _shortfall(actual: float, target: float, polarity: Polarity) -> float:
    if target == 0:
        return target - actual if polarity is Polarity.HIGHER else actual - target
    gap = target - actual if polarity is Polarity.HIGHER else actual - target
    return gap / abs(target) * 100


def _hart() -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with HART_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["kpi_ref"]].append(row)
    return rows


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


def load_catalogue() -> list[Template]:
    """The catalogue rows in file order, with titles, targets and typical values from Hart."""
    hart = _hart()
    templates = []
    with CATALOGUE_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            polarity = Polarity(row["polarity"])
            hart_rows = sorted(hart.get(row["hart_ref"], []), key=lambda r: r["snapshot"])
            if row["hart_ref"] and not hart_rows:
                raise ValueError(f"{row['code']}: Hart KPI {row['hart_ref']!r} is not in the data")
            latest = hart_rows[-1] if hart_rows else {}
            title = row["title"] or latest.get("indicator", "")
            target = _number(row["target"])
            if target is None and polarity is not Polarity.NONE and latest:
                target = float(latest["target"])
            typical = _number(row["typical"])
            level = None
            if polarity is Polarity.NONE:
                published = [float(r["value_current"]) for r in hart_rows]
                published = [v for v in published if v]
                level = typical if typical is not None else sum(published) / len(published)
                bias = 0.0
            elif typical is not None:
                bias = _shortfall(typical, target, polarity)
            else:
                pairs = [
                    (float(r["value_current"]), float(r["target"]))
                    for r in hart_rows
                    if float(r["value_current"]) and float(r["target"])
                ]
                bias = sum(_shortfall(v, t, polarity) for v, t in pairs) / len(pairs)
            if target:  # a zero target's bias is in units, not percent
                bias = min(max(bias, BIAS_RANGE[0]), BIAS_RANGE[1])
            templates.append(
                Template(
                    team=row["team"],
                    code=row["code"],
                    title=title,
                    kind=row["kind"],
                    perspective=row["perspective"],
                    aspect=row["aspect"],
                    polarity=polarity,
                    unit=row["unit"],
                    decimals=int(row["decimals"]),
                    frequency=Frequency(row["frequency"]),
                    aggregation=row["aggregation"],
                    ytd=row["profile"] == "ytd",
                    target=target,
                    bias=bias,
                    level=level,
                    noise=float(row["noise"]),
                    volume=int(row["volume"]) if row["volume"] else None,
                    tolerance=Decimal(row["tolerance"]) if row["tolerance"] else None,
                    outcome=row["outcome"],
                    source=row["source"],
                    partner=row["partner"],
                    vfm=row["vfm"],
                    definition=row["definition"],
                    hart_ref=row["hart_ref"],
                )
            )
    return templates


def _service_plan_catalogue() -> dict[str, list[tuple[str, str, list[str]]]]:
    """Team type → [(objective, outcome code, [activities])] in file order."""
    plans: dict[str, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    with SERVICE_PLANS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            objective = plans[row["team"]].setdefault(row["objective"], (row["outcome"], []))
            objective[1].append(row["activity"])
    return {
        team: [(title, outcome, activities) for title, (outcome, activities) in items.items()]
        for team, items in plans.items()
    }


# --- words ---------------------------------------------------------------------------------------

CAUSES = [
    "two vacancies in the team for most of the period",
    "staff sickness in a small team",
    "demand around {n}% higher than the same period last year",
    "a system outage during the period",
    "a backlog carried over from the previous period",
    "the new case management system bedding in",
    "seasonal pressure on the service",
    "the contractor's staffing problems",
]
REMEDIES = [
    "Recruitment is under way and agency cover is in place.",
    "Overtime has been approved to clear the backlog.",
    "An improvement plan has been agreed with the service manager.",
    "Processes are being reviewed with the Policy & Performance team.",
    "We expect to be back on target next period.",
    "The contract manager has issued a default notice and is monitoring weekly.",
]
SHIFT_NOTES = [
    "A new process went live in {period}; the team expects the change to last.",
    "The service was restructured from {period}.",
    "New system introduced in {period}: figures are now recorded differently.",
]
MILESTONE_STAGES = [
    "Project brief agreed",
    "Options appraisal completed",
    "Consultation closed",
    "Decision taken by Cabinet",
    "Procurement completed",
    "Go-live",
    "Post-implementation review reported",
]
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
ACTION_TEMPLATES = [
    (
        "Review the process end to end with the team and agree changes",
        "Process map drawn\nChanges agreed",
    ),
    ("Clear the backlog with temporary staff", "Temporary staff in post\nBacklog below two weeks"),
    ("Report weekly figures to the Head of Service", "Weekly report set up"),
    ("Train staff in the revised procedure", "Training delivered\nRefresher in three months"),
    (
        "Agree a recovery trajectory with the portfolio holder",
        "Trajectory agreed\nReviewed at Management Team",
    ),
]
OBJECTIVE_TEMPLATES = ["Lead the work to {a}", "Support the team to {a}", "Report monthly on: {a}"]
UPDATE_TEXT = {
    StrategicActionUpdate.Status.ON_TRACK: "Progressing to plan; the next stage is being prepared.",
    StrategicActionUpdate.Status.AT_RISK: "Slower than planned because of competing priorities; "
    "a revised timetable goes to Management Team.",
    StrategicActionUpdate.Status.OFF_TRACK: "Behind plan: the original timetable will be missed "
    "and the lead member has been briefed.",
    StrategicActionUpdate.Status.COMPLETE: "Complete; benefits will be reported in the next review.",
}


# --- plans for each indicator ------------------------------------------------------------------


@dataclass
class _Plan:
    """One indicator to create and how its figures behave."""

    template: Template
    team: Team
    code: str
    size: float
    outcome_id: int
    enterers: list[int]
    managers: list[int]
    bias: float
    drift: float  # change of shortfall per year, in standard deviations of noise
    step: float  # % the target tightens each year
    phi: float
    smart_complete: bool
    shift: float = 0.0
    shift_from: int | None = None
    change_point: bool = False
    indicator_id: int = 0
    latest: list[tuple[Period, Level | None, Decimal | None, Decimal | None]] = field(
        default_factory=list
    )


@dataclass
class _Org:
    enterers: dict[int, list[int]]  # team id → enterer ids (membership order)
    managers: dict[int, list[int]]
    heads: dict[int, int]  # team id → Head of Service id
    services: dict[int, int]  # team id → service id


def _base_and_copy(name: str) -> tuple[str, int]:
    """("Waste and Street Scene 3" → ("Waste and Street Scene", 3)); the original is copy 1."""
    match = re.fullmatch(r"(.*) (\d+)", name)
    return (match[1], int(match[2])) if match else (name, 1)


def _per_team(scale: str, index: int) -> int:
    if scale == "stress":
        return 10
    if scale == "county":
        return 7 if index % 3 != 2 else 6
    return 6


def _nice(value: float, decimals: int, unit: str) -> Decimal:
    """Round a generated target the way a council would write it."""
    size = abs(value)
    if unit in ("currency", "number") and size >= 10000:
        return Decimal(round(value / 1000) * 1000)
    if unit in ("currency", "number") and size >= 1000:
        return Decimal(round(value / 10) * 10)
    if decimals == 0 and size >= 100:
        return Decimal(round(value / 5) * 5)
    return Decimal(f"{value:.{decimals}f}")


def _decimal(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


# --- the seed ------------------------------------------------------------------------------------


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
    org = _organisation(context)
    templates = load_catalogue()
    plans = _indicator_plans(context, org, templates, outcomes)
    _create_indicators(plans, first_fy=first_fy, current_fy=current_fy, today=today)
    counts = _targets_and_values(context, plans, first_fy, current_fy, today)
    _outcome_links(plans, outcomes)
    _strategic_actions(context, plan, outcomes, org, today)
    plan_counts = _service_plans(context, org, outcomes, current_fy, today)
    action_plans = _action_plans(context, plans, org, today)
    context.log(
        f"Indicators: {len(plans)} ({sum(p.template.kind == 'KPI' for p in plans)} KPIs) with "
        f"{counts['targets']} targets and {counts['values']} values from "
        f"{periods.Period.for_year(first_fy)} to {counts['last'] or 'none yet'}; "
        f"{plan_counts['plans']} service plans, {plan_counts['milestones']} milestones, "
        f"{action_plans} action plans ({time.monotonic() - started:.1f} s)."
    )


# --- organisation: members, services and Heads of Service ----------------------------------------


def _organisation(context: DemoContext) -> _Org:
    """Who enters and manages each team's data, and the services the teams belong to.

    Every team needs an enterer and a data manager; where the round-robin of `performance.demo`
    ran out of officers (the `stress` scale has more teams than officers), one covering officer
    of each role is borrowed from another team and made a member. Teams are grouped in threes
    under a Head of Service: "head" for the first three, then the group's first data manager,
    who is given the Service manager role as well.
    """
    user_model = get_user_model()
    teams = context.teams
    names_by_user: dict[int, set[str]] = defaultdict(set)
    for user_id, name in user_model.groups.through.objects.values_list(
        "user_id", "group__name"
    ).order_by("user_id", "group__name"):
        names_by_user[user_id].add(name)
    enterers: dict[int, list[int]] = defaultdict(list)
    managers: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in TeamMembership.objects.order_by("id").values_list("team_id", "user_id"):
        if Role.DATA_ENTERER.value in names_by_user[user_id]:
            enterers[team_id].append(user_id)
        if Role.DATA_MANAGER.value in names_by_user[user_id]:
            managers[team_id].append(user_id)
    # The demo logins stay in the first team only, so what they see is what the README says.
    logins = {context.users[name].pk for name in ("enterer", "manager") if name in context.users}
    pools = {
        Role.DATA_ENTERER: sorted({u for ids in enterers.values() for u in ids} - logins),
        Role.DATA_MANAGER: sorted({u for ids in managers.values() for u in ids} - logins),
    }
    borrowed = []
    for role, by_team in ((Role.DATA_ENTERER, enterers), (Role.DATA_MANAGER, managers)):
        pool = pools[role]
        for index, team in enumerate(teams):
            if not by_team[team.id] and pool:
                user_id = pool[index % len(pool)]
                by_team[team.id].append(user_id)
                borrowed.append(TeamMembership(team_id=team.id, user_id=user_id))
    TeamMembership.objects.bulk_create(borrowed, batch_size=BATCH, ignore_conflicts=True)

    head_id = context.users["head"].pk
    service_manager = access.group_for(Role.SERVICE_MANAGER)
    heads: dict[int, int] = {}
    promoted = []
    for start in range(0, len(teams), TEAMS_PER_HEAD):
        group = teams[start : start + TEAMS_PER_HEAD]
        if start == 0:
            chosen = head_id
        else:
            candidates = [m for team in group for m in managers[team.id]]
            chosen = candidates[0] if candidates else head_id
            if Role.SERVICE_MANAGER.value not in names_by_user[chosen]:
                names_by_user[chosen].add(Role.SERVICE_MANAGER.value)
                promoted.append(
                    user_model.groups.through(user_id=chosen, group_id=service_manager.pk)
                )
        for team in group:
            heads[team.id] = chosen
    user_model.groups.through.objects.bulk_create(promoted, batch_size=BATCH)

    services = Service.objects.bulk_create(
        [
            Service(
                name=team.name,
                directorate_id=team.directorate_id,
                head_of_service_id=heads[team.id],
            )
            for team in teams
        ],
        batch_size=BATCH,
    )
    for team, service in zip(teams, services, strict=True):
        team.service_id = service.pk
        team.head_of_service_id = heads[team.id]
    Team.objects.bulk_update(teams, ["service", "head_of_service"], batch_size=BATCH)
    return _Org(
        enterers=dict(enterers),
        managers=dict(managers),
        heads=heads,
        services={team.id: team.service_id for team in teams},
    )


# --- indicators ----------------------------------------------------------------------------------


def _indicator_plans(
    context: DemoContext, org: _Org, templates: list[Template], outcomes: dict[str, Outcome]
) -> list[_Plan]:
    rng = context.rng
    by_team: dict[str, list[Template]] = defaultdict(list)
    for template in templates:
        by_team[template.team].append(template)
    team_types = list(by_team)
    fallback_outcome = next(iter(outcomes.values()))
    demo_enterer, demo_manager = context.users["enterer"].pk, context.users["manager"].pk
    plans = []
    for index, team in enumerate(context.teams):
        base, copy = _base_and_copy(team.name)
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
                _Plan(
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
    plans: list[_Plan], *, first_fy: int, current_fy: int, today: dt.date
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
            baseline = _decimal(t.level * _scale(plan, t), t.decimals)
        elif t.target is not None:
            target = _scaled_target(plan, first_fy, current_fy)
            baseline = _value_from_shortfall(t, float(target), plan.bias)
            baseline = _decimal(_clip(t, baseline, target), t.decimals)
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
                reviewed_on=today - dt.timedelta(days=20 + (_stable_number(plan.code) % 520)),
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


def _stable_number(code: str) -> int:
    """A stable small number from a code (Python's `hash` of a str changes between runs)."""
    return sum((index + 1) * ord(char) for index, char in enumerate(code))


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


def _scale(plan: _Plan, t: Template) -> float:
    """Bigger and smaller copies of a team have bigger and smaller counts and budgets."""
    if t.unit in ("number", "currency") and (
        t.aggregation == "sum" or (t.aggregation == "last" and t.unit == "number")
    ):
        return plan.size
    return 1.0


def _scaled_target(plan: _Plan, fy: int, current_fy: int) -> Decimal:
    """The year's target (the full-year figure for a cumulative profile), tightened over time."""
    t = plan.template
    base = t.target * _scale(plan, t)
    years_back = current_fy - fy
    factor = 1 - plan.step * years_back / 100
    value = base * factor if t.polarity is Polarity.HIGHER else base / factor
    if t.unit == "percent":
        value = min(value, 100.0)
    return _nice(value, t.decimals, t.unit)


def _value_from_shortfall(t: Template, target: float, shortfall: float) -> float:
    if target == 0:
        return target - shortfall if t.polarity is Polarity.HIGHER else target + shortfall
    if t.polarity is Polarity.HIGHER:
        return target * (1 - shortfall / 100)
    return target * (1 + shortfall / 100)


def _clip(t: Template, value: float, target: Decimal | float | None) -> float:
    if t.unit == "percent":
        return min(max(value, 0.0), 100.0)
    if target is not None and float(target) == 0:
        return value  # days ahead (+) or behind (−) a timetable may be negative
    return max(value, 0.0)


# --- targets and values --------------------------------------------------------------------------


TARGET_FIELDS = (
    "indicator_id",
    "period",
    "period_start",
    "value",
    "outcome_id",
    "achievable_evidence",
    "benchmark_quartile",
    "realistic",
    "realism_note",
)
SMART_DEFAULTS = (
    ("outcome_id", None),
    ("achievable_evidence", ""),
    ("benchmark_quartile", None),
    ("realistic", False),
    ("realism_note", ""),
)
VALUE_FIELDS = (
    "indicator_id",
    "period",
    "period_start",
    "value",
    "numerator",
    "denominator",
    "comment",
    "source",
    "is_proxy",
    "third_party_partner",
    "status",
    "entered_by_id",
    "entered_at",
    "submitted_at",
    "activated_by_id",
    "activated_at",
)


def _fast_insert(model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> int:
    """INSERT `rows` (tuples in the order of `names`, by attname) in batches; return the count.

    Why not `bulk_create`: at the `stress` scale there are a third of a million targets and
    values, and building a model instance and compiling every field of every row costs minutes.
    This writes the same columns through the same database adapters: every concrete field not
    in `names` gets its model default (a field added later with a default keeps working), and
    aware datetimes are adapted as Django adapts them (UTC text on SQLite, as-is on PostgreSQL).
    """
    if not rows:
        return 0
    ops = connection.ops
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = set(names) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    now = timezone.now()
    rest = [f for name, f in fields.items() if name not in names]
    tail = tuple(
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in rest
    )
    moments = [i for i, name in enumerate(names) if isinstance(fields[name], models.DateTimeField)]
    columns = [fields[name].column for name in names] + [f.column for f in rest]
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} "
        f"({', '.join(ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def adapted(row: tuple) -> tuple:
        if moments:
            cells = list(row)
            for i in moments:
                cells[i] = ops.adapt_datetimefield_value(cells[i])
            row = tuple(cells)
        return row + tail

    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [adapted(row) for row in rows[start : start + BATCH]])
    return len(rows)


def _targets_and_values(
    context: DemoContext,
    plans: list[_Plan],
    first_fy: int,
    current_fy: int,
    today: dt.date,
) -> dict:
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    zone = ZoneInfo(settings.TIME_ZONE)
    closed = {kind: _value_periods(kind, first_fy, today, days) for kind in Frequency}
    years = {
        kind: [Period.for_year(fy).sub_periods(kind) for fy in range(first_fy, current_fy + 1)]
        for kind in Frequency
    }
    _choose_shifts(rng, plans, closed)
    targets: list[tuple] = []
    values: list[tuple] = []
    long_term: list[LongTermTarget] = []
    counts: dict = {"targets": 0, "values": 0}

    def flush(force: bool = False) -> None:
        if force or len(values) + len(targets) >= 10 * BATCH:
            counts["targets"] += _fast_insert(Target, TARGET_FIELDS, targets)
            counts["values"] += _fast_insert(Value, VALUE_FIELDS, values)
            targets.clear()
            values.clear()

    for plan in plans:
        t = plan.template
        smart = _smart(plan, first_fy)
        smart_cells = tuple(smart.get(name, default) for name, default in SMART_DEFAULTS)
        year_targets: dict[Period, Decimal] = {}
        if t.polarity is not Polarity.NONE and t.target is not None:
            for fy, subs in enumerate(years[t.frequency], start=first_fy):
                annual = _scaled_target(plan, fy, current_fy)
                for number, period in enumerate(subs, start=1):
                    value = annual
                    if t.ytd:
                        value = _nice(float(annual) * number / len(subs), t.decimals, t.unit)
                    year_targets[period] = value
                    targets.append(
                        (plan.indicator_id, str(period), period.start, value, *smart_cells)
                    )
        if t.kind == "KPI" and t.polarity is not Polarity.NONE and t.target is not None:
            final = _scaled_target(plan, current_fy, current_fy)
            better = float(final) * (1.05 if t.polarity is Polarity.HIGHER else 0.95)
            if t.unit == "percent":
                better = min(better, 100.0)
            long_term.append(
                LongTermTarget(
                    indicator_id=plan.indicator_id,
                    value=_nice(better, t.decimals, t.unit) if final else final,
                    by_year=str(Period.for_year(current_fy + 3)),
                    **smart,
                )
            )
        values.extend(_values(rng, plan, closed[t.frequency], days, zone, year_targets))
        flush()
    flush(force=True)
    LongTermTarget.objects.bulk_create(long_term, batch_size=BATCH)
    SpcChangePoint.objects.bulk_create(
        [
            SpcChangePoint(
                indicator_id=plan.indicator_id,
                period=str(closed[plan.template.frequency][plan.shift_from]),
                note="New way of working introduced; the process changed, so limits are rebased.",
            )
            for plan in plans
            if plan.change_point and plan.shift_from is not None
        ]
    )
    quarters = closed[Frequency.QUARTERLY]
    counts["last"] = quarters[-1] if quarters else None
    return counts


def _value_periods(kind: Frequency, first_fy: int, today: dt.date, days: int) -> list[Period]:
    """Every period of `kind` from the start of `first_fy` whose collection window has closed."""
    result = []
    period = Period.for_year(first_fy).sub_periods(kind)[0]
    while periods.window_close(period.request_date(), days) < today:
        result.append(period)
        period = period.next()
    return result


def _choose_shifts(rng, plans: list[_Plan], closed: dict[Frequency, list[Period]]) -> None:
    """A sudden shift for about one indicator in twenty; the first monthly one is rebased."""
    change_point_done = False
    for plan in plans:
        t = plan.template
        count = len(closed[t.frequency])
        wanted = rng.random() < SHIFT_RATE
        is_change_point = (
            not change_point_done
            and t.frequency is Frequency.MONTHLY
            and t.polarity is not Polarity.NONE
            and count >= 30
        )
        if not (wanted or is_change_point) or count < 16:
            continue
        if is_change_point:
            # Improving by about two and a half standard deviations, 14 months ago, so the new
            # segment has the 12 points SPC needs after the rebase.
            plan.shift_from = count - 14
            plan.shift = -2.5 * t.noise
            plan.change_point = change_point_done = True
        else:
            back = rng.randint(9, 15) if t.frequency is Frequency.MONTHLY else rng.randint(7, 9)
            plan.shift_from = count - back
            plan.shift = rng.choice([-1, 1]) * rng.uniform(1.8, 2.5) * t.noise


def _smart(plan: _Plan, first_fy: int) -> dict:
    t = plan.template
    if not plan.smart_complete:
        return {"outcome_id": plan.outcome_id, "realistic": False}
    source = f"Hart District Council's published {t.hart_ref} figures and " if t.hart_ref else ""
    return {
        "outcome_id": plan.outcome_id,
        "achievable_evidence": (
            f"Based on {source}our {Period.for_year(first_fy - 1)} baseline and the trend "
            "of the last three years."
        ),
        "benchmark_quartile": (_stable_number(plan.code) % 4) + 1 if t.kind == "KPI" else None,
        "realistic": True,
        "realism_note": "Agreed by the Head of Service with the portfolio holder.",
    }


def _values(
    rng,
    plan: _Plan,
    value_periods: list[Period],
    days: int,
    zone: ZoneInfo,
    year_targets: dict[Period, Decimal],
) -> Iterator[tuple]:
    """Activated values (and the odd No data) of one indicator, as rows of VALUE_FIELDS."""
    t = plan.template
    count = len(value_periods)
    sd = t.noise
    innovation = sd * math.sqrt(1 - plan.phi**2)
    wobble = rng.gauss(0, sd)
    level = (t.level or 0) * _scale(plan, t)
    volume = max(1, round((t.volume or 0) * plan.size)) if t.volume else None
    source = t.source
    for index, period in enumerate(value_periods):
        wobble = plan.phi * wobble + rng.gauss(0, innovation)
        years_from_middle = (index - (count - 1) / 2) / t.frequency.per_year
        shortfall = plan.bias + plan.drift * sd * years_from_middle + wobble
        if plan.shift_from is not None and index >= plan.shift_from:
            shortfall += plan.shift
        target = year_targets.get(period)
        if rng.random() < NO_DATA_RATE and t.polarity is not Polarity.NONE:
            yield (
                plan.indicator_id,
                str(period),
                period.start,
                None,
                None,
                None,
                "",
                "",
                False,
                "",
                Value.Status.NO_DATA.value,
                None,
                None,
                None,
                None,
                None,
            )
            continue
        if t.polarity is Polarity.NONE:
            raw = level * (1 + shortfall / 100)
        else:
            raw = _value_from_shortfall(t, float(target), shortfall)
        raw = _clip(t, raw, target)
        numerator = denominator = None
        if t.aggregation == "ratio" and volume:
            count_in = max(1, round(volume * rng.uniform(0.8, 1.2)))
            hits = min(max(round(count_in * raw / 100), 0), count_in)
            numerator, denominator = Decimal(hits), Decimal(count_in)
            raw = hits / count_in * 100
        actual = _decimal(raw, t.decimals)
        level_now = None
        if target is not None:
            level_now = calculations.level_of(
                calculations.Reading(
                    actual=actual,
                    target=target,
                    polarity=t.polarity,
                    decimals=t.decimals,
                    tolerance=t.tolerance if t.tolerance is not None else Decimal(10),
                )
            )
        comment = _comment(rng, level_now, plan, index)
        is_proxy = rng.random() < PROXY_RATE
        if is_proxy:
            comment = (
                f"{comment} Proxy figure: estimated from the previous period because the "
                "source report was not available in time."
            ).strip()
        entered_at, submitted_at, activated_at = _timestamps(rng, period, days, zone)
        plan.latest = [*plan.latest[-1:], (period, level_now, actual, target)]
        yield (
            plan.indicator_id,
            str(period),
            period.start,
            actual,
            numerator,
            denominator,
            comment,
            source,
            is_proxy,
            t.partner,
            Value.Status.ACTIVATED.value,
            _pick(rng, plan.enterers),
            entered_at,
            submitted_at,
            _pick(rng, plan.managers),
            activated_at,
        )


def _pick(rng, people: list[int]) -> int | None:
    """The main officer most of the time, a colleague sometimes."""
    if not people:
        return None
    if len(people) == 1 or rng.random() < 0.8:
        return people[0]
    return rng.choice(people[1:])


def _comment(rng, level: Level | None, plan: _Plan, index: int) -> str:
    """The enterer's performance comment: required on Amber and Red, and at a process change."""
    polarity = plan.template.polarity
    if plan.shift_from is not None and index == plan.shift_from:
        note = rng.choice(SHIFT_NOTES).format(period="this period")
        if level in (Level.FIRSTBASE, Level.BASECAMP):
            return f"{note} {_shortfall_comment(rng, level, polarity)}"
        return note
    if level in (Level.FIRSTBASE, Level.BASECAMP):
        return _shortfall_comment(rng, level, polarity)
    return ""


def _shortfall_comment(rng, level: Level, polarity: Polarity) -> str:
    cause = rng.choice(CAUSES).format(n=rng.randint(8, 25))
    side = "Above" if polarity is Polarity.LOWER else "Below"
    text = f"{side} target because of {cause}. {rng.choice(REMEDIES)}"
    if level is Level.BASECAMP:
        text += " Raised with the Head of Service."
    return text


def _timestamps(
    rng, period: Period, days: int, zone: ZoneInfo
) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """Entered, submitted and activated inside the collection window, in office hours.

    Returned in UTC (the London offset of each day is looked up once): the same instants as
    London times, and far cheaper for the database adapter at the `stress` scale.
    """
    opens = period.request_date()
    last = periods.window_close(opens, days)
    entered_day = opens + dt.timedelta(days=rng.randint(0, max(0, days - 4)))
    entered = _at(entered_day, rng.randint(8, 15), rng.randint(0, 59), zone)
    submitted = entered + dt.timedelta(minutes=rng.randint(5, 120))
    activated_day = min(last, entered_day + dt.timedelta(days=rng.randint(0, 3)))
    activated = _at(activated_day, rng.randint(9, 16), rng.randint(0, 59), zone)
    if activated <= submitted:
        activated = submitted + dt.timedelta(minutes=rng.randint(15, 90))
    return entered, submitted, activated


_OFFSETS: dict[tuple[dt.date, str], dt.timedelta] = {}


def _at(day: dt.date, hour: int, minute: int, zone: ZoneInfo) -> dt.datetime:
    """`hour`:`minute` local time on `day` as an aware UTC datetime (office hours: no DST gap)."""
    key = (day, str(zone))
    offset = _OFFSETS.get(key)
    if offset is None:
        offset = _OFFSETS[key] = dt.datetime.combine(day, dt.time(12), tzinfo=zone).utcoffset()
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)
    return local - offset


# --- the golden thread ---------------------------------------------------------------------------


def _outcome_links(plans: list[_Plan], outcomes: dict[str, Outcome]) -> None:
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


def _strategic_actions(
    context: DemoContext,
    plan: StrategicPlan | None,
    outcomes: dict[str, Outcome],
    org: _Org,
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


def _service_plans(
    context: DemoContext,
    org: _Org,
    outcomes: dict[str, Outcome],
    current_fy: int,
    today: dt.date,
) -> dict[str, int]:
    """A service plan per service for last and this financial year, with monthly progress."""
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    catalogue = _service_plan_catalogue()
    team_types = list(catalogue)
    fallback_outcome = next(iter(outcomes.values()))
    plans, plan_keys = [], []
    for index, team in enumerate(context.teams):
        base, _ = _base_and_copy(team.name)
        kind = base if base in catalogue else team_types[index % len(team_types)]
        for fy in (current_fy - 1, current_fy):
            year = str(Period.for_year(fy))
            plans.append(
                ServicePlan(
                    service_id=org.services[team.id],
                    year=year,
                    status=ServicePlan.Status.APPROVED,
                    summary=(
                        f"What {team.name} will deliver in {year} for the Strategic Plan's "
                        "priorities, with milestones reported monthly."
                    ),
                )
            )
            plan_keys.append((team, kind, fy))
    ServicePlan.objects.bulk_create(plans, batch_size=BATCH)

    objectives, activities, activity_keys = [], [], []
    for service_plan, (team, kind, fy) in zip(plans, plan_keys, strict=True):
        people = [
            org.heads[team.id],
            *org.managers.get(team.id, []),
            *org.enterers.get(team.id, []),
        ]
        for number, (title, outcome_code, titles) in enumerate(catalogue[kind], start=1):
            outcome = outcomes.get(outcome_code, fallback_outcome)
            objective = ServicePlanObjective(
                plan=service_plan, number=number, title=title, outcome=outcome
            )
            objectives.append(objective)
            for offset, activity_title in enumerate(titles):
                activities.append(
                    Activity(
                        objective=objective,
                        title=activity_title,
                        outcome=outcome,
                        owner_id=people[(number + offset) % len(people)],
                    )
                )
                activity_keys.append((team, fy))
    ServicePlanObjective.objects.bulk_create(objectives, batch_size=BATCH)
    for activity in activities:
        activity.objective_id = activity.objective.pk
    Activity.objects.bulk_create(activities, batch_size=BATCH)

    milestones, progress = [], []
    for activity, (_, fy) in zip(activities, activity_keys, strict=True):
        own = _milestones(rng, activity, fy, today)
        milestones += own
        progress += _progress(rng, activity, own, fy, today, days)
    _fast_insert(Milestone, ("activity_id", "title", "due_on", "met_on"), milestones)
    _fast_insert(
        ActivityProgress,
        ("activity_id", "month", "percent_complete", "rag", "comment", "updated_by_id"),
        progress,
    )

    individual = []
    current = str(Period.for_year(current_fy))
    by_team: dict[int, list[Activity]] = defaultdict(list)
    for activity, (team, fy) in zip(activities, activity_keys, strict=True):
        if fy == current_fy:
            by_team[team.id].append(activity)
    for team in context.teams:
        officers = list(
            dict.fromkeys([*org.managers.get(team.id, []), *org.enterers.get(team.id, [])])
        )
        for number, person in enumerate(officers):
            if rng.random() < 0.4 or not by_team[team.id]:
                continue
            activity = by_team[team.id][number % len(by_team[team.id])]
            title = rng.choice(OBJECTIVE_TEMPLATES).format(
                a=activity.title[0].lower() + activity.title[1:]
            )
            individual.append(
                IndividualObjective(
                    person_id=person, activity=activity, year=current, title=title[:250]
                )
            )
    IndividualObjective.objects.bulk_create(individual, batch_size=BATCH)
    return {"plans": len(plans), "milestones": len(milestones)}


class _Milestone(NamedTuple):
    """A Milestone row (see `_fast_insert`)."""

    activity_id: int
    title: str
    due_on: dt.date
    met_on: dt.date | None


def _milestones(rng, activity: Activity, fy: int, today: dt.date) -> list[_Milestone]:
    """Three dated steps in the year: most met on time, some late, some missed."""
    months = sorted(rng.sample(range(12), 3))
    stages = sorted(rng.sample(range(len(MILESTONE_STAGES)), 3))
    result = []
    for month_index, stage in zip(months, stages, strict=True):
        month = Period.for_year(fy).months()[month_index]
        due = dt.date(month.start.year, month.start.month, rng.choice([7, 14, 21, 28]))
        draw = rng.random()
        met = None
        if due <= today:
            if draw < 0.72:
                met = due - dt.timedelta(days=rng.randint(0, 10))
            elif draw < 0.9:
                late = due + dt.timedelta(days=rng.randint(5, 45))
                met = late if late <= today else None
        elif draw < 0.1:
            early = due - dt.timedelta(days=rng.randint(5, 30))
            met = early if early <= today else None
        result.append(_Milestone(activity.pk, MILESTONE_STAGES[stage], due, met))
    return result


def _progress(
    rng,
    activity: Activity,
    milestones: list[_Milestone],
    fy: int,
    today: dt.date,
    days: int,
) -> list[tuple]:
    """Monthly % complete, RAG and comment for every month whose round has closed."""
    result = []
    total = len(milestones)
    for month in Period.for_year(fy).months():
        if periods.window_close(month.request_date(), days) >= today:
            break
        end = month.end
        met = [m for m in milestones if m.met_on is not None and m.met_on <= end]
        overdue = [m for m in milestones if m.due_on <= end and m not in met]
        upcoming = [m for m in milestones if m not in met]
        percent = round(100 * len(met) / total)
        if upcoming and len(met) < total:
            previous = max((m.met_on for m in met), default=dt.date(fy, 4, 1))
            span = max(1, (upcoming[0].due_on - previous).days)
            share = min(1.0, max(0.0, (end - previous).days / span))
            percent = min(99, percent + round(share * 100 / total * 0.9))
        if any((end - m.due_on).days > 30 for m in overdue):
            rag, comment = (
                ActivityProgress.Rag.RED,
                (
                    f"'{overdue[0].title}' has been missed; a recovery plan is agreed with the "
                    "Head of Service."
                ),
            )
        elif overdue:
            rag, comment = (
                ActivityProgress.Rag.AMBER,
                (f"'{overdue[0].title}' is late; expected within the next month."),
            )
        else:
            rag = ActivityProgress.Rag.GREEN
            comment = rng.choice(["On track.", "Progressing as planned.", "No issues to report."])
        result.append((activity.pk, str(month), percent, rag.value, comment, activity.owner_id))
    return result


# --- action plans --------------------------------------------------------------------------------


def _shown(t: Template, number: Decimal | None) -> str:
    """A figure as a report prints it: £1,234, 95.2%, 12.5 days."""
    if number is None:
        return "no value"
    text = f"{number:,.{t.decimals}f}"
    return {"currency": f"£{text}", "percent": f"{text}%", "days": f"{text} days"}.get(t.unit, text)


def _action_plans(context: DemoContext, plans: list[_Plan], org: _Org, today: dt.date) -> int:
    """Open action plans for indicators Red in their latest period, one team each; one revised."""
    rng = context.rng
    zone = ZoneInfo(settings.TIME_ZONE)
    days = settings.COLLECTION_WINDOW_DAYS
    wanted = ACTION_PLANS.get(context.scale.name, 3)
    chosen, teams_done = [], set()
    for plan in plans:
        if len(chosen) == wanted:
            break
        if not plan.latest or plan.team.id in teams_done:
            continue
        period, level, actual, target = plan.latest[-1]
        if level is Level.BASECAMP:
            chosen.append((plan, period, actual, target))
            teams_done.add(plan.team.id)
    versions_made = 0
    for number, (plan, period, actual, target) in enumerate(chosen):
        t = plan.template
        owner = org.heads[plan.team.id]
        doers = [*plan.managers, *plan.enterers] or [owner]
        opened = min(today, periods.window_close(period.request_date(), days) + dt.timedelta(3))
        action_plan = ActionPlan.objects.create(
            indicator_id=plan.indicator_id,
            team=plan.team,
            title=f"Recovering {t.title[0].lower() + t.title[1:]}",
            reason=(
                f"{plan.code} was Red in {period}: {_shown(t, actual)} against a target of "
                f"{_shown(t, target)}. Performance has to recover before the next quarter's "
                "report."
            ),
            owner_id=owner,
            opened_on=opened,
        )
        revisions = 2 if number == 0 else 1
        for version_number in range(1, revisions + 1):
            created = opened + dt.timedelta(days=35 * (version_number - 1))
            version = ActionPlanVersion.objects.create(
                plan=action_plan,
                number=version_number,
                created_by_id=owner,
                note=(
                    "First version, agreed with the team."
                    if version_number == 1
                    else "Revised after the first month's review: the first actions did not "
                    "move the figures enough, so an action was added and the due dates moved."
                ),
            )
            # auto_now_add stamps today; the demo's history needs the day it was written.
            ActionPlanVersion.objects.filter(pk=version.pk).update(
                created_at=dt.datetime.combine(min(created, today), dt.time(10), tzinfo=zone)
            )
            versions_made += 1
            steps = rng.sample(ACTION_TEMPLATES, 3 + (version_number - 1))
            actions = []
            for step, (description, milestones) in enumerate(steps, start=1):
                due = created + dt.timedelta(days=30 * step)
                if due < today:
                    status = Action.Status.DONE if rng.random() < 0.7 else Action.Status.OVERDUE
                else:
                    status = rng.choice([Action.Status.IN_PROGRESS, Action.Status.NOT_STARTED])
                actions.append(
                    Action(
                        version=version,
                        description=description,
                        owner_id=doers[step % len(doers)],
                        due_on=due,
                        status=status,
                        milestones=milestones,
                        progress_note={
                            Action.Status.DONE: "Done.",
                            Action.Status.OVERDUE: "Delayed by staff absence; new date agreed.",
                            Action.Status.IN_PROGRESS: "Under way.",
                            Action.Status.NOT_STARTED: "",
                        }[status],
                    )
                )
            Action.objects.bulk_create(actions)
        if number < 2 and "member" in context.users:
            IndicatorComment.objects.create(
                indicator_id=plan.indicator_id,
                period=str(period),
                author=context.users["member"],
                text=(
                    "Overview & Scrutiny asked why this is below target and when it is "
                    "expected to recover; please report back at the next meeting."
                ),
            )
    return len(chosen)
