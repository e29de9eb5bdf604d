"""Action plans that ask to be opened (issue 20; SPEC §2): requests, their answers, and open
plans whose indicator has recovered.

When values are activated (`activations.announce` → the `VALUES_ACTIVATED` hook →
`on_values_activated`), each indicator is read once at its latest period with a value: Red, or
deteriorating two periods running (`core.action_plans.needs_plan`), without an open plan and
without a request that blocks a new one, raises an `ActionPlanRequest`. A request blocks a new
one while it waits, when it was raised for the same period (whatever its answer: retried and
repeated activations raise nothing), and when it was answered "no plan needed" with a review
date still to come. The partial unique constraint (one waiting request per indicator) settles
concurrent passes: the insert ignores the conflict.

The head of the indicator's team (its Head of Service, else the head of its service) answers:
opening a plan for the indicator (`link_opened_plan`, called by `open_action_plan`) or recording
why none is needed (`decide_no_plan`), both audited. The task and the notification are read
from the requests (home tasks, `common.notifications`): nothing is sent, so nothing is sent twice.

A pass costs a fixed number of queries however many indicators it reads: the indicators, their
recent values and targets (`indicator_data`), the open plans, the blocking requests, the insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import models as auth
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from performance.common import audit
from performance.common import cache as generations
from performance.core import action_plans
from performance.indicators import selectors as indicator_selectors
from performance.models import ActionPlan, ActionPlanRequest, Indicator, Team

# Values older than this are not read: the rule needs the latest period, the one before and the
# one before that (for its direction), which for an annual indicator is three years.
HISTORY_DAYS = 3 * 366 + 31


class RequestError(Exception):
    """A refused answer, with a message to show as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True, slots=True)
class Judged:
    indicator: Indicator
    readings: list[action_plans.Reading]


def _judge(indicators: list[Indicator], *, today: dt.date) -> list[Judged]:
    """Each indicator with its latest readings (three queries for all)."""
    if not indicators:
        return []
    data = indicator_selectors.indicator_data(
        [i.pk for i in indicators], until=dt.date.max, since=today - dt.timedelta(HISTORY_DAYS)
    )
    return [
        Judged(
            indicator,
            action_plans.latest_readings(
                indicator_selectors.indicator_facts(indicator), data[indicator.pk]
            ),
        )
        for indicator in indicators
    ]


def on_values_activated(*, indicator_ids: Iterable[int]) -> None:
    """The `VALUES_ACTIVATED` receiver: raise the requests the activated values call for."""
    raise_requests(indicator_ids=indicator_ids)


