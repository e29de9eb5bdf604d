"""Notifications (issue 19): read from what happened, for whom it concerns, with an unread count
in every page's header that "Mark all as read" clears."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.collection import services as collection
from performance.common import notifications
from performance.models import AuditEvent, NotificationRead, RiskAlert, RiskEscalation, Value
from tests.factories import RiskFactory
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.home.test_tasks import open_today

pytestmark = pytest.mark.django_db

PAGE = reverse("notifications")


@pytest.fixture
def world():
    world = build_world()
    open_today(world)
    return world


def submit(world, code, value, **kw):
    return enter(world, code, value, submit=True, comment="Explained.", **kw)


def manage(world, code, verb, *, manager="manager_a"):
    value = Value.objects.get(indicator=world.indicators[code])
    if verb == "return":
        collection.return_value(
            user=world.users[manager], value_id=value.pk, version=value.version, reason="Fix it."
        )
    else:
        collection.activate(user=world.users[manager], value_id=value.pk, version=value.version)


def kinds(user) -> list[str]:
    return [n.kind for n in notifications.notifications_for(user)]


def header(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return re.search(r'class="summit-header__notifications"[^>]*>(.*?)</a>', html).group(1)


def test_enterers_hear_of_values_returned_and_activated_and_no_one_else_does(world):
    submit(world, "WAS 001", "96")
    submit(world, "WAS 002", "9")
    manage(world, "WAS 001", "activate")
    manage(world, "WAS 002", "return")
    found = notifications.notifications_for(world.users["enterer_a"])
    assert [n.kind for n in found] == ["returned", "activated"]  # newest first
    returned, activated = found
    assert "WAS 002" in returned.title
    assert returned.detail.endswith("Fix it.")
    assert returned.url == reverse("performance:my-returns")
    assert activated.url == reverse(
        "performance:indicator-detail", args=[world.indicators["WAS 001"].pk]
    )
    assert all(n.unread for n in found)
    # enterer_b also enters WAS 002; the manager who acted and a member hear nothing.
    assert kinds(world.users["enterer_b"]) == ["returned"]
    assert kinds(world.users["manager_a"]) == []
    assert kinds(world.users["member"]) == []


def test_risk_owners_hear_of_reviews_due_and_alerts_officers_of_escalations(world):
    owner = world.users["head_w"]
    risk = RiskFactory(reference="R 1", owner=owner)
    value = Value.objects.create(
        indicator=world.indicators["WAS 001"],
        period="2025/26 Q1",
        period_start=dt.date(2025, 4, 1),
        value=Decimal(40),
        status="activated",
    )
    RiskAlert.objects.create(
        risk=risk,
        indicator=world.indicators["WAS 001"],
        value=value,
        period="2025/26 Q1",
        reason="red",
        raised_at=timezone.now(),
    )
    RiskEscalation.objects.create(
        risk=risk,
        from_register="service",
        to_register="directorate",
        score=16,
        appetite=12,
        requested_at=timezone.now(),
    )
    found = notifications.notifications_for(owner)
    assert sorted(n.kind for n in found) == ["alert", "review_due"]
    assert {n.url for n in found} == {reverse("performance:risk-review", args=[risk.pk])}
    escalations = notifications.notifications_for(world.users["officer"])
    assert [n.kind for n in escalations] == ["escalation"]
    assert escalations[0].url == reverse("performance:risk-escalations")


def test_members_hear_of_reports_published(world):
    officer = world.users["officer"]
    AuditEvent.objects.create(
        actor=officer,
        actor_name="officer",
        action="create",
        content_type=ContentType.objects.get_by_natural_key("reports", "publishedreport"),
        object_id="7",
        object_repr="Quarterly report 2025/26 Q1 (Cabinet) v1",
    )
    found = notifications.notifications_for(world.users["member"])
    assert [(n.kind, n.url) for n in found] == [("published", "/public/7/")]
    assert kinds(world.users["enterer_a"]) == []


def test_the_header_counts_the_unread_and_mark_all_as_read_clears_it(client, world):
    submit(world, "WAS 001", "96")
    submit(world, "WAS 002", "9")
    manage(world, "WAS 001", "activate")
    manage(world, "WAS 002", "return")
    enterer = world.users["enterer_a"]
    client.force_login(enterer)
    assert header(client) == 'Notifications <span class="summit-header__unread">(2 unread)</span>'
    html = client.get(PAGE).content.decode()
    assert html.count("summit-notification--unread") == 2
    assert "2 unread." in html
    assert "Fix it." in html
    response = client.post(PAGE)
    assert response.status_code == 302
    assert NotificationRead.objects.get(person=enterer).last_seen_at <= timezone.now()
    assert header(client) == "Notifications"
    html = client.get(PAGE).content.decode()
    assert "summit-notification--unread" not in html
    assert "You have read them all." in html
    # Something new after the marker is unread again.
    submit(world, "WAS 002", "8.5")
    manage(world, "WAS 002", "return")
    assert "(1 unread)" in header(client)


def test_the_count_agrees_with_the_list_and_costs_one_query(world):
    submit(world, "WAS 001", "96")
    manage(world, "WAS 001", "activate")
    RiskFactory(reference="R 9", owner=world.users["enterer_a"])
    enterer = world.users["enterer_a"]
    listed = [n for n in notifications.notifications_for(enterer) if n.unread]
    with CaptureQueriesContext(connection) as captured:
        count = notifications.unread_count(enterer)
    assert count == len(listed) == 2
    assert len(captured.captured_queries) == 1


def test_events_older_than_the_window_are_not_listed(world):
    submit(world, "WAS 001", "96")
    manage(world, "WAS 001", "activate")
    long_ago = timezone.now() - dt.timedelta(days=notifications.WINDOW_DAYS + 1)
    Value.objects.filter(indicator=world.indicators["WAS 001"]).update(activated_at=long_ago)
    assert kinds(world.users["enterer_a"]) == []
    assert notifications.unread_count(world.users["enterer_a"]) == 0


def test_the_page_needs_a_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
