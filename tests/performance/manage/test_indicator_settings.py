"""The indicator form in Manage carries the validation settings of import_indicators' optional
columns (issue 18): saved where the entry rules read them, audited, contradictions named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dataquality import services as data_quality
from dataquality.models import ValidationRule
from performance.models import AuditEvent, Indicator
from tests.factories import IndicatorFactory
from tests.performance.manage.test_editing import indicator_data, officer, version

__all__ = ["officer"]  # the fixture, used by name

pytestmark = pytest.mark.django_db
NEW = reverse("performance:manage-create", args=["indicators"])


def _homes(**overrides) -> dict:
    fields = {
        "code": "HOU 010",
        "title": "Net additional homes",
        "unit": "number",
        "decimals": "0",
        "aggregation": "sum",
    }
    return indicator_data(**{**fields, **overrides})


def test_the_form_shows_the_settings_under_their_own_heading(client, officer):
    page = client.get(NEW).content.decode()
    assert "Checks on values entered" in page
    assert "Values may be negative" in page
    assert "Change that needs a comment, %" in page


def test_a_signed_count_is_created_with_its_settings_and_its_negative_values_pass(client, officer):
    response = client.post(NEW, _homes(allow_negative="on", minimum="-500", change_threshold="50"))
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="HOU 010")
    rule = ValidationRule.objects.get(indicator=indicator)
    assert (rule.allow_negative, rule.minimum, rule.change_threshold) == (True, -500, 50)
    assert AuditEvent.objects.filter(object_id=str(rule.pk), action="create").exists()
    assert (
        data_quality.problems_for(indicator, "2024/25 Q1", value=Decimal(-120), submit=False) == {}
    )
    problems = data_quality.problems_for(indicator, "2024/25 Q1", value=Decimal(-501), submit=False)
    assert problems == {"value": "Value must be at least -500 for this indicator"}


def test_without_the_setting_a_negative_count_is_refused(client, officer):
    client.post(NEW, _homes())
    indicator = Indicator.objects.get(code="HOU 010")
    assert not ValidationRule.objects.exists()  # all defaults: no rule
    problems = data_quality.problems_for(indicator, "2024/25 Q1", value=Decimal(-1), submit=False)
    assert problems == {"value": "Value is a count and must not be negative"}


def test_the_edit_form_opens_with_the_stored_settings_and_saves_a_change(client, officer):
    indicator = IndicatorFactory(code="HOU 010", unit="number", decimals=0)
    ValidationRule.objects.create(indicator=indicator, allow_negative=True, minimum=-500)
    url = reverse("performance:manage-edit", args=["indicators", indicator.pk])
    form = client.get(url).context["form"]
    assert form["allow_negative"].value() is True
    assert form["minimum"].value() == Decimal(-500)

    data = _homes(
        title=indicator.title,
        team=indicator.team_id,
        aggregation=indicator.aggregation,
        frequency=indicator.frequency,
        polarity=indicator.polarity,
        kind=indicator.kind,
        perspective=indicator.perspective,
        aspect=indicator.aspect,
        allow_negative="on",
        minimum="-800",
        version=version(client, "indicators", indicator.pk),
    )
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "saved" in response.content.decode()
    rule = ValidationRule.objects.get()
    assert rule.minimum == -800
    event = AuditEvent.objects.filter(object_id=str(rule.pk), action="update").get()
    assert event.changes["minimum"][1] == "-800"


@pytest.mark.parametrize(
    ("overrides", "label", "message"),
    [
        (
            {"minimum": "-5"},
            "Lowest value allowed",
            "A bound below 0 needs “Values may be negative”: this unit refuses them",
        ),
        (
            {"minimum": "10", "maximum": "5"},
            "Highest value allowed",
            "The highest value must not be below the lowest",
        ),
        (
            {"change_threshold": "-1"},
            "Change that needs a comment, %",
            "The change cannot be negative.",
        ),
    ],
)
def test_contradictions_are_refused_naming_the_field(client, officer, overrides, label, message):
    response = client.post(NEW, _homes(**overrides))
    assert response.status_code == 400
    assert f"{label}: {message}" in response.content.decode()
    assert not Indicator.objects.exists()
    assert not ValidationRule.objects.exists()


def test_a_percentages_maximum_over_100_needs_the_setting(client, officer):
    response = client.post(NEW, indicator_data(maximum="120"))
    assert response.status_code == 400
    assert "Highest value allowed: A percentage&#x27;s highest value over 100 needs" in (
        response.content.decode()
    )
    response = client.post(NEW, indicator_data(maximum="120", allow_over_100="on"))
    assert response.status_code == 302
    assert ValidationRule.objects.get().allow_over_100 is True
