"""Reads only the risk pages need, beside `performance.risks.selectors` (the shared reads).

- `register_page` reads the register once (selectors.register_rows), then narrows to one
  heat-map cell; the filter choices come from one query each, so the query count of the
  register and the heat map is fixed whatever the number of risks.
- `risk_page` gathers everything of one risk (controls, actions with what their linked
  activity or plan action says, links, alerts, escalations, the review trail and its chart)
  with a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from performance.common.display import person_name, url_or_none
from performance.core import charts
from performance.core import risks as rules
from performance.models import (
    ActionPlan,
    ActivityProgress,
    Indicator,
    Milestone,
    Risk,
    RiskAction,
    RiskCategory,
    RiskControl,
    RiskEscalation,
    RiskReview,
)
from performance.models.visibility import User
from performance.risks import selectors, services


def category_choices() -> list[tuple[int, str]]:
    return list(RiskCategory.objects.order_by("name").values_list("id", "name"))


def owner_choices(user: User) -> list[tuple[int, str]]:
    """Owners of the open risks the person reads, by name (one query)."""
    owners = (
        selectors.visible_risks(user)
        .filter(status=Risk.Status.OPEN)
        .order_by()
        .values_list("owner_id", "owner__username", "owner__first_name", "owner__last_name")
        .distinct()
    )
    # As `display.person_name`: the full name, else the username.
    people = {pk: f"{first} {last}".strip() or username for pk, username, first, last in owners}
    return sorted(people.items(), key=lambda pair: pair[1].lower())


def filters_of(values: dict[str, Any]) -> selectors.Filters:
    return selectors.Filters(
        register=values.get("register") or "",
        category=values.get("category"),
        rating=values.get("rating") or "",
        owner=values.get("owner"),
        above_appetite=bool(values.get("above_appetite")),
        alert=bool(values.get("alert")),
        overdue=bool(values.get("overdue")),
    )


def in_cell(
    rows: Sequence[selectors.RiskRow],
    *,
    likelihood: int | None,
    impact: int | None,
    which: str = "current",
) -> list[selectors.RiskRow]:
    """The rows in one heat-map row, column or cell (None narrows nothing)."""
    kept = []
    for row in rows:
        row_likelihood, row_impact = getattr(row, which)
        if likelihood is not None and row_likelihood != likelihood:
            continue
        if impact is not None and row_impact != impact:
            continue
        kept.append(row)
    return kept


# --- one risk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """One of a risk's three scores with its words."""

    name: str
    likelihood: int
    likelihood_label: str
    impact: int
    impact_label: str
    score: int
    rating: rules.Rating


@dataclass(frozen=True)
class ActionLine:
    """A mitigating action as the page shows it, whatever it is linked to."""

    description: str
    owner: str
    due_on: dt.date | None
    progress: str
    source: str  # "" own; else "Service-plan activity" / "Action plan"
    url: str | None = None


@dataclass(frozen=True)
class TrailEntry:
    review: RiskReview
    by: str
    before: int
    after: int
    before_rating: rules.Rating
    after_rating: rules.Rating
    controls: list[tuple[str, str]]


@dataclass
class RiskPage:
    risk: Risk
    matrix: rules.Matrix
    scores: list[Score]
    rating: rules.Rating
    above_appetite: bool
    direction: rules.Direction
    review_overdue: bool
    controls: list[Any]
    actions: list[ActionLine]
    priorities: list[Any]
    outcomes: list[Any]
    indicators: list[tuple[Indicator, bool]]  # (indicator, the reader may open its page)
    action_plans: list[tuple[ActionPlan, bool]]
    alerts: list[Any]
    pending: RiskEscalation | None
    escalations: list[RiskEscalation]
    trail: list[TrailEntry]
    chart_svg: str
    chart_rows: list[tuple[str, int, rules.Rating]] = field(default_factory=list)


