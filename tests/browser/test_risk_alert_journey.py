"""In Chromium, with a real SMTP server: the quarterly digest asks a risk owner for their review
beside their values, and its link opens the review page after sign-in; a data manager then
activates a Red value of the risk's key risk indicator, the risk and the register show the alert
naming the indicator, and the owner is emailed once to review it now."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from performance.collection import reminders
from performance.core.roles import Role
from performance.models import CollectionRound, RiskAlert
from tests.factories import (
    PASSWORD,
    IndicatorFactory,
    RiskCategoryFactory,
    RiskFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
    ValueFactory,
)
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def text_of(message) -> str:
    return next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )


def test_digest_link_to_review_then_a_red_value_raises_the_alert(page, smtp_server, settings):
    settings.SITE_URL = page.base_url
    today = timezone.localdate()
    team = TeamFactory(name="Housing")
    owner = UserFactory(username="hana", first_name="Hana", roles=[Role.SERVICE_MANAGER])
    enterer = UserFactory(username="ed", roles=[Role.DATA_ENTERER], teams=[team])
    manager = UserFactory(username="meg", roles=[Role.DATA_MANAGER], teams=[team])
    indicator = IndicatorFactory(
        code="HOU 02",
        title="Households in temporary accommodation",
        team=team,
        polarity="lower",
        unit="number",
        decimals=0,
        enterers=[enterer],
        managers=[manager],
    )
    risk = RiskFactory(
        reference="CR02",
        title="Housing demand and temporary accommodation costs",
        owner=owner,
        team=None,
        register="corporate",
        category=RiskCategoryFactory(name="Financial", appetite=12),
        indicators=[indicator],
    )
    period = "2026/27 Q2"
    CollectionRound.objects.create(
        kind="quarterly",
        period=period,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=8),
    )
    TargetFactory(indicator=indicator, period=period, value=Decimal(80))
    ValueFactory(
        indicator=indicator,
        period=period,
        value=Decimal(120),
        status="submitted",
        entered_by=enterer,
        submitted_at=timezone.now(),
    )

    # The request-day digest: the owner's review, with its link.
    reminders.run_day(today - dt.timedelta(days=1))
    (digest,) = [m for m in smtp_server.messages if m["To"] == owner.email]
    body = text_of(digest)
    assert f"Risk review: CR02 {risk.title}, {period} [Not reviewed]" in body
    link = re.search(r"(http\S+/risks/\d+/review/)", body).group(1)
    assert link == f"{page.base_url}/risks/{risk.pk}/review/"

    page.goto(link)
    page.get_by_label("Username").fill("hana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url == link
    expect(page.get_by_role("heading", level=1)).to_contain_text(risk.title)
    page.get_by_label("Comment").fill("Demand steady; the prevention fund is working.")
    page.get_by_role("button", name="Save review").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/risks/{risk.pk}/")
    expect(page.get_by_text("Key risk indicator alert")).to_have_count(0)
    page.context.clear_cookies()

    # The data manager activates the Red value.
    login(page, "meg", PASSWORD)
    page.goto(f"{page.base_url}/activation/")
    page.get_by_label(f"Select HOU 02 {period}").check()
    page.get_by_role("button", name="Activate selected").click()
    page.get_by_text("Activated 1 value.").wait_for()
    page.context.clear_cookies()

    # The officer's register and the risk page show the alert, naming the indicator.
    UserFactory(username="olu", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "olu", PASSWORD)
    page.goto(f"{page.base_url}/risks/?alert=on")
    row = page.get_by_role("row", name=re.compile("CR02"))
    expect(row).to_contain_text("KRI alert")
    row.get_by_role("link", name=re.compile("CR02")).click()
    page.wait_for_load_state()
    alert = page.get_by_text("Key risk indicator alert")
    expect(alert).to_be_visible()
    expect(page.locator("body")).to_contain_text(f"HOU 02 {indicator.title}")
    expect(page.locator("body")).to_contain_text(f"Red for {period}")
    assert_accessible(page)
    assert page.console_errors == []

    # The owner is asked once to review it now.
    (asked,) = [m for m in smtp_server.messages if m["Subject"].startswith("Review risk CR02")]
    assert asked["To"] == owner.email
    assert f"{page.base_url}/risks/{risk.pk}/review/" in text_of(asked)
    page.reload()
    assert len([m for m in smtp_server.messages if m["Subject"].startswith("Review risk")]) == 1
    assert RiskAlert.objects.filter(risk=risk, resolved_at__isnull=True).count() == 1
