"""Sign-in throttling behind the TLS proxy, password spraying, and reset-email flooding (issue 14).

Behind the proxy every request arrives from the proxy's address; the client is the address the
proxy appends to X-Forwarded-For. Only as many right-most entries as there are trusted proxies
are believed, so a client cannot choose its address by sending the header itself.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.5"


@pytest.fixture
def client_factory():
    """Separate browsers: each has its own session."""
    return Client


def _sign_in(client, username, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_an_attacker_locks_only_themselves(client_factory, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="officer")
    attacker, officer = client_factory(), client_factory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(attacker, "officer", "wrong", "203.0.113.66")
    assert _sign_in(attacker, "officer", PASSWORD, "203.0.113.66").status_code == 429
    response = _sign_in(officer, "officer", PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert "_auth_user_id" in officer.session


def test_a_forged_left_most_address_is_not_believed(client_factory, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="officer")
    attacker = client_factory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        # The attacker sends its own header; the proxy appends the real address.
        _sign_in(attacker, "officer", "wrong", f"10.9.9.{number}, 203.0.113.66")
    assert _sign_in(attacker, "officer", PASSWORD, "10.9.9.99, 203.0.113.66").status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client_factory, settings):
    settings.TRUSTED_PROXIES = 0
    UserFactory(username="officer")
    attacker = client_factory()
    for number in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(attacker, "officer", "wrong", f"203.0.113.{number}")
    assert _sign_in(attacker, "officer", PASSWORD, "198.51.100.7").status_code == 429


def test_one_address_trying_many_usernames_is_locked(client_factory, settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="officer")
    sprayer, officer = client_factory(), client_factory()
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS - 1):
        assert _sign_in(sprayer, f"user{number}", "Spring2026!", "203.0.113.66").status_code == 200
    assert _sign_in(sprayer, "someone", "Spring2026!", "203.0.113.66").status_code == 429
    assert _sign_in(sprayer, "officer", PASSWORD, "203.0.113.66").status_code == 429
    # Another address behind the same proxy is untouched.
    assert _sign_in(officer, "officer", PASSWORD, "198.51.100.7").status_code == 302


def test_the_pair_limit_still_locks_at_five_below_the_address_limit(client, settings):
    settings.TRUSTED_PROXIES = 1
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_FAILURES_PER_ADDRESS > settings.AXES_FAILURE_LIMIT
    UserFactory(username="officer")
    for _ in range(4):
        _sign_in(client, "officer", "wrong", "203.0.113.66")
    assert _sign_in(client, "officer", PASSWORD, "203.0.113.66").status_code == 302


def test_a_fourth_reset_email_within_the_hour_is_not_sent_and_the_page_is_the_same(
    client, mailoutbox, settings
):
    assert settings.PASSWORD_RESET_EMAILS_PER_HOUR == 3
    UserFactory(username="officer", email="officer@example.gov.uk")
    responses = [
        client.post(reverse("password_reset"), {"email": "officer@example.gov.uk"})
        for _ in range(4)
    ]
    assert len(mailoutbox) == 3
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})
    for response in [*responses, unknown]:
        assert response.status_code == 302
        assert response.headers["Location"] == reverse("password_reset_done")


def test_the_reset_limit_is_per_person_and_lifts_after_an_hour(client, mailoutbox, time_machine):
    time_machine.move_to("2026-03-02 09:00:00+00:00", tick=False)
    UserFactory(username="officer", email="officer@example.gov.uk")
    UserFactory(username="other", email="other@example.gov.uk")
    for _ in range(4):
        client.post(reverse("password_reset"), {"email": "officer@example.gov.uk"})
    client.post(reverse("password_reset"), {"email": "other@example.gov.uk"})
    assert [message.to for message in mailoutbox].count(["other@example.gov.uk"]) == 1
    time_machine.shift(3601)
    client.post(reverse("password_reset"), {"email": "officer@example.gov.uk"})
    assert [message.to for message in mailoutbox].count(["officer@example.gov.uk"]) == 4
