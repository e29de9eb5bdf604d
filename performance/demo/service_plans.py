"""The demo's service plans (SPEC §2): one per service for last and this financial year, with
objectives from `demo/data/service_plans.csv`, activities, dated milestones, monthly progress and
individual objectives for the team's officers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings

from performance.core import periods
from performance.core.periods import Period
from performance.demo.bulk import BATCH, fast_insert
from performance.demo.catalogue import base_and_copy, service_plan_catalogue
from performance.models import (
    Activity,
    ActivityProgress,
    IndividualObjective,
    Milestone,
    Outcome,
    ServicePlan,
    ServicePlanObjective,
)

if TYPE_CHECKING:
    from performance.demo import DemoContext
    from performance.demo.organisation import Org

MILESTONE_STAGES = [
    "Project brief agreed",
    "Options appraisal completed",
    "Consultation closed",
    "Decision taken by Cabinet",
    "Procurement completed",
    "Go-live",
    "Post-implementation review reported",
]
OBJECTIVE_TEMPLATES = ["Lead the work to {a}", "Support the team to {a}", "Report monthly on: {a}"]


def create_service_plans(
    context: DemoContext,
    org: Org,
    outcomes: dict[str, Outcome],
    current_fy: int,
    today: dt.date,
) -> dict[str, int]:
    """A service plan per service for last and this financial year, with monthly progress."""
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    catalogue = service_plan_catalogue()
    team_types = list(catalogue)
    fallback_outcome = next(iter(outcomes.values()))
    plans, plan_keys = [], []
    for index, team in enumerate(context.teams):
        base, _ = base_and_copy(team.name)
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
    fast_insert(Milestone, ("activity_id", "title", "due_on", "met_on"), milestones)
    fast_insert(
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
    """A Milestone row (see `fast_insert`)."""

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
