"""Plan pages: the strategic plan tree, the golden thread, service plans, strategic actions and
action plans — content, access, validation, audit and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.common import audit
from performance.core.roles import Role
from performance.models import (
    Action,
    ActionPlan,
    ActivityProgress,
    AuditEvent,
    StrategicActionUpdate,
)
from performance.plans.views import shared as plan_views
from tests import factories as f
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


@pytest.fixture
def today(monkeypatch):
    """Pin "today" for the plan pages (service plan months, the strategic-action half-year)."""

    def pin(day: dt.date) -> None:
        monkeypatch.setattr(plan_views, "_today", lambda: day)

    pin(dt.date(2025, 8, 15))
    return pin


def signed_in(client, user):
    client.force_login(user)
    return client


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def audit_actions(instance) -> list[str]:
    return [event.action for event in audit.history(instance)]


# --- Strategic plan tree ------------------------------------------------------------------------


def test_strategic_plan_tree_shows_every_level(client):
    built = f.golden_thread(size=1)
    outcome = built["outcomes"][0]
    activity = outcome.service_objectives.get().activities.get()
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER]))

    response = client.get(reverse("performance:strategic-plan"), {"year": "2025/26"})

    html = response.content.decode()
    plan = built["plan"]
    for text in [
        plan.vision,
        plan.community_strategy,
        "Medium-term financial strategy",
        "Balanced budget over the medium term",
        built["priorities"][0].title,
        outcome.title,
        outcome.measures.get().description,
        outcome.measures.get().indicator.code,
        outcome.indicators.get().code,
        outcome.actions.get().title,
        outcome.service_objectives.get().title,
        activity.title,
        activity.individual_objectives.get().title,
    ]:
        assert text in html, text
    assert html.count("<details") >= 2  # priority and outcome levels expand


def test_strategic_plan_tree_leaves_out_other_years_service_plan_work(client):
    built = f.golden_thread(size=1, year="2025/26")
    other = f.ActivityFactory(
        objective__plan__year="2024/25", objective__outcome=built["outcomes"][0], title="Old work"
    )
    signed_in(client, UserFactory())
    html = client.get(reverse("performance:strategic-plan"), {"year": "2025/26"}).content.decode()
    assert other.title not in html
    html = client.get(reverse("performance:strategic-plan"), {"year": "2024/25"}).content.decode()
    assert other.title in html


def test_strategic_plan_names_a_year_outside_the_plan(client):
    f.golden_thread(size=1)
    signed_in(client, UserFactory())
    response = client.get(reverse("performance:strategic-plan"), {"year": "2031/32"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Select one of the plan" in response.content.decode()


def test_strategic_plan_needs_a_login(client):
    response = client.get(reverse("performance:strategic-plan"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_strategic_plan_tree_queries_do_not_grow_with_its_size(client):
    built = f.golden_thread(size=1)
    user = UserFactory()
    signed_in(client, user)
    url = reverse("performance:strategic-plan") + "?year=2025/26"
    client.get(url)  # the statuses are computed once per change of the figures, then shared
    small = count_queries(client, url)
    f.golden_thread(size=3, plan=built["plan"])  # 3 more priorities x 3 outcomes x 3 activities
    html = client.get(url).content.decode()
    assert html.count("plans-tree__outcome") == 1 + 9
    large = count_queries(client, url)
    assert small == large
    assert large <= MAX_QUERIES


# --- Golden thread ------------------------------------------------------------------------------


@pytest.fixture
def thread():
    built = f.golden_thread(size=1)
    outcome = built["outcomes"][0]
    objective = outcome.service_objectives.get()
    activity = objective.activities.get()
    return {
        "plan": built["plan"],
        "priority": built["priorities"][0],
        "outcome": outcome,
        "objective": objective,
        "activity": activity,
        "individual": activity.individual_objectives.get(),
        "indicator": outcome.indicators.get(),
        "measured": outcome.measures.get().indicator,
        "action": outcome.actions.get(),
        "service_plan": built["service_plan"],
    }


def thread_page(client, kind, pk, **query):
    response = client.get(reverse("performance:golden-thread", args=[kind, pk]), query)
    assert response.status_code == 200
    html = response.content.decode()
    up, _, down = html.partition('id="down-title"')
    return up, down


def test_golden_thread_from_a_priority_reaches_down_to_indicators_actions_and_people(
    client, thread
):
    signed_in(client, UserFactory())
    up, down = thread_page(client, "priority", thread["priority"].pk, year="2025/26")
    assert thread["plan"].title in up
    for item in ("outcome", "objective", "activity", "individual", "action"):
        assert thread[item].title in down, item
    assert thread["indicator"].code in down
    assert thread["measured"].code in down


def test_golden_thread_from_an_outcome_goes_both_ways(client, thread):
    signed_in(client, UserFactory())
    up, down = thread_page(client, "outcome", thread["outcome"].pk, year="2025/26")
    assert thread["priority"].title in up
    assert thread["plan"].title in up
    assert thread["indicator"].code in down
    assert thread["individual"].title in down


def test_golden_thread_from_an_activity_climbs_to_the_vision(client, thread):
    signed_in(client, UserFactory())
    up, down = thread_page(client, "activity", thread["activity"].pk)
    for item in ("plan", "priority", "outcome", "objective"):
        assert thread[item].title in up, item
    assert f"{thread['service_plan'].service.name} service plan 2025/26" in up
    assert thread["individual"].title in down


def test_golden_thread_from_an_objective(client, thread):
    signed_in(client, UserFactory())
    up, down = thread_page(client, "objective", thread["objective"].pk)
    assert thread["outcome"].title in up
    assert thread["activity"].title in down


def test_golden_thread_from_an_individual_objective_climbs_through_its_activity(client, thread):
    signed_in(client, UserFactory())
    up, down = thread_page(client, "individual-objective", thread["individual"].pk)
    for item in ("plan", "priority", "outcome", "objective", "activity"):
        assert thread[item].title in up, item
    assert "Nothing further is linked" in down


def test_golden_thread_from_a_strategic_action(client, thread):
    signed_in(client, UserFactory())
    up, _ = thread_page(client, "action", thread["action"].pk)
    assert thread["outcome"].title in up
    assert thread["plan"].title in up


def test_golden_thread_from_an_indicator_shows_each_route_and_readable_action_plans(client, thread):
    indicator = thread["indicator"]
    other_outcome = f.OutcomeFactory(priority=thread["priority"], title="Second outcome")
    f.MeasureFactory(outcome=other_outcome, indicator=indicator, description="Via a measure")
    mine = f.ActionPlanFactory(indicator=indicator, team=indicator.team, title="Visible plan")
    f.ActionPlanFactory(indicator=indicator, team=TeamFactory(), title="Hidden plan")
    user = UserFactory(roles=[Role.DATA_ENTERER], teams=[indicator.team])
    signed_in(client, user)

    up, down = thread_page(client, "indicator", indicator.pk)

    assert "Route 1 of 2" in up
    assert thread["outcome"].title in up
    assert "Via a measure" in up
    assert mine.title in down
    assert "Hidden plan" not in down


def test_golden_thread_below_a_priority_shows_one_years_service_plans(client, thread):
    signed_in(client, UserFactory())
    pk = thread["priority"].pk
    with time_machine.travel(dt.datetime(2025, 9, 1, 9, tzinfo=dt.UTC), tick=False):
        _, down = thread_page(client, "priority", pk)  # the year in progress: 2025/26
    assert thread["activity"].title in down
    _, down = thread_page(client, "priority", pk, year="2024/25")
    assert thread["activity"].title not in down
    assert thread["indicator"].code in down  # the plan itself is not filtered
    _, down = thread_page(client, "priority", pk, year="all")
    assert thread["activity"].title in down
    response = client.get(
        reverse("performance:golden-thread", args=["priority", pk]), {"year": "x"}
    )
    assert "Select a financial year written like 2026/27" in response.content.decode()


def test_the_plan_tree_counts_its_indicators_statuses_worst_first(client, thread):
    indicator, measured = thread["indicator"], thread["measured"]
    for each, value in ((indicator, 50), (measured, 99)):
        f.TargetFactory(indicator=each, period="2025/26 Q4", value=90)
        f.ValueFactory(indicator=each, period="2025/26 Q4", value=value)
    f.ActivityProgressFactory(
        activity=thread["activity"], month="2026-03", percent_complete=40, rag="amber"
    )
    signed_in(client, UserFactory(roles=[Role.MEMBER]))
    html = client.get(reverse("performance:strategic-plan"), {"year": "2025/26"}).content.decode()
    assert "Indicator statuses are for <strong>2025/26 Q4</strong>" in html
    counts = html.split('class="plans-counts"', 1)[1].split("</p>", 1)[0]
    assert counts.index("Red") < counts.index("Green")
    assert '<span class="plans-counts__number">1</span> Red' in counts
    assert '<span class="plans-counts__number">1</span> Green' in counts
    assert "40% complete" in html


@pytest.mark.parametrize(("kind", "pk"), [("team", 1), ("priority", 99999)])
def test_golden_thread_of_an_unknown_node_is_404(client, kind, pk):
    signed_in(client, UserFactory())
    response = client.get(reverse("performance:golden-thread", args=[kind, pk]))
    assert response.status_code == 404


# --- Service plans ------------------------------------------------------------------------------


@pytest.fixture
def service_plan():
    """A 2025/26 plan of a service whose team has an enterer, with one activity."""
    team = TeamFactory()
    head = UserFactory(roles=[Role.SERVICE_MANAGER], first_name="Hana", last_name="Head")
    plan = f.ServicePlanFactory(service__head_of_service=head, year="2025/26")
    team.service = plan.service
    team.save(update_fields=["service"])
    owner = UserFactory(roles=[Role.DATA_ENTERER])
    activity = f.ActivityFactory(objective__plan=plan, owner=owner, title="Roll out food waste")
    return {"plan": plan, "team": team, "head": head, "owner": owner, "activity": activity}


def test_service_plans_are_listed_under_their_head_of_service(client, service_plan, today):
    other = f.ServicePlanFactory(year="2025/26")  # no head of service
    signed_in(client, UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    response = client.get(reverse("performance:service-plan-list"), {"year": "2025/26"})
    html = response.content.decode()
    assert "Hana Head" in html
    assert "No Head of Service assigned" in html
    assert service_plan["plan"].service.name in html
    assert other.service.name in html


def test_service_plan_list_shows_only_plans_of_the_persons_services(client, service_plan, today):
    other = f.ServicePlanFactory(year="2025/26")
    member_of_team = UserFactory(roles=[Role.DATA_ENTERER], teams=[service_plan["team"]])
    signed_in(client, member_of_team)
    html = client.get(reverse("performance:service-plan-list")).content.decode()
    assert service_plan["plan"].service.name in html
    assert other.service.name not in html


def test_service_plan_outside_a_persons_services_is_404(client, service_plan):
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()]))
    url = reverse("performance:service-plan-detail", args=[service_plan["plan"].pk])
    assert client.get(url).status_code == 404


def test_head_of_service_and_members_read_the_plan(client, service_plan, today):
    url = reverse("performance:service-plan-detail", args=[service_plan["plan"].pk])
    for user in (service_plan["head"], UserFactory(roles=[Role.MEMBER])):
        client.logout()
        signed_in(client, user)
        assert client.get(url).status_code == 200


def test_service_plan_shows_progress_per_month_from_milestones(client, service_plan, today):
    activity = service_plan["activity"]
    f.MilestoneFactory(activity=activity, due_on=dt.date(2025, 5, 31), met_on=dt.date(2025, 5, 30))
    f.MilestoneFactory(activity=activity, due_on=dt.date(2025, 6, 30), met_on=dt.date(2025, 7, 3))
    f.MilestoneFactory(activity=activity, due_on=dt.date(2025, 12, 31), met_on=None)
    f.ActivityProgressFactory(
        activity=activity, month="2025-07", rag=ActivityProgress.Rag.AMBER, comment="Late van"
    )
    signed_in(client, service_plan["head"])

    response = client.get(
        reverse("performance:service-plan-detail", args=[activity.objective.plan.pk])
    )

    monthly = {str(row["month"]): row["summary"] for row in response.context["monthly"]}
    assert list(monthly) == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]
    assert monthly["2025-04"].percent is None
    assert monthly["2025-05"].percent == 100
    assert monthly["2025-06"].percent == 50  # June's milestone was met in July
    assert monthly["2025-07"].percent == 100
    html = response.content.decode()
    assert "Late van" in html
    assert "Amber" in html
    assert "plans-status__icon" in html


def test_service_plan_page_queries_do_not_grow_with_its_size(client, today):
    strategic = f.StrategicPlanFactory(first_year=2024)

    def build(size):
        plan = f.golden_thread(size=size, plan=strategic)["service_plan"]
        for activity in plan.objectives.first().activities.all():
            f.MilestoneFactory(activity=activity)
        return plan

    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    signed_in(client, officer)
    small = count_queries(client, reverse("performance:service-plan-detail", args=[build(1).pk]))
    large = count_queries(client, reverse("performance:service-plan-detail", args=[build(4).pk]))
    assert small == large
    assert large <= MAX_QUERIES


# --- Activity progress --------------------------------------------------------------------------


def progress_url(activity):
    return reverse("performance:activity-progress", args=[activity.pk])


def test_activity_owner_records_progress_and_it_is_audited(client, service_plan, today):
    activity = service_plan["activity"]
    milestone = f.MilestoneFactory(activity=activity, due_on=dt.date(2025, 7, 31))
    signed_in(client, service_plan["owner"])

    response = client.post(
        progress_url(activity),
        {
            "month": "2025-07",
            "percent_complete": "60",
            "rag": "green",
            "comment": "",
            "milestones_met": [str(milestone.pk)],
        },
    )

    assert response.status_code == 302
    progress = ActivityProgress.objects.get(activity=activity, month="2025-07")
    assert (progress.percent_complete, progress.rag, progress.updated_by) == (
        60,
        "green",
        service_plan["owner"],
    )
    assert audit_actions(progress) == ["create"]
    milestone.refresh_from_db()
    assert milestone.met_on == dt.date(2025, 7, 31)  # met in July, recorded in August
    event = audit.history(milestone).get()
    assert event.changes == {"met_on": [None, "2025-07-31"]}


def test_changing_a_months_progress_audits_before_and_after(client, service_plan, today):
    activity = service_plan["activity"]
    progress = f.ActivityProgressFactory(activity=activity, month="2025-07", percent_complete=30)
    signed_in(client, service_plan["head"])
    client.post(
        progress_url(activity),
        {"month": "2025-07", "percent_complete": "45", "rag": "red", "comment": "Supplier failed"},
    )
    progress.refresh_from_db()
    assert progress.percent_complete == 45
    event = AuditEvent.objects.filter(action="update", object_id=str(progress.pk)).get()
    assert event.changes["percent_complete"] == [30, 45]
    assert event.changes["rag"] == ["green", "red"]
    assert event.actor == service_plan["head"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2025-07", "percent_complete": "150", "rag": "green"}, "100 or less"),
        ({"month": "2025-07", "percent_complete": "lots", "rag": "green"}, "whole number"),
        ({"month": "2025-07", "percent_complete": "", "rag": "green"}, "Enter the percentage"),
        ({"month": "2025-07", "percent_complete": "50"}, "Select a RAG status"),
        ({"month": "2025-07", "percent_complete": "50", "rag": "amber"}, "explaining the Amber"),
        ({"month": "2025-12", "percent_complete": "50", "rag": "green"}, "has started"),
    ],
)
def test_progress_form_names_the_field_in_error(client, service_plan, today, data, message):
    signed_in(client, service_plan["owner"])
    response = client.post(progress_url(service_plan["activity"]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    assert 'class="govuk-error-message"' in html
    assert not ActivityProgress.objects.exists()


def test_progress_by_htmx_returns_the_refreshed_plan_body(client, service_plan, today):
    activity = service_plan["activity"]
    signed_in(client, service_plan["owner"])
    response = client.get(progress_url(activity), headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="progress-form"')

    response = client.post(
        progress_url(activity),
        {"month": "2025-07", "percent_complete": "70", "rag": "green"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="plan-body"')
    assert "Progress for 2025-07 recorded" in html
    assert "70%" in html


def test_progress_errors_by_htmx_go_back_into_the_form(client, service_plan, today):
    activity = service_plan["activity"]
    signed_in(client, service_plan["owner"])
    response = client.post(
        progress_url(activity),
        {"month": "2025-07", "percent_complete": "101", "rag": "green"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Retarget"] == f"#activity-{activity.pk}-form"
    assert "100 or less" in response.content.decode()


def test_team_member_of_the_service_may_record_progress(client, service_plan, today):
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[service_plan["team"]]))
    response = client.post(
        progress_url(service_plan["activity"]),
        {"month": "2025-07", "percent_complete": "10", "rag": "green"},
    )
    assert response.status_code == 302


def test_a_reader_who_is_not_in_the_service_may_not_record_progress(client, service_plan, today):
    signed_in(client, UserFactory(roles=[Role.MEMBER]))
    response = client.post(
        progress_url(service_plan["activity"]),
        {"month": "2025-07", "percent_complete": "10", "rag": "green"},
    )
    assert response.status_code == 403
    assert not ActivityProgress.objects.exists()


def test_progress_of_a_plan_out_of_scope_is_404(client, service_plan, today):
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()]))
    assert client.get(progress_url(service_plan["activity"])).status_code == 404


# --- Strategic actions --------------------------------------------------------------------------


def test_strategic_action_owner_adds_the_half_year_update(client, today):
    today(dt.date(2025, 10, 5))  # the 1 October window: the update is for April-September
    action = f.StrategicActionFactory(outcome__priority__plan__first_year=2024)
    f.StrategicActionUpdateFactory(action=action, period="2024/25 Q4", progress="Earlier words")
    signed_in(client, action.owner)

    page = client.get(reverse("performance:strategic-actions")).content.decode()
    assert "2025/26 Q2" in page
    assert "Earlier words" in page

    response = client.post(
        reverse("performance:strategic-actions"),
        {"action": action.pk, "status": "at_risk", "percent_complete": "55", "progress": "Delayed"},
    )
    assert response.status_code == 302
    update = StrategicActionUpdate.objects.get(action=action, period="2025/26 Q2")
    assert (update.status, update.percent_complete) == ("at_risk", 55)
    assert audit_actions(update) == ["create"]

    client.post(
        reverse("performance:strategic-actions"),
        {"action": action.pk, "status": "on_track", "percent_complete": "60", "progress": "Back"},
    )
    update.refresh_from_db()
    assert update.status == "on_track"
    assert audit_actions(update) == ["update", "create"]
    assert StrategicActionUpdate.objects.filter(action=action).count() == 2


def test_strategic_action_update_errors_name_the_field(client, today):
    action = f.StrategicActionFactory()
    signed_in(client, action.owner)
    response = client.post(
        reverse("performance:strategic-actions"),
        {"action": action.pk, "status": "complete", "percent_complete": "80", "progress": ""},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Describe the progress made this half-year" in html
    assert "A complete action is 100% complete" in html
    assert not StrategicActionUpdate.objects.exists()


def test_only_the_owner_or_a_performance_officer_updates_a_strategic_action(client, today):
    action = f.StrategicActionFactory()
    signed_in(client, UserFactory(roles=[Role.SERVICE_MANAGER]))
    data = {"action": action.pk, "status": "on_track", "percent_complete": "5", "progress": "x"}
    assert client.post(reverse("performance:strategic-actions"), data).status_code == 403
    assert (
        client.get(reverse("performance:strategic-actions"), {"edit": action.pk}).status_code == 403
    )
    client.logout()
    signed_in(client, UserFactory(roles=[Role.PERFORMANCE_OFFICER]))
    assert client.post(reverse("performance:strategic-actions"), data).status_code == 302


def test_strategic_action_form_opens_inline_by_htmx(client, today):
    action = f.StrategicActionFactory()
    signed_in(client, action.owner)
    response = client.get(
        reverse("performance:strategic-actions"),
        {"edit": action.pk},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="govuk-summary-card" id="action-{action.pk}"')
    assert 'name="progress"' in html


# --- Action plans -------------------------------------------------------------------------------


def action_rows(*rows, prefix="actions", initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def test_head_of_team_opens_an_action_plan_from_an_indicator(client):
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    indicator = f.IndicatorFactory(team__head_of_service=head)
    signed_in(client, head)
    url = reverse("performance:action-plan-create")
    form_page = client.get(url, {"indicator": indicator.pk}).content.decode()
    assert indicator.code in form_page

    data = {
        "indicator": indicator.pk,
        "team": indicator.team_id,
        "title": "Recover missed bins",
        "reason": "Red two quarters running",
        "owner": head.pk,
        "opened_on": "2025-07-20",
        **action_rows(
            {
                "description": "Extra crew",
                "owner": head.pk,
                "due_on": "2025-09-30",
                "status": "in_progress",
            },
            {"description": "", "owner": "", "due_on": "", "status": "not_started"},
        ),
    }
    response = client.post(url, data)

    plan = ActionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:action-plan-detail", args=[plan.pk])
    assert (plan.indicator, plan.team, plan.owner) == (indicator, indicator.team, head)
    version = plan.versions.get()
    assert version.number == 1
    assert [a.description for a in version.actions.all()] == ["Extra crew"]
    assert audit_actions(plan) == ["create"]
    assert audit_actions(version.actions.get()) == ["create"]


def test_action_plan_form_errors_name_the_row_and_field(client):
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    team = TeamFactory(head_of_service=head)
    signed_in(client, head)
    data = {
        "team": team.pk,
        "title": "",
        "reason": "Red",
        "owner": head.pk,
        "opened_on": "2025-02-30",
        **action_rows(
            {"description": "Extra crew", "owner": head.pk, "due_on": "", "status": "done"}
        ),
    }
    response = client.post(reverse("performance:action-plan-create"), data)
    html = response.content.decode()
    assert "Enter a title" in html
    assert "Opened on must be a real date" in html
    assert "Action 1: Enter the due date" in html
    assert not ActionPlan.objects.exists()


def test_an_action_plan_needs_at_least_one_action(client):
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    team = TeamFactory(head_of_service=head)
    signed_in(client, head)
    data = {
        "team": team.pk,
        "title": "T",
        "reason": "R",
        "owner": head.pk,
        "opened_on": "2025-07-01",
        **action_rows({"description": "", "owner": "", "due_on": "", "status": "not_started"}),
    }
    response = client.post(reverse("performance:action-plan-create"), data)
    assert "Add at least one action" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_an_enterer_may_not_open_action_plans(client):
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()]))
    assert client.get(reverse("performance:action-plan-create")).status_code == 403


def test_revising_an_action_plan_keeps_the_old_version_intact(client):
    plan = f.ActionPlanFactory(actions=2)
    old = plan.versions.get()
    old_actions = list(old.actions.order_by("id").values("description", "status", "due_on"))
    first, second = old.actions.order_by("due_on", "id")
    signed_in(client, plan.owner)
    url = reverse("performance:action-plan-revise", args=[plan.pk])

    form_page = client.get(url).content.decode()
    assert first.description in form_page
    assert second.description in form_page

    data = {
        "note": "Second action dropped; first now done",
        "status": "open",
        **action_rows(
            {
                "description": first.description + " (revised)",
                "owner": plan.owner_id,
                "due_on": "2025-12-31",
                "status": "done",
                "progress_note": "Finished",
            },
            {
                "description": second.description,
                "owner": plan.owner_id,
                "due_on": "2025-12-31",
                "status": "in_progress",
                "DELETE": "on",
            },
            {
                "description": "A new action",
                "owner": plan.owner_id,
                "due_on": "2026-01-31",
                "status": "not_started",
            },
            initial=2,
        ),
    }
    response = client.post(url, data)

    assert response.status_code == 302
    assert list(old.actions.order_by("id").values("description", "status", "due_on")) == old_actions
    new = plan.versions.get(number=2)
    assert new.note == "Second action dropped; first now done"
    assert sorted(new.actions.values_list("description", "status")) == [
        ("A new action", "not_started"),
        (first.description + " (revised)", "done"),
    ]
    assert Action.objects.count() == 4
    assert "revise" in audit_actions(plan)

    detail = client.get(reverse("performance:action-plan-detail", args=[plan.pk])).content.decode()
    assert "A new action" in detail
    earlier = client.get(
        reverse("performance:action-plan-detail", args=[plan.pk]), {"version": 1}
    ).content.decode()
    assert second.description in earlier
    assert "which version 2 replaced" in earlier


def test_revising_keeps_unchanged_copied_actions(client):
    plan = f.ActionPlanFactory(actions=1)
    action = plan.versions.get().actions.get()
    signed_in(client, plan.owner)
    data = {
        "note": "Reviewed, no change",
        "status": "open",
        **action_rows(
            {
                "description": action.description,
                "owner": plan.owner_id,
                "due_on": action.due_on.isoformat(),
                "status": action.status,
                "milestones": action.milestones,
                "progress_note": action.progress_note,
            },
            initial=1,
        ),
    }
    client.post(reverse("performance:action-plan-revise", args=[plan.pk]), data)
    assert plan.versions.get(number=2).actions.get().description == action.description


def test_only_owner_head_or_officer_revises_an_action_plan(client):
    head = UserFactory(roles=[Role.SERVICE_MANAGER])
    plan = f.ActionPlanFactory(actions=1, team=TeamFactory(head_of_service=head))
    url = reverse("performance:action-plan-revise", args=[plan.pk])
    reader = UserFactory(roles=[Role.DATA_ENTERER], teams=[plan.team])
    signed_in(client, reader)
    assert client.get(reverse("performance:action-plan-detail", args=[plan.pk])).status_code == 200
    assert client.post(url, {"note": "x", "status": "open"}).status_code == 403
    for allowed in (head, UserFactory(roles=[Role.PERFORMANCE_OFFICER])):
        client.logout()
        signed_in(client, allowed)
        assert client.get(url).status_code == 200
    assert plan.versions.count() == 1


def test_action_plan_of_a_team_out_of_scope_is_404(client):
    plan = f.ActionPlanFactory(actions=1)
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[TeamFactory()]))
    assert client.get(reverse("performance:action-plan-detail", args=[plan.pk])).status_code == 404
    revise = reverse("performance:action-plan-revise", args=[plan.pk])
    assert client.post(revise, {"note": "x"}).status_code == 404


def test_action_plan_list_shows_readable_plans_with_a_fixed_number_of_queries(client):
    team = TeamFactory()
    f.ActionPlanFactory(team=team, actions=1, title="Our plan")
    f.ActionPlanFactory(actions=1, title="Their plan")
    signed_in(client, UserFactory(roles=[Role.DATA_ENTERER], teams=[team]))
    url = reverse("performance:action-plan-list")
    html = client.get(url).content.decode()
    assert "Our plan" in html
    assert "Their plan" not in html
    small = count_queries(client, url)
    for _ in range(8):
        f.ActionPlanFactory(team=team, actions=2)
    assert count_queries(client, url) == small <= MAX_QUERIES
