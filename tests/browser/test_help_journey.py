"""In Chromium (issue 19): anyone follows the footer to the legend of the symbols and the
glossary; both are axe-clean and fit a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_the_legend_and_glossary_from_the_footer(page):
    page.goto(f"{page.base_url}/public/")
    page.get_by_role("contentinfo").get_by_role("link", name="Symbols").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Symbols, words and colours")
    amber = page.locator(".govuk-summary-list__row").filter(has_text="Firstbase (Amber)").first
    expect(amber).to_contain_text("▲")
    expect(amber).to_contain_text("#8f4a00")
    assert_accessible(page)
    page.get_by_role("link", name="glossary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary")
    expect(page.get_by_text("Special cause variation", exact=True)).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _fits(page)
    assert_accessible(page)
    page.goto(f"{page.base_url}/help/symbols/")
    _fits(page)
    assert_accessible(page)
    assert page.console_errors == []