def _score(name: str, likelihood: int, impact: int, matrix: rules.Matrix) -> Score:
    value = rules.score(likelihood, impact)
    return Score(
        name=name,
        likelihood=likelihood,
        likelihood_label=matrix.likelihood_label(likelihood),
        impact=impact,
        impact_label=matrix.impact_label(impact),
        score=value,
        rating=rules.rating_of(value, matrix.bands),
    )


def _action_lines(actions: Sequence[RiskAction], readable_plans: set[int]) -> list[ActionLine]:
    progress_words = dict(RiskAction.Progress.choices)
    lines = []
    for action in actions:
        if action.activity_id and action.activity is not None:
            activity = action.activity
            latest = activity.progress_list[-1] if activity.progress_list else None
            due = max((m.due_on for m in activity.milestone_list), default=None)
            progress = (
                f"{latest.percent_complete}% complete in {latest.month} "
                f"({latest.get_rag_display()})"
                if latest
                else "No progress recorded yet"
            )
            plan = activity.objective.plan
            lines.append(
                ActionLine(
                    description=activity.title,
                    owner=person_name(activity.owner),
                    due_on=due,
                    progress=progress,
                    source=f"Service-plan activity ({plan.service.name} {plan.year})",
                    url=url_or_none("performance:service-plan-detail", plan.pk),
                )
            )
        elif action.plan_action_id and action.plan_action is not None:
            plan_action = action.plan_action
            plan = plan_action.version.plan
            note = plan_action.progress_note.strip()
            lines.append(
                ActionLine(
                    description=plan_action.description,
                    owner=person_name(plan_action.owner),
                    due_on=plan_action.due_on,
                    progress=plan_action.get_status_display() + (f": {note}" if note else ""),
                    source=f"Action plan “{plan.title}”",
                    url=url_or_none("performance:action-plan-detail", plan.pk)
                    if plan.pk in readable_plans
                    else None,
                )
            )
        else:
            lines.append(
                ActionLine(
                    description=action.description,
                    owner=person_name(action.owner),
                    due_on=action.due_on,
                    progress=progress_words.get(action.progress, action.progress),
                    source="",
                )
            )
    return lines


def _chart(risk: Risk, reviews: list[RiskReview], matrix: rules.Matrix) -> tuple[str, list]:
    """The current score at each review, oldest first, against the target score."""
    history = sorted(reviews, key=lambda r: (r.reviewed_at, r.pk))
    rows: list[tuple[str, int, rules.Rating]] = []
    if history:
        first = history[0]
        rows.append(
            (
                f"Before {first.period}",
                first.previous_score,
                rules.rating_of(first.previous_score, matrix.bands),
            )
        )
    for review in history:
        rows.append((review.period, review.score, rules.rating_of(review.score, matrix.bands)))
    target = Decimal(risk.target_score)
    points = [
        charts.ChartPoint(label=label, value=Decimal(v), target=target) for label, v, _ in rows
    ]
    latest = rows[-1][1] if rows else risk.current_score
    description = (
        f"Current score of {risk.reference} at each of its {len(history)} reviews: "
        f"now {latest} ({rules.rating_of(latest, matrix.bands).label}), target {risk.target_score}."
        if history
        else f"{risk.reference} has not been reviewed yet: current score {risk.current_score}."
    )
    svg = charts.value_chart(
        charts.ValueChart(
            chart_id=f"risk-{risk.pk}-history",
            title=f"Score history of {risk.reference}",
            description=description,
            points=points,
            width=640,
            plot_height=220,
        )
    )
    return svg, rows


