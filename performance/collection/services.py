"""The value workflow (SPEC §5): save, submit, activate, return, correct and record No data.

An entry is saved only for an indicator due in the round (`due`) and passing the entry rules
(`rules`); every write is audited.

Concurrency policy: every write locks the value row (`select_for_update`) and compares the
`version` the person saw with the stored one. A mismatch is refused with `StaleValue`, which
names who changed it and when, so two managers activating, or an enterer editing while a
manager returns, never silently overwrite each other. A value that does not exist yet is
created under the (indicator, period) unique constraint; losing that race is also `StaleValue`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import models as auth
from django.db import IntegrityError, transaction
from django.utils import timezone

from performance.collection.due import EDITABLE, DueItem, find_due

# Re-exported, so callers of the workflow read what is due through it too (`collection.due_items`).
from performance.collection.due import due_items as due_items
from performance.collection.due import open_rounds as open_rounds
from performance.collection.due import round_state as round_state
from performance.collection.rules import (
    MAX_COMMENT,
    Entry,
    check_comment,
    check_outliers,
    clean_entry,
    judge,
)
from performance.common import access, activations, audit, hooks
from performance.core import periods, status
from performance.models import CollectionRound, Indicator, Value

AUDITED = [
    "value",
    "numerator",
    "denominator",
    "comment",
    "forecast",
    "forecast_comment",
    "status",
    "return_reason",
]
# What a new entry's audit event records (a return reason comes only with a return).
CREATED = [field for field in AUDITED if field != "return_reason"]


# --- errors -----------------------------------------------------------------------------------


class CollectionError(Exception):
    """A refused action, with a message to show the person as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(CollectionError):
    """The person's role or the value's state does not allow the action (HTTP 403 or 409)."""


class StaleValue(CollectionError):
    """Someone changed the value since the person loaded it."""

    @classmethod
    def for_value(cls, value: Value) -> StaleValue:
        who = "someone else"
        if value.changed_by is not None:
            who = value.changed_by.get_full_name() or value.changed_by.get_username()
        when = ""
        if value.changed_at:
            when = f" at {timezone.localtime(value.changed_at):%H:%M on %d %B %Y}"
        return cls(
            f"{value.indicator.code} {value.period} was changed by {who}{when} "
            f"(it is now {value.get_status_display().lower()}). Reload the page to see the change."
        )


class EntryInvalid(CollectionError):
    """Input that breaks a rule; `errors` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# --- writes -----------------------------------------------------------------------------------


def _write(
    row: Value, /, *, actor: auth.User | None, action: str, reason: str = "", **fields: Any
) -> None:
    """Set `fields`, bump the version, save and audit, inside the caller's transaction."""
    names = [name for name in AUDITED if name in fields or name == "status"]
    before = audit.snapshot(row, names)
    now = timezone.now()
    for name, new in fields.items():
        setattr(row, name, new)
    row.version += 1
    row.changed_by = actor if getattr(actor, "is_authenticated", False) else None
    row.changed_at = now
    row.save(update_fields=[*fields, "version", "changed_by", "changed_at"])
    audit.record(
        actor=actor,
        instance=row,
        action=action,
        changes=audit.diff(before, audit.snapshot(row, names)),
        reason=reason,
    )


def _locked(value_id: int) -> Value:
    return (
        Value.objects.select_for_update(of=("self",))
        .select_related("indicator", "changed_by")
        .get(pk=value_id)
    )


def _check_version(value: Value, version: int | None) -> None:
    """Refuse a version other than the stored one; no version is never a pass."""
    if version is None or int(version) != value.version:
        raise StaleValue.for_value(value)


def missing_version(field_name: str = "version") -> EntryInvalid:
    """A manager's action without the version the person saw: refused, never unchecked."""
    return EntryInvalid(
        {
            field_name: f"The {field_name} field is missing, so the change cannot be checked "
            "against the value you saw. Reload the page and try again"
        }
    )


def _required(version: int | None) -> int:
    if version is None:
        raise missing_version()
    return version


