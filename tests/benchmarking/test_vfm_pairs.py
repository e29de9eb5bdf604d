"""Pairing an output with its input (cost) indicator from the Value for money page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from benchmarking.models import VfmPair
from performance.core.roles import Role
from performance.models import AuditEvent
from tests.benchmarking.test_views import _indicator, _value
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW = reverse("benchmarking:pair-new")


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    return client


@pytest.fixture
def world():
    team = TeamFactory()
    return {
        "output": _indicator("OUT 1", team, "output"),
        "cost": _indicator("IN 1", team, "input"),
        "untagged": _indicator("ANY 1", team, ""),
    }


def form_data(world, **changes):
    data = {
        "title": "Tonnes per £1,000",
        "output": world["output"].pk,
        "input": world["cost"].pk,
        "per": "1000",
        "unit_label": "tonnes per £1,000",
        "decimals": "1",
    }
    data.update(changes)
    return data


def test_a_pair_is_saved_audited_and_its_efficiency_shown(officer, world):
    _value(world["output"], "2024/25 Q1", "120")
    _value(world["cost"], "2024/25 Q1", "40000")
    form = officer.get(NEW).content.decode()
    assert "OUT 1 Indicator OUT 1" in form
    assert "ANY 1" not in form  # only indicators tagged for value for money are offered
    response = officer.post(NEW, form_data(world))
    assert response.status_code == 302
    pair = VfmPair.objects.get()
    assert pair.per == Decimal(1000)
    assert AuditEvent.objects.filter(object_id=str(pair.pk), action="create").count() == 1
    page = officer.get(reverse("benchmarking:vfm")).content.decode()
    assert "Tonnes per £1,000" in page
    assert "3.0" in page  # 120 ÷ 40,000 × 1,000


def test_changing_a_pair_is_audited(officer, world):
    officer.post(NEW, form_data(world))
    pair = VfmPair.objects.get()
    url = reverse("benchmarking:pair-edit", args=[pair.pk])
    assert 'value="Tonnes per £1,000"' in officer.get(url).content.decode()
    assert (
        officer.post(url, form_data(world, per="1", unit_label="tonnes per £")).status_code == 302
    )
    pair.refresh_from_db()
    assert pair.per == 1
    event = AuditEvent.objects.get(object_id=str(pair.pk), action="update")
    assert event.changes["per"] == ["1000", "1"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the name of the measure"),
        ({"output": ""}, "output", "Choose the output indicator"),
        ({"input": "untagged"}, "input", "Choose one of the listed input (cost) indicators"),
        ({"per": "0"}, "per", "Enter a number above 0"),
        ({"per": "lots"}, "per", "Enter a whole number, like 1000"),
        ({"decimals": "9"}, "decimals", "less than or equal to 6"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(officer, world, changes, field, message):
    if changes.get("input") == "untagged":
        changes["input"] = world["untagged"].pk
    response = officer.post(NEW, form_data(world, **changes))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    page = response.content.decode()
    assert f'href="#id_{field}"' in page
    assert message in page
    assert VfmPair.objects.count() == 0


def test_the_same_pair_twice_is_refused_by_name(officer, world):
    officer.post(NEW, form_data(world))
    response = officer.post(NEW, form_data(world, title="Again"))
    assert response.status_code == 200
    assert "OUT 1 is already paired with IN 1" in response.content.decode()
    assert VfmPair.objects.count() == 1


def test_only_officers_pair_indicators(client, world):
    client.force_login(UserFactory(username="erin", roles=[Role.DATA_ENTERER]))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(world)).status_code == 403
    assert VfmPair.objects.count() == 0


def test_editing_a_saving_changes_it_and_audits_the_change(officer, world):
    from benchmarking.models import EfficiencySaving

    saving = EfficiencySaving.objects.create(
        description="Shared back office",
        year="2024/25",
        approach=EfficiencySaving.Approach.REDUCED_INPUTS,
        cashable=True,
        amount=Decimal("25000"),
    )
    url = reverse("benchmarking:saving-edit", args=[saving.pk])
    response = officer.post(
        url,
        {
            "description": "Shared back office",
            "year": "2024/25",
            "approach": "reduced_inputs",
            "cashable": "True",
            "amount": "30000",
            "team": "",
        },
    )
    assert response.status_code == 302
    saving.refresh_from_db()
    assert saving.amount == Decimal("30000")
    event = AuditEvent.objects.get(object_id=str(saving.pk), action="update")
    assert [Decimal(v) for v in event.changes["amount"]] == [Decimal(25000), Decimal(30000)]
