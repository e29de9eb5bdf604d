"""Notifications (issue 19): what happened that a person should know, read from the records.

Nothing is written when these things happen, so no service has to remember to notify and none
is missed; the list is read from what each event already leaves behind (docs/decisions.md,
"Home and notifications"):

- a value returned to its enterers: the value's `returned_at`, `returned_by`, `return_reason`
  (a correction re-opens it the same way);
- a value activated, to its enterers: `activated_at`, `activated_by`;
- a risk review due, to the risk's owner: an open risk without a review for the period of an
  open quarterly round (from the day the round opened);
- a key risk indicator alert, to the risk's owner: `RiskAlert.raised_at`;
- a report published, to members: the audit trail's record of the publication;
- an escalation waiting, to performance officers: `RiskEscalation` still pending;
- an action plan asked for, to the head of the indicator's team: `ActionPlanRequest.raised_at`
  (issue 20; one request, one notification, however often values are activated).

A person's own actions are not news to them and are left out. What happened after their
`NotificationRead.last_seen_at` (or the start of the window, if later) is unread; only the last
`WINDOW_DAYS` are listed (pending escalations and reviews due are listed while they wait).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models import Value as V
from django.db.models.functions import Cast, Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from performance.common import access
from performance.core.roles import Role
from performance.models import (
    ActionPlanRequest,
    AuditEvent,
    CollectionRound,
    Indicator,
    NotificationRead,
    Risk,
    RiskAlert,
    RiskEscalation,
    RiskReview,
    Value,
)

# Older events are not listed (nor counted as unread).
WINDOW_DAYS = 60
# The list shows at most this many, newest first.
LIMIT = 50

RETURNED = "returned"
ACTIVATED = "activated"
REVIEW_DUE = "review_due"
ALERT = "alert"
PUBLISHED = "published"
ESCALATION = "escalation"
PLAN_REQUESTED = "plan_requested"

# The kind's words, and its task state in the symbols registry (`task` concept).
KINDS: dict[str, tuple[str, str]] = {
    RETURNED: ("Value returned", "returned"),
    ACTIVATED: ("Value activated", "done"),
    REVIEW_DUE: ("Risk review due", "due"),
    ALERT: ("Key risk indicator alert", "overdue"),
    PUBLISHED: ("Report published", "done"),
    ESCALATION: ("Escalation waiting", "due"),
    PLAN_REQUESTED: ("Action plan asked for", "due"),
}


@dataclass(frozen=True, slots=True)
class Notification:
    kind: str
    at: dt.datetime
    title: str
    detail: str
    url: str
    unread: bool

    @property
    def label(self) -> str:
        return KINDS[self.kind][0]

    @property
    def state(self) -> str:
        """The `task` symbol of the kind (`{% symbol "task" n.state %}`)."""
        return KINDS[self.kind][1]


def _floor(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=WINDOW_DAYS)


def last_seen(user: access.User) -> dt.datetime | None:
    """When `user` last marked their notifications read (None: never). One query."""
    return (
        NotificationRead.objects.filter(person_id=user.pk)
        .values_list("last_seen_at", flat=True)
        .first()
    )


def mark_read(user: access.User, *, now: dt.datetime | None = None) -> None:
    """Everything that happened up to `now` reads as read."""
    NotificationRead.objects.update_or_create(
        person_id=user.pk, defaults={"last_seen_at": now or timezone.now()}
    )


# --- the sources, as querysets shared by the list and the count ------------------------------


def _my_values(user: access.User) -> QuerySet[Value]:
    """Values of the indicators `user` enters, or entered by them."""
    entered = Indicator.objects.filter(enterers=user).values("id")
    return Value.objects.filter(Q(indicator_id__in=entered) | Q(entered_by_id=user.pk))


def _returned(user: access.User, since: Any) -> QuerySet[Value]:
    return _my_values(user).filter(returned_at__gt=since).exclude(returned_by_id=user.pk)


def _activated(user: access.User, since: Any) -> QuerySet[Value]:
    return _my_values(user).filter(activated_at__gt=since).exclude(activated_by_id=user.pk)


def _open_quarterly_rounds(today: dt.date) -> QuerySet[CollectionRound]:
    return CollectionRound.objects.filter(
        kind=CollectionRound.Kind.QUARTERLY, opens_on__lte=today, closes_on__gte=today
    )


def _opened_at(day: dt.date) -> dt.datetime:
    """When a round's review requests count from: the start of its first day, in UTC (the
    database's own cast of the date, so the list and the count agree)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _reviews_due(user: access.User, today: dt.date, since: Any) -> QuerySet[Risk]:
    """Open risks of `user` lacking a review for the period of an open quarterly round opened
    after `since` (a datetime, or an expression of the query the rounds are nested in)."""
    rounds = (
        _open_quarterly_rounds(today)
        .annotate(opened_at=Cast("opens_on", DateTimeField()))
        .filter(opened_at__gt=since)
        .filter(
            ~Exists(
                RiskReview.objects.filter(
                    risk_id=OuterRef(OuterRef("pk")), period=OuterRef("period")
                )
            )
        )
    )
    return Risk.objects.filter(owner_id=user.pk, status=Risk.Status.OPEN).filter(Exists(rounds))