def raise_requests(
    *, indicator_ids: Iterable[int], now: dt.datetime | None = None
) -> list[ActionPlanRequest]:
    """Raise a request for each of the indicators that asks for a plan and has none open nor a
    request blocking a new one (module docstring). Idempotent. Returns the requests raised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    indicators = list(
        Indicator.objects.filter(pk__in=set(indicator_ids), active=True, team__isnull=False)
    )
    wanted: dict[int, tuple[Indicator, str, action_plans.PlanReason]] = {}
    for judged in _judge(indicators, today=today):
        reason = action_plans.needs_plan(judged.readings)
        if reason is not None:
            wanted[judged.indicator.pk] = (judged.indicator, judged.readings[-1].period, reason)
    if not wanted:
        return []
    with_plans = set(
        ActionPlan.objects.filter(indicator_id__in=wanted, status=ActionPlan.Status.OPEN)
        .order_by()
        .values_list("indicator_id", flat=True)
    )
    blocked: set[int] = set()
    for indicator_id, status, period, review_on in (
        ActionPlanRequest.objects.filter(indicator_id__in=wanted)
        .filter(
            Q(status=ActionPlanRequest.Status.REQUESTED)
            | Q(status=ActionPlanRequest.Status.NO_PLAN, review_on__gt=today)
            | Q(period__in={period for _, period, _ in wanted.values()})
        )
        .order_by()
        .values_list("indicator_id", "status", "period", "review_on")
    ):
        if (
            status == ActionPlanRequest.Status.REQUESTED
            or period == wanted[indicator_id][1]
            or (status == ActionPlanRequest.Status.NO_PLAN and review_on and review_on > today)
        ):
            blocked.add(indicator_id)
    fresh = [
        ActionPlanRequest(
            indicator=indicator,
            team_id=indicator.team_id,
            period=period,
            reason=str(reason),
            raised_at=now,
        )
        for pk, (indicator, period, reason) in wanted.items()
        if pk not in with_plans and pk not in blocked
    ]
    if fresh:
        # A concurrent pass that raised the same indicator's request first wins (the partial
        # unique constraint); this one's row is dropped, not an error.
        ActionPlanRequest.objects.bulk_create(fresh, ignore_conflicts=True)
        # A bulk insert sends no signal: the reports that print plan states (cache "reports",
        # which watches ActionPlanRequest) are told here. Saves below are seen by the signal.
        generations.bump("reports")
        # Read back (ignore_conflicts leaves no ids): those this pass raised.
        return list(
            ActionPlanRequest.objects.filter(
                indicator_id__in=[r.indicator_id for r in fresh], raised_at=now
            ).select_related("indicator")
        )
    return []


# --- answers ---------------------------------------------------------------------------------


def can_answer(user: Any, request: ActionPlanRequest) -> bool:
    """The team's head (or its service's head), a service manager of the team, or an officer:
    those who may open a plan for the team (`Team.objects.plans_openable_by`)."""
    return Team.objects.plans_openable_by(user).filter(pk=request.team_id).exists()


@transaction.atomic
def decide_no_plan(
    *, actor: auth.User, request_id: int, reason: str, review_on: dt.date
) -> ActionPlanRequest:
    """Record that no plan is needed, why, and when to look again. Audited."""
    request = ActionPlanRequest.objects.select_for_update().get(pk=request_id)
    if request.status != ActionPlanRequest.Status.REQUESTED:
        raise RequestError(
            f"This request is already answered ({request.get_status_display().lower()})."
        )
    audit.update(
        actor=actor,
        instance=request,
        reason=reason.strip(),
        status=ActionPlanRequest.Status.NO_PLAN,
        no_plan_reason=reason.strip(),
        review_on=review_on,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    return request


def link_opened_plan(*, actor: auth.User, plan: ActionPlan) -> ActionPlanRequest | None:
    """A plan opened for an indicator answers its waiting request (inside the caller's
    transaction). Audited. None when no request waits."""
    if plan.indicator_id is None:
        return None
    request = (
        ActionPlanRequest.objects.select_for_update()
        .filter(indicator_id=plan.indicator_id, status=ActionPlanRequest.Status.REQUESTED)
        .first()
    )
    if request is None:
        return None
    audit.update(
        actor=actor,
        instance=request,
        reason=f"Action plan “{plan.title}” opened.",
        status=ActionPlanRequest.Status.OPENED,
        plan=plan,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    return request


@transaction.atomic
def close_recovered_plan(*, actor: auth.User, plan_id: int) -> ActionPlan:
    """Close an open plan whose indicator has recovered. Audited with the readings as reason."""
    plan = (
        ActionPlan.objects.select_for_update(of=("self",))
        .select_related("indicator")
        .get(pk=plan_id)
    )
    if plan.status != ActionPlan.Status.OPEN:
        raise RequestError("This action plan is already closed.")
    readings = recovery_readings([plan]).get(plan.pk)
    if readings is None:
        raise RequestError(
            "Its indicator has not recovered for two periods running, so the plan stays open."
        )
    audit.update(
        actor=actor,
        instance=plan,
        reason=f"Closed: {plan.indicator.code if plan.indicator else 'its indicator'} neither "
        f"Red nor deteriorating in {readings[0].period} and {readings[1].period}.",
        status=ActionPlan.Status.CLOSED,
    )
    return plan


# --- reads -------------------------------------------------------------------------------------


def recovery_readings(
    plans: Iterable[ActionPlan], *, today: dt.date | None = None
) -> dict[int, list[action_plans.Reading]]:
    """The open plans of `plans` (with `indicator` loaded) whose indicator has recovered, by
    plan id, with the two readings that show it. Three queries."""
    today = today or _today()
    open_plans = [
        p for p in plans if p.status == ActionPlan.Status.OPEN and p.indicator_id is not None
    ]
    judged = {
        j.indicator.pk: j.readings
        for j in _judge(
            list({p.indicator.pk: p.indicator for p in open_plans}.values()), today=today
        )
    }
    return {
        p.pk: judged[p.indicator_id]
        for p in open_plans
        if action_plans.recovered(judged.get(p.indicator_id, []))
    }


def head_filter(user: Any) -> Q:
    """Requests of the teams `user` heads: as its Head of Service, or as head of the team's
    service when the team has none."""
    return Q(team__head_of_service_id=user.pk) | Q(
        team__head_of_service__isnull=True, team__service__head_of_service_id=user.pk
    )


def waiting_for(user: Any) -> QuerySet[ActionPlanRequest]:
    """Requests waiting for `user`'s answer, oldest first."""
    return (
        ActionPlanRequest.objects.filter(
            head_filter(user), status=ActionPlanRequest.Status.REQUESTED
        )
        .select_related("indicator", "team")
        .order_by("raised_at", "id")
    )


def describe(request: ActionPlanRequest) -> str:
    """ "Open an action plan for WAS 001, Red in 2026/27 Q2"."""
    why = (
        "Red"
        if request.reason == ActionPlanRequest.Reason.RED
        else "deteriorating two periods running"
    )
    return f"Open an action plan for {request.indicator.code}, {why} in {request.period}"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the reports say of an indicator without an open plan: a plan is requested, or none
    is needed (with why, until its review date)."""

    state: str  # "requested" | "no_plan"
    text: str  # "Plan requested" | "No plan: <reason>"
    reason: str = ""
    review_on: dt.date | None = None


def answers_for(indicator_ids: Iterable[int], *, today: dt.date | None = None) -> dict[int, Answer]:
    """Each indicator's waiting request, else its latest "no plan" decision whose review date has
    not passed, by indicator id (others left out). One query. Open plans are the caller's."""
    today = today or _today()
    result: dict[int, Answer] = {}
    for indicator_id, status, reason, review_on in (
        ActionPlanRequest.objects.filter(indicator_id__in=set(indicator_ids))
        .filter(
            Q(status=ActionPlanRequest.Status.REQUESTED)
            | Q(status=ActionPlanRequest.Status.NO_PLAN, review_on__gte=today)
        )
        .order_by("indicator_id", "-raised_at", "-id")
        .values_list("indicator_id", "status", "no_plan_reason", "review_on")
    ):
        if status == ActionPlanRequest.Status.REQUESTED:
            result[indicator_id] = Answer("requested", "Plan requested")
        elif indicator_id not in result:
            text = f"No plan: {reason.strip().rstrip('.')}"
            result[indicator_id] = Answer("no_plan", text, reason, review_on)
    return result