def save_entry(
    *,
    user: auth.User,
    round_: CollectionRound,
    indicator: Indicator,
    raw: Mapping[str, object],
    version: int | None,
    submit: bool,
    data: status.IndicatorData | None = None,
) -> Value:
    """Save an enterer's entry as a draft, or submit it (SPEC §5). Audited.

    `version` is the version the person loaded (0 or None for a value not yet started).
    Raises `Refused`, `EntryInvalid` (with per-field messages) or `StaleValue`.
    """
    if not access.can_enter(user, indicator):
        raise Refused(f"You are not a data enterer for {indicator.code}.")
    period = find_due(round_, indicator)
    if period is None:
        raise Refused(f"{indicator.code} is not due in {round_}.")
    if submit:
        hooks.one(hooks.BEFORE_SUBMIT)(user, "Enterer")
    entry, errors = clean_entry(indicator, raw, submit=submit)
    if submit and not errors:
        check_outliers(indicator, period, entry, errors, data)
    if submit and not errors:
        check_comment(entry, judge(indicator, period, entry, data), errors)
    if errors:
        hooks.one(hooks.ENTRY_REJECTED)(
            indicator=indicator, period=period, errors=errors, channel="form", person=user, raw=raw
        )
        raise EntryInvalid(errors)
    return _store(
        user=user, indicator=indicator, period=period, entry=entry, version=version, submit=submit
    )


@transaction.atomic
def _store(
    *,
    user: auth.User,
    indicator: Indicator,
    period: str,
    entry: Entry,
    version: int | None,
    submit: bool,
) -> Value:
    now = timezone.now()
    target_status = Value.Status.SUBMITTED if submit else Value.Status.DRAFT
    fields: dict[str, Any] = {
        "value": entry.value,
        "numerator": entry.numerator,
        "denominator": entry.denominator,
        "comment": entry.comment,
        "forecast": entry.forecast,
        "forecast_comment": entry.forecast_comment,
        "status": target_status,
    }
    existing = Value.objects.filter(indicator=indicator, period=period).values_list("pk", flat=True)
    if not existing:
        if version not in (None, 0, "0", ""):
            raise StaleValue(f"{indicator.code} {period} was removed. Reload the page.")
        try:
            with transaction.atomic():
                value = Value.objects.create(
                    indicator=indicator,
                    period=period,
                    period_start=periods.parse(period).start,
                    entered_by=user,
                    entered_at=now,
                    submitted_at=now if submit else None,
                    changed_by=user,
                    changed_at=now,
                    **fields,
                )
        except IntegrityError:
            value = _locked(
                Value.objects.filter(indicator=indicator, period=period).values_list(
                    "pk", flat=True
                )[0]
            )
            raise StaleValue.for_value(value) from None
        audit.created(
            actor=user,
            instance=value,
            fields=CREATED,
            reason="submitted" if submit else "",
        )
        return value
    value = _locked(existing[0])
    if version in (None, "", 0, "0"):
        raise StaleValue.for_value(value)
    _check_version(value, version)
    if value.status not in EDITABLE:
        raise Refused(
            f"{indicator.code} {period} is {value.get_status_display().lower()} and locked; "
            "ask its data manager to re-open it with a reason."
        )
    extra: dict[str, Any] = {"entered_by": user, "entered_at": now}
    if submit:
        extra["submitted_at"] = now
    _write(value, actor=user, action="submit" if submit else "update", **fields, **extra)
    return value


@transaction.atomic
def activate(*, user: auth.User, value_id: int, version: int | None) -> Value:
    """Activate (approve) a submitted value. Not the manager's own entry; locked afterwards.
    `version` is the one the manager saw: a missing one is `EntryInvalid`, a stale one
    `StaleValue`."""
    return _activate(user=user, value_id=value_id, version=version, signed=False)


def _activate(*, user: auth.User, value_id: int, version: int | None, signed: bool) -> Value:
    """`activate` in the caller's transaction; `signed` when the caller has already checked the
    data quality statement (a bulk action, once for all its values rather than under each lock)."""
    seen = _required(version)
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(f"You are not a data manager for {value.indicator.code}.")
    if not signed:
        hooks.one(hooks.BEFORE_SUBMIT)(user, "Manager")
    _check_version(value, seen)
    if value.status != Value.Status.SUBMITTED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}, "
            "not submitted, so it cannot be activated."
        )
    if value.entered_by_id == user.pk:
        raise Refused(
            f"You entered {value.indicator.code} {value.period} yourself, so another data "
            "manager must activate it."
        )
    _write(
        value,
        actor=user,
        action="activate",
        status=Value.Status.ACTIVATED,
        activated_by=user,
        activated_at=timezone.now(),
    )
    activations.announce([value.indicator_id])  # action-plan requests, once committed
    return value


def _reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise EntryInvalid({field_name: "Give a reason, so the enterer knows what to fix"})
    if len(reason) > MAX_COMMENT:
        raise EntryInvalid({field_name: f"Reason must be {MAX_COMMENT} characters or fewer"})
    return reason


