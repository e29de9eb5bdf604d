"""The dashboard's corporate health panel (issue 20): each corporate health indicator's status
and direction for the period, counts by status, each linking to its page; within the
dashboard's query budget whatever their number."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.core.roles import Role
from performance.indicators import presentation
from performance.models import Indicator
from tests.factories import TeamFactory, UserFactory
from tests.performance.home.test_dashboard import HOME, listed, make, period, section

pytestmark = pytest.mark.django_db

__all__ = ["period"]


def test_the_panel_lists_each_corporate_health_indicator_with_status_direction_and_counts(
    client, period
):
    sick = make("COR 001", period, 50, previous=60, corporate_health=True)  # Red, worse
    make("COR 002", period, 95, previous=90, corporate_health=True)  # Green, better
    make("WAS 001", period, 50)  # not corporate health
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    html = client.get(HOME).content.decode()
    panel = section(html, "corporate-health")
    assert listed(panel) == ["COR 001", "COR 002"]
    assert reverse("performance:indicator-detail", args=[sick.pk]) in panel
    assert "Deteriorating" in panel
    assert "Improving" in panel
    counts = {
        label: int(count)
        for label, count in re.findall(r"</span> ([^<]+)</span></th><td[^>]*>(\d+)</td>", panel)
    }
    tags = presentation.STATUS_TAGS
    assert counts[tags["red"].label] == 1
    assert counts[tags["green"].label] == 1
    assert counts[tags["amber"].label] == 0


def test_no_panel_without_corporate_health_indicators(client, period):
    make("WAS 001", period, 50)
    client.force_login(UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert 'id="corporate-health"' not in client.get(HOME).content.decode()


@pytest.mark.parametrize("role", [Role.PERFORMANCE_OFFICER, Role.MEMBER, Role.SERVICE_MANAGER])
def test_the_panel_costs_the_same_queries_for_few_or_many_within_the_budget(client, period, role):
    team = TeamFactory()
    user = UserFactory(roles=[role], teams=[team])
    client.force_login(user)

    def queries_with(count: int) -> int:
        Indicator.objects.all().delete()
        for n in range(count):
            make(f"COR {n:03d}", period, 70 + n % 30, previous=80, team=team, corporate_health=True)
        client.get(HOME)  # the first read after a change fills the caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(HOME)
        assert 'id="corporate-health"' in response.content.decode()
        return len(captured.captured_queries)

    small, large = queries_with(3), queries_with(25)
    assert small == large
    assert large <= 25
