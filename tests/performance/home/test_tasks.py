"""The home page as a task list per role (issue 19): what is due, returned, waiting for a
decision or overdue, each a link to where the work is done, most urgent first, in a fixed number
of queries per role."""

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
from performance.core.roles import Role
from performance.models import (
    AuditEvent,
    CollectionRound,
    RiskAlert,
    RiskEscalation,
    RiskReview,
    Value,
)
from tests.factories import (
    ActionPlanFactory,
    MeasureFactory,
    OutcomeFactory,
    PriorityFactory,
    RiskFactory,
    StrategicPlanFactory,
    UserFactory,
)
from tests.performance.collection.test_collection import build_world, enter, make_indicator

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def open_today(world) -> None:
    today = timezone.localdate()
    for round_ in (world.quarterly, world.monthly):
        CollectionRound.objects.filter(pk=round_.pk).update(
            opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=7)
        )
        round_.refresh_from_db()


def close_yesterday(world) -> None:
    today = timezone.localdate()
    for round_ in (world.quarterly, world.monthly):
        CollectionRound.objects.filter(pk=round_.pk).update(
            opens_on=today - dt.timedelta(days=12), closes_on=today - dt.timedelta(days=1)
        )
        round_.refresh_from_db()


@pytest.fixture
def world():
    world = build_world()
    open_today(world)
    return world


def section(html: str, key: str) -> str:
    start = html.index(f'id="tasks-{key}"')
    return html[start : html.index("</section>", start)]


def order(html: str) -> list[str]:
    return re.findall(r'<section class="summit-task-section" id="tasks-([a-z-]+)"', html)


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def submit(world, code, value, **kw):
    return enter(world, code, value, submit=True, comment="Explained.", **kw)


def return_(world, code, reason, *, manager="manager_a"):
    value = Value.objects.get(indicator=world.indicators[code])
    collection.return_value(
        user=world.users[manager], value_id=value.pk, version=value.version, reason=reason
    )


def test_an_enterer_sees_returned_values_first_with_the_reason_then_what_is_due(client, world):
    submit(world, "WAS 002", "9")
    return_(world, "WAS 002", "Check against the contractor's report.")
    submit(world, "GEN 001", "55")  # sent: no longer a task
    html = page(client, world.users["enterer_a"])
    assert order(html)[:2] == ["returned", "due"]
    returned = section(html, "returned")
    assert "WAS 002 Indicator WAS 002 (2025/26 Q1)" in returned
    assert "Check against the contractor&#x27;s report." in returned
    assert f"/returns/#item-{world.quarterly.pk}-{world.indicators['WAS 002'].pk}" in returned
    assert "↩</span> Returned" in returned  # the task state's symbol and its words
    due = section(html, "due")
    assert "WAS 001" in due
    assert "GEN 001" not in due
    assert "WAS 002" not in due
    assert "left)" in due
    assert "Due by the end of" in due
    assert "☐</span> Due" in due
    assert "1 value to send" in due
    assert "Enters values, performance comments" not in html  # no specification text
    assert "You send in the figures and comments" in html


def test_the_returned_task_disappears_once_the_value_is_resubmitted(client, world):
    submit(world, "WAS 002", "9")
    return_(world, "WAS 002", "Check it.")
    assert 'id="tasks-returned"' in page(client, world.users["enterer_a"])
    submit(world, "WAS 002", "8.5")
    html = page(client, world.users["enterer_a"])
    assert "Nothing has been returned to you." in section(html, "returned")
    assert "WAS 002" not in section(html, "due")


def test_a_manager_sees_the_values_waiting_for_activation_linked_to_their_review(client, world):
    submit(world, "WAS 001", "96")
    submit(world, "HOU 001", "120", user="enterer_b")  # another team's manager
    html = page(client, world.users["manager_a"])
    waiting = section(html, "decisions")
    assert "Activate or return WAS 001" in waiting
    assert "HOU 001" not in waiting
    value = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert reverse("performance:value-review", args=[value.pk]) in waiting
    assert "1 value waiting for activation." in waiting
    assert reverse("performance:activation-queue") in waiting
    assert "✉</span> Waiting for you" in waiting
    assert 'id="tasks-returned"' not in html  # not an enterer


def test_an_officer_sees_escalations_before_values_to_activate(client, world):
    risk = RiskFactory(reference="CR 01", title="Cyber attack")
    RiskEscalation.objects.create(
        risk=risk,
        from_register="service",
        to_register="corporate",
        score=20,
        appetite=12,
        requested_at=timezone.now(),
    )
    submit(world, "WAS 001", "96")
    html = page(client, world.users["officer"])
    waiting = section(html, "decisions")
    assert waiting.index("Escalate CR 01 Cyber attack") < waiting.index("Activate or return")
    assert reverse("performance:risk-escalations") in waiting
    assert "1 risk escalation waiting." in waiting


