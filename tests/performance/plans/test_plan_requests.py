"""Action plans that ask to be opened (issue 20): activating a value that makes an indicator Red,
or deteriorating two periods running, raises one request for its head; an open plan, a waiting
request or a "no plan" decision under review raises none; every activation path is hooked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from performance.collection import imports
from performance.collection import services as collection
from performance.common import activations, audit
from performance.models import ActionPlanRequest, Target, Value
from performance.plans import requests
from performance.plans import services as plan_services
from tests.factories import ActionPlanFactory, ValueFactory
from tests.performance.collection.test_collection import build_world, enter, make_indicator

pytestmark = pytest.mark.django_db


def activate_entered(world, code, value, *, manager="manager_a"):
    enter(world, code, value, submit=True, comment="Explained.")
    row = Value.objects.get(indicator=world.indicators[code], period="2025/26 Q1")
    return collection.activate(user=world.users[manager], value_id=row.pk, version=row.version)


def waiting(indicator) -> list[ActionPlanRequest]:
    return list(ActionPlanRequest.objects.filter(indicator=indicator))


def test_a_red_activation_raises_one_request(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activate_entered(world, "WAS 001", "50")  # target 95: Red
    [request] = waiting(world.indicators["WAS 001"])
    assert request.status == ActionPlanRequest.Status.REQUESTED
    assert request.reason == ActionPlanRequest.Reason.RED
    assert request.period == "2025/26 Q1"
    assert request.team == world.teams["waste"]
    assert requests.describe(request) == "Open an action plan for WAS 001, Red in 2025/26 Q1"


def test_a_green_activation_raises_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activate_entered(world, "WAS 001", "96")
    assert waiting(world.indicators["WAS 001"]) == []


def test_nothing_is_raised_when_the_activation_rolls_back(
    world, django_capture_on_commit_callbacks
):
    enter(world, "WAS 001", "50", submit=True, comment="Explained.")
    row = Value.objects.get(indicator=world.indicators["WAS 001"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(collection.StaleValue),
    ):
        collection.activate(user=world.users["manager_a"], value_id=row.pk, version=99)
    assert callbacks == []
    assert waiting(world.indicators["WAS 001"]) == []


def test_the_second_deteriorating_period_raises(world):
    indicator = world.indicators["WAS 001"]
    for period, figure in (("2024/25 Q3", "99"), ("2024/25 Q4", "98")):
        ValueFactory(indicator=indicator, period=period, value=Decimal(figure))
    # Q4 fell once (99 → 98): no request; Q1 falls again (98 → 97, Green against 95).
    assert requests.raise_requests(indicator_ids=[indicator.pk]) == []
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("97"))
    [raised] = requests.raise_requests(indicator_ids=[indicator.pk])
    assert raised.reason == ActionPlanRequest.Reason.DETERIORATING
    assert raised.period == "2025/26 Q1"


def test_retrying_raises_nothing_more(world):
    indicator = world.indicators["WAS 001"]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    assert len(requests.raise_requests(indicator_ids=[indicator.pk])) == 1
    assert requests.raise_requests(indicator_ids=[indicator.pk]) == []
    assert len(waiting(indicator)) == 1


def test_an_open_plan_or_a_waiting_request_raises_none(world):
    indicator = world.indicators["WAS 001"]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    ActionPlanFactory(indicator=indicator, team=world.teams["waste"])
    assert requests.raise_requests(indicator_ids=[indicator.pk]) == []
    other = world.indicators["WAS 002"]  # lower is better, target 10
    ValueFactory(indicator=other, period="2025/26 Q1", value=Decimal("30"))
    ActionPlanRequest.objects.create(
        indicator=other,
        team=world.teams["waste"],
        period="2024/25 Q4",
        reason="red",
        raised_at=timezone.now(),
    )
    assert requests.raise_requests(indicator_ids=[other.pk]) == []
    assert len(waiting(other)) == 1


def test_a_no_plan_decision_suppresses_new_requests_until_its_review_date(world):
    indicator = world.indicators["WAS 001"]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    [first] = requests.raise_requests(indicator_ids=[indicator.pk])
    review_on = timezone.localdate() + dt.timedelta(days=30)
    requests.decide_no_plan(
        actor=world.users["head_w"], request_id=first.pk, reason="A one-off", review_on=review_on
    )
    first.refresh_from_db()
    assert first.status == ActionPlanRequest.Status.NO_PLAN
    assert [e.action for e in audit.history(first)] == ["update"]
    # A new Red quarter before the review date: still no request.
    Target.objects.create(
        indicator=indicator,
        period="2025/26 Q2",
        period_start=dt.date(2025, 7, 1),
        value=Decimal(95),
    )
    ValueFactory(indicator=indicator, period="2025/26 Q2", value=Decimal("40"))
    assert requests.raise_requests(indicator_ids=[indicator.pk]) == []
    # Once the review date has come, the next activation asks again.
    after = timezone.now() + dt.timedelta(days=31)
    [again] = requests.raise_requests(indicator_ids=[indicator.pk], now=after)
    assert again.period == "2025/26 Q2"


def test_opening_a_plan_for_the_indicator_marks_its_request_opened(world):
    indicator = world.indicators["WAS 001"]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    [request] = requests.raise_requests(indicator_ids=[indicator.pk])
    head = world.users["head_w"]
    plan = plan_services.open_action_plan(
        actor=head,
        data={
            "team": world.teams["waste"].pk,
            "title": "Recover WAS 001",
            "reason": "Red in 2025/26 Q1",
            "owner": head.pk,
            "opened_on": dt.date(2025, 10, 1),
        },
        indicator=indicator,
        rows=[],
    )
    request.refresh_from_db()
    assert request.status == ActionPlanRequest.Status.OPENED
    assert request.plan == plan
    assert request.decided_by == head


def test_bulk_activation_of_many_raises_each_once_in_one_pass(
    world, django_capture_on_commit_callbacks
):
    u = world.users
    codes = []
    for index in range(30):
        code = f"BLK {index:03d}"
        world.indicators[code] = make_indicator(
            code,
            world.teams["waste"],
            enterers=[u["enterer_a"]],
            managers=[u["manager_a"]],
            target=90,
        )
        enter(world, code, "10" if index % 2 else "95", submit=True, comment="Explained.")
        codes.append(code)
    items = [
        (v.pk, v.version)
        for v in Value.objects.filter(indicator__code__in=codes, status=Value.Status.SUBMITTED)
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        collection.bulk(user=u["manager_a"], action="activate", items=items)
    passes = [c for c in callbacks if isinstance(c, activations._Pending)]
    assert len(passes) == 1
    assert len(passes[0].ids) == 30
    with CaptureQueriesContext(connection) as queries:
        passes[0]()
    assert len(queries) <= 10
    raised = ActionPlanRequest.objects.filter(indicator__code__in=codes)
    assert sorted(r.indicator.code for r in raised) == [c for i, c in enumerate(codes) if i % 2]
    passes[0]()  # repeated: nothing more
    assert raised.count() == 15


def test_import_values_raises_requests(world, tmp_path: Path, django_capture_on_commit_callbacks):
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value\nWAS 001,2025/26 Q1,40\nGEN 001,2025/26 Q1,60\n")
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_values(path=path, actor=world.users["officer"])
    assert [r.indicator.code for r in ActionPlanRequest.objects.all()] == ["WAS 001"]


@pytest.fixture
def world():
    return build_world()
