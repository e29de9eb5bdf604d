"""The year-end forecast entered with a return (issue 20): the form, its checks, the round trip."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from performance.collection import rules
from performance.models import AuditEvent, Indicator, Target, Value
from tests.performance.collection.test_collection import build_world, enter

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
LABEL = "Forecast of the year-end outturn"


@pytest.fixture(autouse=True)
def _in_the_window():
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world():
    world = build_world()
    indicator = world.indicators["WAS 001"]
    Target.objects.create(
        indicator=indicator, period="2025/26", period_start=dt.date(2025, 4, 1), value=95
    )
    return world


def item_url(world, code):
    indicator = world.indicators[code]
    return reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])


def test_the_form_asks_for_a_forecast_only_where_there_is_an_annual_target(client, world):
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    key = f"{world.quarterly.pk}-{world.indicators['WAS 001'].pk}"
    assert f'id="item-{key}-forecast"' in body
    assert "against the annual target of 95" in body
    assert "2025/26" in body
    other = f"{world.quarterly.pk}-{world.indicators['GEN 001'].pk}"  # a quarter's target only
    assert f'id="item-{other}-forecast"' not in body


def test_a_forecast_saved_with_the_form_comes_back_and_is_audited(client, world):
    client.force_login(world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {
            "value": "96",
            "comment": "",
            "forecast": "93.5",
            "forecast_comment": "Winter crews short",
            "version": "0",
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    value = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert value.forecast == Decimal("93.5")
    assert value.forecast_comment == "Winter crews short"
    body = client.get(reverse("performance:my-returns")).content.decode()
    assert 'value="93.5"' in body
    assert "Winter crews short</textarea>" in body
    event = AuditEvent.objects.filter(object_id=str(value.pk)).latest("pk")
    assert "forecast" in str(event.changes)


def test_a_bad_forecast_is_refused_naming_the_field(client, world):
    client.force_login(world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {"value": "96", "forecast": "lots", "version": "0", "action": "save"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f"{LABEL} must be a number" in body
    key = f"{world.quarterly.pk}-{world.indicators['WAS 001'].pk}"
    assert f'href="#item-{key}-forecast"' in body
    assert not Value.objects.exists()


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("WAS 001", {"forecast": "101"}, f"{LABEL} must be a percentage from 0 to 100"),
        ("WAS 002", {"forecast": "-3"}, f"{LABEL} must not be negative"),
        ("WAS 001", {"forecast_comment": "Why"}, "that the forecast comment explains"),
        ("ANN 001", {"forecast": "50"}, "only for monthly and quarterly indicators"),
    ],
)
def test_forecast_rules_name_the_field(world, code, raw, message):
    _, errors = rules.clean_entry(world.indicators.get(code) or _annual(), raw, submit=False)
    assert message in errors["forecast"]


def _annual():
    return Indicator.objects.get(code="ANN 001")


def test_an_entry_without_a_forecast_clears_an_old_one(world):
    enter(world, "WAS 001", "96", forecast="90")
    assert Value.objects.get().forecast == Decimal(90)
    enter(world, "WAS 001", "96")
    assert Value.objects.get().forecast is None


def test_submitting_keeps_the_forecast(world):
    value = enter(world, "WAS 001", "96", submit=True, forecast="97", forecast_comment="On track")
    assert (value.forecast, value.forecast_comment) == (Decimal(97), "On track")
