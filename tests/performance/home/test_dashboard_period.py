"""The dashboard shows a chosen month, quarter or year (issue 19: "this month cannot be seen"):
the figures, captions and links follow the period; a period not offered is named in an error and
the latest quarter shown; the query count does not depend on the period."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.core import periods
from performance.core.roles import Role
from tests.factories import IndicatorFactory, TargetFactory, UserFactory, ValueFactory
from tests.performance.home.test_dashboard import rag_desc, section

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def month():
    return periods.month_of(timezone.localdate()).previous()


def test_a_month_can_be_shown_on_the_dashboard(client, month):
    monthly = IndicatorFactory(code="M 1", frequency="monthly")
    TargetFactory(indicator=monthly, period=str(month), value=Decimal(90))
    ValueFactory(indicator=monthly, period=str(month), value=Decimal(50))  # Red
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME, {"period": str(month)}).content.decode()
    assert f'<option value="{month}" selected>' in html
    officer = section(html, "all")
    assert f"{month}</span>" in officer
    assert "the latest quarter requested" not in officer
    assert rag_desc(html, "all").endswith(
        "Summit (Green): 0; Firstbase (Amber): 0; Basecamp (Red): 1; No data: 0; Not rated: 0."
    )
    assert "M 1" in officer
    assert f"period={month}" in html  # the links into the indicator list keep the month


def test_the_default_is_the_latest_quarter_and_a_period_not_offered_is_named(client):
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    latest = periods.quarter_of(timezone.localdate()).previous()
    html = client.get(HOME).content.decode()
    assert f"{latest}: the latest quarter requested" in html
    html = client.get(HOME, {"period": "1999/00 Q1"}).content.decode()
    assert "There is a problem" in html
    assert "Choose a period from the list: &#x27;1999/00 Q1&#x27; is not one" in html
    assert f"{latest}: the latest quarter requested" in html


def test_the_query_count_does_not_depend_on_the_period(client, month):
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    counts = []
    for chosen in ("", str(month)):
        client.get(HOME, {"period": chosen})  # the statuses are computed once, then shared
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME, {"period": chosen}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
