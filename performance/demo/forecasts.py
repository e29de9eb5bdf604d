"""The demo's year-end forecasts (issue 20): about two in five indicators with an annual target
carry an officer's forecast, with a comment, on their latest return of the current year.

A step of its own after the values, with its own random source derived from the demo's (without
drawing from it), so adding forecasts leaves every other figure of the demo as it was. The
officer's figure is the projection give or take a few percent, as an officer who knows the
service would adjust the arithmetic; the comment says which way and why.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from performance.common import cache
from performance.core import calculations, periods
from performance.demo import DemoContext
from performance.indicators import forecasts
from performance.models import Indicator, Value

SHARE = 0.4
AHEAD = [
    "Demand usually eases in the second half of the year, so we expect to finish on target.",
    "New staff start next month; we expect to recover the shortfall by March.",
    "The improvement plan is taking effect and the last two months were on target.",
]
BEHIND = [
    "Winter pressures will hold performance down until the end of the year.",
    "Two vacancies will not be filled before March, so we expect to miss the target.",
    "The contractor's new system beds in slowly; we expect the shortfall to continue.",
]


def add_forecasts(context: DemoContext, *, today: dt.date) -> int:
    """Set a forecast and comment on the latest activated value of the current financial year
    of a share of the monthly and quarterly indicators with an annual target. Returns how many."""
    rng = random.Random(sum(context.rng.getstate()[1]))  # the demo seed decides it; no draw
    year = periods.financial_year_of(today)
    indicators = list(
        Indicator.objects.filter(active=True)
        .exclude(frequency=Indicator.FrequencyChoice.ANNUAL)
        .exclude(polarity=Indicator.PolarityChoice.NONE)
        .order_by("code")
    )
    found = forecasts.forecasts_of(indicators, year=year, as_of=year)
    latest: dict[int, Value] = {}
    for value in Value.objects.filter(
        indicator__in=indicators,
        status=Value.Status.ACTIVATED,
        period_start__gte=year.start,
        period_start__lte=today,
    ).order_by("period_start"):
        latest[value.indicator_id] = value
    changed = []
    for indicator in indicators:
        each = found.get(indicator.id)
        value = latest.get(indicator.id)
        if each is None or value is None or each.projection.value is None or each.target is None:
            continue
        if rng.random() >= SHARE:
            continue
        guess = each.projection.value * Decimal(str(1 + rng.gauss(0, 0.04)))
        if indicator.unit == Indicator.Unit.PERCENT:
            guess = min(guess, Decimal(100))
        guess = calculations.round_to(max(guess, Decimal(0)), indicator.decimals)
        better = (guess >= each.target) == (indicator.polarity == Indicator.PolarityChoice.HIGHER)
        value.forecast = guess
        value.forecast_comment = rng.choice(AHEAD if better else BEHIND)
        changed.append(value)
    Value.objects.bulk_update(changed, ["forecast", "forecast_comment"], batch_size=1000)
    cache.bump("indicators")
    return len(changed)
