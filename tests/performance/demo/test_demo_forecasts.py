"""The demo's year-end forecasts (issue 20): a realistic share, with comments, deterministic."""

from __future__ import annotations

import contextlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from performance.core import periods
from performance.models import Value

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _forecasts() -> list[tuple]:
    return list(
        Value.objects.filter(forecast__isnull=False)
        .order_by("indicator__code", "period")
        .values_list("indicator__code", "period", "forecast", "forecast_comment")
    )


def test_the_demo_gives_a_share_of_this_years_values_a_forecast_and_the_same_each_time():
    with contextlib.suppress(_Rollback), transaction.atomic():
        call_command("seed_demo", "--seed", "3", stdout=io.StringIO())
        first = _forecasts()
        raise _Rollback
    call_command("seed_demo", "--seed", "3", stdout=io.StringIO())
    assert first
    assert _forecasts() == first
    year = periods.financial_year_of(timezone.localdate())
    forecast_indicators = {code for code, *_ in first}
    eligible = set(
        Value.objects.filter(status="activated", period_start__gte=year.start)
        .exclude(indicator__frequency="annual")
        .values_list("indicator__code", flat=True)
    )
    assert 0.15 <= len(forecast_indicators) / len(eligible) <= 0.6
    for _code, period, forecast, comment in first:
        assert periods.parse(period).financial_year == year
        assert comment
        assert forecast >= 0
