"""The home page's task list (issue 19): what each role has to do next, most urgent first.

Reads only, gathered from the areas that own the work: the due items of the collection cycle
(`collection.due`), the activation queue's values (`Value.objects.manageable_by`), the plan
updates a round asks of owners (`due.plan_items`), risk reviews, alerts and escalations, action
plans, and the audit trail's record of published reports. Each task links to the page where
the work is done. Sections apply by role (a person may hold several: every section that applies
is shown) and the queries are a fixed number per role, whatever the amount of work.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from performance.collection import due
from performance.common import access
from performance.core.roles import Role
from performance.indicators import selectors
from performance.models import (
    ActionPlan,
    AuditEvent,
    CollectionRound,
    Indicator,
    MeasureOfSuccess,
    Risk,
    RiskAlert,
    RiskEscalation,
    RiskReview,
    StrategicPlan,
    Value,
)
from performance.plans import requests as plan_request_reads

# A section lists at most this many tasks; its "see all" link leads to the rest.
SHOWN = 8
# Rounds that closed this many days ago or less count for "overdue in your teams".
RECENT_DAYS = 120

# Plain words for each role, in place of the role's specification (issue 19).
ROLE_WORDS = {
    Role.PERFORMANCE_OFFICER: "You run the council's performance framework: plans, indicators, "
    "collection rounds and reports.",
    Role.SERVICE_MANAGER: "You look after your teams' performance: their figures, service plan "
    "and action plans.",
    Role.DATA_MANAGER: "You check the figures your teams send in, then activate them or send "
    "them back with a reason.",
    Role.DATA_ENTERER: "You send in the figures and comments for the indicators given to you.",
    Role.MEMBER: "You can see how the council is doing against its plan, and the reports "
    "published for committees.",
}


@dataclass(frozen=True, slots=True)
class Task:
    """One thing to do: its state (a `task` symbol key), what it is, and where it is done."""

    state: str
    title: str
    url: str
    detail: str = ""
    state_words: str = ""  # words other than the symbol's own ("Review now")
    links: tuple[tuple[str, str], ...] = ()  # more ways to do it: (words, url)


@dataclass(slots=True)
class Section:
    key: str
    title: str
    empty: str
    tasks: list[Task] = field(default_factory=list)
    total: int = 0
    urgent: bool = False  # holds something overdue or returned: shown first
    intro: list[str] = field(default_factory=list)
    more_url: str = ""
    more_text: str = ""

    @property
    def shown(self) -> list[Task]:
        return self.tasks[:SHOWN]

    @property
    def hidden(self) -> int:
        return max(self.total - SHOWN, 0)


@dataclass(frozen=True, slots=True)
class PriorityLine:
    number: int
    title: str
    url: str
    indicators: int
    counts: list[tuple[str, int]]  # (status code, count) in selectors' status order


@dataclass(frozen=True, slots=True)
class ReportLine:
    title: str
    url: str
    at: dt.datetime


def _day(day: dt.date) -> str:
    return f"{day:%A %-d %B %Y}"


def _round_words(round_: CollectionRound) -> str:
    return f"{round_.get_kind_display()} {round_.period}"


def _recent_rounds(today: dt.date) -> list[CollectionRound]:
    """Rounds open today or closed in the last RECENT_DAYS, latest closing first. One query."""
    return list(
        CollectionRound.objects.filter(
            opens_on__lte=today, closes_on__gte=today - dt.timedelta(days=RECENT_DAYS)
        ).order_by("-closes_on", "kind")
    )


@dataclass(frozen=True, slots=True)
class Rounds:
    open: list[CollectionRound]
    latest_closed: list[CollectionRound]  # the latest closed round of each kind
    quarterly: CollectionRound | None  # the current quarterly round: open, or the last closed

    @classmethod
    def read(cls, today: dt.date) -> Rounds:
        found = _recent_rounds(today)
        open_ = sorted((r for r in found if r.closes_on >= today), key=lambda r: r.closes_on)
        closed: dict[str, CollectionRound] = {}
        for round_ in found:
            if round_.closes_on < today:
                closed.setdefault(round_.kind, round_)
        quarterly = next(
            (r for r in found if r.kind == CollectionRound.Kind.QUARTERLY and r.closes_on >= today),
            closed.get(CollectionRound.Kind.QUARTERLY),
        )
        return cls(open_, list(closed.values()), quarterly)


# --- due from me --------------------------------------------------------------------------------


def _item_url(item: due.DueItem) -> str:
    return f"{reverse('performance:my-returns')}#item-{item.key}"


def due_from_me(user, rounds: Rounds, *, enters: bool) -> list[Section]:
    """ "Returned to you" and "Due from you": the values of the open rounds not yet submitted
    (returned ones first, with the manager's reason), values returned in earlier rounds, and the
    plan updates the open rounds ask of `user` as an owner. Queries: the due items (three when
    `enters`), the earlier returned values (one), the plan updates (up to four)."""
    returned = Section(
        "returned",
        "Returned to you",
        "Nothing has been returned to you.",
        urgent=True,
        more_url=reverse("performance:my-returns"),
        more_text="See them all in My returns",
    )
    due_now = Section(
        "due",
        "Due from you",
        "Nothing is due from you in the open collection rounds.",
        more_url=reverse("performance:my-returns") if enters else "",
        more_text="See everything in My returns" if enters else "",
    )
    items = due.due_items(rounds.open, enterer=user, history=0) if enters else []
    if enters:
        seen = {(i.indicator.id, i.period) for i in items}
        earlier = [
            v
            for v in Value.objects.filter(
                indicator__enterers=user, status=Value.Status.RETURNED
            ).select_related("indicator", "returned_by")
            if (v.indicator_id, v.period) not in seen
        ]
    else:
        earlier = []
    for item in items:
        if item.status == Value.Status.RETURNED:
            returned.tasks.append(_returned_task(item.value, _item_url(item)))
    for value in earlier:
        returned.tasks.append(_returned_task(value, reverse("performance:my-returns")))
    returned.total = len(returned.tasks)

    counts: Counter[int] = Counter()
    updates: Counter[int] = Counter()
    for item in items:
        if item.submitted or item.status in (Value.Status.RETURNED, Value.Status.NO_DATA):
            continue
        counts[item.round.pk] += 1
        state = "draft" if item.status == Value.Status.DRAFT else "due"
        due_now.tasks.append(
            Task(
                state,
                item.label,
                _item_url(item),
                f"{'Saved as a draft. ' if state == 'draft' else ''}"
                f"Due by the end of {_day(item.round.closes_on)} ({due.days_left_text(item.round).lower()}).",
            )
        )
    plan_rounds = [r for r in rounds.open if r.kind != CollectionRound.Kind.QUARTERLY]
    for plan_item in due.plan_items(plan_rounds, owner=user.pk):
        if plan_item.record.owner_id != user.pk or plan_item.updated:
            continue
        updates[plan_item.round.pk] += 1
        if plan_item.kind == due.PlanItem.ACTIVITY:
            url = reverse("performance:activity-progress", args=[plan_item.record.pk])
        else:
            url = reverse("performance:strategic-actions")
        due_now.tasks.append(
            Task(
                "due",
                plan_item.label,
                url,
                f"Progress update due by the end of {_day(plan_item.round.closes_on)} "
                f"({due.days_left_text(plan_item.round).lower()}).",
            )
        )
    for round_ in rounds.open:
        things = [
            _counted(counts[round_.pk], "value"),
            _counted(updates[round_.pk], "progress update"),
        ]
        things = [thing for thing in things if thing]
        if things:
            due_now.intro.append(
                f"{_round_words(round_)}: {' and '.join(things)} to send, by the end of "
                f"{_day(round_.closes_on)} ({due.days_left_text(round_).lower()})."
            )
    due_now.total = len(due_now.tasks)
    return [returned, due_now] if enters else [due_now]


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}" if count else ""


def _returned_task(value: Value, url: str) -> Task:
    who = value.returned_by.get_full_name() if value.returned_by else ""
    reason = value.return_reason or "No reason was given."
    return Task(
        "returned",
        f"{value.indicator.code} {value.indicator.title} ({value.period})",
        url,
        f"{who + ': ' if who else ''}{reason}",
    )


# --- waiting for my decision --------------------------------------------------------------------


def decisions(user, *, activates: bool, escalations: bool) -> Section:
    """Values waiting for activation (data managers, officers) and pending risk escalations
    (officers). One query each."""
    section = Section(
        "decisions",
        "Waiting for your decision",
        "Nothing is waiting for your decision.",
    )
    if activates:
        waiting = list(
            Value.objects.manageable_by(user)
            .filter(status=Value.Status.SUBMITTED)
            .select_related("indicator", "entered_by")
            .only(
                "id",
                "period",
                "submitted_at",
                "indicator__code",
                "indicator__title",
                "entered_by__first_name",
                "entered_by__last_name",
                "entered_by__username",
            )
            .order_by("submitted_at", "indicator__code")
        )
        for value in waiting:
            by = value.entered_by.get_full_name() if value.entered_by else ""
            when = (
                f" on {timezone.localtime(value.submitted_at):%-d %B %Y}"
                if value.submitted_at
                else ""
            )
            section.tasks.append(
                Task(
                    "submitted",
                    f"Activate or return {value.indicator.code} {value.indicator.title} "
                    f"({value.period})",
                    reverse("performance:value-review", args=[value.pk]),
                    f"Sent{' by ' + by if by else ''}{when}.",
                    "Waiting for you",
                )
            )
        if waiting:
            section.intro.append(
                f"{len(waiting)} value{'s' if len(waiting) != 1 else ''} waiting for activation."
            )
            section.more_url = reverse("performance:activation-queue")
            section.more_text = "Open the activation queue"
    if escalations:
        pending = list(
            RiskEscalation.objects.filter(status=RiskEscalation.Status.PENDING)
            .select_related("risk")
            .order_by("requested_at")
        )
        for escalation in pending:
            section.tasks.insert(
                0,
                Task(
                    "due",
                    f"Escalate {escalation.risk.reference} {escalation.risk.title} to the "
                    f"{escalation.get_to_register_display().lower()} register?",
                    reverse("performance:risk-escalations"),
                    f"Its score of {escalation.score} is above its appetite of "
                    f"{escalation.appetite}.",
                ),
            )
        if pending:
            section.intro.insert(
                0,
                f"{len(pending)} risk escalation{'s' if len(pending) != 1 else ''} waiting.",
            )
    section.total = len(section.tasks)
    return section


# --- risk reviews I owe ---------------------------------------------------------------------------


def risk_reviews(user, rounds: Rounds, today: dt.date) -> Section | None:
    """Open risks `user` owns with an open key risk indicator alert ("review now"), or without a
    review for the current quarterly round's period (due, or overdue once it closed). None when
    they own no open risk. One query."""
    current = rounds.quarterly
    risks = Risk.objects.filter(owner_id=user.pk, status=Risk.Status.OPEN).annotate(
        alerting=Exists(RiskAlert.objects.filter(risk=OuterRef("pk"), resolved_at__isnull=True)),
        reviewed=Exists(
            RiskReview.objects.filter(risk=OuterRef("pk"), period=current.period if current else "")
        ),
    )
    found = list(risks.order_by("reference").only("id", "reference", "title"))
    if not found:
        return None
    section = Section("risks", "Risk reviews", "Your risks have been reviewed for this quarter.")
    url = "performance:risk-review"
    for risk in found:
        name = f"Review {risk.reference} {risk.title}"
        if risk.alerting:
            section.tasks.append(
                Task(
                    "due",
                    name,
                    reverse(url, args=[risk.pk]),
                    "A key risk indicator is alerting: review the risk now.",
                    "Review now",
                )
            )
            section.urgent = True
        elif current is not None and not risk.reviewed:
            closed = current.closes_on < today
            section.urgent |= closed
            section.tasks.append(
                Task(
                    "overdue" if closed else "due",
                    name,
                    reverse(url, args=[risk.pk]),
                    f"The review for {current.period} "
                    + (
                        f"was due by the end of {_day(current.closes_on)}."
                        if closed
                        else f"is due by the end of {_day(current.closes_on)} "
                        f"({due.days_left_text(current).lower()})."
                    ),
                )
            )
    section.tasks.sort(key=lambda t: {"overdue": 0, "due": 1}.get(t.state, 2))
    section.total = len(section.tasks)
    return section


# --- overdue in my teams --------------------------------------------------------------------------


def overdue_in_teams(user, rounds: Rounds) -> list[Section]:
    """For heads of service and service managers: values of their teams not activated when the
    latest closed rounds closed, activities whose monthly update is missing (the plan's service
    head is told), and their teams' open action plans. Queries: the due items (three), the plan
    updates (two), the action plans (one)."""
    teams = access.member_team_ids(user)
    overdue = Section(
        "overdue",
        "Overdue in your teams",
        "Nothing is overdue in your teams.",
        urgent=True,
    )
    for item in due.due_items(rounds.latest_closed, team_ids=teams, history=0):
        if item.activated or item.status == Value.Status.NO_DATA:
            continue
        team = item.indicator.team.name if item.indicator.team else "No team"
        overdue.tasks.append(
            Task(
                "overdue",
                item.label,
                reverse("performance:round-detail", args=[item.round.pk]),
                f"{team}: {item.status_label.lower()}, not activated when "
                f"{_round_words(item.round)} closed on {_day(item.round.closes_on)}.",
            )
        )
    monthly = [r for r in rounds.latest_closed if r.kind == CollectionRound.Kind.MONTHLY]
    for plan_item in due.plan_items(monthly, manager=user.pk):
        manager = plan_item.manager
        if plan_item.updated or getattr(manager, "pk", None) != user.pk:
            continue
        overdue.tasks.append(
            Task(
                "overdue",
                plan_item.label,
                reverse("performance:activity-progress", args=[plan_item.record.pk]),
                f"No progress update for {plan_item.period}; "
                f"{plan_item.owner.get_full_name() if plan_item.owner else 'no owner'} owns it.",
            )
        )
    overdue.total = len(overdue.tasks)
    plans = Section(
        "action-plans",
        "Open action plans in your teams",
        "Your teams have no open action plan.",
        more_url=reverse("performance:action-plan-list"),
        more_text="See every action plan",
    )
    for plan in (
        ActionPlan.objects.filter(team_id__in=teams, status=ActionPlan.Status.OPEN)
        .select_related("team", "owner", "indicator")
        .order_by("opened_on", "id")
    ):
        about = f"{plan.indicator.code}: " if plan.indicator else ""
        owner = plan.owner.get_full_name() if plan.owner else "no owner"
        plans.tasks.append(
            Task(
                "in_progress",
                f"{about}{plan.title}",
                reverse("performance:action-plan-detail", args=[plan.pk]),
                f"{plan.team.name}, owned by {owner}, open since {plan.opened_on:%-d %B %Y}.",
                "Open",
            )
        )
    plans.total = len(plans.tasks)
    return [overdue, plans]


# --- action plans asked for (issue 20) ------------------------------------------------------------


def plan_requests(user, today: dt.date) -> Section:
    """Indicators of the teams `user` heads that ask for an action plan (each with "Open a plan"
    and "No plan needed"), and open plans they own or head whose indicator has recovered two
    periods running (suggested for closing). Queries: the requests (one), the plans (one) and,
    when some are open for an indicator, their recent figures (three)."""
    section = Section(
        "plan-requests",
        "Action plans asked for",
        "No indicator of your teams is asking for an action plan.",
        more_url=reverse("performance:plan-request-list"),
        more_text="See every request",
    )
    for asked in plan_request_reads.waiting_for(user):
        create = f"{reverse('performance:action-plan-create')}?request={asked.pk}"
        section.tasks.append(
            Task(
                "due",
                plan_request_reads.describe(asked),
                create,
                f"{asked.indicator.title} ({asked.team.name}). Open a plan, or record why none "
                "is needed.",
                "Plan requested",
                links=(
                    ("Open a plan", create),
                    (
                        "No plan needed",
                        reverse("performance:plan-request-no-plan", args=[asked.pk]),
                    ),
                ),
            )
        )
    plans = list(
        ActionPlan.objects.filter(
            Q(owner_id=user.pk) | Q(team__head_of_service_id=user.pk),
            status=ActionPlan.Status.OPEN,
            indicator__isnull=False,
        )
        .select_related("indicator")
        .order_by("opened_on", "id")
    )
    recovered = plan_request_reads.recovery_readings(plans, today=today) if plans else {}
    for plan in plans:
        readings = recovered.get(plan.pk)
        if readings is None:
            continue
        section.tasks.append(
            Task(
                "in_progress",
                f"Close the action plan “{plan.title}”?",
                reverse("performance:action-plan-detail", args=[plan.pk]),
                f"{plan.indicator.code} has been neither Red nor deteriorating in "
                f"{readings[0].period} and {readings[1].period}.",
                "Could close",
            )
        )
    section.total = len(section.tasks)
    return section


# --- for members ------------------------------------------------------------------------------


def published_reports(limit: int = 5) -> list[ReportLine]:
    """The latest published reports, each report once (its newest version), read from the audit
    trail: the reports area sits above this one. One query."""
    lines: dict[str, ReportLine] = {}
    for event in (
        AuditEvent.objects.filter(
            content_type__app_label="reports",
            content_type__model="publishedreport",
            action="create",
        )
        .only("object_id", "object_repr", "at")
        .order_by("-at")[: limit * 4]
    ):
        head, _, version = event.object_repr.rpartition(" v")
        title = head if head and version.isdigit() else event.object_repr
        if title not in lines and len(lines) < limit:
            lines[title] = ReportLine(
                title, reverse("public:report", args=[int(event.object_id)]), event.at
            )
    return list(lines.values())


PRIORITY_STATUSES = ("green", "amber", "red", "no_data", "none")


def priorities(
    plan: StrategicPlan | None, statuses: list[selectors.IndicatorStatus]
) -> list[PriorityLine]:
    """Each priority of the plan with its indicators (the outcomes' measures of success and the
    indicators linked to its outcomes, as the plan tree counts them) counted by status for the
    period of `statuses`. Two queries."""
    if plan is None:
        return []
    by_id = {item.id: item for item in statuses}
    linked: dict[int, set[int]] = defaultdict(set)
    for priority_id, indicator_id in MeasureOfSuccess.objects.filter(
        Q(outcome__priority__plan=plan), indicator__isnull=False
    ).values_list("outcome__priority_id", "indicator_id"):
        linked[priority_id].add(indicator_id)
    for priority_id, indicator_id in Indicator.outcomes.through.objects.filter(
        outcome__priority__plan=plan
    ).values_list("outcome__priority_id", "indicator_id"):
        linked[priority_id].add(indicator_id)
    lines = []
    for priority in plan.priorities.all():
        counted: Counter[str] = Counter()
        for indicator_id in linked[priority.pk]:
            item = by_id.get(indicator_id)
            if item is not None and item.reports:
                counted[item.status_code] += 1
        lines.append(
            PriorityLine(
                priority.number,
                priority.title,
                reverse("performance:golden-thread", args=["priority", priority.pk]),
                sum(counted.values()),
                [(code, counted[code]) for code in PRIORITY_STATUSES if counted[code]],
            )
        )
    return lines


# --- all of it ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Home:
    sections: list[Section]  # those with tasks, most urgent first
    clear: list[Section]  # those with nothing to do
    rounds: Rounds
    words: list[str]


def home_tasks(user, *, today: dt.date | None = None) -> Home:
    """Every section that applies to `user`'s roles: urgent ones with tasks first, then the
    others with tasks, then those with nothing to do (named, so a person knows they are clear)."""
    today = today or timezone.localdate()
    roles = access.roles_of(user)
    rounds = Rounds.read(today)
    sections: list[Section] = []
    enters = bool(roles & {Role.DATA_ENTERER, Role.PERFORMANCE_OFFICER})
    # Those without the enterer role (owners, officers who enter nothing) see these sections
    # only when something is in them.
    enterer = Role.DATA_ENTERER in roles
    sections += [s for s in due_from_me(user, rounds, enters=enters) if enterer or s.total]
    activates = bool(roles & {Role.DATA_MANAGER, Role.PERFORMANCE_OFFICER})
    escalations = Role.PERFORMANCE_OFFICER in roles
    if activates or escalations:
        sections.append(decisions(user, activates=activates, escalations=escalations))
    reviews = risk_reviews(user, rounds, today)
    if reviews is not None:
        sections.append(reviews)
    if Role.SERVICE_MANAGER in roles:
        sections += overdue_in_teams(user, rounds)
        sections.append(plan_requests(user, today))
    order = {"returned": 0, "overdue": 1, "risks": 2, "decisions": 3, "plan-requests": 4, "due": 5}
    busy = [s for s in sections if s.total]
    busy.sort(key=lambda s: (not s.urgent, order.get(s.key, 9)))
    clear = [s for s in sections if not s.total]
    words = [ROLE_WORDS[role] for role in ROLE_WORDS if role in roles]
    return Home(busy, clear, rounds, words)
