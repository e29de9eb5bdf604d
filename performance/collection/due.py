"""What the collection cycle asks for (SPEC §5): the periods of a round, its state, the due items.

A round asks the active indicators of its frequencies for one period each (`round_periods`); a
due item is one indicator in one round, with its value, target and recent history, read for many
rounds in a fixed number of queries (`due_items`). Reads only: the writes are in `services`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from performance.core import deadlines, periods
from performance.core.periods import Frequency
from performance.models import (
    Activity,
    ActivityProgress,
    CollectionRound,
    Indicator,
    Risk,
    RiskReview,
    ServicePlan,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Value,
)

# The statuses in which the enterers may still change a value.
EDITABLE = (Value.Status.DRAFT, Value.Status.SUBMITTED, Value.Status.RETURNED, Value.Status.NO_DATA)


def round_periods(round_: CollectionRound) -> list[tuple[Frequency, str]]:
    """The (frequency, period) pairs a round asks for.

    A quarterly round asks quarterly indicators for its quarter, and on 1 April also annual
    indicators for the financial year just ended; a monthly round asks monthly indicators.
    Strategic-action rounds ask for action updates, not indicator values.
    """
    if round_.kind == CollectionRound.Kind.MONTHLY:
        return [(Frequency.MONTHLY, round_.period)]
    if round_.kind == CollectionRound.Kind.QUARTERLY:
        quarter = periods.parse(round_.period)
        pairs = [(Frequency.QUARTERLY, round_.period)]
        if quarter.quarter_number == 4:
            pairs.append((Frequency.ANNUAL, str(quarter.financial_year)))
        return pairs
    return []


def days_left(round_: CollectionRound, *, now: dt.datetime | None = None) -> int:
    """Days left in the round's window, counted by `core.deadlines.days_left` in the council's
    zone (settings.TIME_ZONE): 0 on its last day. The dashboard, My returns, the Data
    collection pages and the emails all show this count."""
    return deadlines.days_left(
        round_.closes_on, now or timezone.now(), timezone.get_default_timezone()
    )


def days_left_text(round_: CollectionRound, *, now: dt.datetime | None = None) -> str:
    """ "4 days left", "1 day left", "Closes today" (or "Closed")."""
    return deadlines.days_left_label(days_left(round_, now=now))


def round_state(round_: CollectionRound, *, now: dt.datetime | None = None) -> dict:
    """Upcoming, open or closed, and the days left: what the countdown shows."""
    now = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    zone = timezone.get_default_timezone()
    opens = dt.datetime.combine(round_.opens_on, dt.time.min, tzinfo=zone)
    closes = dt.datetime.combine(round_.closes_on + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    if now < opens:
        state, left = "upcoming", opens - now
    elif now < closes:
        state, left = "open", closes - now
    else:
        state, left = "closed", dt.timedelta(0)
    if state == "closed":
        countdown = f"Closed at the end of {round_.closes_on:%A %-d %B %Y}"
    elif state == "upcoming":
        countdown = f"Opens on {round_.opens_on:%A %-d %B %Y}"
    else:
        countdown = (
            f"{days_left_text(round_, now=now)}: closes at the end of "
            f"{round_.closes_on:%A %-d %B %Y}"
        )
    return {
        "state": state,
        "label": state.capitalize(),
        "countdown": countdown,
        "left": left,
        "days_left": days_left(round_, now=now) if state == "open" else None,
    }


def open_rounds(*, today: dt.date | None = None) -> list[CollectionRound]:
    today = today or timezone.localdate()
    return list(
        CollectionRound.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by(
            "closes_on", "kind"
        )
    )


@dataclass
class DueItem:
    """One indicator asked for in one round, with what the page and the emails show about it."""

    round: CollectionRound
    indicator: Indicator
    period: str
    value: Value | None = None
    target: Decimal | None = None
    previous: list[tuple[str, Decimal]] = field(default_factory=list)  # newest first

    @property
    def key(self) -> str:
        return f"{self.round.pk}-{self.indicator.pk}"

    @property
    def status(self) -> str:
        return self.value.status if self.value else "not_started"

    @property
    def status_label(self) -> str:
        return self.value.get_status_display() if self.value else "Not started"

    @property
    def submitted(self) -> bool:
        return self.value is not None and self.value.status in (
            Value.Status.SUBMITTED,
            Value.Status.ACTIVATED,
        )

    @property
    def activated(self) -> bool:
        return self.value is not None and self.value.status == Value.Status.ACTIVATED

    @property
    def editable(self) -> bool:
        return self.value is None or self.value.status in EDITABLE

    @property
    def last_value(self) -> tuple[str, Decimal] | None:
        return self.previous[0] if self.previous else None

    @property
    def label(self) -> str:
        return f"{self.indicator.code} {self.indicator.title} ({self.period})"


def due_items(
    rounds: Sequence[CollectionRound],
    *,
    enterer=None,
    team_ids: Iterable[int] | None = None,
    indicators: QuerySet[Indicator] | Sequence[Indicator] | None = None,
    history: int = 4,
    prefetch_people: bool = False,
    people: Sequence[str] = ("enterers", "managers"),
) -> list[DueItem]:
    """Every indicator due in `rounds`, with its value, target and last `history` values.

    `enterer` limits it to the indicators assigned to that person; `team_ids` to those teams.
    `indicators` narrows them: a queryset, or indicators already read (a list, not read again;
    with neither `enterer` nor `team_ids`). Items come round by round, indicators by code. A
    fixed number of queries whatever the number of rounds and items: indicators, values,
    targets, history (none when `history` is 0), and the `people` of each indicator when
    `prefetch_people`.
    """
    # (round, frequency → period, history window): each round's history is the three years
    # before its earliest period; one query covers every round's window.
    asked = []
    for round_ in rounds:
        period_of = {str(freq): text for freq, text in round_periods(round_)}
        if period_of:
            earliest = min(periods.parse(t).start for t in period_of.values())
            window = (dt.date(earliest.year - 3, earliest.month, 1), earliest)
            asked.append((round_, period_of, window))
    if not asked:
        return []
    frequencies = sorted({freq for _, period_of, _ in asked for freq in period_of})
    if indicators is not None and not isinstance(indicators, QuerySet):
        if enterer is not None or team_ids is not None:
            raise ValueError("Indicators already read are not narrowed by enterer or team.")
        found = sorted(
            (i for i in indicators if i.active and i.frequency in frequencies),
            key=lambda i: i.code,
        )
        if prefetch_people and found and people:
            prefetch_related_objects(found, *people)
    else:
        qs = indicators if indicators is not None else Indicator.objects.all()
        qs = qs.filter(active=True, frequency__in=frequencies)
        if enterer is not None:
            qs = qs.filter(enterers=enterer)
        if team_ids is not None:
            qs = qs.filter(team_id__in=list(team_ids))
        qs = qs.select_related("team", "team__head_of_service").order_by("code")
        if prefetch_people and people:
            qs = qs.prefetch_related(*people)
        found = list(qs)
    if not found:
        return []
    ids = [indicator.id for indicator in found]
    texts = sorted({text for _, period_of, _ in asked for text in period_of.values()})
    # Looked up by key, so unordered: the models' default order joins the indicators to sort.
    values = {
        (v.indicator_id, v.period): v
        for v in Value.objects.filter(indicator_id__in=ids, period__in=texts)
        .select_related("changed_by", "entered_by", "activated_by", "returned_by")
        .order_by()
    }
    targets = {
        (i, p): t
        for i, p, t in Target.objects.filter(indicator_id__in=ids, period__in=texts)
        .order_by()
        .values_list("indicator_id", "period", "value")
    }
    past: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    if history > 0:
        for i, p, start, v in (
            Value.objects.filter(
                indicator_id__in=ids,
                status=Value.Status.ACTIVATED,
                period_start__lt=max(until for _, _, (_, until) in asked),
                period_start__gte=min(since for _, _, (since, _) in asked),
                value__isnull=False,
            )
            .order_by("-period_start")
            .values_list("indicator_id", "period", "period_start", "value")
        ):
            past[i].append((start, p, v))
    result: list[DueItem] = []
    for round_, period_of, (since, until) in asked:
        for indicator in found:
            period = period_of.get(indicator.frequency)
            if period is None:
                continue
            previous = []
            if history > 0:
                previous = [(p, v) for start, p, v in past[indicator.id] if since <= start < until]
            result.append(
                DueItem(
                    round=round_,
                    indicator=indicator,
                    period=period,
                    value=values.get((indicator.id, period)),
                    target=targets.get((indicator.id, period)),
                    previous=previous[:history],
                )
            )
    return result


def find_due(round_: CollectionRound, indicator: Indicator) -> str | None:
    """The period `indicator` is due for in `round_`, or None when it is not asked for."""
    if not indicator.active:
        return None
    for freq, text in round_periods(round_):
        if indicator.frequency == freq:
            return text
    return None


# --- plan items: the progress updates a round asks of owners ----------------------------------


@dataclass
class PlanItem:
    """A strategic action, a service-plan activity or a risk whose owner owes an update in a
    round: strategic-actions rounds ask for the half-year's update of every action of the
    current Strategic Plan; monthly rounds ask for the month's progress of every activity of
    the approved service plans of that month's financial year; quarterly rounds ask for the
    quarter's review of every open risk (SPEC §14: the same window, digests and chasers)."""

    ACTION = "action"
    ACTIVITY = "activity"
    RISK = "risk"

    round: CollectionRound
    kind: str  # ACTION, ACTIVITY or RISK
    record: StrategicAction | Activity | Risk
    period: str
    updated: bool
    manager: object | None = None  # the owning manager told when it is overdue (activities)

    @property
    def owner(self):
        return self.record.owner

    @property
    def key(self) -> str:
        return f"{self.round.pk}-{self.kind}-{self.record.pk}"

    @property
    def kind_label(self) -> str:
        return {
            self.ACTION: "Strategic action",
            self.ACTIVITY: "Service-plan activity",
            self.RISK: "Risk review",
        }[self.kind]

    @property
    def status_label(self) -> str:
        if self.kind == self.RISK:
            return "Reviewed" if self.updated else "Not reviewed"
        return "Updated" if self.updated else "Not updated"

    @property
    def title(self) -> str:
        if isinstance(self.record, Risk):
            return f"{self.record.reference} {self.record.title}"
        return self.record.title

    @property
    def label(self) -> str:
        return f"{self.kind_label}: {self.title} ({self.period})"