def risk_page(user: User, risk: Risk, *, today: dt.date) -> RiskPage:
    """Everything the risk page shows (`risk` from `services.risk_for`, with its category,
    owner and team). A fixed number of queries whatever the number of controls, actions,
    reviews or links."""
    matrix = selectors.matrix()
    bands = matrix.bands
    controls = list(risk.controls.all())
    actions = list(
        risk.actions.select_related(
            "owner",
            "activity__owner",
            "activity__objective__plan__service",
            "plan_action__owner",
            "plan_action__version__plan",
        ).prefetch_related(
            Prefetch(
                "activity__progress",
                queryset=ActivityProgress.objects.order_by("month"),
                to_attr="progress_list",
            ),
            Prefetch(
                "activity__milestones",
                queryset=Milestone.objects.order_by("due_on"),
                to_attr="milestone_list",
            ),
        )
    )
    plan_ids = {a.plan_action.version.plan_id for a in actions if a.plan_action_id}
    linked_plans = list(risk.action_plans.select_related("team").order_by("title"))
    plan_ids |= {plan.pk for plan in linked_plans}
    readable_plans = (
        set(
            ActionPlan.objects.readable_by(user)
            .filter(pk__in=plan_ids)
            .values_list("pk", flat=True)
        )
        if plan_ids
        else set()
    )
    indicators = list(risk.indicators.order_by("code"))
    readable_indicators = (
        set(
            Indicator.objects.readable_by(user)
            .filter(pk__in=[i.pk for i in indicators])
            .values_list("pk", flat=True)
        )
        if indicators
        else set()
    )
    reviews = list(risk.reviews.select_related("reviewed_by"))
    escalations = list(risk.escalations.select_related("decided_by"))
    pending = next((e for e in escalations if e.status == RiskEscalation.Status.PENDING), None)
    words = dict(RiskControl.Effectiveness.choices)
    trail = [
        TrailEntry(
            review=review,
            by=person_name(review.reviewed_by) if review.reviewed_by else "Someone since removed",
            before=review.previous_score,
            after=review.score,
            before_rating=rules.rating_of(review.previous_score, bands),
            after_rating=rules.rating_of(review.score, bands),
            controls=[
                (str(c.get("description", "")), words.get(str(c.get("effectiveness")), ""))
                for c in review.controls
                if isinstance(c, dict)
            ],
        )
        for review in reviews
    ]
    chart_svg, chart_rows = _chart(risk, reviews, matrix)
    current = risk.current_score
    return RiskPage(
        risk=risk,
        matrix=matrix,
        scores=[
            _score(
                "Inherent (before controls)", risk.inherent_likelihood, risk.inherent_impact, matrix
            ),
            _score("Current", risk.current_likelihood, risk.current_impact, matrix),
            _score("Target", risk.target_likelihood, risk.target_impact, matrix),
        ],
        rating=rules.rating_of(current, bands),
        above_appetite=rules.above_appetite(current, risk.category.appetite),
        direction=rules.direction(current, risk.previous_score),
        review_overdue=risk.review_due is not None and risk.review_due < today,
        controls=controls,
        actions=_action_lines(actions, readable_plans),
        priorities=list(risk.priorities.order_by("number")),
        outcomes=list(
            risk.outcomes.select_related("priority").order_by("priority__number", "number")
        ),
        indicators=[(i, i.pk in readable_indicators) for i in indicators],
        action_plans=[(plan, plan.pk in readable_plans) for plan in linked_plans],
        alerts=services.alerts_by_risk([risk.pk]).get(risk.pk, []),
        pending=pending,
        escalations=escalations,
        trail=trail,
        chart_svg=chart_svg,
        chart_rows=chart_rows,
    )


# --- escalations -----------------------------------------------------------------------------


def escalations() -> tuple[list[RiskEscalation], list[RiskEscalation]]:
    """(pending, oldest first; decided, latest first, the last 50). Two queries."""
    base = RiskEscalation.objects.select_related("risk__category", "risk__owner", "decided_by")
    pending = list(base.filter(status=RiskEscalation.Status.PENDING).order_by("requested_at", "id"))
    decided = list(
        base.exclude(status=RiskEscalation.Status.PENDING).order_by("-decided_at", "-id")[:50]
    )
    return pending, decided
