"""Issue 19, GOV.UK basics: the accessibility statement and privacy notice are public, filled in
from settings; the phase banner follows PHASE_BANNER; a visitor's footer never leads to sign-in."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from performance.common import govuk
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _footer(body: str) -> str:
    return body[body.index('<footer class="govuk-footer"') :]


@override_settings(COUNCIL_NAME="Maidstone Borough Council", ACCESSIBILITY_CONTACT_EMAIL="")
def test_the_statement_is_public_and_names_the_council_standard_and_contact(client):
    response = client.get(reverse("public:accessibility"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This website is run by Maidstone Borough Council." in body
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in body
    assert 'href="mailto:accessibility@maidstone.gov.uk"' in body
    assert "Equality Advisory and Support Service (EASS)" in body
    assert "Equality and Human Rights Commission (EHRC)" in body
    assert "tagged (PDF/UA-1" in body


@override_settings(ACCESSIBILITY_CONTACT_EMAIL="access@example.gov.uk")
def test_the_statement_uses_the_configured_contact():
    assert govuk.accessibility_email() == "access@example.gov.uk"


@override_settings(COUNCIL_NAME="Demo Borough Council", DATA_PROTECTION_EMAIL="")
def test_the_privacy_notice_is_public_and_says_controller_basis_and_data(client):
    body = client.get(reverse("public:privacy")).content.decode()
    assert "Demo Borough Council is the data controller" in body
    assert "public task (UK GDPR Article 6(1)(e))" in body
    for held in ("audit trail", "sign-in attempts", "Complaints data", "roles"):
        assert held in body
    assert 'href="mailto:dataprotection@demo.gov.uk"' in body


def test_a_visitors_footer_links_the_statement_and_notice_but_not_sign_in(client):
    body = client.get(reverse("public:index")).content.decode()
    footer = _footer(body)
    assert reverse("public:accessibility") in footer
    assert reverse("public:privacy") in footer
    assert 'href="/"' not in body  # home sends a visitor to the sign-in page
    assert "/accounts/login/" not in body


def test_a_signed_in_footer_keeps_the_dashboard_link(client):
    client.force_login(UserFactory(username="pat"))
    footer = _footer(client.get(reverse("public:privacy")).content.decode())
    assert re.search(r'href="/">Dashboard</a>', footer)


@pytest.mark.parametrize(("phase", "shown"), [("beta", "Beta"), ("alpha", "Alpha"), ("none", "")])
def test_the_phase_banner_follows_the_setting(client, phase, shown):
    with override_settings(PHASE_BANNER=phase):
        body = client.get(reverse("public:accessibility")).content.decode()
    if shown:
        assert f'govuk-phase-banner__content__tag">{shown}</strong>' in body
    else:
        assert "govuk-phase-banner" not in body
