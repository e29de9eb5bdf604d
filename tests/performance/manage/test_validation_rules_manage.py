"""Validation rules kept in the Manage area: audited, named errors, and applied at entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dataquality import services as data_quality
from dataquality.models import ValidationRule
from performance.core.roles import Role
from performance.models import AuditEvent
from tests.factories import IndicatorFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW = reverse("performance:manage-create", args=["validation-rules"])


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    return client


def data(for_indicator, **changes):
    base = {
        "indicator": for_indicator.pk,
        "minimum": "0",
        "maximum": "500",
        "change_threshold": "25",
    }
    base.update(changes)
    return base


def test_a_rule_is_saved_audited_listed_and_applied_to_entries(officer):
    indicator = IndicatorFactory(code="HOU 001", unit="number", decimals=0)
    response = officer.post(NEW, data(indicator, whole_numbers="on"))
    assert response.status_code == 302
    rule = ValidationRule.objects.get(indicator=indicator)
    assert rule.maximum == Decimal(500)
    assert AuditEvent.objects.filter(object_id=str(rule.pk), action="create").count() == 1
    listing = officer.get(reverse("performance:manage-list", args=["validation-rules"]))
    page = listing.content.decode()
    assert "HOU 001" in page
    assert "whole numbers" in page
    assert "25%" in page
    problems = data_quality.problems_for(indicator, "2024/25 Q1", value=Decimal(501), submit=False)
    assert problems  # above the highest value allowed
    assert (
        data_quality.problems_for(indicator, "2024/25 Q1", value=Decimal(499), submit=False) == {}
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"maximum": "-1"}, "The highest value must not be below the lowest"),
        ({"indicator": ""}, "Choose the indicator the rule is for"),
        ({"change_threshold": "-5"}, "greater than or equal to 0"),
        ({"minimum": "lots"}, "Enter a number"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(officer, changes, message):
    indicator = IndicatorFactory()
    response = officer.post(NEW, data(indicator, **changes))
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert ValidationRule.objects.count() == 0


def test_a_second_rule_for_the_same_indicator_is_refused_by_name(officer):
    # A count: a percentage's highest value of 500 would need "may exceed 100" (issue 18).
    indicator = IndicatorFactory(code="HOU 002", unit="number", decimals=0)
    officer.post(NEW, data(indicator))
    response = officer.post(NEW, data(indicator, maximum="9"))
    assert "HOU 002 already has a rule: change that one" in response.content.decode()
    assert ValidationRule.objects.get(indicator=indicator).maximum == Decimal(500)
