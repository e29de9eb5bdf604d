"""In Chromium: the strategic plan tree, the golden thread down and up, and recording an
activity's monthly progress inline; axe finds nothing on any page."""

from __future__ import annotations

import datetime as dt

import pytest

from performance.core.roles import Role
from performance.models import ActivityProgress, Milestone
from performance.plans.views import shared as plan_views
from tests import factories as f
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def council(monkeypatch):
    monkeypatch.setattr(plan_views, "_today", lambda: dt.date(2025, 8, 15))
    built = f.golden_thread(size=1)
    outcome = built["outcomes"][0]
    activity = outcome.service_objectives.get().activities.get()
    team = TeamFactory(name="Waste and Street Scene", service=built["service_plan"].service)
    owner = UserFactory(
        username="erin",
        first_name="Erin",
        last_name="Walsh",
        roles=[Role.DATA_ENTERER],
        teams=[team],
    )
    activity.owner = owner
    activity.save(update_fields=["owner"])
    milestone = f.MilestoneFactory(
        activity=activity, title="Contract signed", due_on=dt.date(2025, 7, 31)
    )
    return {
        **built,
        "outcome": outcome,
        "activity": activity,
        "indicator": outcome.indicators.get(),
        "owner": owner,
        "milestone": milestone,
    }


def test_follow_the_golden_thread_down_and_up(page, council):
    login(page, "erin", PASSWORD)
    page.goto(f"{page.base_url}/plan/?year=2025/26")
    assert page.get_by_role("heading", level=1).inner_text() == council["plan"].title
    assert_accessible(page)

    priority = council["priorities"][0]
    page.locator(f"#node-priority-{priority.pk} > summary").click()
    page.get_by_role("link", name=f"Golden thread of priority {priority.number}.").click()
    page.wait_for_load_state()
    assert priority.title in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)

    indicator = council["indicator"]
    down = page.locator(".plans-thread")
    down.get_by_role("link", name=f"{indicator.code} {indicator.title}", exact=True).click()
    page.wait_for_load_state()
    assert (
        page.get_by_role("heading", level=1).inner_text() == f"{indicator.code} {indicator.title}"
    )
    assert (
        council["outcome"].title in page.get_by_role("region", name="Up to the vision").inner_text()
    )
    assert_accessible(page)

    activity = council["activity"]
    page.goto(f"{page.base_url}/plan/thread/activity/{activity.pk}/")
    assert_accessible(page)
    up = page.get_by_role("region", name="Up to the vision")
    assert council["service_plan"].service.name in up.inner_text()
    up.get_by_role("link", name=f"{council['plan'].title} {council['plan'].years}").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{page.base_url}/plan/")
    assert page.console_errors == []


def test_record_an_activitys_monthly_progress_inline(page, council):
    activity = council["activity"]
    login(page, "erin", PASSWORD)
    page.goto(f"{page.base_url}/service-plans/{council['service_plan'].pk}/")
    assert_accessible(page)

    page.get_by_role("link", name=f"Record progress for {activity.title}").click()
    form = page.locator("#progress-form")
    form.wait_for()
    # htmx loaded the form inline: still on the plan page.
    assert page.url.endswith(f"/service-plans/{council['service_plan'].pk}/")
    form.get_by_label("Month").select_option("2025-07")
    form.get_by_label("Percentage complete").fill("150")
    form.get_by_label("Amber – at risk").check()
    form.get_by_role("button", name="Save progress").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Percentage complete must be 100 or less" in form.inner_text()
    assert "Enter a comment explaining the Amber or Red status" in form.inner_text()
    assert_accessible(page)

    form.get_by_label("Percentage complete").fill("65")
    form.get_by_label("Comment").fill("Contractor started a week late.")
    form.get_by_label("Contract signed").check()
    form.get_by_role("button", name="Save progress").click()
    page.get_by_text("Progress for 2025-07 recorded").wait_for()
    assert page.url.endswith(f"/service-plans/{council['service_plan'].pk}/")
    section = page.locator(f"#activity-{activity.pk}")
    assert "Contractor started a week late." in section.inner_text()
    assert "Amber" in section.inner_text()
    assert_accessible(page)

    progress = ActivityProgress.objects.get(activity=activity, month="2025-07")
    assert (progress.percent_complete, progress.rag) == (65, "amber")
    assert Milestone.objects.get(pk=council["milestone"].pk).met_on == dt.date(2025, 7, 31)
    assert page.console_errors == []


def test_plan_pages_are_accessible_without_javascript_help(page, council):
    f.StrategicActionFactory(outcome=council["outcome"], owner=council["owner"], title="Big action")
    plan = f.ActionPlanFactory(team=TeamFactory(), actions=2)
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "pat", PASSWORD)
    for path in (
        "/service-plans/?year=2025/26",
        "/plan/strategic-actions/",
        f"/plan/strategic-actions/?edit={council['outcome'].actions.get(title='Big action').pk}",
        "/action-plans/",
        f"/action-plans/{plan.pk}/",
        f"/action-plans/{plan.pk}/revise/",
        "/action-plans/new/",
        f"/service-plans/activities/{council['activity'].pk}/progress/",
    ):
        page.goto(f"{page.base_url}{path}")
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page)
    assert page.console_errors == []
