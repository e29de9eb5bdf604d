"""The golden thread (SPEC §2): from the vision down to individual objectives and back up.

Reads only: a fixed number of queries per thread (prefetches, never a query per node).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from performance.common.display import person_name, url_or_none
from performance.models import (
    ActionPlan,
    Activity,
    ActivityProgress,
    Indicator,
    IndividualObjective,
    MeasureOfSuccess,
    Outcome,
    Priority,
    Risk,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicPlan,
)

# Worst first: what a councillor asking "how is this priority doing?" looks for.
STATUS_ORDER = ("red", "amber", "green", "no_data", "pending", "none")

# --- The golden thread: nodes ---------------------------------------------------------------------

THREAD_KINDS = {
    "priority": "Priority",
    "outcome": "Outcome",
    "objective": "Service-plan objective",
    "activity": "Service-plan activity",
    "indicator": "Indicator",
    "action": "Strategic action",
    "individual-objective": "Individual objective",
}
OTHER_KINDS = {
    "vision": "Vision",
    "measure": "Measure of success",
    "service-plan": "Service plan",
    "action-plan": "Action plan",
    "risk": "Risk",
}

TALLY_WORDS = {
    "outcome": ("outcome", "outcomes"),
    "measure": ("measure of success", "measures of success"),
    "indicator": ("indicator", "indicators"),
    "action": ("strategic action", "strategic actions"),
    "objective": ("service-plan objective", "service-plan objectives"),
    "activity": ("activity", "activities"),
    "individual-objective": ("individual objective", "individual objectives"),
    "action-plan": ("action plan", "action plans"),
    "risk": ("risk", "risks"),
}


@dataclass
class Node:
    """One step of the golden thread; `children` are the things that serve it."""

    kind: str
    pk: int | None
    title: str
    note: str = ""
    detail_url: str | None = None
    children: list[Node] = field(default_factory=list)
    # An indicator's status code for the period shown (`green|amber|red|no_data|pending|none`),
    # an activity's latest RAG (`green|amber|red`) with its % complete; empty: not shown.
    status: str = ""
    percent: int | None = None

    @property
    def label(self) -> str:
        return THREAD_KINDS.get(self.kind) or OTHER_KINDS[self.kind]

    @property
    def url(self) -> str | None:
        """This node's own golden-thread page (vision and context nodes link elsewhere)."""
        if self.kind in THREAD_KINDS and self.pk is not None:
            return reverse("performance:golden-thread", args=[self.kind, self.pk])
        return self.detail_url

    @property
    def dom_id(self) -> str:
        return f"node-{self.kind}-{self.pk}"

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """How the indicators below are doing: (status code, count) in the order a reader
        scans, worst first, each indicator counted once however often it appears."""
        seen: dict[int, str] = {}
        stack = list(self.children)
        while stack:
            node = stack.pop()
            if node.kind == "indicator" and node.pk is not None and node.status:
                seen[node.pk] = node.status
            stack.extend(node.children)
        counts: dict[str, int] = defaultdict(int)
        for code in seen.values():
            counts[code] += 1
        return [(code, counts[code]) for code in STATUS_ORDER if counts[code]]

    @property
    def tally(self) -> str:
        """What lies below, counted by kind: "2 indicators, 1 strategic action"."""
        counts: dict[str, int] = defaultdict(int)
        stack = list(self.children)
        while stack:
            node = stack.pop()
            counts[node.kind] += 1
            stack.extend(node.children)
        parts = []
        for kind, (one, many) in TALLY_WORDS.items():
            if counts[kind]:
                parts.append(f"{counts[kind]} {one if counts[kind] == 1 else many}")
        return ", ".join(parts) or "nothing linked yet"


def _vision_node(plan: StrategicPlan) -> Node:
    return Node(
        "vision",
        plan.pk,
        f"{plan.title} {plan.years}",
        note=plan.vision,
        detail_url=reverse("performance:strategic-plan"),
    )


def _priority_node(priority: Priority) -> Node:
    return Node("priority", priority.pk, f"{priority.number}. {priority.title}")


def _outcome_node(outcome: Outcome, priority: Priority) -> Node:
    return Node("outcome", outcome.pk, f"{priority.number}.{outcome.number} {outcome.title}")


def _indicator_node(indicator: Indicator) -> Node:
    return Node(
        "indicator",
        indicator.pk,
        f"{indicator.code} {indicator.title}",
        detail_url=url_or_none("performance:indicator-detail", indicator.pk),
    )


def _service_plan_node(plan: ServicePlan) -> Node:
    return Node(
        "service-plan",
        plan.pk,
        f"{plan.service.name} service plan {plan.year}",
        detail_url=reverse("performance:service-plan-detail", args=[plan.pk]),
    )


def _objective_node(objective: ServicePlanObjective) -> Node:
    return Node(
        "objective",
        objective.pk,
        f"{objective.number}. {objective.title}",
        note=f"{objective.plan.service.name} service plan {objective.plan.year}",
    )


def _individual_node(item: IndividualObjective) -> Node:
    return Node(
        "individual-objective",
        item.pk,
        item.title,
        note=f"{person_name(item.person)}, {item.year}",
    )


