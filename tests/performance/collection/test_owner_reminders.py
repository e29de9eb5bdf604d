"""Owners of strategic actions and service-plan activities get the collection emails (issue 14):
the request-day digest lists the progress updates they owe beside their values, in the same one
email per person; the day-7 chaser and the overdue summary list only the updates not made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from performance.collection import reminders
from performance.core.roles import Role
from performance.models import SentReminder
from tests.factories import (
    ActivityFactory,
    ActivityProgressFactory,
    ObjectiveFactory,
    OutcomeFactory,
    PriorityFactory,
    ServiceFactory,
    ServicePlanFactory,
    StrategicActionFactory,
    StrategicActionUpdateFactory,
    StrategicPlanFactory,
    UserFactory,
)
from tests.performance.collection.test_collection import build_world
from tests.performance.collection.test_reminders import at

pytestmark = pytest.mark.django_db

SITE = "https://summit.example.gov.uk"


@pytest.fixture
def world(settings):
    settings.SITE_URL = SITE
    with at(dt.date(2025, 6, 30), 12):
        world = build_world(open_rounds=False)
    u = world.users
    u["owner"] = UserFactory(username="owner", roles=[Role.SERVICE_MANAGER])
    u["head_s"] = UserFactory(username="head_s", roles=[Role.SERVICE_MANAGER])
    strategic = StrategicPlanFactory(first_year=2024)
    outcome = OutcomeFactory(priority=PriorityFactory(plan=strategic))
    service = ServiceFactory(name="Parks", head_of_service=u["head_s"])
    objective = ObjectiveFactory(plan=ServicePlanFactory(service=service), outcome=outcome)
    world.activity = ActivityFactory(
        objective=objective, title="Replant the parks", owner=u["owner"]
    )
    world.shared = ActivityFactory(
        objective=objective, title="Clear the fly-tipping", owner=u["enterer_a"]
    )
    # Not asked: a draft plan's activity, and an activity with no owner.
    draft = ServicePlanFactory(service=ServiceFactory(), status="draft")
    ActivityFactory(objective=ObjectiveFactory(plan=draft, outcome=outcome), owner=u["owner"])
    ActivityFactory(objective=objective, title="Nobody's activity")
    world.action = StrategicActionFactory(
        outcome=outcome, title="Open the new leisure centre", owner=u["owner"]
    )
    world.action_b = StrategicActionFactory(
        outcome=outcome, title="Build 500 homes", owner=u["enterer_b"]
    )
    return world


def emails_to(username: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [f"{username}@example.gov.uk"]]


def run(day: dt.date) -> reminders.DayReport:
    mail.outbox.clear()
    with at(day):
        return reminders.run_day(day)


def test_an_activity_owner_with_nothing_else_due_gets_the_request_digest(world):
    run(dt.date(2025, 7, 1))
    (message,) = emails_to("owner")
    assert "Service-plan activity: Replant the parks, 2025-06 [Not updated]" in message.body
    link = f"{SITE}/service-plans/activities/{world.activity.pk}/progress/?month=2025-06"
    assert link in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html
    assert "1 item due by Thursday 10 July 2025" in message.subject
    # Only approved plans' activities with an owner are asked for; no strategic round in July.
    assert "Nobody" not in message.body
    assert "leisure" not in message.body
    assert message.body.count("Service-plan activity:") == 1


def test_an_enterer_who_owns_an_activity_gets_one_email_listing_both(world):
    run(dt.date(2025, 7, 1))
    (message,) = emails_to("enterer_a")
    for code in ("GEN 001", "WAS 001", "WAS 002"):
        assert f"- {code} " in message.body
    assert "Service-plan activity: Clear the fly-tipping, 2025-06" in message.body
    assert "4 items due by" in message.subject
    row = SentReminder.objects.get(person=world.users["enterer_a"], kind="request")
    assert "Service-plan activity: Clear the fly-tipping (2025-06)" in row.items
    # The claim covers the whole email: a second run sends nobody anything again.
    again = run(dt.date(2025, 7, 1))
    assert again.sent == 0
    assert mail.outbox == []


def test_the_october_digest_lists_strategic_actions_and_the_chaser_skips_owners_who_updated(
    world,
):
    run(dt.date(2025, 10, 1))
    (message,) = emails_to("owner")
    assert "Strategic action: Open the new leisure centre, 2025/26 Q2 [Not updated]" in message.body
    assert "Service-plan activity: Replant the parks, 2025-09" in message.body
    assert f"{SITE}/plan/strategic-actions/?edit={world.action.pk}#action-{world.action.pk}" in (
        message.body
    )
    assert "Strategic action: Build 500 homes" in emails_to("enterer_b")[0].body

    # The owner updates everything they own; enterer_b does not update their action.
    StrategicActionUpdateFactory(action=world.action, period="2025/26 Q2")
    ActivityProgressFactory(activity=world.activity, month="2025-09")
    run(dt.date(2025, 10, 7))
    assert emails_to("owner") == []
    (chaser,) = emails_to("enterer_b")
    assert "Strategic action: Build 500 homes, 2025/26 Q2 [Not updated]" in chaser.body


def test_the_overdue_summary_lists_updates_not_made_to_owner_and_head(world):
    run(dt.date(2025, 7, 1))
    ActivityProgressFactory(activity=world.shared, month="2025-06")
    run(dt.date(2025, 7, 11))
    (overdue,) = emails_to("owner")
    assert "Service-plan activity: Replant the parks, 2025-06 [Not updated]" in overdue.body
    assert "not done by the close" in overdue.subject
    (head,) = emails_to("head_s")
    assert "Replant the parks" in head.body
    assert "fly-tipping" not in head.body
    (officer,) = emails_to("officer")
    assert "Replant the parks" in officer.body
    # enterer_a updated their activity: no overdue notice for it.
    assert all("fly-tipping" not in m.body for m in mail.outbox)
    assert emails_to("enterer_a") == []


def test_the_dry_run_lists_the_plan_items_an_owner_is_asked_for(world, capsys):
    from django.core.management import call_command

    call_command("send_reminders", "--date", "2025-07-01", "--dry-run")
    out = capsys.readouterr().out
    assert "Service-plan activity: Replant the parks (2025-06) [Not updated]" in out
    assert mail.outbox == []
