"""In Chromium (issue 20): a head of service sees "Forecast to miss" on the dashboard, opens the
indicator, and reads the forecast and how the projection was made; both pages axe clean."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from performance.core import periods
from performance.core.roles import Role
from performance.indicators import forms as indicator_forms
from performance.models import Value
from tests.factories import (
    PASSWORD,
    IndicatorFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
    history,
)
from tests.fixtures.browser import assert_accessible, login
from tests.performance.collection.test_collection import build_world
from tests.performance.home.test_tasks import open_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _a_quarter_from_q2():
    """The dashboard's period: a recent quarter from Q2 on (the forecast is shown from Q2)."""
    quarters = dict(indicator_forms.period_choices(timezone.localdate()))["Quarters"]
    return next(
        periods.parse(value) for value, _ in quarters if periods.parse(value).quarter_number >= 2
    )


def test_a_head_sees_what_is_forecast_to_miss_and_opens_the_indicator(page):
    quarter = _a_quarter_from_q2()
    waste = TeamFactory(name="Waste")
    head = UserFactory(username="head_w", roles=[Role.SERVICE_MANAGER], teams=[waste])
    waste.head_of_service = head
    waste.save()
    indicator = IndicatorFactory(
        code="WAS 031",
        title="Tonnes of garden waste collected",
        team=waste,
        frequency="monthly",
        aggregation="sum",
        unit="number",
        decimals=0,
    )
    TargetFactory(indicator=indicator, period=str(quarter.financial_year), value=Decimal(1500))
    months = quarter.financial_year.months()
    elapsed = [m for m in months if m.end <= quarter.end]
    history(indicator, elapsed[-1], [100] * len(elapsed))
    Value.objects.filter(indicator=indicator, period=str(elapsed[-1])).update(
        forecast=Decimal(1250), forecast_comment="The green-bin round was cut in August."
    )

    login(page, "head_w", PASSWORD)
    page.goto(f"{page.base_url}/?period={quarter}")
    section = page.locator("#forecast-to-miss")
    assert "Forecast to miss" in section.inner_text()
    assert "WAS 031" in section.inner_text()
    assert "Red" in section.inner_text()
    assert_accessible(page)
    section.get_by_role("link", name="WAS 031 Tonnes of garden waste collected").click()
    page.wait_for_url("**/indicators/**")
    forecast = page.locator("#forecast")
    text = forecast.inner_text()
    assert f"Year-end forecast for {quarter.financial_year}" in text
    assert "1,250" in text or "1250" in text
    assert "The green-bin round was cut in August." in text
    assert "Method: Year-to-date run rate (last year incomplete)" in text
    assert "Red" in text
    assert_accessible(page)
    assert page.console_errors == []


def test_an_enterer_gives_a_forecast_with_a_return_and_the_form_is_axe_clean(page):
    world = build_world()
    open_today(world)
    indicator = world.indicators["WAS 001"]
    TargetFactory(indicator=indicator, period="2025/26", value=Decimal(95))

    login(page, "enterer_a", PASSWORD)
    page.goto(f"{page.base_url}/returns/")
    item = page.locator("section.returns-item", has_text="WAS 001")
    assert "against the annual target of 95" in item.inner_text()
    item.get_by_label("Value for WAS 001").fill("96")
    item.get_by_label("Forecast of the year-end outturn (optional) for WAS 001").fill("lots")
    item.get_by_role("button", name="Save draft of WAS 001").click()
    page.get_by_text("Forecast of the year-end outturn must be a number").first.wait_for()
    assert_accessible(page)
    item = page.locator("section.returns-item", has_text="WAS 001")
    item.get_by_label("Forecast of the year-end outturn (optional) for WAS 001").fill("93.5")
    item.get_by_label("Forecast comment (optional) for WAS 001").fill("Winter crews short")
    item.get_by_role("button", name="Save draft of WAS 001").click()
    page.get_by_text("Saved WAS 001 as a draft.").wait_for()
    value = Value.objects.get(indicator=indicator)
    assert (value.forecast, value.forecast_comment) == (Decimal("93.5"), "Winter crews short")
    assert_accessible(page)
    assert page.console_errors == []
