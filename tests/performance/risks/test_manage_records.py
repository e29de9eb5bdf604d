"""Officers keep risks, their controls and mitigating actions in Manage (issue 17): listed,
added and edited through Manage's generic views with the audit trail; a linked action takes
no fields of its own; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from performance.core.roles import Role
from performance.models import AuditEvent, Risk, RiskAction, RiskCategory
from tests.factories import (
    ActivityFactory,
    IndicatorFactory,
    RiskFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    person = UserFactory(username="officer", roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(person)
    return person


def test_an_officer_adds_a_risk_with_its_key_risk_indicators(client, officer):
    team = TeamFactory(name="Housing")
    indicator = IndicatorFactory(code="HOU 01", team=team)
    category = RiskCategory.objects.get(name="Financial")
    response = client.post(
        reverse("performance:manage-create", args=["risks"]),
        {
            "reference": "CR10",
            "title": "Temporary accommodation costs",
            "register": "corporate",
            "category": category.pk,
            "owner": officer.pk,
            "team": team.pk,
            "status": "open",
            "cause": "Rents rise",
            "event": "More households placed",
            "consequence": "Overspend",
            "inherent_likelihood": 5,
            "inherent_impact": 4,
            "current_likelihood": 4,
            "current_impact": 4,
            "target_likelihood": 3,
            "target_impact": 3,
            "review_due": "2027-01-10",
            "indicators": [indicator.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    risk = Risk.objects.get(reference="CR10")
    assert risk.current_score == 16
    assert list(risk.indicators.all()) == [indicator]
    assert risk.review_due == dt.date(2027, 1, 10)
    assert AuditEvent.objects.filter(action="create", object_repr__startswith="CR10").exists()
    listing = client.get(reverse("performance:manage-list", args=["risks"])).content.decode()
    assert "Temporary accommodation costs" in listing


def test_a_point_outside_one_to_five_is_named(client, officer):
    risk = RiskFactory(reference="CR11")
    response = client.post(
        reverse("performance:manage-edit", args=["risks", risk.pk]),
        {"reference": "CR11", "title": "x", "current_likelihood": 7},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "less than or equal to 5" in html


def test_a_linked_mitigating_action_takes_no_fields_of_its_own(client, officer):
    risk = RiskFactory(reference="CR12")
    activity = ActivityFactory(title="Open a prevention hub")
    url = reverse("performance:manage-create", args=["risk-actions"])
    refused = client.post(
        url,
        {
            "risk": risk.pk,
            "description": "Copied text",
            "progress": "in_progress",
            "activity": activity.pk,
        },
    )
    assert "a linked action&#x27;s own description" in refused.content.decode()
    assert not RiskAction.objects.exists()
    assert (
        client.post(
            url, {"risk": risk.pk, "progress": "in_progress", "activity": activity.pk}
        ).status_code
        == 302
    )
    assert RiskAction.objects.get().activity == activity
    empty = client.post(url, {"risk": risk.pk, "progress": "not_started"})
    assert "Describe the action, or link" in empty.content.decode()


def test_controls_are_listed_under_their_risk(client, officer):
    risk = RiskFactory(reference="CR13")
    risk.controls.create(description="Weekly budget monitoring", effectiveness="effective")
    html = client.get(
        reverse("performance:manage-list", args=["risk-controls"]), {"risk": risk.pk}
    ).content.decode()
    assert "Weekly budget monitoring" in html
    assert "Effective" in html


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.MEMBER, Role.DATA_MANAGER])
def test_nobody_else_keeps_the_registers_in_manage(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("performance:manage-list", args=["risks"]))
    assert response.status_code in (403, 404)
