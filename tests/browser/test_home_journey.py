"""In Chromium (issue 19): the home task list leads to the work. An enterer goes from home to a
value returned to them, corrects and resubmits it, and the task leaves home; a manager activates
a value from home; every role's home is axe clean at 1280 and 390 px without sideways scroll."""

from __future__ import annotations

import pytest

from performance.collection import services as collection
from performance.models import Value
from tests.factories import PASSWORD, RiskFactory
from tests.fixtures.browser import assert_accessible, login
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.home.test_tasks import open_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    world = build_world()
    open_today(world)
    return world


def _submit(world, code, figure, **kw):
    enter(world, code, figure, submit=True, comment="Explained.", **kw)


def _return(world, code, reason):
    value = Value.objects.get(indicator=world.indicators[code])
    collection.return_value(
        user=world.users["manager_a"], value_id=value.pk, version=value.version, reason=reason
    )


def test_an_enterer_corrects_a_returned_value_from_home_and_the_task_goes(page):
    world = _world()
    _submit(world, "WAS 002", "9")
    _return(world, "WAS 002", "Check against the contractor's report.")

    login(page, "enterer_a", PASSWORD)
    page.goto(f"{page.base_url}/")
    returned = page.locator("#tasks-returned")
    assert "Check against the contractor's report." in returned.inner_text()
    assert page.locator("section.summit-task-section").first.get_attribute("id") == (
        "tasks-returned"
    )  # the most urgent first
    assert_accessible(page)
    returned.get_by_role("link", name="WAS 002 Indicator WAS 002 (2025/26 Q1)").click()
    page.wait_for_url("**/returns/#item-*")

    was2 = page.locator("section.returns-item", has_text="WAS 002")
    assert "Check against the contractor's report." in was2.inner_text()
    was2.get_by_label("Value for WAS 002").fill("8.5")
    was2.get_by_role("button", name="Submit WAS 002").click()
    page.locator("section.returns-item", has_text="WAS 002").get_by_text(
        "Submitted WAS 002 for activation."
    ).wait_for()

    page.get_by_role("link", name="Dashboard").first.click()
    page.locator("#tasks-clear").wait_for()
    assert "Nothing has been returned to you." in page.locator("#tasks-clear").inner_text()
    assert page.locator("#tasks-due").get_by_text("WAS 002").count() == 0
    assert_accessible(page)
    assert page.console_errors == []


def test_a_manager_activates_a_value_from_home(page):
    world = _world()
    _submit(world, "WAS 001", "96")

    login(page, "manager_a", PASSWORD)
    page.goto(f"{page.base_url}/")
    waiting = page.locator("#tasks-decisions")
    assert "1 value waiting for activation." in waiting.inner_text()
    waiting.get_by_role(
        "link", name="Activate or return WAS 001 Indicator WAS 001 (2025/26 Q1)"
    ).click()
    page.get_by_role("button", name="Activate WAS 001 2025/26 Q1").click()
    page.get_by_text("Activated WAS 001 2025/26 Q1.").wait_for()
    assert Value.objects.get(indicator=world.indicators["WAS 001"]).status == "activated"

    page.goto(f"{page.base_url}/")
    assert "Nothing is waiting for your decision." in page.locator("#tasks-clear").inner_text()
    assert_accessible(page)
    assert page.console_errors == []


@pytest.mark.parametrize("username", ["enterer_a", "manager_a", "head_w", "officer", "member"])
def test_every_roles_home_is_accessible_at_both_widths_without_sideways_scroll(page, username):
    world = _world()
    _submit(world, "WAS 001", "96")
    _submit(world, "WAS 002", "9")
    _return(world, "WAS 002", "Check it against the contractor's monthly report, please.")
    RiskFactory(
        reference="CR 01", title="A risk with a long title " * 4, owner=world.users[username]
    )

    login(page, username, PASSWORD)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{page.base_url}/")
        assert page.locator("#tasks").count() == 1
        assert_accessible(page)
        scroll, screen = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll <= screen, f"{username} at {width}px: {scroll}px wide"
    page.goto(f"{page.base_url}/notifications/")  # still 390 px wide
    assert_accessible(page)
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= 390, f"{username}'s notifications: {scroll}px wide"
    assert page.console_errors == []
