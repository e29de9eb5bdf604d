"""The demo's action-plan requests (issue 20): raised for what the seeded values call for."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from performance.models import ActionPlan, ActionPlanRequest
from performance.plans import requests

pytestmark = pytest.mark.django_db


def test_the_demo_asks_heads_for_plans_where_no_plan_is_open_and_a_rerun_adds_none():
    call_command("seed_demo", "--seed", "3", stdout=io.StringIO())
    raised = list(ActionPlanRequest.objects.select_related("indicator"))
    assert raised
    open_plans = set(
        ActionPlan.objects.filter(status=ActionPlan.Status.OPEN).values_list(
            "indicator_id", flat=True
        )
    )
    assert all(r.status == ActionPlanRequest.Status.REQUESTED for r in raised)
    assert not {r.indicator_id for r in raised} & open_plans
    assert all(r.team_id == r.indicator.team_id for r in raised)
    # Idempotent: the same pass again raises nothing more.
    again = requests.raise_requests(indicator_ids=[r.indicator_id for r in raised])
    assert again == []
    assert ActionPlanRequest.objects.count() == len(raised)
    # Each is on its head's task list: the team's Head of Service, else the service's head.
    for request in raised:
        team = request.indicator.team
        head = team.head_of_service or (team.service.head_of_service if team.service else None)
        if head is not None:
            assert request in list(requests.waiting_for(head))
