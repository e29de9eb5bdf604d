"""Writes of risk management (SPEC §14): reviews, escalation, key risk indicator alerts, matrix.

Each write runs in one transaction with its audit rows; emails leave through the outbox after the
commit. Who may do what is asked of `Risk.objects.reviewable_by` (owners and officers review) and
`access.is_performance_officer` (officers decide escalations and set the matrix).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from performance.common import access, audit, outbox
from performance.common import cache as generations
from performance.core import periods, status
from performance.core import risks as rules
from performance.indicators import selectors as indicator_selectors
from performance.models import (
    CollectionRound,
    Indicator,
    Risk,
    RiskAlert,
    RiskControl,
    RiskEscalation,
    RiskReview,
    RiskSettings,
    Target,
    Value,
)
from performance.models.visibility import User

log = logging.getLogger(__name__)

MAX_COMMENT = 4000


class RiskError(Exception):
    """Base of the risk services' refusals."""


class RiskRefused(RiskError):
    """The person may not do this (HTTP 403), or the state does not allow it (409)."""


class RiskInvalid(RiskError):
    """Input that breaks a rule; `errors` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


# --- one risk for one person ---------------------------------------------------------------


def risk_for(user: User, pk: int, *, to: str = "read") -> Risk:
    """The risk `pk` if the person may read it (404 otherwise); `to="review"` also asks that
    they review it (the owner or an officer), else 403."""
    risk = Risk.objects.readable_by(user).select_related("category", "owner", "team").filter(pk=pk)
    found = risk.first()
    if found is None:
        raise Http404("No such risk")
    if to == "review" and not can_review(user, found):
        raise PermissionDenied("Only the risk's owner or a performance officer reviews it.")
    return found


def can_review(user: User, risk: Risk) -> bool:
    return access.is_performance_officer(user) or (
        user.is_authenticated and risk.owner_id == user.pk
    )


# --- reviews -------------------------------------------------------------------------------


def _point(data: Mapping[str, object], name: str, label: str, errors: dict[str, str]) -> int:
    raw = data.get(name)
    try:
        number = int(str(raw).strip())
        return rules.check_point(number)
    except (TypeError, ValueError):
        errors[name] = f"{label} must be a whole number from 1 to 5"
        return 0


@transaction.atomic(durable=True)
def review(
    *,
    user: User,
    risk_id: int,
    likelihood: object,
    impact: object,
    comment: str,
    controls: Mapping[int, str] | None = None,
    now: dt.datetime | None = None,
) -> RiskReview:
    """Record the owner's review: the new current likelihood and impact, each control's
    effectiveness, a comment. Moves the next review to the close of the next quarterly window.
    A risk whose current score rises above its category's appetite asks for escalation (one
    pending request at a time). Audited; `RiskInvalid` names each bad field."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    data = {"likelihood": likelihood, "impact": impact}
    new_likelihood = _point(data, "likelihood", "Likelihood", errors)
    new_impact = _point(data, "impact", "Impact", errors)
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = "Say what has changed, or that nothing has, and why"
    elif len(comment) > MAX_COMMENT:
        errors["comment"] = f"Comment must be {MAX_COMMENT} characters or fewer"
    risk = risk_for(user, risk_id, to="review")
    risk = Risk.objects.select_for_update().select_related("category").get(pk=risk.pk)
    own_controls = {control.pk: control for control in risk.controls.all()}
    choices = dict(RiskControl.Effectiveness.choices)
    controls = dict(controls or {})
    for pk, effectiveness in controls.items():
        if pk not in own_controls:
            errors[f"control-{pk}"] = "This control is not one of the risk's"
        elif effectiveness not in choices:
            errors[f"control-{pk}"] = "Choose how effective the control is"
    if errors:
        raise RiskInvalid(errors)
    before_score = risk.current_score
    was_above = rules.above_appetite(before_score, risk.category.appetite)
    local = timezone.localtime(now).date()
    period = rules.review_period(local)
    row = RiskReview.objects.create(
        risk=risk,
        period=str(period),
        reviewed_by=user if user.is_authenticated else None,  # type: ignore[misc]  # an auth.User
        reviewed_at=now,
        likelihood=new_likelihood,
        impact=new_impact,
        previous_likelihood=risk.current_likelihood,
        previous_impact=risk.current_impact,
        comment=comment,
        controls=[
            {
                "control": pk,
                "description": control.description,
                "effectiveness": controls.get(pk, control.effectiveness),
            }
            for pk, control in own_controls.items()
        ],
    )
    row.rounds.set(
        CollectionRound.objects.filter(kind=CollectionRound.Kind.QUARTERLY, period=str(period))
    )
    for pk, effectiveness in controls.items():
        control = own_controls[pk]
        if control.effectiveness != effectiveness:
            audit.update(
                actor=user,
                instance=control,
                reason=f"Review of {risk.reference}",
                effectiveness=effectiveness,
            )
    audit.update(
        actor=user,
        instance=risk,
        reason=f"Review for {period}: {comment}"[:500],
        current_likelihood=new_likelihood,
        current_impact=new_impact,
        previous_score=before_score,
        review_due=rules.next_review_due(local, settings.COLLECTION_WINDOW_DAYS),
    )
    appetite = risk.category.appetite
    if not was_above and rules.above_appetite(risk.current_score, appetite):
        _ask_to_escalate(risk, now=now)
    return row


