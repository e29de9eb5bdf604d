"""`forecasts_for` (issue 20): officer forecasts and projections of many indicators at once."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from performance.core import periods
from performance.core.forecasts import Method, Source
from performance.indicators import forecasts
from performance.models import Value
from tests.factories import IndicatorFactory, TargetFactory, ValueFactory, history

pytestmark = pytest.mark.django_db


def monthly(**kwargs):
    return IndicatorFactory(
        frequency="monthly", aggregation="sum", unit="number", decimals=0, **kwargs
    )


def test_officer_forecast_of_the_latest_return_wins_and_the_projection_is_kept():
    indicator = monthly()
    TargetFactory(indicator=indicator, period="2025/26", value=D(130))
    history(indicator, periods.parse("2025-06"), [10, 10, 10])
    Value.objects.filter(indicator=indicator, period="2025-05").update(
        forecast=D(140), forecast_comment="Early optimism"
    )
    Value.objects.filter(indicator=indicator, period="2025-06").update(
        forecast=D(110), forecast_comment="Two drivers off sick"
    )
    result = forecasts.forecasts_for(indicator_ids=[indicator.id], year="2025/26")[indicator.id]
    assert result.source is Source.OFFICER
    assert result.value == D(110)
    assert result.officer.comment == "Two drivers off sick"
    assert result.officer.period == "2025-06"
    assert result.projection.value == D(120)
    assert result.projection.method is Method.RUN_RATE
    assert result.target == D(130)
    assert result.status == "red"  # 110 against 130: 15% short


def test_as_of_uses_only_what_was_known_then():
    indicator = monthly()
    TargetFactory(indicator=indicator, period="2025/26", value=D(130))
    history(indicator, periods.parse("2025-09"), [10, 10, 10, 20, 20, 20])
    Value.objects.filter(indicator=indicator, period="2025-08").update(forecast=D(200))
    q1 = forecasts.forecasts_for(indicator_ids=[indicator.id], year="2025/26", as_of="2025/26 Q1")
    assert q1[indicator.id].officer is None
    assert q1[indicator.id].value == D(120)
    assert q1[indicator.id].status == "amber"
    q2 = forecasts.forecasts_for(indicator_ids=[indicator.id], year="2025/26", as_of="2025/26 Q2")
    assert q2[indicator.id].value == D(200)
    assert q2[indicator.id].projection.value == D(180)


def test_last_years_profile_and_unactivated_values_ignored():
    indicator = monthly()
    history(indicator, periods.parse("2025-05"), [5] * 12 + [10, 10])
    ValueFactory(indicator=indicator, period="2025-06", value=D(1000), status="submitted")
    TargetFactory(indicator=indicator, period="2025/26", value=D(60))
    result = forecasts.forecasts_for(indicator_ids=[indicator.id], year="2025/26")[indicator.id]
    assert result.projection.method is Method.PROFILE
    assert result.projection.value == D(20 + 50)
    assert result.status == "green"


def test_many_indicators_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    made = []
    for _ in range(6):
        indicator = monthly()
        TargetFactory(indicator=indicator, period="2025/26", value=D(100))
        history(indicator, periods.parse("2025-07"), [10, 11, 12, 13])
        made.append(indicator.id)
    with django_assert_max_num_queries(6):
        result = forecasts.forecasts_for(indicator_ids=made, year="2025/26")
    assert set(result) == set(made)
    with django_assert_max_num_queries(1):  # cached until the data changes
        forecasts.forecasts_for(indicator_ids=made, year="2025/26")


def test_a_percentage_projection_respects_allow_over_100():
    indicator = IndicatorFactory(frequency="monthly", aggregation="last", unit="percent")
    history(indicator, periods.parse("2025-06"), [90, 95, 99])
    TargetFactory(indicator=indicator, period="2025/26", value=D(95))
    result = forecasts.forecasts_for(indicator_ids=[indicator.id], year="2025/26")[indicator.id]
    assert result.projection.value == D(100)


def test_as_of_outside_the_year_is_refused():
    with pytest.raises(periods.PeriodError):
        forecasts.forecasts_for(indicator_ids=[1], year="2025/26", as_of="2026/27 Q1")


def test_indicator_status_and_the_api_carry_the_forecast_with_the_values_digits():
    import io

    from django.core.management import call_command

    indicator = monthly(code="WAS 009")
    indicator.decimals = 1
    indicator.save()
    TargetFactory(indicator=indicator, period="2025/26", value=D(130))
    history(indicator, periods.parse("2025-06"), [10, 10, 10], target=10)
    plain = monthly(code="WAS 010")  # no annual target, no officer forecast: empty
    history(plain, periods.parse("2025-06"), [10, 10, 10], target=10)
    Value.objects.filter(indicator=indicator, period="2025-05").update(forecast=D("125.25"))
    out = io.StringIO()
    call_command("indicator_status", "--period", "2025-06", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(",assurance,forecast")
    assert lines[1].startswith("WAS 009,2025-06,")
    assert lines[1].endswith(",125.3")
    assert lines[2].startswith("WAS 010,2025-06,")
    assert lines[2].endswith(",none,")
    # As known at April: no officer forecast yet, and one month is not enough to project.
    out = io.StringIO()
    call_command("indicator_status", "--period", "2025-04", "--format", "json", stdout=out)
    assert '"forecast": null' in out.getvalue()


# --- the indicator page -------------------------------------------------------------------------


def test_the_indicator_page_shows_the_forecast_the_projection_and_its_method(client):
    from django.urls import reverse

    from performance.core.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    indicator = monthly(code="WAS 020")
    TargetFactory(indicator=indicator, period="2025/26", value=D(130))
    history(indicator, periods.parse("2025-06"), [10, 10, 10])
    Value.objects.filter(indicator=indicator, period="2025-06").update(
        forecast=D(100), forecast_comment="The depot closes in January"
    )
    url = reverse("performance:indicator-detail", args=[indicator.pk])
    body = client.get(url, {"period": "2025-06"}).content.decode()
    assert "Year-end forecast for 2025/26" in body
    assert "(the officer&#x27;s forecast)" in body or "(the officer's forecast)" in body
    assert "The depot closes in January" in body
    assert "Method: Year-to-date run rate (last year incomplete)" in body
    assert "Annual target: 130" in body
    forecast_section = body[body.index('id="forecast"') : body.index('id="chart"')]
    assert "Red" in forecast_section
    # Without an annual target and an officer's forecast there is no section.
    plain = monthly(code="WAS 021")
    history(plain, periods.parse("2025-06"), [10, 10, 10])
    body = client.get(
        reverse("performance:indicator-detail", args=[plain.pk]), {"period": "2025-06"}
    ).content.decode()
    assert 'id="forecast"' not in body


def test_the_council_workbook_carries_forecasts(tmp_path):
    import openpyxl

    from performance.council import exports

    indicator = monthly(code="WAS 030")
    history(indicator, periods.parse("2025-05"), [10, 10])
    Value.objects.filter(indicator=indicator, period="2025-05").update(
        forecast=D("118.5"), forecast_comment="Rounds change in June"
    )
    path = tmp_path / "council.xlsx"
    exports.export_council(str(path))
    sheet = openpyxl.load_workbook(path)["Values"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    may = next(row for row in rows if row[1] == "2025-05")
    assert may[header.index("forecast")] in (118.5, "118.5")
    assert may[header.index("forecast_comment")] == "Rounds change in June"
