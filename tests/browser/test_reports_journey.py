"""In Chromium: report pages for each kind and audience, publishing, and the public pages;
axe finds nothing on any of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from performance.reports.data import Kind
from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.reports.council import MONTH, PERIOD, UNPUBLISHED, make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIODS = {Kind.MONTHLY: MONTH, Kind.STRATEGIC_ACTIONS: "2025/26 Q2", Kind.ANNUAL: "2024/25"}


def test_every_report_page_is_accessible(page):
    make_council()
    login(page, "cllr", PASSWORD)
    page.goto(f"{page.base_url}/reports/")
    assert_accessible(page)
    for kind in Kind:
        audiences = ["mt", "cabinet", "scrutiny"] if kind is Kind.QUARTERLY else ["mt"]
        for audience in audiences:
            period = PERIODS.get(kind, PERIOD)
            page.goto(f"{page.base_url}/reports/{kind.value}/?period={period}&audience={audience}")
            assert page.get_by_role("heading", level=1).inner_text().startswith(kind.title)
            assert_accessible(page)
    assert page.console_errors == []


def test_choosing_a_period_swaps_the_report_and_a_bad_one_is_explained(page):
    make_council()
    login(page, "cllr", PASSWORD)
    page.goto(f"{page.base_url}/reports/quarterly/?period=2025/26 Q2")
    page.get_by_label("Period", exact=True).fill(PERIOD)
    page.get_by_label("Committee", exact=True).select_option("scrutiny")
    page.get_by_role("button", name="Show report").click()
    page.wait_for_url("**audience=scrutiny**")
    assert (
        "Quarterly performance report 2025/26 Q3"
        in page.get_by_role("heading", level=1).inner_text()
    )
    assert page.get_by_text("Questions for scrutiny").first.is_visible()
    assert_accessible(page)

    page.goto(f"{page.base_url}/reports/quarterly/?period=2025/26 Q7")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "2025/26 Q7" in summary.inner_text()
    assert_accessible(page)


def test_an_officer_publishes_and_the_public_reads_it_without_signing_in(page):
    make_council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reports/quarterly/?period={PERIOD}&audience=cabinet")
    # Issue 19: the Downloads box leads to a confirmation page that says what becomes public.
    page.get_by_role("button", name="Publish this report").click()
    page.wait_for_url("**/reports/publish/confirm/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will become public")
    expect(page.get_by_role("rowheader", name="Pat Okafor")).to_be_visible()
    expect(page.get_by_text("it cannot be unpublished")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason or note for the record (optional)").fill("For the February Cabinet")
    page.get_by_role("button", name="Publish", exact=False).click()
    # Publishing runs as a job (eager here); its page says when it is done and links to it.
    expect(page.get_by_role("link", name="View the published report")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="View the published report").click()
    page.wait_for_url("**/public/**")
    assert "PUBLISHED v1" in page.locator(".report-cover").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{page.base_url}/public/")
    assert page.get_by_role("heading", level=1).inner_text() == "Published performance reports"
    assert_accessible(page)
    page.get_by_role("link", name="Quarterly performance report").first.click()
    page.wait_for_load_state()
    assert "Recover the recycling rate" in page.content()  # Cabinet names the Red KPI's plan
    assert str(UNPUBLISHED) not in page.content()
    assert_accessible(page)
    assert page.console_errors == []