def _alerts(user: access.User, since: Any) -> QuerySet[RiskAlert]:
    return RiskAlert.objects.filter(risk__owner_id=user.pk, raised_at__gt=since)


def _published(since: Any) -> QuerySet[AuditEvent]:
    # Read through the audit trail: the reports area sits above this one (import-linter), and
    # its publication service records every version it publishes.
    return AuditEvent.objects.filter(
        content_type__app_label="reports",
        content_type__model="publishedreport",
        action="create",
        at__gt=since,
    )


def _escalations(since: Any) -> QuerySet[RiskEscalation]:
    pending = RiskEscalation.objects.filter(status=RiskEscalation.Status.PENDING)
    return pending if since is None else pending.filter(requested_at__gt=since)


def _plan_requests(user: access.User, since: Any) -> QuerySet[ActionPlanRequest]:
    """Requests raised for the teams `user` heads (as its head, or its service's head when the
    team has none). Written here, not read from the plans area, which sits above this one."""
    heads = Q(team__head_of_service_id=user.pk) | Q(
        team__head_of_service__isnull=True, team__service__head_of_service_id=user.pk
    )
    return ActionPlanRequest.objects.filter(heads, raised_at__gt=since)


def _count(queryset: QuerySet) -> Coalesce:  # type: ignore[type-arg]
    """A scalar subquery counting `queryset`'s rows."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- the count, for every page's header ---------------------------------------------------------


def unread_count(user: access.User, *, now: dt.datetime | None = None) -> int:
    """How many notifications `user` has not read: those after their marker (or the start of
    the window, whichever is later). One query whatever the roles: every source is counted in
    a subquery of the person's own row, beside the marker."""
    if not user.is_authenticated:
        return 0
    now = now or timezone.now()
    floor = V(_floor(now), output_field=DateTimeField())
    marker = NotificationRead.objects.filter(person_id=OuterRef("pk")).values("last_seen_at")
    since = OuterRef("since")
    roles = access.roles_of(user)
    counts = {
        "returned": _count(_returned(user, since)),
        "activated": _count(_activated(user, since)),
        "reviews": _count(_reviews_due(user, timezone.localdate(now), OuterRef(OuterRef("since")))),
        "alerts": _count(_alerts(user, since)),
        "plan_requests": _count(_plan_requests(user, since)),
    }
    if Role.MEMBER in roles:
        counts["published"] = _count(_published(since))
    if Role.PERFORMANCE_OFFICER in roles:
        counts["escalations"] = _count(_escalations(since))
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(since=Greatest(Coalesce(Subquery(marker[:1]), floor), floor))
        .annotate(**counts)
        .values_list(*counts)
        .first()
    )
    return sum(row) if row else 0


# --- the list -----------------------------------------------------------------------------------


def _name(person) -> str:  # type: ignore[no-untyped-def]
    if person is None:
        return "a data manager"
    return person.get_full_name() or person.get_username()


