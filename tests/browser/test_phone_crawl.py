"""In Chromium at a 390 px phone width (issue 19): every page of the main menu, as each demo role,
is no wider than the screen and axe-clean; the menu folds behind a Menu button; the public
pages (published reports, accessibility statement, privacy notice) are reachable without
signing in, carry the phase banner, and their footer does not lead to the sign-in page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from performance.demo import DEMO_PASSWORD
from tests.fixtures.browser import axe_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ROLES = ("performance", "enterer", "manager", "head", "member")
PUBLIC = ("/public/", "/public/accessibility-statement/", "/public/privacy-notice/")


# The outermost elements that stick out past the screen's right edge, to name in a failure.
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right <= window.innerWidth + 1) continue;
    if (out.some(o => o.contains(el))) continue;
    out.push(el);
  }
  return out.slice(0, 3).map(el => el.tagName.toLowerCase() + "." + [...el.classList].join("."));
}"""


def _problems(page) -> list[str]:
    """What is wrong with the page now: wider than the screen, or axe violations."""
    found = []
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width > screen:
        culprits = page.evaluate(WIDEST)
        found.append(f"{page.url} is {width}px wide on a {screen}px screen: {culprits}")
    for violation in axe_violations(page):
        found.append(f"{page.url}: axe {violation['id']} {violation['nodes']}")
    return found


def test_every_menu_page_fits_a_phone_and_is_axe_clean_for_each_role(page):
    call_command("seed_demo", "--scale", "small")
    page.set_viewport_size(PHONE)
    problems: list[str] = []
    for role in ROLES:
        page.context.clear_cookies()
        login(page, role, DEMO_PASSWORD)
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#navigation")).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.locator("#navigation")).to_be_visible()
        links = page.locator("#navigation a").evaluate_all("links => links.map(a => a.href)")
        assert len(links) >= 9, f"{role} has a menu of {len(links)} links"
        for url in [*links, *(page.base_url + path for path in PUBLIC[1:])]:
            page.goto(url)
            problems += [f"{role}: {problem}" for problem in _problems(page)]
    assert not problems, "\n".join(problems)
    assert page.console_errors == []


def test_the_public_pages_need_no_sign_in_and_never_link_to_it(page):
    page.set_viewport_size(PHONE)
    problems: list[str] = []
    for path in PUBLIC:
        page.goto(page.base_url + path)
        assert "/accounts/login/" not in page.url
        expect(page.locator(".govuk-phase-banner")).to_contain_text("Beta")
        hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert not [h for h in hrefs if "/accounts/" in h or h.rstrip("/") == page.base_url], (
            f"{path} links to sign-in: {hrefs}"
        )
        footer = page.get_by_role("contentinfo")
        expect(footer.get_by_role("link", name="Accessibility statement")).to_be_visible()
        expect(footer.get_by_role("link", name="Privacy notice")).to_be_visible()
        problems += _problems(page)
    assert not problems, "\n".join(problems)
    page.goto(page.base_url + "/public/accessibility-statement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for Summit")
    expect(page.get_by_text("Equality Advisory and Support Service (EASS)")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    problems = _problems(page)
    assert not problems, "\n".join(problems)
