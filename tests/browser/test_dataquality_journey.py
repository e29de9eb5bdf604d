"""In Chromium: an officer publishes the policy, an enterer signs it, the officer sees who has
signed and reads the six-feature dashboard with its drill-down; every page axe-clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dataquality.models import RejectedEntry, Statement
from performance.core import periods
from performance.core.roles import Role
from performance.models import Value
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible
from tests.performance.collection.test_collection import make_indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _council():
    team = TeamFactory(name="Waste and Street Scene")
    officer = UserFactory(username="pat", first_name="Pat", roles=[Role.PERFORMANCE_OFFICER])
    enterer = UserFactory(
        username="erin", first_name="Erin", roles=[Role.DATA_ENTERER], teams=[team]
    )
    UserFactory(username="manjit", first_name="Manjit", roles=[Role.DATA_MANAGER], teams=[team])
    indicator = make_indicator(
        "WAS 001", team, enterers=[enterer], frequency="monthly", aggregation="mean"
    )
    period = periods.month_of(timezone.localdate()).previous().previous()
    Value.objects.create(
        indicator=indicator,
        period=str(period),
        period_start=period.start,
        value=Decimal(50),
        status="activated",
        activated_at=timezone.now() - dt.timedelta(days=20),
    )
    RejectedEntry.objects.create(
        indicator=indicator,
        period=str(period),
        period_start=period.start,
        channel="excel",
        field="value",
        rule="percent_range",
        message="Value is a percentage and must be between 0 and 100",
    )
    return officer, enterer, period


def _login(page, username):
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_policy_signing_and_dashboard_journey(page):
    _officer, enterer, period = _council()
    _login(page, "pat")
    page.goto(f"{page.base_url}/data-quality/policy/")
    assert_accessible(page)
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the policy text")
    assert_accessible(page)
    page.get_by_label("Policy text").fill("Enter figures by the definition; keep the evidence.")
    page.get_by_label("Takes effect on").fill(
        (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Annual review due on").fill(
        (timezone.localdate() + dt.timedelta(days=364)).isoformat()
    )
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Published version 1")

    _login(page, "erin")
    page.goto(f"{page.base_url}/data-quality/statement/")
    expect(page.get_by_text("Not signed")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign as a data enterer").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("Confirm that you have read")
    assert_accessible(page)
    page.get_by_label("As a data enterer, I have read version 1").check()
    page.get_by_role("button", name="Sign as a data enterer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You signed")
    assert Statement.objects.filter(person=enterer).count() == 1
    assert_accessible(page)

    _login(page, "pat")
    page.goto(f"{page.base_url}/data-quality/signatures/")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Erin")
    expect(table).to_contain_text("Manjit")
    assert_accessible(page)

    page.goto(f"{page.base_url}/data-quality/?period={period}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data quality")
    assert_accessible(page)
    page.get_by_role("link", name="rejected entries, All: show the records").click()
    expect(page.locator("#drill")).to_contain_text(
        "Value is a percentage and must be between 0 and 100"
    )
    assert_accessible(page)
    page.get_by_label("Team", exact=True).select_option(label="Waste and Street Scene")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#dq-table-caption")).to_contain_text("by indicator")
    assert_accessible(page)
    # The two forms sent back with errors answer 400 on purpose; nothing else may fail.
    assert not [e for e in page.console_errors if "status of 400" not in e]
