"""factory_boy factories for the golden thread: plans, outcomes, service plans and action plans."""

from __future__ import annotations

import datetime as dt

import factory

from performance.models import (
    Action,
    ActionPlan,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    Indicator,
    IndividualObjective,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
)
from tests.factories import DirectorateFactory, TeamFactory, UserFactory


class StrategicPlanFactory(factory.django.DjangoModelFactory):
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


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"GT {n:03d}")
    title = factory.Sequence(lambda n: f"Indicator title {n}")
    kind = Indicator.Kind.KPI
    perspective = Indicator.Perspective.CUSTOMER
    aspect = Indicator.Aspect.DELIVERY
    polarity = "higher"
    unit = Indicator.Unit.PERCENT
    frequency = "quarterly"
    aggregation = "last"
    team = factory.SubFactory(TeamFactory)


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


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    directorate = factory.SubFactory(DirectorateFactory)
    head_of_service = None


class ServicePlanFactory(factory.django.DjangoModelFactory):
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
    class Meta:
        model = Activity

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    outcome = factory.LazyAttribute(lambda activity: activity.objective.outcome)
    owner = None


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
