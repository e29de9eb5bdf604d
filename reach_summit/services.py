"""Writes of Reach the Summit: freezing and recomputing tables, scorecards, complaints and
improvements. Every change goes through `performance.common.audit` in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import models as auth
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from performance.common import access, audit
from performance.core import periods
from performance.core.periods import Period
from performance.models import Indicator, Team
from reach_summit import selectors, timescales
from reach_summit.models import Complaint, Improvement, Scorecard, Snapshot, SnapshotRow

# ------------------------------------------------------------------------------ snapshots


def _row_fields(row: selectors.TableRow) -> dict[str, Any]:
    return {
        "team_id": row.team_id,
        "team_name": row.team_name,
        "team_slug": row.team_slug,
        "position": row.position,
        "rank": row.rank,
        "joint": row.joint,
        "customer": row.customer.value,
        "financial": row.financial.value,
        "process": row.process.value,
        "learning": row.learning.value,
        "improvements": row.improvements,
        "late_complaints": row.late_complaints,
        "score": row.score,
        "award": row.award.value,
        "explanation": row.explanation,
    }


def _summary(row: selectors.TableRow) -> str:
    award = f", {row.award.label}" if row.award.value else ""
    levels = "/".join(level.label for _, level, _ in row.levels)
    return f"rank {row.rank}, score {row.score}{award} ({levels})"


def _require_closed(period: Period, today: dt.date) -> None:
    if selectors.is_provisional(period, today=today):
        raise ValidationError(
            f"The {period} collection window has not closed yet: the table is still provisional."
        )


def freeze_quarter(period: Period, *, today: dt.date | None = None) -> tuple[Snapshot, bool]:
    """Freeze the quarter's table as computed now; (snapshot, created).

    Idempotent: a quarter already frozen is returned unchanged, whatever the data says now; two
    workers racing are settled by the unique quarter (the loser returns the winner's snapshot).
    Refused while the window is open.
    """
    today = today or timezone.localdate()
    existing = Snapshot.objects.filter(quarter=str(period)).first()
    if existing is not None:
        return existing, False
    _require_closed(period, today)
    table = selectors.live_table(period, today=today)
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                quarter=str(period),
                quarter_start=period.start,
                frozen_at=timezone.now(),
                top_decided_by=table.top_decided_by.value if table.top_decided_by else "",
            )
            SnapshotRow.objects.bulk_create(
                SnapshotRow(snapshot=snapshot, **_row_fields(row)) for row in table.rows
            )
            audit.record(
                actor=None,
                instance=snapshot,
                action="freeze",
                changes={row.team_name: [None, _summary(row)] for row in table.rows},
                reason=f"The {period} collection window closed; table frozen.",
            )
    except IntegrityError:
        return Snapshot.objects.get(quarter=str(period)), False
    return snapshot, True


def quarters_to_freeze(*, today: dt.date | None = None) -> list[Period]:
    """Closed quarters of the scorecard years that have no snapshot yet, oldest first."""
    today = today or timezone.localdate()
    years = sorted(set(Scorecard.objects.values_list("year", flat=True)))
    if not years:
        return []
    latest = selectors.default_quarter(today=today)
    first = periods.parse(years[0]).quarters()[0]
    frozen = set(Snapshot.objects.values_list("quarter", flat=True))
    return [
        quarter
        for quarter in periods.between(first, latest)
        if str(quarter) not in frozen
        and str(quarter.financial_year) in years
        and not selectors.is_provisional(quarter, today=today)
    ]


def freeze_closed_quarters(*, today: dt.date | None = None) -> list[str]:
    """Freeze every closed quarter not yet frozen, oldest first (each one's awards depend on
    the ones before). Safe to run daily or twice: frozen quarters are skipped. A quarter with
    no team in its table is not frozen. Returns the quarters frozen now."""
    today = today or timezone.localdate()
    done = []
    for quarter in quarters_to_freeze(today=today):
        if not selectors.live_table(quarter, today=today).rows:
            continue
        _, created = freeze_quarter(quarter, today=today)
        if created:
            done.append(str(quarter))
    return done


@dataclass(frozen=True)
class Recomputation:
    snapshot: Snapshot
    changes: dict[str, list[str | None]]


@transaction.atomic
def recompute_quarter(
    period: Period, *, actor: auth.User, reason: str, today: dt.date | None = None
) -> Recomputation:
    """Replace a frozen table with one computed from today's data: an explicit, audited act.

    Only a performance officer may do it, with a reason. Only this quarter changes; later
    frozen quarters keep their awards until they are recomputed too. The audit event lists
    every team whose row changed (before and after).
    """
    if not access.is_performance_officer(actor):
        raise PermissionDenied("Only a performance officer can recompute a frozen table.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the table is being recomputed."})
    today = today or timezone.localdate()
    _require_closed(period, today)
    snapshot = Snapshot.objects.select_for_update().filter(quarter=str(period)).first()
    if snapshot is None:
        created, _ = freeze_quarter(period, today=today)
        return Recomputation(created, {})
    frozen = selectors.frozen_table(period)
    assert frozen is not None  # its snapshot is the one locked above
    before = {r.team_slug: (r.team_name, _summary(r)) for r in frozen.rows}
    table = selectors.live_table(period, today=today)
    after = {r.team_slug: (r.team_name, _summary(r)) for r in table.rows}
    changes: dict[str, list[str | None]] = {}
    for slug in dict.fromkeys([*before, *after]):
        old, new = before.get(slug), after.get(slug)
        if (old and old[1]) != (new and new[1]):
            either = new or old
            assert either is not None  # the slug came from one of them
            changes[either[0]] = [old[1] if old else None, new[1] if new else None]
    snapshot.rows.all().delete()
    SnapshotRow.objects.bulk_create(
        SnapshotRow(snapshot=snapshot, **_row_fields(row)) for row in table.rows
    )
    snapshot.frozen_at = timezone.now()
    snapshot.top_decided_by = table.top_decided_by.value if table.top_decided_by else ""
    snapshot.recomputations += 1
    snapshot.last_reason = reason
    snapshot.save(update_fields=["frozen_at", "top_decided_by", "recomputations", "last_reason"])
    audit.record(actor=actor, instance=snapshot, action="recompute", changes=changes, reason=reason)
    return Recomputation(snapshot, changes)


# ------------------------------------------------------------------------------ scorecards


SCORECARD_FIELDS = ["customer", "financial", "process"]


@transaction.atomic
def save_scorecard(
    *, actor: auth.User, team: Team, year: str, indicators: dict[str, Indicator]
) -> Scorecard:
    """Create or change a team's scorecard for a financial year (validated, audited)."""
    if not access.is_performance_officer(actor):
        raise PermissionDenied("Only a performance officer can configure scorecards.")
    periods.parse(year, kind=periods.Frequency.ANNUAL)
    card = Scorecard.objects.select_for_update().filter(team=team, year=year).first()
    if card is None:
        card = Scorecard(team=team, year=year, **indicators)
        card.full_clean()
        card.save()
        audit.created(actor=actor, instance=card, fields=["team", "year", *SCORECARD_FIELDS])
        return card
    # The keys are SCORECARD_FIELDS, so none of them lands on `reason`.
    audit.update(actor=actor, instance=card, **indicators)  # type: ignore[arg-type]
    return card


# ------------------------------------------------------------------------------ complaints


COMPLAINT_FIELDS = ["reference", "team", "stage", "received", "due", "responded"]


@dataclass(frozen=True)
class ComplaintInput:
    reference: str
    team: Team
    stage: int
    received: dt.date
    responded: dt.date | None


def _due(item: ComplaintInput, scales: dict[int, int]) -> dt.date:
    try:
        return timescales.response_due(item.received, item.stage, scales)
    except ValueError as error:
        raise ValidationError({"stage": str(error)}) from None


def _check_complaint(item: ComplaintInput) -> None:
    if item.responded is not None and item.responded < item.received:
        raise ValidationError({"responded": "The response date is before the date received."})


@transaction.atomic
def record_complaint(
    *, actor: auth.User | None, item: ComplaintInput, reason: str = ""
) -> Complaint:
    """Create a complaint, or update the one with the same reference; due date from the
    stage's timescale. Audited."""
    _check_complaint(item)
    due = _due(item, selectors.timescales_in_force())
    complaint = Complaint.objects.select_for_update().filter(reference=item.reference).first()
    if complaint is None:
        complaint = Complaint(
            reference=item.reference,
            team=item.team,
            stage=item.stage,
            received=item.received,
            due=due,
            responded=item.responded,
        )
        complaint.full_clean()
        complaint.save()
        audit.created(actor=actor, instance=complaint, fields=COMPLAINT_FIELDS, reason=reason)
        return complaint
    audit.update(
        actor=actor,
        instance=complaint,
        reason=reason,
        team=item.team,
        stage=item.stage,
        received=item.received,
        due=due,
        responded=item.responded,
    )
    return complaint


@transaction.atomic
def import_complaints(*, actor: auth.User | None, items: list[ComplaintInput]) -> tuple[int, int]:
    """Record many complaints at once (all or nothing); (created, updated)."""
    existing = set(
        Complaint.objects.filter(reference__in=[i.reference for i in items]).values_list(
            "reference", flat=True
        )
    )
    for item in items:
        record_complaint(actor=actor, item=item, reason="Imported from a complaints file")
    updated = sum(1 for i in items if i.reference in existing)
    return len(items) - updated, updated


# ---------------------------------------------------------------------------- improvements


@transaction.atomic
def approve_improvement(
    *,
    actor: auth.User,
    team: Team,
    quarter: Period,
    title: str,
    description: str = "",
    points: Decimal,
) -> Improvement:
    """A performance officer approves a team's service improvement for a quarter (audited)."""
    if not access.is_performance_officer(actor):
        raise PermissionDenied("Only a performance officer can approve improvements.")
    improvement = Improvement(
        team=team,
        quarter=str(quarter),
        quarter_start=quarter.start,
        title=title.strip(),
        description=description.strip(),
        points=points,
        approved_by=actor,
    )
    improvement.full_clean()
    improvement.save()
    audit.created(
        actor=actor,
        instance=improvement,
        fields=["team", "quarter", "title", "points"],
        reason="Improvement approved",
    )
    return improvement


@transaction.atomic
def withdraw_improvement(*, actor: auth.User, improvement: Improvement, reason: str) -> None:
    if not access.is_performance_officer(actor):
        raise PermissionDenied("Only a performance officer can withdraw improvements.")
    audit.record(
        actor=actor,
        instance=improvement,
        action="delete",
        changes={"points": [str(improvement.points), None], "title": [improvement.title, None]},
        reason=reason or "Improvement withdrawn",
    )
    improvement.delete()
