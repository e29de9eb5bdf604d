"""In Chromium (issue 19): an officer reads the open rounds team by team on the Data collection
page and sends a chaser now (a second press the same day sends nothing and says so), then reads
a value's history and re-opens it for correction from there; axe clean at 1280 and 390 px and
nothing wider than a phone's screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from performance.collection import services as collection
from performance.models import CollectionRound
from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.performance.collection.test_collection import build_world, enter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_round_today(world):
    today = timezone.localdate()
    for round_ in (world.quarterly, world.monthly):
        CollectionRound.objects.filter(pk=round_.pk).update(
            opens_on=today - dt.timedelta(days=2), closes_on=today + dt.timedelta(days=7)
        )


def _fits_both_widths(page):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        scroll, screen = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll <= screen, f"{page.url} is {scroll} px wide at {width} px"
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_open_rounds_chaser_and_a_values_history(page, mailoutbox):
    world = build_world()
    _open_round_today(world)
    value = enter(world, "WAS 001", "90", submit=True, comment="Crews short.")
    value = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )

    login(page, "officer", PASSWORD)
    page.goto(f"{page.base_url}/collection/")
    assert page.get_by_role("heading", name="Open rounds").is_visible()
    waste = page.locator("#open-rounds tr", has_text="Waste").first
    assert "First" in waste.inner_text()  # who owes the items
    _fits_both_widths(page)

    page.get_by_role("button", name="Send a chaser now to everyone with items to submit").click()
    page.get_by_text("Sent a chaser to 2 people").wait_for()
    assert len(mailoutbox) == 2
    assert page.get_by_text("chased today").first.is_visible()
    _fits_both_widths(page)
    page.get_by_role("button", name="Send a chaser now to everyone with items to submit").click()
    page.get_by_text(
        "No chaser sent: everyone with items to submit was already chased today"
    ).wait_for()
    assert len(mailoutbox) == 2

    # The value's history, and Re-open for correction from it.
    page.goto(f"{page.base_url}/activation/{value.pk}/")
    history = page.locator("#audit-history")
    assert history.get_by_text("Activated", exact=True).first.is_visible()
    assert "Crews short." in history.inner_text()
    _fits_both_widths(page)
    history.get_by_role("link", name="Re-open for correction").click()
    page.get_by_label("Reason for the correction").fill("The July tonnage was keyed twice.")
    page.get_by_role("button", name="Re-open for correction").click()
    page.locator("#audit-history").get_by_text(
        "Reason: The July tonnage was keyed twice."
    ).wait_for()
    assert page.console_errors == []
