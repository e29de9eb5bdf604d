"""factory_boy factories shared by every app's tests: people and teams, indicators and their
figures, and the golden thread (plans, outcomes, service plans, action plans).

Defaults are what most tests need; a test that depends on another value passes it explicitly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from performance.common import access
from performance.core import periods
from performance.core.roles import Role
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    Directorate,
    Indicator,
    IndicatorComment,
    IndividualObjective,
    LongTermTarget,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Risk,
    RiskCategory,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
    Value,
)

PASSWORD = "correct-horse-battery"


# --- People and organisation --------------------------------------------------------------------


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Directorate {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda team: slugify(team.name))
    directorate = factory.SubFactory(DirectorateFactory)


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles=[Role.X]` puts them in groups, `teams=[team]` makes them members."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Officer"
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.uk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set([access.group_for(Role(role)) for role in extracted])
        if create:
            self.save()

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            for team in extracted:
                TeamMembership.objects.create(user=self, team=team)


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service with no Head of Service."""

    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    directorate = factory.SubFactory(DirectorateFactory)


# --- Indicators, targets, values, comments ------------------------------------------------------


def _start(obj) -> dt.date:
    return periods.parse(obj.period).start


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A quarterly KPI, higher is better, in percent with one decimal place.

    `enterers=[user]` and `managers=[user]` set who enters and manages its figures.
    """

    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"TST {n:03d}")
    title = factory.Sequence(lambda n: f"Test indicator {n}")
    kind = Indicator.Kind.KPI
    perspective = Indicator.Perspective.CUSTOMER
    aspect = Indicator.Aspect.DELIVERY
    polarity = Indicator.PolarityChoice.HIGHER
    unit = Indicator.Unit.PERCENT
    decimals = 1
    frequency = Indicator.FrequencyChoice.QUARTERLY
    aggregation = Indicator.AggregationChoice.LAST
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def enterers(self, create, extracted, **kwargs):
        if create and extracted:
            self.enterers.set(extracted)

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.set(extracted)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    period = "2024/25 Q1"
    period_start = factory.LazyAttribute(_start)
    value = Decimal(90)


class LongTermTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LongTermTarget

    indicator = factory.SubFactory(IndicatorFactory)
    by_year = "2028/29"
    value = Decimal(95)


class ValueFactory(factory.django.DjangoModelFactory):
    """An activated value (the only kind the indicator pages show)."""

    class Meta:
        model = Value

    indicator = factory.SubFactory(IndicatorFactory)
    period = "2024/25 Q1"
    period_start = factory.LazyAttribute(_start)
    value = Decimal(90)
    status = Value.Status.ACTIVATED


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorComment

    indicator = factory.SubFactory(IndicatorFactory)
    text = "A comment"


def history(
    indicator: Indicator,
    last: periods.Period,
    values: list[Decimal | int | str | None],
    *,
    target: Decimal | int | str | None = None,
) -> list[periods.Period]:
    """Activated values for consecutive periods ending at `last` (None: no value that period),
    each with `target` when given. Returns the periods, oldest first."""
    first = last.shift(-(len(values) - 1))
    made = []
    for step, raw in enumerate(values):
        period = first.shift(step)
        made.append(period)
        if raw is not None:
            ValueFactory(indicator=indicator, period=str(period), value=Decimal(str(raw)))
        if target is not None:
            TargetFactory(indicator=indicator, period=str(period), value=Decimal(str(target)))
    return made


# --- The golden thread: strategic plan, outcomes, service plans ---------------------------------


class StrategicPlanFactory(factory.django.DjangoModelFactory):
    """A plan with every text filled in; each new one starts a year earlier than the last, so
    several never clash on `first_year` (pass `first_year=2024` for the current plan)."""

    class Meta:
        model = StrategicPlan

    title = "Strategic Plan"
    first_year = factory.Sequence(lambda n: 2024 - n)
    vision = "A thriving, safe and green borough where everyone has the chance to do well."
    community_strategy = "Our Community Strategy 2020-2030 with partners."
    financial_strategy = "Balanced budget over the medium term; savings of £2m by 2027/28."


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(StrategicPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority title {n}")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(PriorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Outcome title {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureOfSuccess

    outcome = factory.SubFactory(OutcomeFactory)
    description = factory.Sequence(lambda n: f"Measure of success {n}")
    indicator = None


class StrategicActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicAction

    outcome = factory.SubFactory(OutcomeFactory)
    title = factory.Sequence(lambda n: f"Strategic action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = dt.date(2026, 3, 31)


class StrategicActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicActionUpdate

    action = factory.SubFactory(StrategicActionFactory)
    period = "2024/25 Q4"
    status = StrategicActionUpdate.Status.ON_TRACK
    percent_complete = 40
    progress = "Consultation finished; procurement under way."


class ServicePlanFactory(factory.django.DjangoModelFactory):
    """An approved 2025/26 service plan."""

    class Meta:
        model = ServicePlan

    service = factory.SubFactory(ServiceFactory)
    year = "2025/26"
    status = ServicePlan.Status.APPROVED


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePlanObjective

    plan = factory.SubFactory(ServicePlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Service objective {n}")
    outcome = factory.SubFactory(OutcomeFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity with no owner, serving its objective's outcome."""

    class Meta:
        model = Activity

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    outcome = factory.LazyAttribute(lambda activity: activity.objective.outcome)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    activity = factory.SubFactory(ActivityFactory)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = dt.date(2025, 6, 30)
    met_on = None


class ActivityProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityProgress

    activity = factory.SubFactory(ActivityFactory)
    month = "2025-05"
    percent_complete = 30
    rag = ActivityProgress.Rag.GREEN
    comment = "On plan."


class IndividualObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndividualObjective

    person = factory.SubFactory(UserFactory)
    activity = factory.SubFactory(ActivityFactory)
    year = "2025/26"
    title = factory.Sequence(lambda n: f"Individual objective {n}")


# --- Action plans -------------------------------------------------------------------------------


class ActionPlanFactory(factory.django.DjangoModelFactory):
    """An action plan with version 1 (pass `actions=n` for n actions in it)."""

    class Meta:
        model = ActionPlan
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Action plan {n}")
    reason = "Red for two quarters running."
    owner = factory.SubFactory(UserFactory)
    opened_on = dt.date(2025, 7, 15)

    @factory.post_generation
    def actions(self, create, extracted, **kwargs):
        if not create:
            return
        version = ActionPlanVersion.objects.create(plan=self, number=1, note="First version.")
        for index in range(extracted or 0):
            ActionFactory(version=version, owner=self.owner, description=f"Action {index + 1}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    version = None
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = dt.date(2025, 12, 31)
    status = Action.Status.IN_PROGRESS
    milestones = "Draft agreed\nPilot in one ward"
    progress_note = "Draft with the team."


def golden_thread(
    *, size: int = 1, year: str = "2025/26", plan: StrategicPlan | None = None
) -> dict:
    """`size` of everything at every level, for tree and query-count tests.

    A new 2024-28 Strategic Plan, or more priorities added to `plan`; a new service plan.
    """
    plan = plan or StrategicPlanFactory(first_year=2024)
    first = plan.priorities.count() + 1
    service = ServiceFactory()
    service_plan = ServicePlanFactory(service=service, year=year)
    built: dict = {"plan": plan, "service_plan": service_plan, "priorities": [], "outcomes": []}
    for p in range(size):
        priority = PriorityFactory(plan=plan, number=first + p)
        built["priorities"].append(priority)
        for o in range(size):
            outcome = OutcomeFactory(priority=priority, number=o + 1)
            built["outcomes"].append(outcome)
            indicator = IndicatorFactory()
            indicator.outcomes.add(outcome)
            MeasureFactory(outcome=outcome, indicator=IndicatorFactory())
            StrategicActionFactory(outcome=outcome)
            objective = ObjectiveFactory(plan=service_plan, outcome=outcome)
            for _ in range(size):
                activity = ActivityFactory(objective=objective)
                MilestoneFactory(activity=activity)
                ActivityProgressFactory(activity=activity)
                IndividualObjectiveFactory(activity=activity)
    return built


# --- Risks (SPEC §14) ---------------------------------------------------------------------------


class RiskCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskCategory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Risk category {n}")
    appetite = 12


class RiskFactory(factory.django.DjangoModelFactory):
    """An open service risk: inherent 4×4, current 3×3 (9, medium), target 2×2.

    `indicators=[indicator]` links key risk indicators."""

    class Meta:
        model = Risk
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"R{n:03d}")
    title = factory.Sequence(lambda n: f"Test risk {n}")
    register = Risk.Register.SERVICE
    category = factory.SubFactory(RiskCategoryFactory)
    owner = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    cause = "A cause"
    event = "An event"
    consequence = "A consequence"
    inherent_likelihood = 4
    inherent_impact = 4
    current_likelihood = 3
    current_impact = 3
    target_likelihood = 2
    target_impact = 2

    @factory.post_generation
    def indicators(self, create, extracted, **kwargs):
        if create and extracted:
            self.indicators.set(extracted)