def _activity_node(activity: Activity, *, context: bool = True) -> Node:
    plan = activity.objective.plan
    note = f"{plan.service.name} service plan {plan.year}" if context else ""
    if activity.owner_id:
        note = (
            f"{note} · owner {person_name(activity.owner)}"
            if note
            else f"owner {person_name(activity.owner)}"
        )
    node = Node("activity", activity.pk, activity.title, note=note)
    node.children = [_individual_node(i) for i in activity.individual_objectives.all()]
    progress = list(activity.progress.all())  # prefetched, by month
    if progress:
        node.status, node.percent = progress[-1].rag, progress[-1].percent_complete
    return node


def _activity_queryset(year: str | None) -> QuerySet[Activity]:
    activities = Activity.objects.select_related("objective__plan__service", "owner")
    if year:
        activities = activities.filter(objective__plan__year=year)
    return activities.prefetch_related(
        Prefetch("progress", queryset=ActivityProgress.objects.order_by("month")),
        Prefetch(
            "individual_objectives",
            queryset=IndividualObjective.objects.select_related("person").order_by("id"),
        ),
    )


def _outcome_prefetches(year: str | None) -> list[Prefetch]:
    """Everything under an outcome, in a fixed number of queries whatever its size."""
    objectives = ServicePlanObjective.objects.select_related("plan__service").order_by(
        "plan__service__name", "number"
    )
    if year:
        objectives = objectives.filter(plan__year=year)
    return [
        Prefetch("measures", queryset=MeasureOfSuccess.objects.select_related("indicator")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.filter(active=True).only("id", "code", "title"),
        ),
        Prefetch(
            "actions",
            queryset=StrategicAction.objects.select_related("owner").order_by("id"),
        ),
        Prefetch(
            "service_objectives",
            queryset=objectives.prefetch_related(
                Prefetch("activities", queryset=_activity_queryset(year))
            ),
        ),
        Prefetch("activities", queryset=_activity_queryset(year)),
    ]


def _outcome_children(outcome: Outcome) -> list[Node]:
    """What serves an outcome: measures, indicators, strategic actions, service-plan work."""
    children: list[Node] = []
    for measure in outcome.measures.all():
        node = Node("measure", measure.pk, measure.description)
        if measure.indicator_id:
            node.children.append(_indicator_node(measure.indicator))
        children.append(node)
    measured = {m.indicator_id for m in outcome.measures.all()}
    children += [_indicator_node(i) for i in outcome.indicators.all() if i.pk not in measured]
    for action in outcome.actions.all():
        note = f"owner {person_name(action.owner)}" if action.owner_id else ""
        if action.due_on:
            note = (
                f"{note}, due {action.due_on:%-d %B %Y}"
                if note
                else f"due {action.due_on:%-d %B %Y}"
            )
        children.append(Node("action", action.pk, action.title, note=note))
    shown: set[int] = set()
    for objective in outcome.service_objectives.all():
        node = _objective_node(objective)
        for activity in objective.activities.all():
            node.children.append(_activity_node(activity, context=False))
            shown.add(activity.pk)
        children.append(node)
    # Activities linked to this outcome but listed under an objective of another outcome.
    children += [_activity_node(a) for a in outcome.activities.all() if a.pk not in shown]
    return children


@dataclass
class Thread:
    current: Node
    up: list[list[Node]]
    down: list[Node]

    @property
    def tally(self) -> str:
        return Node(self.current.kind, None, "", children=self.down).tally


def _up_to_outcome(outcome: Outcome) -> list[Node]:
    priority = outcome.priority
    return [_vision_node(priority.plan), _priority_node(priority), _outcome_node(outcome, priority)]


def _outcome_with_children(pk_filter: Q, year: str | None = None) -> list[Outcome]:
    return list(
        Outcome.objects.filter(pk_filter)
        .select_related("priority__plan")
        .prefetch_related(*_outcome_prefetches(year))
        .order_by("priority__number", "number")
    )


def _risk_nodes(user, field_name: str, ids: list[int]) -> dict[int, list[Node]]:
    """Open risks linked through `field_name` (priorities, outcomes, indicators) to `ids` that
    the person reads, as nodes by the linked object's pk. One query; a confidential risk shows
    only to those who may read it (`Risk.objects.readable_by`)."""
    result: dict[int, list[Node]] = defaultdict(list)
    if not ids:
        return result
    risks = (
        Risk.objects.readable_by(user)
        .filter(**{f"{field_name}__in": ids}, status=Risk.Status.OPEN)
        .annotate(linked=F(field_name))
        .values_list("pk", "reference", "title", "linked")
        .order_by("reference")
    )
    for pk, reference, title, linked in risks:
        result[linked].append(
            Node(
                "risk",
                pk,
                f"{reference} {title}",
                detail_url=url_or_none("performance:risk-detail", pk),
            )
        )
    return result


