"""Lists tell "no value yet" from "no target" (issue 19: "Not judged" meant both): in an open
window an indicator without a value reads "Awaiting data"; one with a value but no target reads
"Not rated"; after the close a missing value is No data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from performance.core.roles import Role
from tests.factories import IndicatorFactory, TargetFactory, UserFactory, ValueFactory

pytestmark = pytest.mark.django_db

GMT = dt.timezone(dt.timedelta(hours=0))


def row_of(html: str, code: str) -> str:
    start = html.index(code)
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize(
    ("day", "awaiting_word"),
    [(dt.date(2026, 12, 5), "Awaiting data"), (dt.date(2026, 12, 20), "No data")],
)
def test_awaiting_data_is_not_no_target(client, day, awaiting_word):
    waiting = IndicatorFactory(code="WAIT 1", frequency="monthly")
    TargetFactory(indicator=waiting, period="2026-11", value=Decimal(90))
    untargeted = IndicatorFactory(code="NOTG 1", frequency="monthly")
    ValueFactory(indicator=untargeted, period="2026-11", value=Decimal(40))
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=GMT)):
        client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
        html = client.get(reverse("performance:indicator-list"), {"period": "2026-11"}).content
    html = html.decode()
    assert awaiting_word in row_of(html, "WAIT 1")
    assert "Not rated" not in row_of(html, "WAIT 1")
    assert "Not rated" in row_of(html, "NOTG 1")
