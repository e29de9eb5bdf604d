"""Reads of the risk report and the quarterly report's risk section (SPEC §14): the risks a
report may show, gathered once into `RiskFacts`. See selectors/risks.py for whose risks and for
what "since the last quarter" means.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from performance.common.display import person_name
from performance.core import risks as rules
from performance.core.periods import Period
from performance.models import (
    Action,
    ActivityProgress,
    Milestone,
    Risk,
    RiskAction,
    RiskEscalation,
    RiskReview,
)
from performance.models.audit import AuditEvent
from performance.models.visibility import User
from performance.reports.data import Audience
from performance.risks import selectors as risk_selectors
from performance.risks import services as risk_services

RATINGS = tuple(rules.Rating)
YES_NO = {True: "Yes", False: "No"}


@dataclass(frozen=True)
class Scope:
    """Whose eyes the report is for."""

    audience: Audience
    reader: User | None = None  # None: the system (command, publication)
    public: bool = False  # published: public at /public/

    @property
    def confidential(self) -> bool:
        """Whether confidential risks may appear (only for Management Team, never in public)."""
        return self.audience is Audience.MT and not self.public


def _span(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The moments whose review counts for `period`: the quarter after it (local time)."""
    after = period.next()
    start = timezone.make_aware(dt.datetime.combine(after.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(after.end + dt.timedelta(days=1), dt.time.min))
    return start, end


@dataclass(frozen=True)
class Movement:
    row: risk_selectors.RiskRow
    before: int
    after: int

    @property
    def direction(self) -> rules.Direction:
        return rules.direction(self.after, self.before)


@dataclass(frozen=True)
class ClosedRisk:
    reference: str
    title: str
    register: str
    owner: str
    closed_on: dt.date


@dataclass(frozen=True)
class OverdueAction:
    reference: str
    description: str
    owner: str
    due: dt.date
    progress: str
    linked: str


@dataclass
class RiskFacts:
    """Everything the risk report and the quarterly section show, read once."""

    period: Period
    today: dt.date
    matrix: rules.Matrix
    rows: list[risk_selectors.RiskRow]
    alerts: dict[int, list[Any]]
    movements: list[Movement]
    new: list[risk_selectors.RiskRow]
    closed: list[ClosedRisk]
    escalations: list[RiskEscalation]
    overdue_actions: list[OverdueAction]
    confidential_left_out: bool

    @property
    def above(self) -> list[risk_selectors.RiskRow]:
        return [row for row in self.rows if row.above_appetite]

    @property
    def overdue_reviews(self) -> list[risk_selectors.RiskRow]:
        return [row for row in self.rows if row.review_overdue]

    @property
    def with_alert(self) -> list[risk_selectors.RiskRow]:
        return [row for row in self.rows if row.kri_alert]

    @property
    def by_rating(self) -> Counter[str]:
        return Counter(row.rating.value for row in self.rows)


def risk_facts(
    *, period: Period, scope: Scope, today: dt.date | None = None, full: bool = True
) -> RiskFacts:
    """Read the risks of the report (a fixed number of queries whatever their number).
    `full=False` (the quarterly report's short section) leaves out new, closed and escalated
    risks and overdue actions."""
    today = today or timezone.localdate()
    risk_services.sync_kri_alerts()  # alerts follow the activated values before they are read
    matrix = risk_selectors.matrix()
    rows = risk_selectors.register_rows(user=scope.reader, today=today, council_matrix=matrix)
    every = len(rows)
    if not scope.confidential:
        rows = [row for row in rows if not row.confidential]
    ids = [row.id for row in rows]
    by_id = {row.id: row for row in rows}
    start, end = _span(period)
    return RiskFacts(
        period=period,
        today=today,
        matrix=matrix,
        rows=rows,
        alerts=risk_services.alerts_by_risk(ids),
        movements=_movements(by_id, period),
        new=_new(by_id, period, start, end) if full else [],
        closed=_closed(scope, start, end) if full else [],
        escalations=list(
            RiskEscalation.objects.filter(
                risk_id__in=ids,
                status=RiskEscalation.Status.CONFIRMED,
                decided_at__gte=start,
                decided_at__lt=end,
            )
            .select_related("risk")
            .order_by("risk__reference", "decided_at")
        )
        if full
        else [],
        overdue_actions=_overdue_actions(by_id, today) if full else [],
        confidential_left_out=every > len(rows),
    )


def _new(
    by_id: dict[int, risk_selectors.RiskRow], period: Period, start: dt.datetime, end: dt.datetime
) -> list[risk_selectors.RiskRow]:
    """Risks added in the span, unless reviewed for an earlier quarter (a register imported or
    seeded with its history is not new)."""
    # Quarter labels ("2025/26 Q2") sort as the quarters do.
    earlier = RiskReview.objects.filter(risk_id=OuterRef("pk"), period__lt=str(period))
    return [
        by_id[pk]
        for pk in Risk.objects.filter(pk__in=list(by_id), created_at__gte=start, created_at__lt=end)
        .exclude(Exists(earlier))
        .order_by("reference")
        .values_list("pk", flat=True)
    ]


def _movements(by_id: dict[int, risk_selectors.RiskRow], period: Period) -> list[Movement]:
    """Risks whose score at their latest review for `period` differs from the quarter before."""
    label, earlier = str(period), str(period.previous())
    latest: dict[tuple[int, str], RiskReview] = {}
    first: dict[int, RiskReview] = {}
    for review in RiskReview.objects.filter(
        risk_id__in=list(by_id), period__in=[label, earlier]
    ).order_by("reviewed_at", "id"):
        latest[(review.risk_id, review.period)] = review
        if review.period == label:
            first.setdefault(review.risk_id, review)
    result = []
    for (risk_id, review_period), review in latest.items():
        if review_period != label:
            continue
        before_review = latest.get((risk_id, earlier))
        before = before_review.score if before_review else first[risk_id].previous_score
        if before != review.score:
            result.append(Movement(row=by_id[risk_id], before=before, after=review.score))
    return sorted(result, key=lambda m: m.row.reference)


def _closed(scope: Scope, start: dt.datetime, end: dt.datetime) -> list[ClosedRisk]:
    """Risks closed in the span: the audit trail's change of status, else their last change."""
    queryset = risk_selectors.visible_risks(scope.reader).filter(status=Risk.Status.CLOSED)
    if not scope.confidential:
        queryset = queryset.filter(confidential=False)
    risks = list(queryset.select_related("owner"))
    if not risks:
        return []
    closed_at: dict[str, dt.datetime] = {}
    for event in AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Risk),
        object_id__in=[str(risk.pk) for risk in risks],
    ).order_by("at"):
        change = (event.changes or {}).get("status")
        if isinstance(change, list) and change and change[-1] == Risk.Status.CLOSED:
            closed_at[event.object_id] = event.at
    result = []
    for risk in risks:
        moment = closed_at.get(str(risk.pk), risk.updated_at)
        if start <= moment < end:
            result.append(
                ClosedRisk(
                    reference=risk.reference,
                    title=risk.title,
                    register=risk.get_register_display(),
                    owner=person_name(risk.owner),
                    closed_on=timezone.localtime(moment).date(),
                )
            )
    return sorted(result, key=lambda c: c.reference)