def plan_items(
    rounds: Sequence[CollectionRound], *, owner: int | None = None, manager: int | None = None
) -> list[PlanItem]:
    """The strategic actions and activities with an owner due for a progress update in `rounds`,
    and the open risks due for their quarterly review, each with whether its update or review
    for the round's period is in. Six queries at most.

    `owner` (a person's id) keeps the items that person owns; `manager` those whose owning
    manager (the Head of Service told when they are overdue) they are. A home page asks for one
    person's items without reading a county's every activity."""
    mine = Q(owner_id=owner) if owner is not None else Q()
    result: list[PlanItem] = []
    result += _risk_items(
        [r for r in rounds if r.kind == CollectionRound.Kind.QUARTERLY],
        mine & (Q(team__head_of_service_id=manager) if manager is not None else Q()),
    )
    action_rounds = [r for r in rounds if r.kind == CollectionRound.Kind.STRATEGIC_ACTIONS]
    month_rounds = [r for r in rounds if r.kind == CollectionRound.Kind.MONTHLY]
    if action_rounds:
        # The current plan, as the strategic actions page shows it for updating.
        plan = StrategicPlan.objects.order_by("-first_year").first()
        actions = (
            list(
                StrategicAction.objects.filter(
                    mine, outcome__priority__plan=plan, owner__isnull=False
                )
                .select_related("owner")
                .order_by("outcome__priority__number", "outcome__number", "id")
            )
            if plan is not None and manager is None  # a strategic action has no owning manager
            else []
        )
        done = set(
            StrategicActionUpdate.objects.filter(
                action__in=[a.pk for a in actions],
                period__in=[r.period for r in action_rounds],
            )
            .order_by()
            .values_list("action_id", "period")
        )
        for round_ in action_rounds:
            for action in actions:
                result.append(
                    PlanItem(
                        round=round_,
                        kind=PlanItem.ACTION,
                        record=action,
                        period=round_.period,
                        updated=(action.pk, round_.period) in done,
                    )
                )
    if month_rounds:
        years = {
            r.pk: str(periods.parse(r.period, kind=Frequency.MONTHLY).financial_year)
            for r in month_rounds
        }
        by_manager = (
            Q(objective__plan__service__head_of_service_id=manager) if manager is not None else Q()
        )
        activities = list(
            Activity.objects.filter(
                mine,
                by_manager,
                objective__plan__status=ServicePlan.Status.APPROVED,
                objective__plan__year__in=set(years.values()),
                owner__isnull=False,
            )
            .select_related("owner", "objective__plan__service__head_of_service")
            .order_by("objective__plan__service__name", "objective__number", "id")
        )
        done = set(
            ActivityProgress.objects.filter(
                activity__in=[a.pk for a in activities],
                month__in=[r.period for r in month_rounds],
            )
            .order_by()
            .values_list("activity_id", "month")
        )
        for round_ in month_rounds:
            for activity in activities:
                service_plan = activity.objective.plan
                if service_plan.year != years[round_.pk]:
                    continue
                result.append(
                    PlanItem(
                        round=round_,
                        kind=PlanItem.ACTIVITY,
                        record=activity,
                        period=round_.period,
                        updated=(activity.pk, round_.period) in done,
                        manager=service_plan.service.head_of_service,
                    )
                )
    return result


def _risk_items(rounds: Sequence[CollectionRound], narrowed: Q) -> list[PlanItem]:
    """Every open risk's review for each quarterly round; overdue ones also go to the Head of
    Service of the risk's team (the owning manager, as for activities). Two queries."""
    if not rounds:
        return []
    risks = list(
        Risk.objects.filter(narrowed, status=Risk.Status.OPEN)
        .select_related("owner", "team__head_of_service")
        .order_by("reference")
    )
    done = set(
        RiskReview.objects.filter(
            risk__in=[risk.pk for risk in risks], period__in=[r.period for r in rounds]
        )
        .order_by()
        .values_list("risk_id", "period")
    )
    return [
        PlanItem(
            round=round_,
            kind=PlanItem.RISK,
            record=risk,
            period=round_.period,
            updated=(risk.pk, round_.period) in done,
            manager=risk.team.head_of_service if risk.team else None,
        )
        for round_ in rounds
        for risk in risks
    ]
