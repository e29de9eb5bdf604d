"""In Chromium (issue 19): a member finds how priority 1 is doing in two clicks — signing in
lands on home, which counts each priority's indicators by status; one click opens the
priority's golden thread with each indicator's status and each outcome's counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from performance.core import periods
from performance.core.roles import Role
from tests import factories as f
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_sees_how_priority_one_is_doing_in_two_clicks(page):
    today = timezone.localdate()
    quarter = str(periods.quarter_of(today).previous())
    plan = f.StrategicPlanFactory(first_year=periods.financial_year_of(today).fy_start_year - 1)
    priority = f.PriorityFactory(plan=plan, number=1, title="Safe, clean and green")
    outcome = f.OutcomeFactory(priority=priority, number=1, title="Clean streets")
    for code, actual in (("STR 01", 70), ("STR 02", 99)):
        indicator = f.IndicatorFactory(code=code, title=f"Street measure {code}")
        indicator.outcomes.add(outcome)
        f.TargetFactory(indicator=indicator, period=quarter, value=Decimal(90))
        f.ValueFactory(indicator=indicator, period=quarter, value=Decimal(actual))
    f.UserFactory(username="cllr", first_name="Mary", last_name="Ellis", roles=[Role.MEMBER])

    login(page, "cllr", f.PASSWORD)  # click 1: sign in, landing on home
    line = page.locator(".summit-priority").filter(has_text="Safe, clean and green")
    expect(line).to_contain_text("2 indicators")
    expect(line).to_contain_text("Red")
    expect(line).to_contain_text("Green")
    assert_accessible(page)

    line.get_by_role("link", name="Priority 1: Safe, clean and green").click()  # click 2
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safe, clean and green")
    expect(page.locator("body")).to_contain_text(f"Indicator statuses are for {quarter}")
    down = page.locator("section[aria-labelledby=down-title]")
    expect(
        down.locator(".plans-thread__item--indicator").filter(has_text="STR 01")
    ).to_contain_text("Red")
    expect(
        down.locator(".plans-thread__item--indicator").filter(has_text="STR 02")
    ).to_contain_text("Green")
    assert_accessible(page)
    assert page.console_errors == []