def test_a_risk_owner_is_asked_to_review_alerting_risks_now_and_unreviewed_ones_by_the_deadline(
    client, world
):
    head = world.users["head_w"]
    alerting = RiskFactory(reference="R A", owner=head, indicators=[world.indicators["WAS 001"]])
    unreviewed = RiskFactory(reference="R B", owner=head)
    reviewed = RiskFactory(reference="R C", owner=head)
    RiskFactory(reference="R D", owner=head, status="closed")
    RiskReview.objects.create(
        risk=reviewed,
        period=world.quarterly.period,
        reviewed_by=head,
        reviewed_at=timezone.now(),
        likelihood=3,
        impact=3,
        previous_likelihood=3,
        previous_impact=3,
        comment="Fine.",
    )
    RiskReview.objects.create(
        risk=alerting,
        period=world.quarterly.period,
        reviewed_by=head,
        reviewed_at=timezone.now(),
        likelihood=3,
        impact=3,
        previous_likelihood=3,
        previous_impact=3,
        comment="Fine.",
    )
    value = Value.objects.create(
        indicator=world.indicators["WAS 001"],
        period="2025/26 Q1",
        period_start=dt.date(2025, 4, 1),
        value=Decimal(50),
        status="activated",
    )
    RiskAlert.objects.create(
        risk=alerting,
        indicator=world.indicators["WAS 001"],
        value=value,
        period="2025/26 Q1",
        reason="red",
        raised_at=timezone.now(),
    )
    html = page(client, head)
    risks = section(html, "risks")
    assert risks.index("Review R A") < risks.index("Review R B")
    assert "Review now" in risks
    assert reverse("performance:risk-review", args=[alerting.pk]) in risks
    assert reverse("performance:risk-review", args=[unreviewed.pk]) in risks
    assert "Review R C" not in risks
    assert "Review R D" not in risks
    assert f"The review for {world.quarterly.period} is due by the end of" in risks


def test_a_review_is_overdue_once_the_quarterly_round_closed(client):
    world = build_world()
    close_yesterday(world)
    owner = world.users["head_h"]
    RiskFactory(reference="R Z", owner=owner)
    risks = section(page(client, owner), "risks")
    assert "⚑</span> Overdue" in risks
    assert "was due by the end of" in risks


def test_a_head_of_service_sees_what_is_overdue_in_their_teams_and_open_action_plans(client):
    world = build_world()
    close_yesterday(world)
    submit(world, "WAS 001", "96")
    activated = Value.objects.get(indicator=world.indicators["WAS 001"])
    collection.activate(
        user=world.users["manager_a"], value_id=activated.pk, version=activated.version
    )
    submit(world, "WAS 002", "9")  # submitted, never activated
    head = world.users["head_w"]
    ActionPlanFactory(team=world.teams["waste"], title="Recover missed bins", owner=head)
    ActionPlanFactory(team=world.teams["housing"], title="Not theirs")
    ActionPlanFactory(team=world.teams["waste"], title="Closed one", status="closed")
    html = page(client, head)
    overdue = section(html, "overdue")
    assert "WAS 002" in overdue
    assert "GEN 001" in overdue
    assert "WAS 001" not in overdue  # activated
    assert "HOU 001" not in overdue  # another team
    assert "submitted, not activated when" in overdue
    assert reverse("performance:round-detail", args=[world.quarterly.pk]) in overdue
    plans = section(html, "action-plans")
    assert "Recover missed bins" in plans
    assert "Not theirs" not in plans
    assert "Closed one" not in plans
    assert order(html)[0] == "overdue"


def _publish_event(officer, pk: int, text: str, at: dt.datetime) -> None:
    event = AuditEvent.objects.create(
        actor=officer,
        actor_name=officer.username,
        action="create",
        content_type=ContentType.objects.get_by_natural_key("reports", "publishedreport"),
        object_id=str(pk),
        object_repr=text,
    )
    AuditEvent.objects.filter(pk=event.pk).update(at=at)