def build_thread(kind: str, pk: int, *, user, year: str | None = None) -> Thread:
    """The chain up to the vision and the tree of everything serving one node; 404 if unknown.

    `year` (a financial year, "2026/27") keeps the service-plan work below priorities and
    outcomes to that year's service plans; None shows every year's."""
    if kind == "priority":
        priority = get_object_or_404(Priority.objects.select_related("plan"), pk=pk)
        current = _priority_node(priority)
        down = []
        outcomes = _outcome_with_children(Q(priority=priority), year)
        risks = _risk_nodes(user, "outcomes", [outcome.pk for outcome in outcomes])
        for outcome in outcomes:
            node = _outcome_node(outcome, priority)
            node.children = _outcome_children(outcome) + risks.get(outcome.pk, [])
            down.append(node)
        down += _risk_nodes(user, "priorities", [priority.pk]).get(priority.pk, [])
        return Thread(current, [[_vision_node(priority.plan)]], down)
    if kind == "outcome":
        found = _outcome_with_children(Q(pk=pk), year)
        if not found:
            raise Http404
        outcome = found[0]
        up = _up_to_outcome(outcome)
        risks = _risk_nodes(user, "outcomes", [outcome.pk]).get(outcome.pk, [])
        return Thread(up[-1], [up[:-1]], _outcome_children(outcome) + risks)
    if kind == "objective":
        objective = get_object_or_404(
            ServicePlanObjective.objects.select_related(
                "plan__service", "outcome__priority__plan"
            ).prefetch_related(Prefetch("activities", queryset=_activity_queryset(None))),
            pk=pk,
        )
        current = _objective_node(objective)
        up = [*_up_to_outcome(objective.outcome), _service_plan_node(objective.plan)]
        down = [_activity_node(a, context=False) for a in objective.activities.all()]
        return Thread(current, [up], down)
    if kind == "activity":
        activity = get_object_or_404(
            _activity_queryset(None).select_related("outcome__priority__plan", "objective"),
            pk=pk,
        )
        current = _activity_node(activity)
        up = [
            *_up_to_outcome(activity.outcome),
            _service_plan_node(activity.objective.plan),
            _objective_node(activity.objective),
        ]
        down = current.children
        current.children = []
        return Thread(current, [up], down)
    if kind == "individual-objective":
        item = get_object_or_404(
            IndividualObjective.objects.select_related(
                "person",
                "activity__outcome__priority__plan",
                "activity__objective__plan__service",
                "activity__owner",
            ),
            pk=pk,
        )
        activity = item.activity
        up = [
            *_up_to_outcome(activity.outcome),
            _service_plan_node(activity.objective.plan),
            _objective_node(activity.objective),
            Node("activity", activity.pk, activity.title),
        ]
        return Thread(_individual_node(item), [up], [])
    if kind == "action":
        action = get_object_or_404(
            StrategicAction.objects.select_related("outcome__priority__plan", "owner"), pk=pk
        )
        note = f"owner {person_name(action.owner)}" if action.owner_id else ""
        return Thread(
            Node("action", action.pk, action.title, note=note),
            [_up_to_outcome(action.outcome)],
            [],
        )
    if kind == "indicator":
        indicator = get_object_or_404(
            Indicator.objects.prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.select_related("priority__plan")),
                Prefetch(
                    "measures",
                    queryset=MeasureOfSuccess.objects.select_related("outcome__priority__plan"),
                ),
            ),
            pk=pk,
        )
        up = []
        for measure in indicator.measures.all():
            up.append(
                [*_up_to_outcome(measure.outcome), Node("measure", measure.pk, measure.description)]
            )
        measured = {m.outcome_id for m in indicator.measures.all()}
        up += [_up_to_outcome(o) for o in indicator.outcomes.all() if o.pk not in measured]
        plans = (
            ActionPlan.objects.readable_by(user).filter(indicator=indicator).select_related("owner")
        )
        down = [
            Node(
                "action-plan",
                plan.pk,
                plan.title,
                note=f"{plan.get_status_display()}, owner {person_name(plan.owner)}",
                detail_url=reverse("performance:action-plan-detail", args=[plan.pk]),
            )
            for plan in plans
        ]
        down += _risk_nodes(user, "indicators", [indicator.pk]).get(indicator.pk, [])
        return Thread(_indicator_node(indicator), up, down)
    raise Http404


def with_statuses(nodes: list[Node], statuses: dict[int, str]) -> None:
    """Set each indicator node's status code from `statuses` (by indicator id)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node.kind == "indicator" and node.pk in statuses:
            node.status = statuses[node.pk]
        stack.extend(node.children)


def priority_tree(plan: StrategicPlan, year: str) -> list[Node]:
    """The strategic plan's priorities with their outcomes and what serves each, for `year`."""
    outcomes_by_priority: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in _outcome_with_children(Q(priority__plan=plan), year):
        outcomes_by_priority[outcome.priority_id].append(outcome)
    priorities = []
    for priority in plan.priorities.all():
        node = _priority_node(priority)
        for outcome in outcomes_by_priority[priority.pk]:
            child = _outcome_node(outcome, priority)
            child.children = _outcome_children(outcome)
            node.children.append(child)
        priorities.append(node)
    return priorities
