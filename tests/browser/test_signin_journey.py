"""In Chromium, with a real OpenID Connect provider (tests/fixtures/oidc): sign in on the
provider's own page and land on the dashboard with the mapped role; a group that maps to nothing
gets the page saying whom to ask; a group changed at the provider gives the new role at the next
sign-in; sign-out ends the provider's session too (issue 15). axe checks Summit's pages."""

from __future__ import annotations

import re

import pytest

from performance.core.roles import Role
from performance.signin.models import SignInMapping
from tests.factories import TeamFactory, UserFactory
from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANA = {
    "email": "ana.silva@example.gov.uk",
    "given_name": "Ana",
    "family_name": "Silva",
    "name": "Ana Silva",
    "groups": ["g-waste-enterers"],
}


@pytest.fixture
def mappings():
    waste = TeamFactory(name="Waste and Street Scene")
    SignInMapping.objects.create(
        claim_value="g-waste-enterers", role=Role.DATA_ENTERER.value, team=waste
    )
    SignInMapping.objects.create(claim_value="g-cabinet", role=Role.MEMBER.value)


def sign_in_at_provider(page, login: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test Council ID").click()
    page.wait_for_url(re.compile(r"http://127\.0\.0\.1:\d+/interaction/"))
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(re.compile(re.escape(page.base_url) + r"/.*"))
    page.wait_for_load_state()


def test_sign_in_at_the_provider_lands_on_the_dashboard_with_the_mapped_role(
    page, oidc_provider, mappings
):
    oidc_provider.people({"ana": ANA})
    page.goto(f"{page.base_url}/accounts/login/")
    assert_accessible(page)
    sign_in_at_provider(page, "ana")
    assert page.url == f"{page.base_url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Your dashboard"
    banner = page.get_by_role("banner").inner_text()
    assert "Ana Silva" in banner
    assert Role.DATA_ENTERER.value in banner
    assert_accessible(page)


def test_a_group_that_maps_to_nothing_gets_the_page_saying_whom_to_ask(
    page, oidc_provider, mappings
):
    UserFactory(first_name="Priya", last_name="Shah", roles=[Role.PERFORMANCE_OFFICER])
    oidc_provider.people({"ana": {**ANA, "groups": ["g-unknown"]}})
    sign_in_at_provider(page, "ana")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have access to Summit yet"
    )
    assert "Priya Shah" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{page.base_url}/")
    assert "/accounts/login/" in page.url


def test_sign_out_ends_the_provider_session_and_a_changed_group_gives_the_new_role(
    page, oidc_provider, mappings
):
    oidc_provider.people({"ana": ANA})
    sign_in_at_provider(page, "ana")
    assert Role.DATA_ENTERER.value in page.get_by_role("banner").inner_text()

    page.get_by_role("button", name="Sign out").click()
    # The provider asks to confirm its own sign-out, then sends the browser back to Summit.
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{page.base_url}/accounts/login/")
    page.goto(f"{page.base_url}/")
    assert "/accounts/login/" in page.url

    # Moved to another group at the provider: the next sign-in asks for the login again (the
    # provider's session ended) and gives the new role.
    oidc_provider.people({"ana": {**ANA, "groups": ["g-cabinet"]}})
    sign_in_at_provider(page, "ana")
    banner = page.get_by_role("banner").inner_text()
    assert Role.MEMBER.value in banner
    assert Role.DATA_ENTERER.value not in banner


def test_the_manage_pages_of_sign_in_mappings_are_accessible(page, live_server):
    from tests.factories import PASSWORD
    from tests.fixtures.browser import login

    SignInMapping.objects.create(claim_value="g-cabinet", role=Role.MEMBER.value, note="Cabinet")
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    login(page, "pat", PASSWORD)
    page.goto(f"{page.base_url}/manage/signin-mappings/")
    assert "g-cabinet" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{page.base_url}/manage/signin-mappings/new/")
    assert_accessible(page)