def _overdue_actions(
    by_id: dict[int, risk_selectors.RiskRow], today: dt.date
) -> list[OverdueAction]:
    """Mitigating actions past their due date and not complete. A linked service-plan activity
    is read from its own record (due: its last milestone; complete: its latest progress at 100%
    or every milestone met); a linked action-plan action from its due date and status."""
    result = []
    actions = (
        RiskAction.objects.filter(risk_id__in=list(by_id))
        .select_related("owner", "activity__owner", "plan_action__owner")
        .prefetch_related(
            Prefetch("activity__milestones", queryset=Milestone.objects.order_by("due_on")),
            Prefetch("activity__progress", queryset=ActivityProgress.objects.order_by("-month")),
        )
    )
    for action in actions:
        if action.activity is not None:
            activity = action.activity
            milestones = list(activity.milestones.all())
            progress = list(activity.progress.all())
            due = milestones[-1].due_on if milestones else None
            complete = (bool(progress) and progress[0].percent_complete >= 100) or (
                bool(milestones) and all(m.met_on for m in milestones)
            )
            words = f"{progress[0].percent_complete}% complete" if progress else "No progress yet"
            description, owner = activity.title, activity.owner
            linked = "Service plan activity"
        elif action.plan_action is not None:
            plan_action = action.plan_action
            due, owner = plan_action.due_on, plan_action.owner
            complete = plan_action.status == Action.Status.DONE
            words = plan_action.get_status_display()
            description, linked = plan_action.description, "Action plan action"
        else:
            due, owner = action.due_on, action.owner
            complete = action.progress == RiskAction.Progress.COMPLETE
            words = action.get_progress_display()
            description, linked = action.description, ""
        if due is None or complete or due >= today:
            continue
        result.append(
            OverdueAction(
                reference=by_id[action.risk_id].reference,
                description=description,
                owner=person_name(owner) if owner else "",
                due=due,
                progress=words,
                linked=linked,
            )
        )
    return sorted(result, key=lambda a: (a.due, a.reference))
