"""The dashboard's "Forecast to miss" (issue 20): the viewer's indicators forecast Red or Amber
against the annual target, from Q2, each a link to its page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from performance.core import periods
from performance.core.roles import Role
from performance.home import forecasts as home_forecasts
from performance.indicators import selectors
from performance.models import Value
from tests.factories import IndicatorFactory, TargetFactory, TeamFactory, UserFactory, history

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
HOME = reverse("home")


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(dt.datetime(2025, 11, 20, 10, 0, tzinfo=LONDON), tick=False):
        yield


def cumulative(code, team, months, target):
    indicator = IndicatorFactory(
        code=code, team=team, frequency="monthly", aggregation="sum", unit="number", decimals=0
    )
    TargetFactory(indicator=indicator, period="2025/26", value=D(target))
    history(indicator, periods.parse("2025-09"), months)
    return indicator


def test_a_head_sees_their_teams_indicators_forecast_to_miss_with_links(client):
    assert selectors.latest_reporting_period() == periods.parse("2025/26 Q2")
    waste, parks = TeamFactory(name="Waste"), TeamFactory(name="Parks")
    red = cumulative("WAS 001", waste, [10] * 6, 150)  # run rate 120: 20% short, Red
    amber = cumulative("WAS 002", waste, [10] * 6, 125)  # 4% short: Amber
    cumulative("WAS 003", waste, [10] * 6, 100)  # on course: not listed
    officer = cumulative("WAS 004", waste, [10] * 6, 100)
    Value.objects.filter(indicator=officer, period="2025-09").update(forecast=D(50))  # Red
    cumulative("PAR 001", parks, [1] * 6, 100)  # another team's: not listed
    head = UserFactory(roles=[Role.SERVICE_MANAGER], teams=[waste])
    waste.head_of_service = head
    waste.save()
    client.force_login(head)
    body = client.get(HOME).content.decode()
    start = body.index('id="forecast-to-miss"')
    section = body[start : body.index("</section>", start)]
    assert "Forecast to miss" in section
    assert "3 indicators forecast to miss the annual target (2 Red)" in section
    codes = [code for code in ("WAS 001", "WAS 004", "WAS 002") if code in section]
    assert codes == ["WAS 001", "WAS 004", "WAS 002"]
    assert section.index("WAS 001") < section.index("WAS 004") < section.index("WAS 002")
    assert "WAS 003" not in section
    assert "PAR 001" not in section
    url = reverse("performance:indicator-detail", args=[red.pk])
    assert f'href="{url}?period=2025/26%20Q2#forecast"' in section
    assert "Officer&#x27;s forecast" in section or "Officer's forecast" in section
    assert amber.code in section


def test_not_shown_in_the_first_quarter_or_for_a_year():
    assert not home_forecasts.shows(periods.parse("2025/26 Q1"))
    assert not home_forecasts.shows(periods.parse("2025-06"))
    assert not home_forecasts.shows(periods.parse("2025/26"))
    assert home_forecasts.shows(periods.parse("2025-07"))
    assert home_forecasts.shows(periods.parse("2025/26 Q4"))