@transaction.atomic
def return_value(*, user: auth.User, value_id: int, version: int | None, reason: str) -> Value:
    """Return a submitted value to its enterer with a reason (a version as for `activate`)."""
    seen = _required(version)
    reason = _reason(reason)
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(f"You are not a data manager for {value.indicator.code}.")
    _check_version(value, seen)
    if value.status != Value.Status.SUBMITTED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}, "
            "not submitted, so it cannot be returned."
        )
    _write(
        value,
        actor=user,
        action="return",
        reason=reason,
        status=Value.Status.RETURNED,
        return_reason=reason,
        returned_by=user,
        returned_at=timezone.now(),
    )
    return value


@transaction.atomic
def correct(*, user: auth.User, value_id: int, version: int | None, reason: str) -> Value:
    """Re-open an activated value for correction, with a reason (SPEC §5). Managers and officers;
    a version as for `activate`."""
    seen = _required(version)
    reason = _reason(reason)
    value = _locked(value_id)
    if not access.can_manage(user, value.indicator):
        raise Refused(
            f"Only a data manager of {value.indicator.code} or a performance officer can "
            "re-open it."
        )
    _check_version(value, seen)
    if value.status != Value.Status.ACTIVATED:
        raise Refused(
            f"{value.indicator.code} {value.period} is {value.get_status_display().lower()}; "
            "only an activated value needs re-opening."
        )
    _write(
        value,
        actor=user,
        action="correct",
        reason=reason,
        status=Value.Status.RETURNED,
        return_reason=f"Re-opened for correction: {reason}",
        returned_by=user,
        returned_at=timezone.now(),
        activated_by=None,
        activated_at=None,
    )
    return value


@dataclass(frozen=True)
class BulkProblem:
    value_id: int
    label: str
    message: str


class BulkRefused(CollectionError):
    def __init__(self, problems: list[BulkProblem]) -> None:
        super().__init__(f"{len(problems)} of the selected values could not be changed")
        self.problems = problems


def bulk(
    *, user: auth.User, action: str, items: Sequence[tuple[int, int | None]], reason: str = ""
) -> list[Value]:
    """Activate or return many values at once: all or nothing, each problem named. A value
    without its version (`version-<id>`) refuses the whole action with `EntryInvalid`.

    Rows are locked in ascending id order whatever the order of `items`, so two bulk actions
    (or a bulk action and an Excel upload) over the same values wait for each other instead of
    deadlocking; the data quality statement is checked once, before any row is locked.
    """
    for value_id, version in items:
        if version is None:
            raise missing_version(f"version-{value_id}")
    if action == "return":
        reason = _reason(reason)
    signed = False
    if action == "activate":
        try:
            hooks.one(hooks.BEFORE_SUBMIT)(user, "Manager")
            signed = True
        except Refused:
            pass  # not signed: each value below is refused with the statement's message
    problems: list[BulkProblem] = []
    done: list[Value] = []
    with transaction.atomic():
        for value_id, version in sorted(items, key=lambda item: item[0]):
            try:
                with transaction.atomic():
                    if action == "activate":
                        done.append(
                            _activate(user=user, value_id=value_id, version=version, signed=signed)
                        )
                    else:
                        done.append(
                            return_value(
                                user=user, value_id=value_id, version=version, reason=reason
                            )
                        )
            except Value.DoesNotExist:
                problems.append(BulkProblem(value_id, f"value {value_id}", "no longer exists"))
            except CollectionError as error:
                label = Value.objects.filter(pk=value_id).select_related("indicator").first()
                problems.append(
                    BulkProblem(
                        value_id,
                        f"{label.indicator.code} {label.period}" if label else str(value_id),
                        error.message,
                    )
                )
        if problems:
            raise BulkRefused(problems)
    return done


@transaction.atomic
def mark_no_data(item: DueItem) -> Value | None:
    """Record No data for a due item without an activated value when the window closes.

    Idempotent: an activated value or an existing No data record is left alone (None returned).
    Audited as the system. An unfinished draft keeps its figures but is marked No data.
    """
    period = item.period
    existing = (
        Value.objects.select_for_update()
        .filter(indicator_id=item.indicator.pk, period=period)
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                value = Value.objects.create(
                    indicator_id=item.indicator.pk,
                    period=period,
                    period_start=periods.parse(period).start,
                    status=Value.Status.NO_DATA,
                    changed_at=timezone.now(),
                )
        except IntegrityError:
            return None
        audit.created(
            actor=None,
            instance=value,
            fields=["status"],
            reason=f"No activated value by the end of the window ({item.round.closes_on}).",
        )
        return value
    if existing.status in (Value.Status.ACTIVATED, Value.Status.NO_DATA):
        return None
    _write(
        existing,
        actor=None,
        action="no_data",
        reason=f"No activated value by the end of the window ({item.round.closes_on}).",
        status=Value.Status.NO_DATA,
    )
    return existing
