"""In Chromium: the risk management report with risks in it (heat map tints, rating shapes and
words, the register) for an officer and, for Cabinet, a member; axe finds nothing."""

from __future__ import annotations

import pytest
import time_machine

from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.reports.risk_council import PERIOD, TODAY, at, make_risks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_risk_report_page_with_risks_is_accessible(page):
    with time_machine.travel(at(TODAY, 12), tick=False):
        made = make_risks()
    for person, audience in ((made.officer, "mt"), (made.member, "cabinet")):
        login(page, person.username, PASSWORD)
        page.goto(f"{page.base_url}/reports/risk/?period={PERIOD}&audience={audience}")
        heading = page.get_by_role("heading", level=1).inner_text()
        assert heading.startswith("Risk management report")
        grid = page.locator("#risk-heat-grid")
        assert "Very high" in grid.inner_text()
        body = page.locator("#report-body").inner_text()
        assert "CR01" in body
        assert ("Tribunal claim" in body) == (audience == "mt")
        assert_accessible(page)
        page.context.clear_cookies()
    assert page.console_errors == []
