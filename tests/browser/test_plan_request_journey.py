"""In Chromium (issue 20): a data manager activates a Red value; the head of its team finds the
task "Open an action plan for WAS 001, Red in 2025/26 Q1" on home, opens the plan from it
(prefilled), and the request is answered; the pages are axe clean."""

from __future__ import annotations

import pytest

from performance.models import ActionPlan, ActionPlanRequest
from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.home.test_tasks import open_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_head_opens_the_plan_a_new_red_indicator_asks_for(page):
    world = build_world()
    open_today(world)
    enter(world, "WAS 001", "50", submit=True, comment="Two crews off sick.")  # target 95

    login(page, "manager_a", PASSWORD)
    page.goto(f"{page.base_url}/")
    page.locator("#tasks-decisions").get_by_role(
        "link", name="Activate or return WAS 001 Indicator WAS 001 (2025/26 Q1)"
    ).click()
    page.get_by_role("button", name="Activate WAS 001 2025/26 Q1").click()
    page.get_by_text("Activated WAS 001 2025/26 Q1.").wait_for()
    [asked] = ActionPlanRequest.objects.filter(indicator=world.indicators["WAS 001"])
    assert asked.status == ActionPlanRequest.Status.REQUESTED

    page.context.clear_cookies()
    login(page, "head_w", PASSWORD)
    page.goto(f"{page.base_url}/")
    tasks = page.locator("#tasks-plan-requests")
    title = "Open an action plan for WAS 001, Red in 2025/26 Q1"
    assert title in tasks.inner_text()
    assert_accessible(page)
    page.goto(f"{page.base_url}/action-plans/requests/")
    assert "WAS 001 Indicator WAS 001" in page.locator("table").inner_text()
    assert_accessible(page)
    page.goto(f"{page.base_url}/action-plans/requests/{asked.pk}/no-plan/")
    page.get_by_role("button", name="Record no plan needed").click()
    page.locator(".govuk-error-summary").wait_for()
    assert "Enter why no action plan is needed" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)

    page.goto(f"{page.base_url}/")
    page.locator("#tasks-plan-requests").get_by_role("link", name=title, exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_label("Why the plan is opened").input_value() == (
        "WAS 001 was red in 2025/26 Q1."
    )
    assert_accessible(page)
    page.get_by_label("Action", exact=True).first.fill("Agency crews until staff return")
    page.locator("#id_actions-0-owner").select_option(value=str(world.users["head_w"].pk))
    page.locator("#id_actions-0-due_on").fill("2025-12-31")
    page.get_by_role("button", name="Open the action plan").click()
    page.wait_for_url("**/action-plans/*/")
    plan = ActionPlan.objects.get(indicator=world.indicators["WAS 001"])
    asked.refresh_from_db()
    assert (asked.status, asked.plan_id) == (ActionPlanRequest.Status.OPENED, plan.pk)
    assert_accessible(page)

    page.goto(f"{page.base_url}/")
    assert title not in page.locator("#tasks").inner_text()
    assert page.console_errors == []
