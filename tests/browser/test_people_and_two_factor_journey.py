"""In Chromium (issue 15): an officer imports people with a confirmation for the one missing,
deactivates and reactivates an account, turns on two-step verification and signs in again with
a code; axe finds nothing on any of these pages."""

from __future__ import annotations

import base64
import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP

from performance.core.roles import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(base32: str, at: float) -> str:
    key = base64.b32decode(base32 + "=" * (-len(base32) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = at
    return f"{totp.token():06d}"


def test_an_officer_imports_people_and_turns_on_two_step_verification(page, tmp_path):
    TeamFactory(name="Waste")
    UserFactory(username="pat", first_name="Pat", roles=[Role.PERFORMANCE_OFFICER])
    UserFactory(username="leaver", first_name="Lee", last_name="Ver", roles=[Role.MEMBER])
    login(page, "pat", PASSWORD)

    # --- import, with a bad row first ------------------------------------------------------------
    bad = tmp_path / "people.csv"
    bad.write_text("username,name,email,team,roles\nasmith,Alex Smith,,Waste,Boss\n")
    page.goto(f"{page.base_url}/manage/people/import/")
    assert_accessible(page)
    page.get_by_label("Directory export").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    assert "Row 2, column roles: unknown role 'Boss'" in page.locator("#row-errors").inner_text()
    assert_accessible(page)

    good = tmp_path / "directory.csv"
    good.write_text(
        "username,name,email,team,roles\n"
        "pat,Pat Officer,,,performance\n"
        "asmith,Alex Smith,alex@example.gov.uk,Waste,enterer\n"
    )
    page.get_by_label("Directory export").set_input_files(str(good))
    page.get_by_label("This is everyone").check()
    page.get_by_role("button", name="Check and import").click()
    assert "Lee Ver (leaver)" in page.locator("#missing-people").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Import and deactivate 1 person").click()
    assert "1 deactivated" in page.content()
    User = get_user_model()
    assert not User.objects.get(username="leaver").is_active
    assert User.objects.get(username="asmith").is_active
    assert_accessible(page)

    page.get_by_role("button", name="Reactivate Lee Ver").click()
    assert "active again" in page.content()
    assert User.objects.get(username="leaver").is_active

    # --- two-step verification -----------------------------------------------------------------
    page.goto(f"{page.base_url}/accounts/two-factor/")
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(_code(secret, time.time()))
    page.get_by_role("button", name="Confirm and turn on").click()
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    login(page, "pat", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    assert_accessible(page)
    page.get_by_label("Code").fill(_code(secret, time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() != "Enter your code"
    page.goto(f"{page.base_url}/accounts/two-factor/")
    assert "10 unused recovery codes" in page.content()
    assert_accessible(page)
