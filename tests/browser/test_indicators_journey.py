"""In Chromium: a performance officer filters the indicator list, opens an indicator and sees its
chart and status; axe finds nothing on the list, the indicator page or any role's dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest

from performance.core.roles import Role
from performance.indicators import selectors
from tests.factories import (
    PASSWORD,
    CommentFactory,
    IndicatorFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
    ValueFactory,
    history,
)
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def council(period, *, people=()):
    """Two teams, 55 indicators (over a page) with a quarter's figures, one with a long history."""
    waste, planning = TeamFactory(name="Waste and Street Scene"), TeamFactory(name="Planning")
    for n in range(55):
        indicator = IndicatorFactory(
            code=f"PLA {n:03d}",
            title=f"Planning measure {n}",
            team=planning,
            kind="SPI" if n % 3 else "KPI",
            enterers=list(people),
            managers=list(people),
        )
        ValueFactory(indicator=indicator, period=str(period), value=Decimal(60 + n))
        TargetFactory(indicator=indicator, period=str(period), value=Decimal(80))
        ValueFactory(indicator=indicator, period=str(period.previous()), value=Decimal(70))
    recycling = IndicatorFactory(
        code="WAS 001",
        title="Household waste sent for recycling",
        team=waste,
        third_party_partner="Kent Resource Partnership",
        definition="Tonnes recycled over tonnes collected.",
        enterers=list(people),
        managers=list(people),
    )
    history(recycling, period, [40, 42, 41, 43, 40, 42, 41, 43, 40, 42, 41, 43, 44, 58], target=45)
    CommentFactory(indicator=recycling, text="Good to see the new round working.")
    return recycling


def test_an_officer_finds_an_indicator_by_filter_and_sees_its_chart_and_status(page):
    period = selectors.latest_reporting_period()
    council(period)
    UserFactory(
        username="pat", first_name="Pat", last_name="Okafor", roles=[Role.PERFORMANCE_OFFICER]
    )
    login(page, "pat", PASSWORD)

    page.get_by_role("link", name="Indicators").first.click()
    page.wait_for_url(f"{page.base_url}/indicators/")
    assert page.get_by_role("heading", level=1).inner_text() == "Indicators"
    assert "56 indicators" in page.locator("#indicator-count").inner_text()
    assert page.locator(".govuk-pagination").is_visible()
    assert_accessible(page)

    # Choosing a team updates only the results (htmx), and the address keeps the filter.
    page.get_by_label("Team").select_option(label="Waste and Street Scene")
    page.wait_for_function(
        "() => document.querySelector('#indicator-count').innerText.startsWith('1 indicator')"
    )
    assert "team=" in page.url
    rows = page.locator("#indicator-results tbody tr")
    assert rows.count() == 1
    assert "Summit (Green)" in rows.first.inner_text()
    assert "Improving" in rows.first.inner_text()
    assert page.locator(".govuk-pagination").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="WAS 001 Household waste sent for recycling").click()
    page.wait_for_url("**/indicators/*/")
    assert "Household waste sent for recycling" in page.get_by_role("heading", level=1).inner_text()
    status = page.locator("#status")
    assert "Summit (Green)" in status.inner_text()
    assert "Special cause: improving" in status.inner_text()
    chart = page.get_by_role(
        "img", name="WAS 001 Household waste sent for recycling: values against target"
    )
    assert chart.is_visible()
    assert page.locator("svg .summit-chart__limit").count() == 2
    assert "Third party: Kent Resource Partnership" in page.locator("#definition").inner_text()
    assert_accessible(page)

    # Comment on it: the page comes back with a success banner and the comment.
    page.get_by_label("Your comment").fill("Please explain the jump this quarter.")
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_load_state()
    assert "Your comment has been added." in page.locator(".govuk-notification-banner").inner_text()
    assert "Please explain the jump this quarter." in page.locator("#comments").inner_text()
    assert_accessible(page)
    assert page.console_errors == []


def test_the_list_filters_work_without_javascript(chromium, live_server):
    period = selectors.latest_reporting_period()
    council(period)
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.base_url = live_server.url
    try:
        login(page, "pat", PASSWORD)
        page.goto(f"{live_server.url}/indicators/")
        page.get_by_label("Status").select_option(label="✖ Basecamp (Red)")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()
        assert "status=red" in page.url
        text = page.locator("#indicator-results").inner_text()
        assert "PLA 000" in text
        assert "PLA 015" not in text
        assert "WAS 001" not in text
    finally:
        context.close()


def test_a_bad_filter_shows_an_accessible_error(page):
    IndicatorFactory()
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/indicators/?period=2024%2F2025")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_dashboard_with_indicators_is_accessible(page, role):
    period = selectors.latest_reporting_period()
    user = UserFactory(username=f"demo-{role.slug}", roles=[role])
    recycling = council(period, people=[user])
    user.memberships.create(team=recycling.team)
    login(page, f"demo-{role.slug}", PASSWORD)
    assert page.locator(".summit-dashboard-section").count() >= 1
    assert page.locator(".summit-dashboard-section svg[role='img']").first.is_visible()
    assert_accessible(page)
    assert page.console_errors == []
