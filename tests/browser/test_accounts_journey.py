"""In Chromium: sign in, see the dashboard, sign out; axe finds nothing on any role's home."""

from __future__ import annotations

import pytest

from performance.core.roles import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_out_with_keyboard_reachable_skip_link(page):
    UserFactory(
        username="pat", first_name="Pat", last_name="Okafor", roles=[Role.PERFORMANCE_OFFICER]
    )
    page.goto(f"{page.base_url}/")
    assert page.url.startswith(f"{page.base_url}/accounts/login/")
    assert_accessible(page)

    # The first Tab lands on the skip link, which is shown when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()

    login(page, "pat", PASSWORD)
    assert page.url == f"{page.base_url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Your dashboard"
    assert "Pat Okafor" in page.get_by_role("banner").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{page.base_url}/accounts/login/")
    page.goto(f"{page.base_url}/")
    assert "/accounts/login/" in page.url
    assert page.console_errors == []


def test_wrong_password_shows_an_error_summary_that_is_accessible(page):
    UserFactory(username="pat")
    login(page, "pat", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "correct username and password" in summary.inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("role", list(Role))
def test_every_roles_home_page_is_accessible(page, role):
    team = TeamFactory(name="Waste and Street Scene")
    UserFactory(username=f"demo-{role.slug}", roles=[role], teams=[team])
    login(page, f"demo-{role.slug}", PASSWORD)
    assert page.get_by_text(role.value).first.is_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_password_reset_pages_are_accessible(page):
    page.goto(f"{page.base_url}/accounts/password-reset/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("someone@example.gov.uk")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page)
