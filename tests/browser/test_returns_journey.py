"""In Chromium: an enterer enters and submits in My returns (htmx, live status), a manager returns
one with a reason and activates the rest, the enterer fixes and resubmits; axe clean throughout."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from performance.models import CollectionRound, Value
from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.performance.collection.test_collection import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_round_today(world):
    """Rounds whose window includes today, whatever today is (the journey runs in real time)."""
    today = timezone.localdate()
    for round_ in (world.quarterly, world.monthly):
        CollectionRound.objects.filter(pk=round_.pk).update(
            opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=7)
        )


def test_enter_submit_return_fix_and_activate(page):
    world = build_world()
    _open_round_today(world)

    login(page, "enterer_a", PASSWORD)
    page.goto(f"{page.base_url}/returns/")
    assert page.get_by_role("heading", level=1).inner_text() == "My returns"
    assert page.get_by_text("left: closes at the end of").first.is_visible()  # the countdown
    assert_accessible(page)

    was1 = page.locator("section.returns-item", has_text="WAS 001")
    value = was1.get_by_label("Value for WAS 001 2025/26 Q1")
    value.fill("90")
    # Live status as the officer types: Amber, and a comment will be needed.
    was1.get_by_text("Firstbase (Amber)").wait_for()
    assert was1.get_by_text("A performance comment is required").is_visible()
    was1.get_by_role("button", name="Submit WAS 001").click()
    was1 = page.locator("section.returns-item", has_text="WAS 001")
    was1.locator(".govuk-error-message").first.wait_for()
    assert "Add a performance comment" in was1.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    was1.get_by_label("Performance comment for WAS 001").fill("Two crews off sick in May.")
    was1.get_by_role("button", name="Submit WAS 001").click()
    page.locator("section.returns-item", has_text="WAS 001").get_by_text(
        "Submitted WAS 001 for activation."
    ).wait_for()

    for code, figure in (("WAS 002", "9"), ("GEN 001", "55")):
        item = page.locator("section.returns-item", has_text=code)
        item.get_by_label(f"Value for {code}").fill(figure)
        item.get_by_role("button", name=f"Submit {code}").click()
        page.locator("section.returns-item", has_text=code).get_by_text(
            f"Submitted {code} for activation."
        ).wait_for()
    assert Value.objects.filter(status="submitted").count() == 3
    assert page.console_errors == []
    page.get_by_role("button", name="Sign out").click()

    # The manager returns WAS 002 with a reason and activates WAS 001 in bulk.
    login(page, "manager_a", PASSWORD)
    page.goto(f"{page.base_url}/activation/")
    assert page.get_by_role("heading", level=1).inner_text() == "Activation queue"
    assert_accessible(page)
    page.get_by_role("link", name="WAS 002").click()
    assert_accessible(page)
    page.get_by_label("Reason for returning").fill("Check against the contractor's report.")
    page.get_by_role("button", name="Return to enterer").click()
    page.get_by_text("Returned WAS 002 2025/26 Q1 to its enterer.").wait_for()
    page.get_by_label("Select WAS 001 2025/26 Q1").check()
    page.get_by_role("button", name="Activate selected").click()
    page.get_by_text("Activated 1 value.").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # The enterer sees the reason, fixes and resubmits.
    login(page, "enterer_a", PASSWORD)
    page.goto(f"{page.base_url}/returns/")
    was2 = page.locator("section.returns-item", has_text="WAS 002")
    assert "Check against the contractor's report." in was2.inner_text()
    was2.get_by_label("Value for WAS 002").fill("8.5")
    was2.get_by_role("button", name="Submit WAS 002").click()
    page.locator("section.returns-item", has_text="WAS 002").get_by_text(
        "Submitted WAS 002 for activation."
    ).wait_for()
    assert_accessible(page)
    statuses = dict(Value.objects.values_list("indicator__code", "status"))
    assert statuses == {"WAS 001": "activated", "WAS 002": "submitted", "GEN 001": "submitted"}
    assert page.console_errors == []


def test_htmx_outcomes_take_focus_and_submitted_items_read_as_done(page):
    """Issue 19: after each htmx swap focus lands on the outcome (errors, confirmation, the
    reopened form's heading); a submitted item has no inputs and says how to change it."""
    world = build_world()
    _open_round_today(world)
    login(page, "enterer_a", PASSWORD)
    page.goto(f"{page.base_url}/returns/")

    def focused() -> str:
        return page.evaluate(
            "() => { const e = document.activeElement;"
            " return e && e.hasAttribute('data-focus-after-swap') ? e.innerText : ''; }"
        )

    def wait_for_focus(text: str) -> None:
        """Until the focused element is a marked outcome holding `text` (not just the body)."""
        page.wait_for_function(
            "text => { const e = document.activeElement; return e"
            " && e.hasAttribute('data-focus-after-swap') && e.innerText.includes(text); }",
            arg=text,
        )

    gen1 = page.locator("section.returns-item", has_text="GEN 001")
    gen1.get_by_role("button", name="Submit GEN 001").click()  # nothing entered: an error
    page.wait_for_function("() => document.activeElement.classList.contains('govuk-error-summary')")
    assert "Enter a value" in focused()

    gen1 = page.locator("section.returns-item", has_text="GEN 001")
    gen1.get_by_label("Value for GEN 001").fill("55")
    gen1.get_by_label("Performance comment for GEN 001").fill("On track.")
    gen1.get_by_role("button", name="Submit GEN 001").click()
    wait_for_focus("Submitted GEN 001 for activation.")
    assert "waiting for" in focused()
    gen1 = page.locator("section.returns-item", has_text="GEN 001")
    assert gen1.locator("input:not([type=hidden]), textarea, button").count() == 0
    assert "On track." in gen1.inner_text()
    assert "A performance comment is required" not in page.content()
    assert_accessible(page)

    gen1.get_by_role("link", name="Change or withdraw GEN 001").click()
    page.wait_for_function("() => document.activeElement.tagName === 'H3'")
    assert "GEN 001" in focused()
    gen1 = page.locator("section.returns-item", has_text="GEN 001")
    gen1.get_by_role("button", name="Save draft of GEN 001").click()
    wait_for_focus("Saved GEN 001 as a draft.")
    assert Value.objects.get(indicator__code="GEN 001").status == "draft"
    assert_accessible(page)
    assert page.console_errors == []
