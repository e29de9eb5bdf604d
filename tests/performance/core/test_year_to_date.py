"""Year-to-date indicators: cumulative from April, so a saw-tooth that SPC and the change on the
previous period must not read; they are compared with the same period last year."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from dataquality import services as data_quality
from performance.core import periods, spc, status
from performance.core.calculations import Aggregation, Direction, Observation, Polarity
from performance.core.periods import Frequency
from performance.models import Value
from tests.factories import IndicatorFactory

# Tonnes collected so far this year: it climbs through each year and drops back every April.
SAW_TOOTH = {
    "2022/23 Q1": 100, "2022/23 Q2": 200, "2022/23 Q3": 300, "2022/23 Q4": 400,
    "2023/24 Q1": 110, "2023/24 Q2": 215, "2023/24 Q3": 320, "2023/24 Q4": 430,
    "2024/25 Q1": 120, "2024/25 Q2": 230, "2024/25 Q3": 340, "2024/25 Q4": 450,
    "2025/26 Q1": 60,
}  # fmt: skip


def activate_saw_tooth(indicator) -> None:
    for period, value in SAW_TOOTH.items():
        Value.objects.create(
            indicator=indicator,
            period=period,
            period_start=periods.parse(period).start,
            value=D(value),
            status=Value.Status.ACTIVATED,
        )


def facts(year_to_date: bool) -> status.IndicatorFacts:
    return status.IndicatorFacts(
        code="WAS 010",
        polarity=Polarity.HIGHER,
        decimals=0,
        frequency=Frequency.QUARTERLY,
        aggregation=Aggregation.LAST,
        year_to_date=year_to_date,
    )


def data() -> status.IndicatorData:
    return status.IndicatorData(
        values={period: Observation(D(value)) for period, value in SAW_TOOTH.items()},
        targets={},
    )


def test_the_same_series_read_as_a_plain_indicator_shows_the_false_signal_avoided():
    reading = status.status_for(
        facts(False), data(), periods.parse("2025/26 Q1"), window_closed=True
    )
    # Read naively, every April looks like a collapse against the quarter before.
    assert reading.dot_previous is Direction.DETERIORATING


def test_a_year_to_date_status_has_no_spc_and_no_previous_period_direction():
    reading = status.status_for(
        facts(True), data(), periods.parse("2025/26 Q1"), window_closed=True
    )
    assert reading.variation is spc.Variation.NONE
    assert reading.assurance is spc.Assurance.NONE
    assert reading.dot_previous is Direction.NONE
    # 60 against 120 at the same point last year: the comparison that means something.
    assert reading.dot_year is Direction.DETERIORATING


def test_the_brief_status_of_lists_agrees():
    brief = status.brief_for(facts(True), data(), periods.parse("2025/26 Q1"), window_closed=True)
    assert brief.dot_previous is Direction.NONE
    assert brief.actual == D(60)


def test_not_applied_keeps_the_points_without_limits_or_signals():
    result = spc.not_applied([D(1), D(2), D(3)])
    assert [p.value for p in result.points] == [D(1), D(2), D(3)]
    assert result.segments == ()
    assert result.is_run_chart
    assert result.upper_limit is None
    assert result.latest_variation is spc.Variation.NONE
    assert "year-to-date" in result.note


@pytest.mark.django_db
def test_outliers_of_a_year_to_date_value_are_judged_against_the_same_period_last_year():
    indicator = IndicatorFactory(
        frequency="quarterly", aggregation="last", polarity="higher", year_to_date=True
    )
    activate_saw_tooth(indicator)
    history = data_quality.history_for(indicator, "2025/26 Q2")
    assert history.previous == D(230)
    assert history.previous_period == "2024/25 Q2"
    assert history.lower_limit is None
    assert history.upper_limit is None


@pytest.mark.django_db
def test_the_indicator_page_of_a_year_to_date_figure_says_why_it_has_no_limits(client):
    from django.urls import reverse

    from performance.core.roles import Role
    from tests.factories import UserFactory

    indicator = IndicatorFactory(
        frequency="quarterly", aggregation="last", polarity="higher", year_to_date=True
    )
    activate_saw_tooth(indicator)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    page = client.get(
        reverse("performance:indicator-detail", args=[indicator.pk]), {"period": "2025/26 Q1"}
    ).content.decode()
    assert "a year-to-date figure builds up from April" in page
    assert "fewer than the 12 needed" not in page
    assert "upper process limit" not in page