def test_a_member_sees_the_latest_published_reports_and_how_each_priority_is_doing(client):
    from performance.indicators import selectors

    world = build_world()
    now = timezone.now()
    officer = world.users["officer"]
    _publish_event(officer, 1, "Quarterly report 2025/26 Q1 (Cabinet) v1", now - dt.timedelta(2))
    _publish_event(officer, 2, "Quarterly report 2025/26 Q1 (Cabinet) v2", now - dt.timedelta(1))
    _publish_event(officer, 3, "Monthly report 2025-06 (Management Team) v1", now)
    plan = StrategicPlanFactory()
    first = PriorityFactory(plan=plan, number=1, title="A thriving place")
    PriorityFactory(plan=plan, number=2, title="Homes for all")
    period = selectors.latest_reporting_period()
    good = make_indicator("PRI 1", world.teams["waste"], target=90, period=str(period))
    Value.objects.create(
        indicator=good,
        period=str(period),
        period_start=period.start,
        value=Decimal(95),
        status="activated",
    )
    MeasureFactory(outcome=OutcomeFactory(priority=first), indicator=good)
    html = page(client, world.users["member"])
    reports = html[html.index('id="home-reports"') :]
    reports = reports[: reports.index("</section>")]
    assert re.findall(r'href="/public/(\d+)/">([^<]+)<', reports) == [
        ("3", "Monthly report 2025-06 (Management Team)"),
        ("2", "Quarterly report 2025/26 Q1 (Cabinet)"),
    ]
    priorities = html[html.index('id="home-priorities"') :]
    priorities = priorities[: priorities.index("</section>")]
    assert reverse("performance:golden-thread", args=["priority", first.pk]) in priorities
    assert "Priority 1: A thriving place" in priorities
    assert "✔</span> Summit (Green): 1" in priorities
    assert "No indicator of this priority reports" in priorities  # priority 2
    assert 'id="tasks-decisions"' not in html
    assert 'id="tasks-returned"' not in html


def test_a_person_with_several_roles_sees_every_section_that_applies(client, world):
    both = UserFactory(
        username="both", roles=[Role.DATA_ENTERER, Role.DATA_MANAGER], teams=[world.teams["waste"]]
    )
    world.indicators["WAS 001"].enterers.add(both)
    world.indicators["GEN 001"].managers.add(both)
    submit(world, "GEN 001", "55")
    html = page(client, both)
    assert {"due", "decisions"} <= set(order(html))
    assert "Data manager, Data enterer" in html
    assert "You check the figures" in html
    assert "You send in the figures" in html


def test_an_up_to_date_person_is_told_so(client):
    world = build_world()
    html = page(client, world.users["manager_b"])
    clear = section(html, "clear")
    assert "You are up to date" in clear
    assert "Nothing is waiting for your decision." in clear


ROLE_USERS = {
    Role.DATA_ENTERER: "enterer_a",
    Role.DATA_MANAGER: "manager_a",
    Role.SERVICE_MANAGER: "head_w",
    Role.PERFORMANCE_OFFICER: "officer",
    Role.MEMBER: "member",
}


def _grow(world, prefix: str, n: int) -> None:
    """`n` more indicators for the Waste team's people, every other one submitted, and n risks
    and open action plans."""
    u = world.users
    for index in range(n):
        code = f"{prefix} {index:03d}"
        world.indicators[code] = make_indicator(
            code,
            world.teams["waste"],
            enterers=[u["enterer_a"]],
            managers=[u["manager_a"]],
            target=50,
        )
        if index % 2:
            submit(world, code, "60")
        owner = u["head_w"] if index % 3 else u["enterer_a"]
        RiskFactory(reference=f"{prefix} R{index:03d}", owner=owner, team=world.teams["waste"])
        ActionPlanFactory(team=world.teams["waste"], owner=u["head_w"])


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_the_home_page_costs_the_same_queries_with_little_or_much_work(client, role):
    world = build_world()
    open_today(world)
    client.force_login(world.users[ROLE_USERS[role]])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(HOME)
        assert response.status_code == 200
        return len(captured.captured_queries)

    _grow(world, "SMALL", 2)
    small = count()
    _grow(world, "BIG", 20)
    big = count()
    assert small == big
    assert big <= 30


def test_an_officer_who_enters_nothing_is_not_told_about_returns(client):
    world = build_world()
    html = page(client, world.users["officer"])
    assert 'id="tasks-returned"' not in html
    assert 'id="tasks-due"' not in html
    assert "Nothing is waiting for your decision." in section(html, "clear")


def test_an_owner_who_enters_nothing_is_not_sent_to_my_returns(client, world):
    from tests.factories import ActivityFactory

    head = world.users["head_w"]
    activity = ActivityFactory(owner=head)
    plan = activity.objective.plan
    plan.status = "approved"
    plan.year = "2025/26"
    plan.save()
    due = section(page(client, head), "due")
    assert reverse("performance:activity-progress", args=[activity.pk]) in due
    assert "1 progress update to send" in due
    assert reverse("performance:my-returns") not in due
