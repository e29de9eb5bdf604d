"""The audit trail every model uses: who, when, what, before and after (SPEC §1).

Call `record()` inside the same transaction as the change, so a change and its audit row are
written together or not at all. `update()` is the usual path for an edit of an existing row.

`via(text)` names the channel of everything recorded inside it (an API token), appended to each
event's reason, so the trail says how a change came in without threading it through services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from performance.models import AuditEvent

_CHANNEL: ContextVar[str] = ContextVar("audit_channel", default="")


@contextmanager
def via(channel: str) -> Iterator[None]:
    """Every event recorded inside names `channel` in its reason (e.g. "API token “BI” (smt_ab)")."""
    token = _CHANNEL.set(channel)
    try:
        yield
    finally:
        _CHANNEL.reset(token)


def with_channel(reason: str) -> str:
    """`reason`, followed by the channel set by `via` if any."""
    channel = _CHANNEL.get()
    if not channel:
        return reason
    return f"{reason} (via {channel})" if reason else f"via {channel}"


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value that keeps Decimal precision and dates readable."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Current values of `fields`, by attribute (foreign keys by id)."""
    result = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = _plain(getattr(instance, attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }


def record(
    *,
    actor,
    instance: models.Model,
    action: str,
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
) -> AuditEvent:
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        actor=actor if is_person else None,
        actor_name=actor.get_username() if is_person else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:250],
        changes=changes or {},
        reason=with_channel(reason),
    )
    # The indicator of a value, for the generations (`cache._value_event_indicator`): known
    # here, so the signal need not read the value again.
    event.about_indicator = getattr(instance, "indicator_id", None)  # type: ignore[attr-defined]
    event.save(force_insert=True)
    return event


def created(*, actor, instance: models.Model, fields: list[str], reason: str = "") -> AuditEvent:
    changes = {name: [None, value] for name, value in snapshot(instance, fields).items()}
    return record(actor=actor, instance=instance, action="create", changes=changes, reason=reason)


@transaction.atomic
def update(*, actor, instance: models.Model, reason: str = "", **values: Any) -> AuditEvent | None:
    """Set `values` on `instance`, save only those fields, and audit what changed.

    Nothing is written (and None returned) when no value actually changes.
    """
    fields = list(values)
    before = snapshot(instance, fields)
    for name, value in values.items():
        setattr(instance, name, value)
    after = snapshot(instance, fields)
    changes = diff(before, after)
    if not changes:
        return None
    instance.full_clean(exclude=[f.name for f in instance._meta.fields if f.name not in fields])
    instance.save(update_fields=list(changes))
    return record(actor=actor, instance=instance, action="update", changes=changes, reason=reason)


def history(instance: models.Model):
    """The audit events of one object, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("actor")