def _ask_to_escalate(risk: Risk, *, now: dt.datetime) -> RiskEscalation | None:
    """A pending escalation request for `risk`, unless it is corporate or one is pending."""
    up = rules.escalated(rules.Register(risk.register))
    appetite = risk.category.appetite
    if up is None or appetite is None:
        return None
    if risk.escalations.filter(status=RiskEscalation.Status.PENDING).exists():
        return None
    request = RiskEscalation.objects.create(
        risk=risk,
        from_register=risk.register,
        to_register=up.value,
        score=risk.current_score,
        appetite=appetite,
        requested_at=now,
    )
    audit.created(
        actor=None,
        instance=request,
        fields=["from_register", "to_register", "score", "appetite"],
        reason=f"{risk.reference} rose above the appetite for {risk.category.name}",
    )
    return request


@transaction.atomic(durable=True)
def decide_escalation(
    *, user: User, escalation_id: int, confirm: bool, reason: str = ""
) -> RiskEscalation:
    """A performance officer confirms (the risk moves up a register) or declines (a reason is
    required) a pending escalation. Audited on the request and the risk."""
    if not access.is_performance_officer(user):
        raise RiskRefused("Only a performance officer confirms or declines an escalation.")
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise RiskInvalid({"reason": "Give the reason the risk stays on its register"})
    if len(reason) > MAX_COMMENT:
        raise RiskInvalid({"reason": f"Reason must be {MAX_COMMENT} characters or fewer"})
    request = (
        RiskEscalation.objects.select_for_update().select_related("risk").filter(pk=escalation_id)
    ).first()
    if request is None:
        raise Http404("No such escalation")
    if request.status != RiskEscalation.Status.PENDING:
        raise RiskRefused(
            f"This escalation of {request.risk.reference} was already "
            f"{request.get_status_display().lower()}."
        )
    status_now = RiskEscalation.Status.CONFIRMED if confirm else RiskEscalation.Status.DECLINED
    fields = ["status", "decided_by", "decided_at", "reason"]
    before = audit.snapshot(request, fields)
    request.status, request.decided_at = status_now, timezone.now()
    request.decided_by = user  # type: ignore[assignment]  # an officer: a signed-in auth.User
    request.reason = reason
    request.save(update_fields=fields)
    audit.record(
        actor=user,
        instance=request,
        action="update",
        changes=audit.diff(before, audit.snapshot(request, fields)),
        reason=reason,
    )
    if confirm:
        risk = Risk.objects.select_for_update().get(pk=request.risk_id)
        audit.update(
            actor=user,
            instance=risk,
            reason=f"Escalated above appetite ({request.score} > {request.appetite})"
            + (f": {reason}" if reason else ""),
            register=request.to_register,
        )
    return request


# --- key risk indicator alerts ---------------------------------------------------------------


@dataclass
class AlertSync:
    """What one pass of `sync_kri_alerts` did."""

    checked: bool = False
    raised: list[int] = field(default_factory=list)
    resolved: int = 0
    followed: int = 0
    worked_out: int = 0  # indicators whose reading was worked out again


@dataclass(frozen=True, slots=True)
class Latest:
    """An indicator's latest activated value with a figure, as the alert check reads it."""

    value_id: int
    period: str
    version: int
    target: str  # the target for that period as stored ("" when none)

    @property
    def signature(self) -> list[object]:
        return [self.value_id, self.version, self.target]


