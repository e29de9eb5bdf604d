"""Writes of plans (SPEC §2): monthly activity progress, strategic-action updates and action
plans kept as versions. Each runs in one transaction and records the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import models as auth
from django.db import transaction
from django.db.models import Max

from performance.common import audit
from performance.core import periods
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    Indicator,
    Milestone,
    StrategicAction,
    StrategicActionUpdate,
)
from performance.plans import requests

ACTION_FIELDS = [
    "version",
    "description",
    "owner",
    "due_on",
    "status",
    "milestones",
    "progress_note",
]


@transaction.atomic
def record_activity_progress(
    *, actor: auth.User, activity: Activity, data: dict[str, Any], today: dt.date
) -> ActivityProgress:
    """Create or update one month's progress, mark milestones met, and audit every change."""
    month = periods.parse(data["month"], kind=periods.Frequency.MONTHLY)
    values = {
        "percent_complete": data["percent_complete"],
        "rag": data["rag"],
        "comment": data.get("comment", "").strip(),
    }
    existing = (
        ActivityProgress.objects.select_for_update()
        .filter(activity=activity, month=str(month))
        .first()
    )
    if existing is None:
        progress = ActivityProgress.objects.create(
            activity=activity, month=str(month), updated_by=actor, **values
        )
        audit.created(
            actor=actor,
            instance=progress,
            fields=["activity", "month", "percent_complete", "rag", "comment"],
        )
    else:
        progress = existing
        if audit.update(actor=actor, instance=progress, **values):
            progress.updated_by = actor
            progress.save(update_fields=["updated_by", "updated_at"])
    met_on = min(month.end, today)
    ids = [int(pk) for pk in data.get("milestones_met") or []]
    for milestone in Milestone.objects.select_for_update().filter(
        activity=activity, pk__in=ids, met_on__isnull=True
    ):
        audit.update(
            actor=actor,
            instance=milestone,
            met_on=met_on,
            reason=f"Marked met with the progress for {month}",
        )
    return progress


@transaction.atomic
def save_action_update(
    *, actor: auth.User, action: StrategicAction, period: str, data: dict[str, Any]
) -> StrategicActionUpdate:
    values = {
        "status": data["status"],
        "percent_complete": data["percent_complete"],
        "progress": data["progress"].strip(),
    }
    existing = (
        StrategicActionUpdate.objects.select_for_update()
        .filter(action=action, period=period)
        .first()
    )
    if existing is None:
        update = StrategicActionUpdate.objects.create(
            action=action, period=period, updated_by=actor, **values
        )
        audit.created(
            actor=actor,
            instance=update,
            fields=["action", "period", "status", "percent_complete", "progress"],
        )
        return update
    if audit.update(actor=actor, instance=existing, **values):
        existing.updated_by = actor
        existing.save(update_fields=["updated_by", "updated_at"])
    return existing


def _create_actions(
    *, actor: auth.User, version: ActionPlanVersion, rows: list[dict[str, Any]]
) -> None:
    for row in rows:
        action = Action.objects.create(
            version=version,
            description=row["description"],
            owner_id=row["owner"],
            due_on=row["due_on"],
            status=row["status"],
            milestones=row.get("milestones", "").strip(),
            progress_note=row.get("progress_note", "").strip(),
        )
        audit.created(actor=actor, instance=action, fields=ACTION_FIELDS)


@transaction.atomic
def open_action_plan(
    *,
    actor: auth.User,
    data: dict[str, Any],
    indicator: Indicator | None,
    rows: list[dict[str, Any]],
) -> ActionPlan:
    plan = ActionPlan.objects.create(
        indicator=indicator,
        team_id=data["team"],
        title=data["title"],
        reason=data["reason"],
        owner_id=data["owner"],
        opened_on=data["opened_on"],
    )
    audit.created(
        actor=actor,
        instance=plan,
        fields=["indicator", "team", "title", "reason", "owner", "opened_on", "status"],
    )
    version = ActionPlanVersion.objects.create(
        plan=plan, number=1, created_by=actor, note="First version."
    )
    audit.created(actor=actor, instance=version, fields=["plan", "number", "note"])
    _create_actions(actor=actor, version=version, rows=rows)
    requests.link_opened_plan(actor=actor, plan=plan)
    return plan


@transaction.atomic
def revise_action_plan(
    *, actor: auth.User, plan: ActionPlan, note: str, status: str, rows: list[dict[str, Any]]
) -> ActionPlanVersion:
    """A new version holding the edited copies of the actions; earlier versions stay as they are."""
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    last = locked.versions.aggregate(last=Max("number"))["last"] or 0
    version = ActionPlanVersion.objects.create(
        plan=locked, number=last + 1, created_by=actor, note=note.strip()
    )
    audit.created(actor=actor, instance=version, fields=["plan", "number", "note"])
    _create_actions(actor=actor, version=version, rows=rows)
    audit.record(
        actor=actor,
        instance=locked,
        action="revise",
        changes={"version": [last, version.number]},
        reason=note.strip(),
    )
    audit.update(actor=actor, instance=locked, status=status, reason=note.strip())
    return version
