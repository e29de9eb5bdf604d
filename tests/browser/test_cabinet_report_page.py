"""In Chromium (issue 19): Cabinet's quarterly summary page at 1280 and 390 px: its priority
charts, the Red KPI rows naming the action plan, the link to the Management Team report and
the glossary; no sideways scroll on a phone; axe finds nothing."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest

from tests.factories import PASSWORD
from tests.fixtures.browser import assert_accessible, login
from tests.reports.council import PERIOD, make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SUMMIT_SHOTS", "")


@pytest.mark.parametrize("width", [1280, 390])
def test_cabinets_summary_page_reads_on_a_desktop_and_a_phone(page, width):
    made = make_council()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, made.officer.username, PASSWORD)
    query = urlencode({"period": PERIOD, "audience": "cabinet"})
    page.goto(f"{page.base_url}/reports/quarterly/?{query}")
    body = page.locator("#report-body")
    assert page.locator("#priorities svg[role=img]").count() == 2
    assert "Recover the recycling rate" in page.locator("#red-kpis-table").inner_text()
    assert "Cabinet is asked to agree the action plan" in body.inner_text()
    link = page.get_by_role(
        "link", name=f"Quarterly performance report {PERIOD} for Management Team"
    )
    assert "audience=mt" in (link.get_attribute("href") or "")
    assert page.locator("#glossary dt").count() > 3
    width_now, screen = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert width_now <= screen
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/cabinet-{width}.png", full_page=True)
        for part in ("decisions", "priorities", "red-kpis", "glossary"):
            page.locator(f"#{part}").screenshot(path=f"{SHOTS}/cabinet-{width}-{part}.png")
    assert_accessible(page)
    assert page.console_errors == []