def _latest(indicator_ids: Sequence[int]) -> dict[int, Latest]:
    """Each indicator's latest activated value with a figure and its period's target. Three
    queries of plain values, never every value (a county's linked indicators have tens of
    thousands)."""
    figures = Value.objects.filter(
        indicator_id__in=list(indicator_ids), status=Value.Status.ACTIVATED, value__isnull=False
    ).order_by()
    # The latest start per indicator (an index-only scan), then just those rows.
    starts = dict(
        figures.values("indicator_id")
        .annotate(latest=Max("period_start"))
        .values_list("indicator_id", "latest")
    )
    found: dict[int, tuple[int, str, int]] = {}
    for pk, indicator_id, period, version, start in figures.filter(
        period_start__in=set(starts.values())
    ).values_list("pk", "indicator_id", "period", "version", "period_start"):
        if starts.get(indicator_id) == start:
            found[indicator_id] = (pk, period, version)
    targets = {
        (indicator_id, period): str(value)
        for indicator_id, period, value in Target.objects.filter(
            indicator_id__in=list(found), period__in={period for _, period, _ in found.values()}
        ).values_list("indicator_id", "period", "value")
    }
    return {
        indicator_id: Latest(pk, period, version, targets.get((indicator_id, period), ""))
        for indicator_id, (pk, period, version) in found.items()
    }


def _reasons(latest: dict[int, Latest]) -> dict[int, str]:
    """The alert each indicator's latest value raises (`red`, `concerning`, `both`, or "" for
    none), by the indicator page's rules: its level against the target and its SPC reading at
    that point. Five queries whatever the number of indicators."""
    if not latest:
        return {}
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in=list(latest))}
    read = {pk: periods.parse(item.period) for pk, item in latest.items()}
    data = indicator_selectors.indicator_data(
        list(latest), until=max(period.end for period in read.values())
    )
    result: dict[int, str] = {}
    for pk in latest:
        facts = indicator_selectors.indicator_facts(indicators[pk])
        reading = status.status_for(facts, data[pk], read[pk], window_closed=True, with_spc=True)
        result[pk] = rules.kri_reason(reading.status, reading.variation.value)
    return result


FULL_CHECK_EVERY = dt.timedelta(hours=24)


