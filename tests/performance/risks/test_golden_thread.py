"""Risks appear on the golden thread where they are linked (issue 17): under the outcomes and
priorities they threaten and the indicators that are their key risk indicators; a confidential
risk only for those who may read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.core.roles import Role
from tests import factories as f
from tests.factories import RiskFactory, UserFactory
from tests.performance.plans.test_plan_views import thread_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked():
    built = f.golden_thread(size=1)
    outcome = built["outcomes"][0]
    indicator = outcome.indicators.get()
    owner = UserFactory(username="risk_owner", roles=[Role.SERVICE_MANAGER])
    open_risk = RiskFactory(reference="CR01", title="Housing demand", owner=owner, team=None)
    open_risk.outcomes.add(outcome)
    open_risk.indicators.add(indicator)
    secret = RiskFactory(reference="SR09", title="Staffing dispute", owner=owner, confidential=True)
    secret.outcomes.add(outcome)
    on_priority = RiskFactory(reference="CR02", title="Financial resilience", team=None)
    on_priority.priorities.add(built["priorities"][0])
    closed = RiskFactory(reference="CR03", title="Closed risk", team=None, status="closed")
    closed.outcomes.add(outcome)
    return {"built": built, "outcome": outcome, "indicator": indicator, "owner": owner}


def test_linked_risks_show_under_the_outcome_priority_and_indicator(client, linked):
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    _, down = thread_page(client, "priority", linked["built"]["priorities"][0].pk)
    assert "CR01 Housing demand" in down
    assert "CR02 Financial resilience" in down
    assert "SR09 Staffing dispute" in down
    assert "Closed risk" not in down
    _, down = thread_page(client, "indicator", linked["indicator"].pk)
    assert "CR01 Housing demand" in down
    risk_url = reverse("performance:risk-detail", args=[linked["owner"].owned_risks.first().pk])
    assert risk_url in down


def test_a_member_does_not_see_a_confidential_risk_on_the_thread(client, linked):
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    _, down = thread_page(client, "outcome", linked["outcome"].pk)
    assert "CR01 Housing demand" in down
    assert "Staffing dispute" not in down
