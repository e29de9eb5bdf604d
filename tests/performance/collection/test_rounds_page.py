"""The Data collection page (issue 19): every open round team by team with the items still to
submit and the people who owe them, and the officer's "Send a chaser now" (one email per person
per day, audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from performance.collection import chasers, reminders
from performance.common import audit
from performance.models import AuditEvent, SentReminder
from tests.performance.collection.test_collection import enter, make_indicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]
CHASE = reverse("performance:round-chase")
PAGE = reverse("performance:round-list")


def _section(body: str) -> str:
    start = body.index('id="open-rounds"')
    return body[start : body.index("</section>", start)]


def test_every_open_round_is_shown_team_by_team_with_items_and_people(client, world):
    enter(world, "WAS 001", "96", submit=True)  # submitted: waiting for activation
    client.force_login(world.users["officer"])
    body = _section(client.get(PAGE).content.decode())
    assert f"{world.quarterly.get_kind_display()} {world.quarterly.period}" in body
    assert f"{world.monthly.get_kind_display()} {world.monthly.period}" in body
    # Quarterly: Waste owes WAS 002 and GEN 001 (WAS 001 is submitted); Housing owes HOU 001.
    assert "2 of 3 items still to submit" not in body  # counts are per round, not per team
    assert "3 of 4 items still to submit, owed by 2 people; 1 waiting for activation" in body
    assert "GEN 001" in body
    assert "WAS 002" in body
    assert "HOU 001" in body
    assert "HOU 002" in body  # the monthly round
    quarterly = body[body.index(f"{world.quarterly.get_kind_display()} {world.quarterly.period}") :]
    waste = quarterly[quarterly.index(">Waste<") :]  # teams by name: Housing, then Waste
    assert "WAS 001" not in waste  # submitted is not outstanding
    assert "First" in waste
    assert "(2 items)" in waste
    assert "Send a chaser now" in body


def test_an_enterer_sees_their_teams_and_a_member_sees_counts_without_names(client, world):
    client.force_login(world.users["enterer_a"])  # Waste only
    body = _section(client.get(PAGE).content.decode())
    assert ">Waste<" in body
    assert ">Housing<" not in body
    assert "Send a chaser now" not in body
    client.force_login(world.users["member"])
    body = _section(client.get(PAGE).content.decode())
    assert ">Waste<" in body
    assert ">Housing<" in body
    assert "Who owes them" not in body
    assert world.users["enterer_a"].get_full_name() not in body
    assert "GEN 001" not in body


def test_a_chaser_goes_once_per_person_per_day_and_says_so_the_second_time(
    client, world, mailoutbox
):
    client.force_login(world.users["officer"])
    response = client.post(CHASE, follow=True)
    body = response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "enterer_a@example.gov.uk",
        "enterer_b@example.gov.uk",
    ]
    assert "Sent a chaser to 2 people" in body
    to_a = next(m for m in mailoutbox if m.to == ["enterer_a@example.gov.uk"])
    assert to_a.subject.startswith("Reminder: 3 items still to submit")
    assert "GEN 001" in to_a.body
    assert "WAS 002" in to_a.body
    assert "HOU" not in to_a.body
    again = client.post(CHASE, follow=True).content.decode()
    assert len(mailoutbox) == 2
    assert "No chaser sent: everyone with items to submit was already chased today" in again
    assert "chased today 10:00" in again
    assert SentReminder.objects.filter(kind="manual_chaser", sent_at__isnull=False).count() == 2


def test_a_team_chaser_reaches_only_that_teams_people_and_the_scheduled_one_still_goes(
    client, world, mailoutbox
):
    client.force_login(world.users["officer"])
    client.post(CHASE, {"team": world.teams["housing"].pk})
    assert [m.to for m in mailoutbox] == [["enterer_b@example.gov.uk"]]
    assert "WAS 002" in mailoutbox[0].body  # the email lists all they owe
    body = client.post(CHASE, follow=True).content.decode()
    assert [m.to for m in mailoutbox][1:] == [["enterer_a@example.gov.uk"]]
    assert "Already chased today, so not sent again:" in body
    # The day-7 chaser is its own kind: not blocked by a manual chaser that day.
    scheduled = reminders.Planned(
        kind="chaser", person=world.users["enterer_a"], items=[], rounds=[world.quarterly]
    )
    assert reminders._claim(scheduled, dt.date(2025, 7, 4)) is not None


def test_each_chaser_is_audited_with_who_sent_it_and_what_it_listed(client, world, mailoutbox):
    client.force_login(world.users["officer"])
    client.post(CHASE)
    events = AuditEvent.objects.filter(action="chaser_sent")
    assert events.count() == 2
    row = SentReminder.objects.get(person=world.users["enterer_a"], kind="manual_chaser")
    event = audit.history(row).get()
    assert event.actor == world.users["officer"]
    assert "Sent a chaser now to enterer_a" in event.reason
    assert any("GEN 001" in label for label in event.changes["items"][1])


@pytest.mark.parametrize("role", ["enterer_a", "manager_a", "head_w", "member"])
def test_only_officers_may_send_a_chaser(client, world, mailoutbox, role):
    client.force_login(world.users[role])
    assert client.post(CHASE).status_code == 403
    assert client.get(CHASE).status_code == 405
    assert mailoutbox == []
    assert not SentReminder.objects.exists()


def test_an_unknown_team_sends_nothing(client, world, mailoutbox):
    client.force_login(world.users["officer"])
    body = client.post(CHASE, {"team": "99999"}, follow=True).content.decode()
    assert "nothing was sent" in body
    assert mailoutbox == []


def test_the_page_queries_do_not_grow_with_teams_items_and_people(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.users["officer"])
    with django_assert_max_num_queries(40) as few:
        client.get(PAGE)
    from tests.factories import TeamFactory, UserFactory

    for n in range(6):
        team = TeamFactory(name=f"Team {n}")
        person = UserFactory(username=f"extra{n}", teams=[team])
        for k in range(4):
            make_indicator(f"T{n}{k:02}", team, enterers=[person, world.users["enterer_b"]])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        body = client.get(PAGE).content.decode()
    assert ">Team 5<" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_planned_chaser_reads_as_the_day_7_chaser(world):
    planned = chasers.plan_chasers(team_id=world.teams["housing"].pk)
    assert [p.person.username for p in planned] == ["enterer_b"]
    assert planned[0].subject.startswith("Reminder: 3 items still to submit")
