"""Factories for indicators, their targets, values and comments (tests of the indicator pages)."""

from __future__ import annotations

from decimal import Decimal

import factory

from performance import periods
from performance.models import Indicator, IndicatorComment, LongTermTarget, Target, Value
from tests.factories import TeamFactory


def _start(obj) -> object:
    return periods.parse(obj.period).start


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A quarterly KPI, higher is better, in percent with one decimal place."""

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
