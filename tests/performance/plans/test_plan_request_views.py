"""Action plans asked for (issue 20), as people see them: the head's task and notification, the
"No plan needed" form, opening a plan from a request, the list of requests with filters, and
open plans whose indicator has recovered suggested for closing (one click, audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.common import audit
from performance.common import notifications as notices
from performance.models import ActionPlan, ActionPlanRequest, Target
from performance.plans import requests
from tests.factories import ActionPlanFactory, ValueFactory
from tests.performance.collection.test_collection import build_world, make_indicator

pytestmark = pytest.mark.django_db

HOME = reverse("home")
LIST = reverse("performance:plan-request-list")


@pytest.fixture
def world():
    return build_world()


def red(world, code="WAS 001") -> ActionPlanRequest:
    indicator = world.indicators[code]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    [raised] = requests.raise_requests(indicator_ids=[indicator.pk])
    return raised


def page(client, user, url=HOME, **params) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_head_gets_a_task_with_both_answers_and_a_notification_once(client, world):
    asked = red(world)
    requests.raise_requests(indicator_ids=[asked.indicator_id])  # retried: nothing new
    head = world.users["head_w"]
    html = page(client, head)
    start = html.index('id="tasks-plan-requests"')
    section = html[start : html.index("</section>", start)]
    assert "Open an action plan for WAS 001, Red in 2025/26 Q1" in section
    assert f"{reverse('performance:action-plan-create')}?request={asked.pk}" in section
    assert reverse("performance:plan-request-no-plan", args=[asked.pk]) in section
    found = [n for n in notices.notifications_for(head) if n.kind == notices.PLAN_REQUESTED]
    assert [n.title for n in found] == ["WAS 001 Indicator WAS 001 is Red in 2025/26 Q1"]
    assert notices.unread_count(head) == 1
    # Not the other team's head, nor the manager who activated it.
    assert not [
        n
        for n in notices.notifications_for(world.users["head_h"])
        if n.kind == notices.PLAN_REQUESTED
    ]
    assert "Open an action plan for WAS 001" not in page(client, world.users["head_h"])


def test_no_plan_needed_names_the_field_of_bad_input_and_is_audited(client, world):
    asked = red(world)
    url = reverse("performance:plan-request-no-plan", args=[asked.pk])
    client.force_login(world.users["head_w"])
    html = client.post(url, {"reason": "  ", "review_on": ""}).content.decode()
    assert '<a href="#id_reason">Enter why no action plan is needed</a>' in html
    assert '<a href="#id_review_on">Enter the review date</a>' in html
    today = timezone.localdate()
    html = client.post(url, {"reason": "A one-off", "review_on": today.isoformat()}).content
    assert '<a href="#id_review_on">Review date must be in the future</a>' in html.decode()
    asked.refresh_from_db()
    assert asked.status == ActionPlanRequest.Status.REQUESTED
    review = today + dt.timedelta(days=90)
    response = client.post(url, {"reason": "A one-off outage", "review_on": review.isoformat()})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.no_plan_reason, asked.review_on) == (
        ActionPlanRequest.Status.NO_PLAN,
        "A one-off outage",
        review,
    )
    assert asked.decided_by == world.users["head_w"]
    [event] = audit.history(asked)
    assert event.changes["status"] == ["requested", "no_plan"]
    assert "Open an action plan for WAS 001" not in page(client, world.users["head_w"])


def test_only_those_who_open_plans_for_the_team_answer(client, world):
    asked = red(world)
    client.force_login(world.users["enterer_a"])
    url = reverse("performance:plan-request-no-plan", args=[asked.pk])
    assert client.get(url).status_code == 403
    client.force_login(world.users["head_h"])  # reads only Housing
    assert client.get(url).status_code == 404


def test_opening_a_plan_from_the_request_is_prefilled_and_answers_it(client, world):
    asked = red(world)
    head = world.users["head_w"]
    html = page(client, head, reverse("performance:action-plan-create"), request=asked.pk)
    assert "WAS 001 was red in 2025/26 Q1." in html
    assert f'name="indicator" value="{asked.indicator_id}"' in html
    data = {
        "indicator": asked.indicator_id,
        "team": world.teams["waste"].pk,
        "title": "Recover WAS 001",
        "reason": "WAS 001 was red in 2025/26 Q1.",
        "owner": head.pk,
        "opened_on": "2025-10-01",
        "actions-TOTAL_FORMS": 1,
        "actions-INITIAL_FORMS": 0,
        "actions-0-description": "Extra crews",
        "actions-0-owner": head.pk,
        "actions-0-due_on": "2025-12-31",
        "actions-0-status": "not_started",
    }
    response = client.post(reverse("performance:action-plan-create"), data)
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == ActionPlanRequest.Status.OPENED
    assert asked.plan == ActionPlan.objects.get(title="Recover WAS 001")


def test_the_list_filters_and_costs_the_same_queries_for_few_or_many(client, world):
    red(world)
    other = red(world, "HOU 001")
    requests.decide_no_plan(
        actor=world.users["head_h"],
        request_id=other.pk,
        reason="Seasonal",
        review_on=timezone.localdate() + dt.timedelta(days=10),
    )
    officer = world.users["officer"]
    html = page(client, officer, LIST)
    assert "WAS 001" in html
    assert "HOU 001" in html
    assert "No plan</strong> Seasonal" in html
    html = page(client, officer, LIST, status="requested")
    assert "WAS 001" in html
    assert "HOU 001" not in html
    html = page(client, officer, LIST, team=world.teams["housing"].pk)
    assert "HOU 001" in html
    assert "WAS 001 Indicator" not in html
    # A head of Waste reads only Waste's requests.
    assert "HOU 001" not in page(client, world.users["head_w"], LIST)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(LIST)
        return len(captured)

    client.force_login(officer)
    few = count()
    for index in range(15):
        code = f"MNY {index:03d}"
        world.indicators[code] = make_indicator(code, world.teams["waste"], target=90)
        red(world, code)
    assert count() == few
    assert few <= 12


def test_a_recovered_plan_is_suggested_for_closing_and_closes_in_one_click(client, world):
    indicator = world.indicators["WAS 001"]
    for period in ("2025/26 Q2", "2025/26 Q3"):
        Target.objects.create(
            indicator=indicator,
            period=period,
            period_start=dt.date(2025, 7 if period.endswith("Q2") else 10, 1),
            value=Decimal(95),
        )
    for period, figure in (("2025/26 Q1", "50"), ("2025/26 Q2", "96"), ("2025/26 Q3", "97")):
        ValueFactory(indicator=indicator, period=period, value=Decimal(figure))
    head = world.users["head_w"]
    plan = ActionPlanFactory(
        indicator=indicator, team=world.teams["waste"], owner=head, title="Recover bins"
    )
    home = page(client, head)
    assert "Close the action plan “Recover bins”?" in home
    detail = page(client, head, reverse("performance:action-plan-detail", args=[plan.pk]))
    assert "This plan could close" in detail
    assert "2025/26 Q2 and 2025/26 Q3" in detail
    response = client.post(reverse("performance:action-plan-close", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.CLOSED
    [event] = audit.history(plan)
    assert "neither Red nor deteriorating" in event.reason


def test_a_plan_whose_indicator_is_still_red_is_not_suggested_nor_closed(client, world):
    indicator = world.indicators["WAS 001"]
    ValueFactory(indicator=indicator, period="2025/26 Q1", value=Decimal("50"))
    head = world.users["head_w"]
    plan = ActionPlanFactory(indicator=indicator, team=world.teams["waste"], owner=head)
    assert "This plan could close" not in page(
        client, head, reverse("performance:action-plan-detail", args=[plan.pk])
    )
    client.post(reverse("performance:action-plan-close", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == ActionPlan.Status.OPEN
