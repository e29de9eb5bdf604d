"""Reads of the plan pages, shaped for their templates with a fixed number of queries
(prefetches, never a query per node).

Service plans are read through `ServicePlan.objects.readable_by(user)`; strategic actions are
read by every signed-in person. The golden thread and the strategic plan tree are in `thread`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q

from performance.common import access
from performance.common.display import person_name
from performance.core import periods, plan_progress
from performance.models import (
    Activity,
    ActivityProgress,
    Milestone,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
)
from performance.plans.badges import badge

# --- service plans ------------------------------------------------------------------------------


def plan_months(plan: ServicePlan, today: dt.date) -> list[periods.Period]:
    """The months of the plan's financial year that have started, in order."""
    try:
        year = periods.parse(plan.year, kind=periods.Frequency.ANNUAL)
    except periods.PeriodError:
        return []
    return [month for month in year.months() if month.start <= today]


def service_plan_years(*, user: access.User) -> list[str]:
    """The financial years that have service plans `user` reads, newest first."""
    readable = ServicePlan.objects.readable_by(user)
    return sorted(
        set(
            ServicePlan.objects.filter(pk__in=readable.values("pk")).values_list("year", flat=True)
        ),
        reverse=True,
    )


def service_plan_groups(
    *, user: access.User, year: str, today: dt.date
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The service plans of `year` that `user` reads, grouped under their Head of Service (by
    name; "No Head of Service assigned" for the rest), each with its latest month's progress."""
    plans = list(
        ServicePlan.objects.readable_by(user)
        .filter(year=year)
        .select_related("service__head_of_service", "service__directorate")
        .order_by("service__head_of_service__last_name", "service__name")
    )
    facts: dict[int, list[plan_progress.MilestoneFact]] = defaultdict(list)
    for plan_id, due_on, met_on in Milestone.objects.filter(
        activity__objective__plan__in=[p.pk for p in plans]
    ).values_list("activity__objective__plan_id", "due_on", "met_on"):
        facts[plan_id].append(plan_progress.MilestoneFact(due_on, met_on))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for plan in plans:
        months = plan_months(plan, today)
        latest, to_date = None, False
        if months:
            cutoff = min(months[-1].end, today)
            to_date = cutoff < months[-1].end
            latest = (months[-1], plan_progress.month_summary(facts[plan.pk], cutoff))
        head = plan.service.head_of_service
        groups[person_name(head) if head else "No Head of Service assigned"].append(
            {"plan": plan, "latest": latest, "to_date": to_date}
        )
    return sorted(groups.items())


def service_plan_progress(
    plan: ServicePlan, *, user: access.User, today: dt.date
) -> tuple[list[ServicePlanObjective], list[dict[str, Any]]]:
    """(objectives, monthly) of a plan: its objectives with their activities, milestones and
    monthly progress (each activity marked `can_record` for `user`, with `rows` of progress and
    badge), and the plan's progress per started month, summarised from its milestones."""
    months = plan_months(plan, today)
    objectives = list(
        plan.objectives.select_related("outcome__priority").prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related(
                    "owner", "outcome__priority"
                ).prefetch_related(
                    "milestones",
                    Prefetch(
                        "progress",
                        queryset=ActivityProgress.objects.select_related("updated_by").order_by(
                            "-month"
                        ),
                    ),
                ),
            )
        )
    )
    works = access.works_in_service(user, plan)
    facts = []
    for objective in objectives:
        for activity in objective.activities.all():
            # What the template reads on each activity, set on the instance (not model fields).
            activity.can_record = access.can_record_progress(  # type: ignore[attr-defined]
                user, activity, works_in_service=works
            )
            activity.rows = [(p, badge(p.rag)) for p in activity.progress.all()]  # type: ignore[attr-defined]
            for milestone in activity.milestones.all():
                facts.append(plan_progress.MilestoneFact(milestone.due_on, milestone.met_on))
    monthly = []
    for month in months:
        cutoff = min(month.end, today)
        monthly.append(
            {
                "month": month,
                "to_date": cutoff < month.end,
                "summary": plan_progress.month_summary(facts, cutoff),
            }
        )
    return objectives, monthly


# --- strategic actions --------------------------------------------------------------------------


def strategic_action_rows(
    *, user: access.User, period: str, only: int | None = None
) -> list[dict[str, Any]]:
    """The current strategic plan's actions (or only the action `only`) in plan order, each with
    its update for the half-year `period`, its earlier updates and whether `user` may update it."""
    actions = StrategicAction.objects.select_related("outcome__priority", "owner").prefetch_related(
        Prefetch(
            "updates",
            queryset=StrategicActionUpdate.objects.select_related("updated_by").order_by("-period"),
        )
    )
    plan = StrategicPlan.objects.order_by("-first_year").first()
    actions = (
        actions.filter(outcome__priority__plan=plan) if only is None else actions.filter(pk=only)
    )
    rows = []
    for action in actions.order_by("outcome__priority__number", "outcome__number", "id"):
        updates = list(action.updates.all())
        current = next((u for u in updates if u.period == period), None)
        rows.append(
            {
                "action": action,
                "current": current,
                "current_badge": badge(current.status) if current else None,
                "earlier": [(u, badge(u.status)) for u in updates if u.period != period],
                "can_update": access.can_update_action(user, action),
            }
        )
    return rows


# --- action plans -------------------------------------------------------------------------------


def people(extra_ids: Iterable[int] = ()) -> list[tuple[int, str]]:
    """People who can own a plan or an action: everyone with a role, plus current owners."""
    users = (
        get_user_model()
        .objects.filter(Q(is_active=True, groups__isnull=False) | Q(pk__in=list(extra_ids)))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [
        (u.pk, f"{u.get_full_name() or u.get_username()} ({u.get_username()})")
        for u in users.only("id", "first_name", "last_name", "username")
    ]


def current_plan() -> StrategicPlan | None:
    """The latest Strategic Plan with its priorities and outcomes."""
    return (
        StrategicPlan.objects.prefetch_related("priorities__outcomes")
        .order_by("-first_year")
        .first()
    )
