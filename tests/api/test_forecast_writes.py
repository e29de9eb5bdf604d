"""POST /api/v1/values and the year-end forecast (issue 20): taken like the form's, and kept
when a row does not mention it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from performance.collection.rules import asks_forecast
from performance.models import Indicator, Value
from tests.api.conftest import Api, exact, token_for
from tests.api.test_writes import URL, _due_items, _entry

pytestmark = pytest.mark.django_db


def _monthly_item():
    """The demo enterer's item not yet started, made one that takes a forecast (a target)."""
    item = next(i for i in _due_items() if i.indicator.frequency != "annual")
    Indicator.objects.filter(pk=item.indicator.pk).update(polarity="higher")
    item.indicator.refresh_from_db()
    assert asks_forecast(item.indicator)
    return item


def test_a_forecast_sent_is_saved_and_kept_by_a_row_without_one(council):
    item = _monthly_item()
    api = Api(token_for("enterer", write=True))
    sent = _entry(item, forecast="77", forecast_comment="Staff return in January")
    response = api.post(URL, {"submit": False, "values": [sent]})
    assert response.status_code == 200, response.content
    value = Value.objects.get(indicator=item.indicator, period=item.period)
    assert (value.forecast, value.forecast_comment) == (Decimal(77), "Staff return in January")
    again = _entry(item, comment="Checked again", version=value.version)
    assert api.post(URL, {"submit": False, "values": [again]}).status_code == 200
    value.refresh_from_db()
    assert value.comment == "Checked again"
    assert (value.forecast, value.forecast_comment) == (Decimal(77), "Staff return in January")


def test_a_bad_forecast_is_named(council):
    item = _monthly_item()
    api = Api(token_for("enterer", write=True))
    response = api.post(URL, {"submit": False, "values": [_entry(item, forecast=True)]})
    assert response.status_code == 422
    assert exact(response)["errors"][0]["field"] == "forecast"
