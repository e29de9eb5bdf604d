"""Factories for the Manage area's tests: indicators, targets and the plans around them."""

from __future__ import annotations

from decimal import Decimal

import factory

from performance.models import (
    Activity,
    Indicator,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicPlan,
    Target,
)
from performance.periods import parse
from tests.factories import DirectorateFactory, TeamFactory


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    directorate = factory.SubFactory(DirectorateFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"IND {n:03d}")
    title = factory.Sequence(lambda n: f"Indicator {n}")
    kind = Indicator.Kind.KPI
    perspective = Indicator.Perspective.CUSTOMER
    aspect = Indicator.Aspect.DELIVERY
    polarity = Indicator.PolarityChoice.HIGHER
    unit = Indicator.Unit.PERCENT
    decimals = 1
    frequency = Indicator.FrequencyChoice.QUARTERLY
    aggregation = Indicator.AggregationChoice.LAST
    team = factory.SubFactory(TeamFactory)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    period = "2024/25 Q1"
    period_start = factory.LazyAttribute(lambda target: parse(target.period).start)
    value = Decimal("90")


class StrategicPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicPlan
        django_get_or_create = ["first_year"]

    title = "Council Plan"
    first_year = 2024
    vision = "A thriving borough."


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    plan = factory.SubFactory(StrategicPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Priority {n}")


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    priority = factory.SubFactory(PriorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Outcome {n}")


class ServicePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePlan

    service = factory.SubFactory(ServiceFactory)
    year = "2024/25"


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePlanObjective

    plan = factory.SubFactory(ServicePlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Objective {n}")
    outcome = factory.SubFactory(OutcomeFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    outcome = factory.LazyAttribute(lambda activity: activity.objective.outcome)
