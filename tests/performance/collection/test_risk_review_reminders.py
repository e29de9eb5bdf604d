"""Risk owners review their risks in the quarterly window (SPEC §14): the request digest, the
day-7 chaser and the overdue summary list the reviews owed beside the person's values, still one
email per person; a review made for the quarter takes the risk off the chaser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from performance.collection import reminders
from performance.core.roles import Role
from performance.risks import services
from tests.factories import RiskFactory, UserFactory
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
    u["risk_owner"] = UserFactory(username="risk_owner", roles=[Role.SERVICE_MANAGER])
    world.waste_risk = RiskFactory(
        reference="SR01",
        title="Waste contract fails",
        owner=u["enterer_a"],
        team=world.teams["waste"],
    )
    world.own_risk = RiskFactory(
        reference="CR02", title="Housing demand", owner=u["risk_owner"], team=None
    )
    RiskFactory(reference="CR99", title="Closed risk", owner=u["risk_owner"], status="closed")
    return world


def emails_to(username: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [f"{username}@example.gov.uk"]]


def run(day: dt.date) -> reminders.DayReport:
    mail.outbox.clear()
    with at(day):
        return reminders.run_day(day)


def test_the_quarterly_digest_lists_the_reviews_beside_the_values_in_one_email(world):
    run(dt.date(2025, 7, 1))
    (message,) = emails_to("enterer_a")
    assert "- WAS 001 " in message.body
    assert "Risk review: SR01 Waste contract fails, 2025/26 Q1 [Not reviewed]" in message.body
    link = f"{SITE}/risks/{world.waste_risk.pk}/review/"
    assert link in message.body
    assert f'href="{link}"' in message.alternatives[0][0]
    (owner,) = emails_to("risk_owner")
    assert "Risk review: CR02 Housing demand, 2025/26 Q1 [Not reviewed]" in owner.body
    assert "Closed risk" not in owner.body
    assert "1 item due by Thursday 10 July 2025" in owner.subject


def test_a_monthly_only_day_asks_for_no_review(world):
    run(dt.date(2025, 8, 1))
    assert emails_to("risk_owner") == []


def test_the_chaser_skips_a_risk_reviewed_for_the_quarter(world):
    run(dt.date(2025, 7, 1))
    with at(dt.date(2025, 7, 3), 10):
        services.review(
            user=world.users["risk_owner"],
            risk_id=world.own_risk.pk,
            likelihood=2,
            impact=3,
            comment="Demand steady after the new allocations policy.",
        )
    run(dt.date(2025, 7, 7))
    assert emails_to("risk_owner") == []
    (chaser,) = emails_to("enterer_a")
    assert "Risk review: SR01 Waste contract fails, 2025/26 Q1 [Not reviewed]" in chaser.body


def test_an_overdue_review_goes_to_the_owner_the_head_and_the_officers(world):
    run(dt.date(2025, 7, 1))
    run(dt.date(2025, 7, 11))
    (overdue,) = emails_to("enterer_a")
    assert "Risk review: SR01 Waste contract fails" in overdue.body
    (head,) = emails_to("head_w")
    assert "SR01" in head.body
    assert "CR02" not in head.body  # a council-wide risk has no team head
    (officer,) = emails_to("officer")
    assert "SR01" in officer.body
    assert "CR02" in officer.body


def test_plan_items_narrow_to_one_owner_or_one_owning_manager(world):
    from performance.collection import due
    from performance.models import CollectionRound

    run(dt.date(2025, 7, 1))
    rounds = list(CollectionRound.objects.filter(kind="quarterly"))
    every = due.plan_items(rounds)
    assert {item.record.reference for item in every} == {"SR01", "CR02"}
    mine = due.plan_items(rounds, owner=world.users["risk_owner"].pk)
    assert [item.record.reference for item in mine] == ["CR02"]
    head = due.plan_items(rounds, manager=world.users["head_w"].pk)
    assert [item.record.reference for item in head] == ["SR01"]
