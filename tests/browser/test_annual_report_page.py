"""In Chromium: an officer shows the annual performance report (issue 20) for each committee on
its page, then publishes Cabinet's and reads it at /public/; axe finds nothing on any page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.reports.annual_council import SUBMITTED, YEAR, make_annual_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A section each committee's version has and the others do not.
ONLY = {
    "mt": "Outturns, priority 1: Clean and green",
    "cabinet": "Decisions for Cabinet",
    "scrutiny": "Questions for scrutiny",
}


def test_an_officer_shows_the_annual_report_to_each_committee_and_publishes_it(page):
    make_annual_council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reports/annual/?period={YEAR}")
    for audience, heading in ONLY.items():
        page.get_by_label("Period", exact=True).fill(YEAR)
        page.get_by_label("Committee", exact=True).select_option(audience)
        page.get_by_role("button", name="Show report").click()
        page.wait_for_url(f"**audience={audience}**")
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            f"Annual performance report {YEAR}"
        )
        body = page.locator("#report-body")
        expect(body.get_by_role("heading", name=heading, exact=False).first).to_be_visible()
        for other, other_heading in ONLY.items():
            if other != audience:
                assert other_heading not in body.inner_text()
        assert "MIS 002" in body.inner_text()
        assert str(SUBMITTED) not in body.inner_text()
        assert_accessible(page)

    page.get_by_label("Committee", exact=True).select_option("cabinet")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_url("**audience=cabinet**")
    page.get_by_role("button", name="Publish this report").click()
    page.wait_for_url("**/reports/publish/confirm/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will become public")
    assert_accessible(page)
    page.get_by_role("button", name="Publish", exact=False).click()
    expect(page.get_by_role("link", name="View the published report")).to_be_visible()
    page.get_by_role("link", name="View the published report").click()
    page.wait_for_url("**/public/**")
    assert "PUBLISHED v1" in page.locator(".report-cover").inner_text()
    assert "Decisions for Cabinet" in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{page.base_url}/public/")
    page.get_by_role("link", name="Annual performance report").first.click()
    page.wait_for_load_state()
    assert "MIS 002" in page.content()
    assert str(SUBMITTED) not in page.content()
    assert_accessible(page)
    assert page.console_errors == []
