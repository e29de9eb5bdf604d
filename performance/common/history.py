"""The history panel's read (issue 19): an object's audit trail as rows a person can read.

Who (the person's name, or "system"), when, what was done ("Submitted", "Returned", "Re-opened
for correction"…), each field that changed as its label with before → after, and the reason.
One query for the events (`audit.history`, or the events of every value of one indicator);
labels and choice names come from the models' own field definitions.

Who sees a history (`may_see`): performance officers; people holding the Data manager or
Service manager role in the object's team; an indicator's or value's assigned data managers;
and an object's owner. Enterers (other than as owners) and members do not: the trail names
people and shows drafts' figures.

Fields that would repeat the row's own "who" and "when" (the person links and the `*_at` stamps)
are left out of the changes; a person column's value is an id, not a name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date

from performance.common import access, audit
from performance.models import AuditEvent, Indicator, Value

ACTIONS = {
    "create": "Created",
    "update": "Changed",
    "submit": "Submitted",
    "activate": "Activated",
    "return": "Returned",
    "correct": "Re-opened for correction",
    "no_data": "Recorded as No data",
    "revise": "Revised",
    "delete": "Deleted",
    "chaser_sent": "Chaser sent",
}
BLANK = "(blank)"
LIMIT = 50


@dataclass(frozen=True, slots=True)
class Change:
    label: str
    before: str
    after: str
    created: bool  # no "before": the field was set when the object was made


@dataclass(frozen=True, slots=True)
class Entry:
    at: dt.datetime
    who: str
    action: str
    action_label: str
    subject: str  # the object, as it read then (on the indicator's page: which value)
    object_id: str
    changes: tuple[Change, ...]
    reason: str
    reopen_value_id: int | None = None  # set on the newest row of a value that may be re-opened


def may_see(user: Any, instance: models.Model) -> bool:
    """Whether `user` sees `instance`'s history (see the module's docstring)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if access.is_performance_officer(user):
        return True
    indicator = (
        instance
        if isinstance(instance, Indicator)
        else instance.indicator
        if isinstance(instance, Value)
        else None
    )
    if indicator is not None and indicator.managers.filter(pk=user.pk).exists():
        return True
    if getattr(instance, "owner_id", None) == user.pk:
        return True
    team_id = indicator.team_id if indicator is not None else getattr(instance, "team_id", None)
    managing = access.roles_of(user) & {access.Role.DATA_MANAGER, access.Role.SERVICE_MANAGER}
    return bool(managing) and team_id is not None and team_id in access.member_team_ids(user)


def _plain(field: models.Field | None, raw: Any) -> str:
    """A stored (JSON) field value as a person reads it."""
    if raw is None or raw == "":
        return BLANK
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField):
        return "Yes" if raw else "No"
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        day = parse_date(str(raw))
        return f"{day:%-d %B %Y}" if day else str(raw)
    if isinstance(field, models.DecimalField):
        try:
            # Stored as the database gave it ("46.000000"): shown as typed ("46").
            return format(Decimal(str(raw)).normalize(), "f")
        except InvalidOperation:
            return str(raw)
    if isinstance(raw, list):
        return "; ".join(str(item) for item in raw) or BLANK
    return str(raw)


def _hidden(field: models.Field | None, name: str) -> bool:
    if isinstance(field, models.ForeignKey):
        return True
    return isinstance(field, models.DateTimeField) or name.endswith("_at")


def _label(field: models.Field | None, name: str) -> str:
    text = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return text[:1].upper() + text[1:]


def _changes(
    model: type[models.Model] | None, changes: dict, reason: str = ""
) -> tuple[Change, ...]:
    """The readable changes; a field set to the event's own reason (a value's return reason)
    is left out, as the row says the reason once."""
    result = []
    for name, pair in (changes or {}).items():
        field: Any = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except Exception:  # a field since removed: show its stored name
                field = None
        if _hidden(field, name):
            continue
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        if reason and isinstance(after, str) and after.endswith(reason):
            continue
        result.append(
            Change(
                label=_label(field, name),
                before=_plain(field, before),
                after=_plain(field, after),
                created=before is None,
            )
        )
    return tuple(result)


def _entry(event: AuditEvent, model: type[models.Model] | None) -> Entry:
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor else event.actor_name
    return Entry(
        at=event.at,
        who=who or "system",
        action=event.action,
        action_label=ACTIONS.get(event.action, event.action.replace("_", " ").capitalize()),
        subject=event.object_repr,
        object_id=event.object_id,
        changes=_changes(model, event.changes, event.reason),
        reason=event.reason,
    )


def for_object(instance: models.Model, *, limit: int = LIMIT) -> list[Entry]:
    """The newest `limit` events of one object, in one query."""
    model = type(instance)
    return [_entry(event, model) for event in audit.history(instance)[:limit]]


def for_values(indicator: Indicator, *, may_reopen: bool, limit: int = LIMIT) -> list[Entry]:
    """The newest `limit` events of every value of `indicator`, in one query; with `may_reopen`,
    the newest row of each value that is activated now offers "Re-open for correction"."""
    value_ids = (
        Value.objects.filter(indicator=indicator)
        .order_by()
        .annotate(text_id=Cast("pk", CharField()))
        .values("text_id")
    )
    same_value = Value.objects.filter(pk=Cast(OuterRef("object_id"), IntegerField()))
    events: QuerySet[AuditEvent] = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Value, for_concrete_model=False),
            object_id__in=value_ids,
        )
        .select_related("actor")
        .annotate(
            status_now=Subquery(same_value.values("status")[:1]),
            period_now=Subquery(same_value.values("period")[:1]),
        )
    )
    result = []
    offered: set[str] = set()
    for event in events[:limit]:
        entry = replace(_entry(event, Value), subject=event.period_now or event.object_repr)  # type: ignore[attr-defined]
        newest = event.object_id not in offered
        offered.add(event.object_id)
        if may_reopen and newest and event.status_now == Value.Status.ACTIVATED:  # type: ignore[attr-defined]
            entry = replace(entry, reopen_value_id=int(event.object_id))
        result.append(entry)
    return result
