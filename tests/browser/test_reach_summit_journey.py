"""In Chromium: the league table, a change of quarter, a team's explanation; axe on every page."""

from __future__ import annotations

import pytest

from performance.core.roles import Role
from reach_summit import services
from tests.factories import PASSWORD, UserFactory
from tests.fixtures.browser import assert_accessible, login
from tests.reach_summit.conftest import Q1, build_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q2 = Q1.next()


def _council():
    build_team("Waste and Street Scene", quarters=(Q1, Q2))
    build_team("Parking Services", ("firstbase", "summit", "summit", "basecamp"), quarters=(Q1, Q2))
    build_team("Customer Services", ("summit", "no_data", "summit", "summit"), quarters=(Q1, Q2))
    services.freeze_closed_quarters()
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])


def test_open_the_table_change_quarter_and_open_a_teams_explanation(page):
    _council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reach-the-summit/?quarter=2024-25-q2")
    assert page.get_by_role("heading", level=1).inner_text() == "League table 2024/25 Q2"
    assert_accessible(page)

    page.get_by_label("Quarter").select_option("2024-25-q1")
    page.get_by_role("button", name="Show quarter").click()
    page.wait_for_function("() => document.querySelector('h1').textContent.includes('2024/25 Q1')")
    assert "quarter=2024-25-q1" in page.url
    table = page.get_by_role("table")
    assert "Waste and Street Scene" in table.inner_text()
    assert "Top Team" in table.inner_text()
    assert_accessible(page)

    page.locator("tbody").get_by_role("link", name="Parking Services").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "How Parking Services scored 7"
    assert "1 + 3 + 3 + 0 = 7" in page.locator(".rts-formula").inner_text()
    assert "Basecamp" in page.get_by_role("table").first.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Parking Services: positions and awards over time").click()
    page.wait_for_load_state()
    assert page.locator("svg[role=img]").is_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_sorting_by_a_column_keeps_the_page_accessible(page):
    _council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reach-the-summit/?quarter=2024-25-q1")
    page.get_by_role("columnheader").get_by_role("link", name="Team").click()
    page.wait_for_function("() => location.search.includes('sort=team')")
    first = page.locator("tbody tr").first.inner_text()
    assert first.startswith("2") or "Customer Services" in first
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "/reach-the-summit/awards/",
        "/reach-the-summit/complaints/?quarter=2024-25-q1",
        "/reach-the-summit/complaints/import/",
        "/reach-the-summit/complaints/record/",
        "/reach-the-summit/improvements/?quarter=2024-25-q1",
        "/reach-the-summit/scorecards/?year=2024-25",
        "/reach-the-summit/scorecards/waste-and-street-scene/2024-25/",
        "/reach-the-summit/recompute/?quarter=2024-25-q1",
    ],
)
def test_every_reach_the_summit_page_is_accessible(page, path):
    _council()
    login(page, "pat", PASSWORD)
    response = page.goto(f"{page.base_url}{path}")
    assert response.status == 200
    assert_accessible(page)
    assert page.console_errors == []


def test_form_errors_are_accessible(page):
    _council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reach-the-summit/improvements/?quarter=2024-25-q1")
    page.get_by_label("Quarter it counts in").fill("soon")
    page.get_by_role("button", name="Approve improvement").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


def test_recording_a_complaint_by_hand(page):
    _council()
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/reach-the-summit/complaints/?quarter=2024-25-q1")
    page.get_by_role("link", name="Record a complaint").click()
    page.get_by_label("Reference").fill("CMP-BROWSER-1")
    page.get_by_label("Team").select_option(label="Waste and Street Scene")
    page.get_by_label("Stage").select_option(value="1")
    page.get_by_label("Received").fill("31/04/2024")
    page.get_by_role("button", name="Save complaint").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Received: Enter a real date" in summary.inner_text()
    assert_accessible(page)
    page.get_by_label("Received").fill("01/05/2024")
    page.get_by_role("button", name="Save complaint").click()
    page.wait_for_url("**/reach-the-summit/complaints/**")
    assert "Recorded complaint CMP-BROWSER-1: response due 16 May 2024." in page.content()
    assert_accessible(page)