@transaction.atomic
def sync_kri_alerts(*, force: bool = False, now: dt.datetime | None = None) -> AlertSync:
    """Bring the key risk indicator alerts up to date with the activated values (SPEC §14).

    Runs only when the "indicators" generation changed since the last pass (two queries when
    nothing did), so pages may call it before they read; beat runs it too. It works out again
    only the indicators whose latest activated value, its version or its target changed since
    the pass before (a county's 1,500 links: one indicator's SPC, not all of them, after one
    activation); every indicator is worked out again when `force` is set or a day has passed
    (beat), which picks up what no value records (a new change point, a tolerance edited).
    Passes are serialised on the settings row. A new alert asks the owner for a review by
    email (the outbox, after the commit), once per alert."""
    report = AlertSync()
    token = generations.tokens(["indicators"])
    now = now or timezone.now()

    def up_to_date(checked: str, full_at: dt.datetime | None) -> bool:
        return (
            checked == token
            and not force
            and full_at is not None
            and (now - full_at <= FULL_CHECK_EVERY)
        )

    # Every risk page calls this: read without a lock first, so readers never queue on the
    # settings row when nothing changed; lock (and look again) only to do a pass.
    seen_state = RiskSettings.objects.filter(pk=1).values_list("kri_checked_token", "kri_full_at")
    current = seen_state.first()
    if current is not None and up_to_date(*current):
        return report
    RiskSettings.load()
    settings_row = RiskSettings.objects.select_for_update().get(pk=1)
    if up_to_date(settings_row.kri_checked_token, settings_row.kri_full_at):
        return report  # another request did the pass while this one waited for the lock
    full = (
        force
        or settings_row.kri_full_at is None
        or (now - settings_row.kri_full_at > FULL_CHECK_EVERY)
    )
    report.checked = True
    links = list(
        Risk.indicators.through.objects.filter(risk__status=Risk.Status.OPEN).values_list(
            "risk_id", "indicator_id"
        )
    )
    latest = _latest(sorted({indicator_id for _, indicator_id in links}))
    seen: dict[str, list[object]] = {} if full else dict(settings_row.kri_seen or {})
    moved = {pk: item for pk, item in latest.items() if seen.get(str(pk), [])[:3] != item.signature}
    reasons = {pk: str(seen[str(pk)][3]) for pk in latest if pk not in moved}
    reasons |= _reasons(moved)
    open_alerts = {
        (alert.risk_id, alert.indicator_id): alert
        for alert in RiskAlert.objects.filter(resolved_at__isnull=True)
    }
    alerting = set()
    for risk_id, indicator_id in links:
        item = latest.get(indicator_id)
        reason = reasons.get(indicator_id, "")
        if item is None or not reason:
            continue
        alerting.add((risk_id, indicator_id))
        alert = open_alerts.get((risk_id, indicator_id))
        if alert is None:
            alert = RiskAlert.objects.create(
                risk_id=risk_id,
                indicator_id=indicator_id,
                value_id=item.value_id,
                period=item.period,
                reason=reason,
                raised_at=now,
            )
            report.raised.append(alert.pk)
            outbox.enqueue("performance.risks.tasks.send_kri_alert", alert_id=alert.pk)
        elif alert.value_id != item.value_id or alert.reason != reason:
            alert.value_id, alert.period, alert.reason = item.value_id, item.period, reason
            alert.save(update_fields=["value", "period", "reason"])
            report.followed += 1
    ended = [alert.pk for key, alert in open_alerts.items() if key not in alerting]
    report.resolved = RiskAlert.objects.filter(pk__in=ended).update(resolved_at=now)
    settings_row.kri_checked_token = token
    settings_row.kri_seen = {
        str(pk): [*item.signature, reasons.get(pk, "")] for pk, item in latest.items()
    }
    fields = ["kri_checked_token", "kri_seen"]
    if full:
        settings_row.kri_full_at = now
        fields.append("kri_full_at")
    settings_row.save(update_fields=fields)
    report.worked_out = len(moved)
    if report.raised or report.resolved:
        log.info(
            "Key risk indicator alerts: %d raised, %d resolved", len(report.raised), report.resolved
        )
    return report


# --- the matrix and appetites -----------------------------------------------------------------


@transaction.atomic
def update_matrix(
    *,
    user: User,
    likelihood_labels: Sequence[str],
    impact_labels: Sequence[str],
    bands: rules.Bands,
    reason: str = "",
) -> RiskSettings:
    """Set the matrix labels and rating bands (officers; audited). `RiskInvalid` names each
    problem: five labels of each, none empty, bands rising."""
    if not access.is_performance_officer(user):
        raise RiskRefused("Only a performance officer sets the risk matrix.")
    errors: dict[str, str] = {}
    for name, labels in (("likelihood", likelihood_labels), ("impact", impact_labels)):
        cleaned = [label.strip() for label in labels]
        if len(cleaned) != rules.MAX_POINT or not all(cleaned):
            errors[f"{name}_labels"] = f"Give a label for each of the five {name} points"
    problems = bands.problems()
    if problems:
        errors["bands"] = "; ".join(problems)
    if errors:
        raise RiskInvalid(errors)
    row = RiskSettings.load()
    audit.update(
        actor=user,
        instance=row,
        reason=reason,
        likelihood_labels=[label.strip() for label in likelihood_labels],
        impact_labels=[label.strip() for label in impact_labels],
        low_max=bands.low_max,
        medium_max=bands.medium_max,
        high_max=bands.high_max,
    )
    return row


def alerts_by_risk(risk_ids: Sequence[int]) -> dict[int, list[RiskAlert]]:
    """Open alerts of the risks, with their indicators, by risk id (one query)."""
    result: dict[int, list[RiskAlert]] = defaultdict(list)
    for alert in RiskAlert.objects.filter(
        risk_id__in=list(risk_ids), resolved_at__isnull=True
    ).select_related("indicator"):
        result[alert.risk_id].append(alert)
    return result


__all__ = [
    "RiskError",
    "RiskInvalid",
    "RiskRefused",
    "alerts_by_risk",
    "can_review",
    "decide_escalation",
    "review",
    "risk_for",
    "sync_kri_alerts",
    "update_matrix",
]