def notifications_for(
    user: access.User, *, now: dt.datetime | None = None, limit: int = LIMIT
) -> list[Notification]:
    """`user`'s notifications, newest first, at most `limit`. A fixed number of queries for a
    person's roles: the marker, then one per source."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    seen = last_seen(user)
    floor = _floor(now)
    since = max(seen, floor) if seen else floor
    today = timezone.localdate(now)
    roles = access.roles_of(user)
    returns = reverse("performance:my-returns")
    found: list[Notification] = []

    def add(kind: str, at: dt.datetime, title: str, detail: str, url: str) -> None:
        found.append(Notification(kind, at, title, detail, url, at > since))

    for value in (
        _returned(user, floor)
        .select_related("indicator", "returned_by")
        .order_by("-returned_at")[:limit]
    ):
        add(
            RETURNED,
            value.returned_at,
            f"{value.indicator.code} {value.indicator.title} ({value.period}) was returned to you",
            f"By {_name(value.returned_by)}: {value.return_reason}",
            returns,
        )
    for value in (
        _activated(user, floor)
        .select_related("indicator", "activated_by")
        .order_by("-activated_at")[:limit]
    ):
        add(
            ACTIVATED,
            value.activated_at,
            f"{value.indicator.code} {value.indicator.title} ({value.period}) was activated",
            f"By {_name(value.activated_by)}. It now counts in reports and dashboards.",
            reverse("performance:indicator-detail", args=[value.indicator_id]),
        )
    rounds = list(_open_quarterly_rounds(today).order_by("-opens_on"))
    if rounds:
        reviewed = set(
            RiskReview.objects.filter(
                risk__owner_id=user.pk, period__in=[r.period for r in rounds]
            ).values_list("risk_id", "period")
        )
        for risk in Risk.objects.filter(owner_id=user.pk, status=Risk.Status.OPEN).order_by(
            "reference"
        )[:limit]:
            round_ = next((r for r in rounds if (risk.pk, r.period) not in reviewed), None)
            if round_ is not None:
                add(
                    REVIEW_DUE,
                    _opened_at(round_.opens_on),
                    f"Review {risk.reference} {risk.title} for {round_.period}",
                    f"Due by the end of {round_.closes_on:%A %-d %B %Y}.",
                    reverse("performance:risk-review", args=[risk.pk]),
                )
    for alert in (
        _alerts(user, floor).select_related("risk", "indicator").order_by("-raised_at")[:limit]
    ):
        resolved = " (since resolved)" if alert.resolved_at else ": review the risk now"
        add(
            ALERT,
            alert.raised_at,
            f"{alert.risk.reference} {alert.risk.title}: {alert.indicator.code} is "
            f"{alert.get_reason_display()} for {alert.period}",
            f"A key risk indicator of your risk is alerting{resolved}.",
            reverse("performance:risk-review", args=[alert.risk_id]),
        )
    for asked in (
        _plan_requests(user, floor).select_related("indicator").order_by("-raised_at")[:limit]
    ):
        why = (
            "Red"
            if asked.reason == ActionPlanRequest.Reason.RED
            else "deteriorating two periods running"
        )
        add(
            PLAN_REQUESTED,
            asked.raised_at,
            f"{asked.indicator.code} {asked.indicator.title} is {why} in {asked.period}",
            "Open an action plan for it, or record why none is needed.",
            reverse("performance:plan-request-list"),
        )
    if Role.MEMBER in roles:
        for event in _published(floor).order_by("-at")[:limit]:
            add(
                PUBLISHED,
                event.at,
                f"{event.object_repr} was published",
                f"By {event.actor_name}." if event.actor_name else "",
                reverse("public:report", args=[int(event.object_id)]),
            )
    if Role.PERFORMANCE_OFFICER in roles:
        for escalation in (
            _escalations(None).select_related("risk").order_by("requested_at")[:limit]
        ):
            add(
                ESCALATION,
                escalation.requested_at,
                f"{escalation.risk.reference} {escalation.risk.title}: escalate to the "
                f"{escalation.get_to_register_display().lower()} register?",
                f"Its score {escalation.score} is above its appetite of {escalation.appetite}.",
                reverse("performance:risk-escalations"),
            )
    found.sort(key=lambda n: n.at, reverse=True)
    return found[:limit]
