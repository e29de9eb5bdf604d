"""The history panel (issue 19): the audit trail on the indicator, value and action plan pages for
officers and managers, with before → after, the reason, and "Re-open for correction"."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from performance.collection import services as collection
from performance.common import audit, history
from performance.models import Value
from tests.factories import ActionPlanFactory, RiskFactory
from tests.performance.collection.test_collection import build_world, enter

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db
PANEL = 'id="audit-history"'


@pytest.fixture(autouse=True)
def _in_the_window():
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world():
    """WAS 001 entered at 90, activated by manager_a, re-opened by the officer with a reason and
    re-entered at 96 and submitted."""
    world = build_world()
    users = world.users
    value = enter(world, "WAS 001", "90", submit=True, comment="Crews short.")
    value = collection.activate(user=users["manager_a"], value_id=value.pk, version=value.version)
    collection.correct(
        user=users["officer"],
        value_id=value.pk,
        version=value.version,
        reason="The July tonnage was keyed twice",
    )
    world.value = enter(world, "WAS 001", "96", submit=True, comment="Crews short.")
    return world


def _panel(body: str) -> str:
    start = body.index(PANEL)
    return body[start : body.index("</section>", start)]


def _review(client, world, who):
    client.force_login(world.users[who])
    return client.get(reverse("performance:value-review", args=[world.value.pk]))


def test_the_value_page_shows_who_when_before_after_and_why(client, world):
    panel = _panel(_review(client, world, "officer").content.decode())
    assert "Re-opened for correction</strong> by " in panel
    assert "Reason: The July tonnage was keyed twice" in panel
    # before → after, with words for screen readers; labels from the model's fields.
    assert 'Value: <span class="govuk-visually-hidden">from </span>90' in panel
    assert (
        '<span aria-hidden="true">→</span><span class="govuk-visually-hidden"> to</span> 96'
        in panel
    )
    assert "Status: " in panel
    assert "Activated" in panel
    assert "Returned" in panel
    assert "4 July 2025 10:00" in panel
    assert "Created</strong>" in panel
    assert "set to 90" in panel
    # Who: names, not ids; the person columns are not listed as changes.
    assert world.users["manager_a"].get_full_name() in panel
    assert "Activated by:" not in panel


@pytest.mark.parametrize("who", ["officer", "manager_a", "manager_a2"])
def test_officers_and_the_teams_managers_see_the_panel(client, world, who):
    assert PANEL in _review(client, world, who).content.decode()


@pytest.mark.parametrize("who", ["enterer_a", "manager_b"])
def test_enterers_and_other_teams_managers_do_not(client, world, who):
    response = _review(client, world, who)
    assert response.status_code in (200, 404)
    assert PANEL not in response.content.decode()


@pytest.mark.parametrize("who", ["member", "enterer_b", "manager_b", "enterer_a"])
def test_the_indicator_page_hides_it_from_members_and_enterers(client, world, who):
    client.force_login(world.users[who])
    url = reverse("performance:indicator-detail", args=[world.indicators["WAS 001"].pk])
    response = client.get(url)
    assert PANEL not in response.content.decode()


def test_the_indicator_page_shows_its_values_history_with_re_open_where_allowed(client, world):
    value = Value.objects.get(pk=world.value.pk)
    activated = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )
    client.force_login(world.users["manager_a"])
    url = reverse("performance:indicator-detail", args=[world.indicators["WAS 001"].pk])
    panel = _panel(client.get(url).content.decode())
    assert "Activated</strong> 2025/26 Q1 by " in panel
    correct = reverse("performance:value-correct", args=[activated.pk])
    assert panel.count(f'href="{correct}"') == 1  # on the newest row only
    client.force_login(world.users["head_w"])  # sees the history, may not re-open
    panel = _panel(client.get(url).content.decode())
    assert "Reason: The July tonnage was keyed twice" in panel
    assert correct not in panel


def test_the_value_page_offers_re_open_only_while_activated(client, world):
    correct = reverse("performance:value-correct", args=[world.value.pk])
    assert correct not in _panel(_review(client, world, "officer").content.decode())  # submitted
    value = Value.objects.get(pk=world.value.pk)
    collection.activate(user=world.users["manager_a"], value_id=value.pk, version=value.version)
    assert correct in _panel(_review(client, world, "officer").content.decode())


def test_the_action_plan_page_shows_its_history_to_its_team_managers(client, world):
    plan = ActionPlanFactory(team=world.teams["waste"], owner=world.users["head_w"])
    audit.update(
        actor=world.users["officer"], instance=plan, reason="Targets met again", status="closed"
    )
    url = reverse("performance:action-plan-detail", args=[plan.pk])
    client.force_login(world.users["manager_a"])
    panel = _panel(client.get(url).content.decode())
    assert "Changed</strong> by " in panel
    assert "Status: " in panel
    assert "Open" in panel
    assert "Closed" in panel
    assert "Reason: Targets met again" in panel
    client.force_login(world.users["enterer_a"])
    assert PANEL not in client.get(url).content.decode()


def test_the_read_is_one_query_for_an_indicators_values(world, django_assert_num_queries):
    indicator = world.indicators["WAS 001"]
    with django_assert_num_queries(1):
        entries = history.for_values(indicator, may_reopen=True)
    assert [e.action for e in entries][:3] == ["submit", "correct", "activate"]
    value = Value.objects.get(pk=world.value.pk)
    with django_assert_num_queries(1):
        assert len(history.for_object(value)) == len(entries)


def test_the_risk_page_shows_its_history_to_officers_not_members(client, world):
    risk = RiskFactory(team=world.teams["waste"], owner=world.users["head_w"])
    audit.update(
        actor=world.users["officer"],
        instance=risk,
        reason="Reassessed after the contract review",
        current_likelihood=4,
    )
    url = reverse("performance:risk-detail", args=[risk.pk])
    client.force_login(world.users["officer"])
    panel = _panel(client.get(url).content.decode())
    assert "Reason: Reassessed after the contract review" in panel
    assert (
        '3 <span aria-hidden="true">→</span><span class="govuk-visually-hidden"> to</span> 4'
        in panel
    )
    client.force_login(world.users["member"])
    assert PANEL not in client.get(url).content.decode()


def test_figures_read_as_typed_and_the_reason_is_said_once():
    [change] = history._changes(Value, {"value": ["46.000000", "45.500000"]})
    assert (change.label, change.before, change.after) == ("Value", "46", "45.5")
    reason = "The July tonnage was keyed twice"
    changes = history._changes(
        Value,
        {"status": ["activated", "returned"], "return_reason": [None, f"Re-opened: {reason}"]},
        reason,
    )
    assert [(c.label, c.before, c.after) for c in changes] == [("Status", "Activated", "Returned")]
