"""Issue 19 (wrong facts): the targets page writes a ratio's aggregation with Σ (a sum), not σ
(a standard deviation), which `|lower` used to make of it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.core.roles import Role
from performance.models import Indicator
from tests.factories import IndicatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_ratio_indicators_targets_page_says_sum_not_sigma(client):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    indicator = IndicatorFactory(aggregation=Indicator.AggregationChoice.RATIO)
    body = client.get(reverse("performance:manage-targets", args=[indicator.pk])).content.decode()
    assert "sub-periods aggregate by <strong>ratio (Σ numerators ÷ Σ denominators)</strong>" in body
    assert "σ" not in body
