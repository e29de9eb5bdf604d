"""Writes of the Manage area: create, update and delete with an audit record each (SPEC §1).

Every function runs in one transaction and writes its `AuditEvent` in it, so a change and its
trail are saved together or not at all. Many-to-many fields (an indicator's enterers, managers
and outcomes) are audited as sorted lists of ids beside the plain fields, in the same event.

Deletion policy: an object is deleted only when nothing else would go with it. A PROTECT link
(an indicator owned by a team) or a cascade that would remove other rows (a priority's outcomes)
refuses the deletion with `EditError` naming what is in the way; automatic link rows of
many-to-many fields are not counted.

Concurrency policy (issue 14): an edit form carries the version of the record it was opened
on (`version_of`: a digest of every stored field and many-to-many link, so no model needs a
version column), and `update` compares it with the row it has just locked. A missing version
is `MissingVersion` and a different one `StaleRecord`, naming who changed the record last and
when (from the audit trail); nothing is written either way. The targets table carries one
version for all its periods (`table_version`), so a stale table is refused whole. A caller
without a form (an import, a test) passes no version (None) and is not checked; a form's
empty version is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import models as auth
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from performance.common import access, audit
from performance.core import periods
from performance.core.calculations import Aggregation
from performance.core.roles import Role
from performance.models import AuditEvent, Indicator, Target, Team, TeamMembership


class EditError(Exception):
    """A change the Manage area refuses; the message is shown to the officer as it is."""


class MissingVersion(EditError):
    """A form posted without the version of the record it was opened on."""


class StaleRecord(EditError):
    """Someone changed the record (or the targets table) since the officer opened the form."""


MISSING_VERSION = (
    "This form is missing its version, so your changes cannot be checked against what you saw: "
    "reload the page and make them again. Nothing was saved."
)


# --- versions: what an edit form was opened on ---------------------------------------------------


def version_of(instance: models.Model) -> str:
    """The version of a stored record: a digest of its fields and many-to-many links.

    Read from the row as stored (not from a form's changes), so any write by anyone changes it.
    """
    values = audit.snapshot(instance, _concrete_names(instance))
    values |= _m2m_ids(instance, [field.name for field in instance._meta.many_to_many])
    blob = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def table_version(targets: Mapping[str, Target], periods_: Iterable[periods.Period]) -> str:
    """The version of an indicator's targets table: each period's target version, or none."""
    parts = [
        [str(period), version_of(targets[str(period)]) if str(period) in targets else None]
        for period in periods_
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _last_change(model: type[models.Model], pks: Iterable[Any]) -> str:
    """' (by Pat Smith at 14:02 on 7 December 2026)' from the latest audit event, or ''."""
    event = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in pks],
        )
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return ""
    who = (event.actor.get_full_name() if event.actor else "") or event.actor_name or "someone"
    return f" (by {who} at {timezone.localtime(event.at):%H:%M on %-d %B %Y})"


def _stale(what: str, model: type[models.Model], pks: Iterable[Any]) -> StaleRecord:
    return StaleRecord(
        f"Someone else changed {what} since you opened it{_last_change(model, pks)}. "
        "Your changes were not saved: reload the page to see theirs, then make yours again."
    )


def check_version(current: models.Model, version: str | None) -> None:
    """Refuse `version` unless it is `current`'s (a locked row); None is a caller without a form."""
    if version is None:
        return
    if not version:
        raise MissingVersion(MISSING_VERSION)
    if version != version_of(current):
        what = f"this {current._meta.verbose_name} “{current}”"
        raise _stale(what, type(current), [current.pk])


# --- generic create / update / delete ----------------------------------------------------------


def _concrete_names(instance: models.Model) -> list[str]:
    return [f.name for f in instance._meta.concrete_fields if not f.primary_key]


def _m2m_ids(instance: models.Model, names: Iterable[str]) -> dict[str, list[int]]:
    return {name: sorted(getattr(instance, name).values_list("pk", flat=True)) for name in names}


def _ids(values: Iterable[models.Model]) -> list[int]:
    return sorted(value.pk for value in values)


@transaction.atomic
def create(
    *,
    actor: auth.User,
    instance: models.Model,
    values: Mapping[str, Any] | None = None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> models.Model:
    """Save a new `instance` with `values` set on it, set its many-to-many `m2m`; audit it all.

    Every concrete field is audited as created (None before), many-to-many ones as sorted ids.
    """
    for name, value in (values or {}).items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    m2m = dict(m2m or {})
    for name, related in m2m.items():
        getattr(instance, name).set(related)
    changes = {
        name: [None, value]
        for name, value in audit.snapshot(instance, _concrete_names(instance)).items()
    }
    changes.update({name: [None, _ids(related)] for name, related in m2m.items()})
    audit.record(actor=actor, instance=instance, action="create", changes=changes)
    return instance


@transaction.atomic
def update(
    *,
    actor: auth.User,
    instance: models.Model,
    values: Mapping[str, Any],
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    reason: str = "",
    version: str | None = None,
) -> AuditEvent | None:
    """Set `values` (and many-to-many `m2m`) on the row of `instance`; audit what changed.

    The row is read again under a lock, so `before` is what the database held, not what a bound
    form already wrote onto `instance`; `version` (what the form was opened on) is checked
    against it first (`check_version`). Nothing is written and None is returned when nothing
    changes.
    """
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    check_version(current, version)
    fields = list(values)
    m2m = dict(m2m or {})
    before = audit.snapshot(current, fields) | _m2m_ids(current, m2m)
    for name, value in values.items():
        setattr(current, name, value)
    after = audit.snapshot(current, fields) | {name: _ids(v) for name, v in m2m.items()}
    changes = audit.diff(before, after)
    if not changes:
        return None
    current.full_clean()
    plain_changed = [name for name in changes if name not in m2m]
    if plain_changed:
        current.save(update_fields=plain_changed)
    for name, related in m2m.items():
        if name in changes:
            getattr(current, name).set(related)
    return audit.record(
        actor=actor, instance=current, action="update", changes=changes, reason=reason
    )


def _label(model: type[models.Model], count: int) -> str:
    meta = model._meta
    name = meta.verbose_name if count == 1 else meta.verbose_name_plural
    return f"{count} {name}"


def blockers(instance: models.Model) -> list[str]:
    """What stops `instance` being deleted safely: ['3 indicators', '1 action plan'] or []."""
    collector = Collector(using=router.db_for_write(type(instance)))
    counts: Counter[type[models.Model]] = Counter()
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError) as error:
        objects = (
            error.protected_objects
            if isinstance(error, ProtectedError)
            else error.restricted_objects
        )
        for obj in objects:
            counts[type(obj)] += 1
    else:
        for model, objs in collector.data.items():
            if model._meta.auto_created:
                continue
            others = [
                obj for obj in objs if not (model is type(instance) and obj.pk == instance.pk)
            ]
            counts[model] += len(others)
        for queryset in collector.fast_deletes:
            if queryset.model._meta.auto_created:
                continue
            counts[queryset.model] += queryset.count()
    return [_label(model, count) for model, count in counts.items() if count]


@transaction.atomic
def delete(*, actor: auth.User, instance: models.Model) -> None:
    """Delete `instance` with an audit record of what it held, or raise `EditError`."""
    in_the_way = blockers(instance)
    if in_the_way:
        raise EditError(
            f"{str(instance._meta.verbose_name).capitalize()} “{instance}” cannot be deleted: it still has "
            f"{_join(in_the_way)}. Move or delete them first."
        )
    changes = {
        name: [value, None]
        for name, value in audit.snapshot(instance, _concrete_names(instance)).items()
    }
    audit.record(actor=actor, instance=instance, action="delete", changes=changes)
    instance.delete()


def _join(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- people: roles and team memberships ----------------------------------------------------------


@transaction.atomic
def set_roles(
    *, actor: auth.User | None, user: auth.User, roles: Iterable[Role]
) -> AuditEvent | None:
    """Give `user` exactly `roles` (Django groups); audit the change of their role names."""
    wanted = sorted(Role(role).value for role in roles)
    held = sorted(name for name in user.groups.values_list("name", flat=True) if name in set(Role))
    if wanted == held:
        return None
    others = user.groups.exclude(name__in=[role.value for role in Role])
    user.groups.set([*others, *(access.group_for(Role(name)) for name in wanted)])
    # The cached roles of access.roles_of are stale now.
    user._summit_roles = None  # type: ignore[attr-defined]
    return audit.record(
        actor=actor, instance=user, action="update", changes={"roles": [held, wanted]}
    )


@transaction.atomic
def add_member(*, actor: auth.User | None, team: Team, user: auth.User) -> TeamMembership:
    if TeamMembership.objects.filter(team=team, user=user).exists():
        raise EditError(f"{user.get_full_name() or user.get_username()} is already in {team}.")
    membership = TeamMembership.objects.create(team=team, user=user)
    audit.created(actor=actor, instance=membership, fields=["user", "team"])
    return membership


@transaction.atomic
def remove_member(*, actor: auth.User | None, membership: TeamMembership) -> None:
    audit.record(
        actor=actor,
        instance=membership,
        action="delete",
        changes={"user": [membership.user_id, None], "team": [membership.team_id, None]},
    )
    membership.delete()


def active_officers_besides(user: auth.User) -> int:
    """How many active performance officers (superusers count) there are besides `user`."""
    officers = auth.User.objects.filter(is_active=True).exclude(pk=user.pk)
    return (
        officers.filter(
            models.Q(is_superuser=True) | models.Q(groups__name=Role.PERFORMANCE_OFFICER.value)
        )
        .distinct()
        .count()
    )


@transaction.atomic
def set_active(
    *, actor: auth.User | None, user: auth.User, active: bool, reason: str = ""
) -> AuditEvent | None:
    """Deactivate or reactivate `user`'s account; audited. None when it already was so.

    A deactivated person cannot sign in (any way) and their open sessions end, but their
    history, roles and teams stay, so reactivating gives back exactly what they had. Refused
    with `EditError`: deactivating oneself, a superuser (the break-glass administrator), or
    the last active performance officer (nobody could manage Summit any more).
    """
    current = auth.User.objects.select_for_update().get(pk=user.pk)
    if current.is_active == active:
        return None
    name = current.get_full_name() or current.get_username()
    if not active:
        if actor is not None and actor.pk == current.pk:
            raise EditError("You cannot deactivate your own account.")
        if current.is_superuser:
            raise EditError(
                f"{name} is a superuser (the break-glass administrator) and is never deactivated."
            )
        if access.is_performance_officer(current) and not active_officers_besides(current):
            raise EditError(
                f"{name} is the last active performance officer: give someone else the role first."
            )
    event = audit.update(actor=actor, instance=current, reason=reason, is_active=active)
    user.is_active = active
    return event


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One row of the targets table: a period, its value (None: no target) and SMART record."""

    period: periods.Period
    value: Decimal | None
    smart: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TargetsSaved:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        parts = [
            f"{count} {word}"
            for count, word in (
                (self.created, "added"),
                (self.updated, "changed"),
                (self.deleted, "removed"),
            )
            if count
        ]
        return ", ".join(parts) if parts else "no changes"


def save_targets(
    *,
    actor: auth.User,
    indicator: Indicator,
    rows: Sequence[TargetRow],
    version: str | None = None,
) -> TargetsSaved:
    """Write a table of targets for `indicator`: create, change or remove each row's target.

    A row with no value removes the period's target if there was one. Each write is audited.
    `version` is the table's as the officer opened it (`table_version`): the indicator's row is
    locked, so two tables of one indicator are saved one after the other, and a table whose
    targets changed meanwhile (or whose new target someone else added first) is refused whole
    with `StaleRecord`; None is a caller without a form and is not checked.
    """
    try:
        return _save_targets(actor=actor, indicator=indicator, rows=rows, version=version)
    except IntegrityError:
        # Another table saved a target for one of these periods first (one_target_per_period).
        raise _stale(f"the targets of {indicator.code}", Target, []) from None


@transaction.atomic
def _save_targets(
    *,
    actor: auth.User,
    indicator: Indicator,
    rows: Sequence[TargetRow],
    version: str | None,
) -> TargetsSaved:
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    existing = {
        target.period: target
        for target in Target.objects.select_for_update().filter(
            indicator=indicator, period__in=[str(row.period) for row in rows]
        )
    }
    if version is not None:
        if not version:
            raise MissingVersion(MISSING_VERSION)
        if version != table_version(existing, [row.period for row in rows]):
            pks = [target.pk for target in existing.values()]
            raise _stale(f"the targets of {indicator.code} for these periods", Target, pks)
    created = updated = deleted = 0
    for row in rows:
        target = existing.get(str(row.period))
        if row.value is None:
            if target is not None:
                delete(actor=actor, instance=target)
                deleted += 1
            continue
        values = {"value": row.value, **row.smart}
        if target is None:
            create(
                actor=actor,
                instance=Target(
                    indicator=indicator,
                    period=str(row.period),
                    period_start=row.period.start,
                    **values,
                ),
            )
            created += 1
        elif update(actor=actor, instance=target, values=values) is not None:
            updated += 1
    return TargetsSaved(created, updated, deleted)


def profile_annual(
    annual: Decimal, *, aggregation: Aggregation | str, parts: int, decimals: int
) -> list[Decimal]:
    """Spread an annual target over `parts` periods (quarters or months) of the year.

    `sum` (cumulative): equal shares rounded half up to the indicator's decimals, the last
    period taking what rounding left over, so the shares add up to the annual target exactly.
    `last`, `mean` and `ratio`: every period gets the annual value itself.
    """
    if parts < 1:
        raise ValueError("a year has at least one period")
    if Aggregation(aggregation) is not Aggregation.SUM:
        return [annual] * parts
    step = Decimal(1).scaleb(-decimals)
    share = (annual / parts).quantize(step, rounding=ROUND_HALF_UP)
    return [share] * (parts - 1) + [annual - share * (parts - 1)]
