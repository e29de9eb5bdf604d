"""In Chromium: a data manager reads how to use the API, makes a Power BI token, sees it once,
uses it, and revokes it; both pages pass axe."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

from performance.core.roles import Role
from performance.models import ApiToken, AuditEvent
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _status(base: str, secret: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/indicators", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _shot(page, name: str) -> None:
    folder = os.environ.get("SUMMIT_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_a_manager_makes_uses_and_revokes_a_token(page):
    team = TeamFactory(name="Housing Options")
    UserFactory(username="mo", first_name="Mo", roles=[Role.DATA_MANAGER], teams=[team])
    login(page, "mo", PASSWORD)

    page.goto(f"{page.base_url}/api/")
    assert page.get_by_role("heading", level=1).inner_text() == "The Summit API"
    assert "Power Query" in page.content()
    assert_accessible(page)
    _shot(page, "api-docs")

    page.get_by_role("link", name="Make or revoke your tokens").click()
    page.get_by_role("button", name="Make token").click()  # no name: the error summary
    assert "Enter a name for the token" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Name").fill("Power BI board pack")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("smt_")
    assert "it will not be shown again" in page.content()
    assert_accessible(page)
    _shot(page, "api-token-made")
    assert _status(page.base_url, secret) == 200

    page.goto(f"{page.base_url}/api/tokens/")
    assert secret not in page.content()  # shown once
    page.get_by_role("button", name="Revoke token Power BI board pack").click()
    assert "revoked: it no longer works" in page.content()
    assert _status(page.base_url, secret) == 401
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token_revoked").count() == 1
    assert_accessible(page)
    _shot(page, "api-token-revoked")
