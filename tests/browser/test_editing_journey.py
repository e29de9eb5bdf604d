"""In Chromium: a performance officer sets up an indicator, profiles its targets, edits it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from performance.core.roles import Role
from performance.models import AuditEvent, Indicator, Target
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_creates_an_indicator_profiles_its_targets_and_edits_its_tolerance(page):
    TeamFactory(name="Waste and Street Scene")
    UserFactory(username="erin", first_name="Erin", last_name="Shaw", roles=[Role.DATA_ENTERER])
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "pat", PASSWORD)

    page.get_by_role("link", name="Manage", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Manage"
    assert_accessible(page)

    page.get_by_role("link", name="Indicators", exact=True).last.click()
    page.get_by_role("link", name="Add an indicator").click()

    # Submitting an empty form shows the error summary, linked to each field.
    page.get_by_role("button", name="Add indicator").click()
    summary = page.locator(".govuk-error-summary")
    assert "Code: This field is required." in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link", name="Code: This field is required.").click()
    assert page.evaluate("() => document.activeElement.id") == "id_code"

    page.get_by_label("Code", exact=True).fill("WAS 001")
    page.get_by_label("Title", exact=True).fill("Household waste collected")
    page.get_by_label("Kind", exact=True).select_option("KPI")
    page.get_by_label("Balanced-scorecard perspective").select_option("process")
    page.get_by_label("Aspect of performance").select_option("delivery")
    page.get_by_label("Owner team").select_option(label="Waste and Street Scene")
    page.get_by_label("Polarity").select_option("higher")
    page.get_by_label("Unit", exact=True).select_option("number")
    page.get_by_label("Decimal places").fill("0")
    page.get_by_label("Frequency").select_option("quarterly")
    page.get_by_label("Aggregation of sub-periods").select_option("sum")
    page.get_by_label("Data enterers").select_option(label="Erin Shaw")
    page.get_by_role("button", name="Add indicator").click()
    assert "Indicator “WAS 001 Household waste collected” created." in page.inner_text("main")

    page.get_by_role("link", name="Targets for a year").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Targets for ")
    assert_accessible(page)

    page.get_by_label("Annual target for").fill("1000")
    page.get_by_role("button", name="Fill the rows").click()
    values = page.locator("input[name$='-value']")
    assert [values.nth(i).input_value() for i in range(4)] == ["250"] * 4
    assert Target.objects.count() == 0  # filling is not saving
    page.get_by_role("button", name="Save targets").last.click()
    assert "4 added" in page.inner_text("main")
    indicator = Indicator.objects.get(code="WAS 001")
    assert sorted(t.value for t in indicator.targets.all()) == [Decimal(250)] * 4
    assert page.locator(".manage-tag").first.inner_text().strip().startswith("⚠")
    assert_accessible(page)

    page.get_by_role("link", name="Back to WAS 001").click()
    page.get_by_label("Amber tolerance (%)").fill("12.5")
    page.get_by_role("button", name="Save changes").click()
    assert "Indicator “WAS 001 Household waste collected” saved." in page.inner_text("main")
    indicator.refresh_from_db()
    assert indicator.tolerance == Decimal("12.5")
    assert [user.username for user in indicator.enterers.all()] == ["erin"]
    event = AuditEvent.objects.filter(action="update", object_id=str(indicator.pk)).get()
    assert event.changes == {"tolerance": [None, "12.5"]}
    # The only console messages are the 400 answers to the form sent with errors on purpose.
    assert all("status of 400" in error for error in page.console_errors), page.console_errors
