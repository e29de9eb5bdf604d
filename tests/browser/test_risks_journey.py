"""In Chromium: a risk owner's review pushes a risk above its category's appetite, and a
performance officer confirms the escalation it asks for, so the risk moves up a register; axe
finds nothing on the register, the heat map, the risk page, the review page or the escalations
page, and none of them is wider than a 390 px phone. Set SUMMIT_SCREENSHOTS to a folder to keep
screenshots of the register, heat map and risk page at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from performance.core.roles import Role
from performance.models import Risk, RiskAction, RiskCategory, RiskEscalation
from tests.factories import (
    PASSWORD,
    IndicatorFactory,
    RiskCategoryFactory,
    RiskFactory,
    TeamFactory,
    UserFactory,
)
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _shot(page, name: str) -> None:
    folder = os.environ.get("SUMMIT_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def _fits(page) -> None:
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"{page.url} is {width}px wide on a {screen}px screen"


def _both_widths(page, name: str) -> None:
    """Axe-clean and screenshot at 1280 px, then the same at a phone's 390 px."""
    assert_accessible(page)
    _shot(page, f"{name}-1280")
    page.set_viewport_size(PHONE)
    _fits(page)
    assert_accessible(page)
    _shot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def council():
    team = TeamFactory(name="Waste and Street Scene")
    owner = UserFactory(
        username="erin",
        first_name="Erin",
        last_name="Walsh",
        roles=[Role.SERVICE_MANAGER],
        teams=[team],
    )
    officer = UserFactory(
        username="priya", first_name="Priya", last_name="Shah", roles=[Role.PERFORMANCE_OFFICER]
    )
    operational = RiskCategoryFactory(
        name="Operational", appetite=12, description="Day-to-day service delivery."
    )
    financial = RiskCategoryFactory(name="Financial")
    # The migration's categories come without an appetite: set the council's.
    RiskCategory.objects.filter(pk=financial.pk).update(appetite=9)
    RiskCategory.objects.filter(pk=operational.pk).update(appetite=12)
    risk = RiskFactory(
        reference="WSS-04",
        title="Refuse collection fleet breaks down faster than it can be repaired",
        owner=owner,
        team=team,
        category=operational,
        cause="An ageing fleet and a single repair contractor.",
        event="Several lorries are off the road at once.",
        consequence="Missed collections, complaints and overtime costs.",
        review_due=dt.date(2025, 10, 10),
        indicators=[IndicatorFactory(code="WST 01", title="Missed bins per 100,000", team=team)],
    )
    risk.controls.create(description="Weekly fleet inspection", effectiveness="effective")
    risk.controls.create(description="Spare lorry hire framework", effectiveness="partial")
    RiskAction.objects.create(
        risk=risk,
        description="Replace the four oldest lorries",
        owner=owner,
        due_on=dt.date(2026, 3, 31),
        progress=RiskAction.Progress.IN_PROGRESS,
    )
    for number, (likelihood, impact, category, register) in enumerate(
        [
            (5, 5, financial, Risk.Register.CORPORATE),
            (4, 3, financial, Risk.Register.DIRECTORATE),
            (2, 2, operational, Risk.Register.SERVICE),
            (3, 3, operational, Risk.Register.PROJECT),
            (1, 4, operational, Risk.Register.PARTNERSHIP),
        ],
        start=1,
    ):
        RiskFactory(
            reference=f"CR-{number:02d}",
            title=f"Council risk number {number} with a long enough title to wrap",
            current_likelihood=likelihood,
            current_impact=impact,
            category=category,
            register=register,
            owner=officer,
            team=None,
            review_due=dt.date(2025, 4, 10) if number == 2 else dt.date(2026, 10, 10),
        )
    return {"risk": risk, "owner": owner, "officer": officer}


def test_an_officer_confirms_the_escalation_of_a_risk_above_appetite(page, council):
    risk = council["risk"]
    review_url = f"{page.base_url}/risks/{risk.pk}/review/"

    # The digest's link: straight to the review page after signing in.
    page.goto(review_url)
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url == review_url
    expect(page.get_by_role("heading", level=1)).to_contain_text(risk.title)
    expect(page.get_by_label("3 – Possible")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("4 – Likely").check()
    page.get_by_label("4 – Major").check()
    page.get_by_role("button", name="Save review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say what has changed, or that nothing has, and why")
    assert_accessible(page)
    _shot(page, "review-errors")
    summary.get_by_role("link", name="Say what has changed").click()
    expect(page.get_by_label("Comment")).to_be_focused()

    page.get_by_label("Comment").fill("Two lorries failed their inspection in June.")
    page.get_by_role("group", name="How effective is “Spare lorry hire framework”?").get_by_label(
        "Not effective"
    ).check()
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/risks/{risk.pk}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "current score 16 (was 9)"
    )
    expect(page.get_by_text("Escalation waiting for a performance officer")).to_be_visible()
    _both_widths(page, "risk-page")
    assert RiskEscalation.objects.filter(risk=risk, status="pending").count() == 1

    # The officer: the register, the heat map, then the escalations queue.
    page.context.clear_cookies()
    login(page, "priya", PASSWORD)
    page.get_by_role("link", name="Risks", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk register")
    row = page.get_by_role("row", name=risk.reference)
    expect(row).to_contain_text("Very high")
    expect(row).to_contain_text("Above")
    expect(row).to_contain_text("Escalation pending")
    _both_widths(page, "register")

    # Filters: htmx swaps the results and keeps the address; the same GET works without it.
    page.get_by_label("Rating").select_option("very_high")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("table")).not_to_contain_text("CR-03")
    expect(page.get_by_role("table")).to_contain_text(risk.reference)
    assert "rating=very_high" in page.url

    page.goto(f"{page.base_url}/risks/")
    page.get_by_role("link", name="Heat map of these risks").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk heat map")
    _both_widths(page, "heat-map")
    page.get_by_role("link", name="1 risk at likelihood 4 Likely, impact 4 Major").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Showing one heat-map cell")).to_be_visible()
    expect(page.get_by_role("row", name=risk.reference)).to_be_visible()

    page.goto(f"{page.base_url}/risks/")
    page.get_by_role("link", name="Escalations waiting for a decision").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    _fits(page)
    page.set_viewport_size(DESKTOP)
    _shot(page, "escalations")
    decision = page.get_by_role("region", name=f"{risk.reference} {risk.title}")
    expect(decision).to_contain_text("From the service register to the directorate register")
    expect(decision).to_contain_text("16 against an appetite of 12")
    decision.get_by_role("button", name=f"Confirm escalation of {risk.reference}").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{risk.reference} escalated to the directorate register"
    )
    expect(page.get_by_text("No escalation is waiting for a decision")).to_be_visible()
    assert_accessible(page)

    risk.refresh_from_db()
    assert risk.register == Risk.Register.DIRECTORATE

    page.goto(f"{page.base_url}/risks/matrix/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk matrix")
    assert_accessible(page)
    assert page.console_errors == []
