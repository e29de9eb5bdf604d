"""Login, logout, throttling, password reset by email and the per-role home page."""

from __future__ import annotations

import email.header
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from performance.core.roles import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_logout(client):
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_without_naming_which_part(client):
    UserFactory(username="pat")
    response = client.post(reverse("login"), {"username": "pat", "password": "wrong"})
    assert response.status_code == 200
    assert b"enter a correct username and password" in response.content


def test_fifth_failed_login_locks_the_username_even_with_the_right_password(client, settings):
    UserFactory(username="pat")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"), {"username": "pat", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    response = client.post(
        reverse("login"), {"username": "pat", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, settings):
    UserFactory(username="pat")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "pat", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_email_arrives_over_smtp_and_its_link_sets_a_new_password(
    client, smtp_server, settings
):
    settings.SITE_URL = "https://performance.example.gov.uk"
    UserFactory(username="erin", email="erin@example.gov.uk")
    response = client.post(reverse("password_reset"), {"email": "erin@example.gov.uk"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "erin@example.gov.uk"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "Reset your Summit password – Demo Borough Council"
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    link = re.search(r"https://performance\.example\.gov\.uk(/accounts/reset/\S+/)", body).group(1)
    assert any(part.get_content_type() == "text/html" for part in message.walk())

    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "a-much-longer-passphrase-42"
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user = get_user_model().objects.get(username="erin")
    assert user.check_password(new_password)


def test_password_reset_for_unknown_address_sends_nothing_and_looks_the_same(client, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.uk"})
    assert response.status_code == 302
    assert smtp_server.messages == []


def test_weak_password_is_refused_with_the_reason(client):
    user = UserFactory(username="erin")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content or b"too common" in response.content


@pytest.mark.parametrize("role", list(Role))
def test_home_page_shows_the_role_and_the_teams_in_scope(client, role):
    own, _other = TeamFactory(name="Waste"), TeamFactory(name="Planning")
    user = UserFactory(roles=[role], teams=[own])
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert role.value.encode() in response.content
    assert b"Waste" in response.content
    sees_all = role in (Role.PERFORMANCE_OFFICER, Role.MEMBER)
    assert (b"Planning" in response.content) is sees_all


def test_pages_carry_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content
