"""Property-based tests from the OpenAPI schema (Schemathesis) against the live test server
(issue 16): for every read endpoint and the values POST, generated requests — valid and invalid —
never get a 5xx, and every response matches the schema (status codes, content types, bodies)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, settings

from benchmarking.models import Authority, BenchmarkMeasure, BenchmarkValue, ComparatorGroup
from performance.api import services
from performance.core import periods
from performance.core.roles import Role
from tests.factories import (
    IndicatorFactory,
    RiskFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
    ValueFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def api_world(live_server, settings):
    settings.API_RATE_LIMIT = "100000/minute"
    team = TeamFactory(name="=Housing")  # a name that looks like a formula
    officer = UserFactory(username="fuzzer", roles=[Role.PERFORMANCE_OFFICER], teams=[team])
    quarter = periods.parse("2024/25 Q1")
    for number, unit in enumerate(("percent", "number", "days")):
        indicator = IndicatorFactory(code=f"FZ {number:03}", team=team, unit=unit, decimals=1)
        for step in range(4):
            period = quarter.shift(step)
            ValueFactory(
                indicator=indicator,
                period=str(period),
                value=Decimal("57.25") + step,
                activated_at=timezone.now() - dt.timedelta(days=10 - step),
            )
            TargetFactory(indicator=indicator, period=str(period), value=Decimal(60))
    IndicatorFactory(code="FZ 999", team=None)
    ours = Authority.objects.create(code=settings.COUNCIL_CODE, name="Our council")
    other = Authority.objects.create(code="E07000111", name="Neighbour")
    group = ComparatorGroup.objects.create(name="Neighbours")
    group.members.set([ours, other])
    measure = BenchmarkMeasure.objects.create(code="REC", title="Recycling", polarity="higher")
    for authority, value in ((ours, "41.2"), (other, "38.9")):
        BenchmarkValue.objects.create(
            measure=measure, authority=authority, period="2024/25", value=Decimal(value)
        )
    # A risk, so /api/v1/risks has a row to answer with (issue 17).
    RiskFactory(reference="=R1", title="=Risk", team=team, owner=officer)
    _, secret = services.create_token(
        user=officer, name="fuzz", days=1, can_write=True, actor=officer
    )
    return live_server.url, secret


@pytest.fixture
def api_schema(api_world):
    base, secret = api_world
    loaded = schemathesis.openapi.from_url(f"{base}/api/v1/schema?format=json")
    loaded.config.update(base_url=base, headers={"Authorization": f"Bearer {secret}"})
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_schema_whatever_it_is_sent(case, api_world):
    base, secret = api_world
    # Every check but "a schema-valid request is accepted": the schema cannot say that a period
    # must exist or that an indicator code must be one the person reads; those answer a
    # documented 400 or 404 naming the parameter.
    response = case.call_and_validate(
        base_url=base,
        headers={"Authorization": f"Bearer {secret}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
    assert response.status_code < 500
