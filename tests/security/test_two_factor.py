"""Two-step verification for performance officers' local passwords (issue 15).

Codes are computed from the secret the setup page shows, with django-otp's own TOTP (RFC 6238),
as an authenticator app would; sign-in goes through the real password form (and django-axes).
"""

from __future__ import annotations

import base64
import re
import time

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from performance.accounts import services
from performance.core.roles import Role
from performance.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = "performance:two-factor"
VERIFY = "performance:two-factor-verify"


def code_for(base32: str, *, at: float | None = None) -> str:
    padded = base32 + "=" * (-len(base32) % 8)
    totp = TOTP(base64.b32decode(padded), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def sign_in(client: Client, username: str, follow: bool = False):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, follow=follow
    )


def audit_actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def officer(db):
    return UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])


def turn_on(client: Client) -> tuple[str, list[str]]:
    """Set up through the pages; (base32 secret, recovery codes)."""
    page = client.get(reverse(SETUP))
    assert page.status_code == 200
    secret = page.context["secret"].base32
    assert page.context["secret"].uri.startswith("otpauth://totp/Summit%3Apat?secret=" + secret)
    done = client.post(reverse(SETUP), {"code": code_for(secret, at=time.time() - 30)})
    assert done.status_code == 200, done.content.decode()
    return secret, done.context["codes"]


@pytest.fixture
def enrolled(client, officer):
    """The officer with two-step verification on, signed out; (secret, recovery codes)."""
    client.force_login(officer)
    secret, codes = turn_on(client)
    client.logout()
    return secret, codes


def test_setup_confirms_a_real_code_and_shows_ten_recovery_codes(client, officer):
    client.force_login(officer)
    page = client.get(reverse(SETUP))
    assert not TOTPDevice.objects.exists()  # nothing is stored before a code confirms it
    secret = page.context["secret"].base32
    assert secret.replace(" ", "") in page.content.decode().replace(" ", "")

    wrong = client.post(reverse(SETUP), {"code": "000000"})
    assert wrong.status_code == 400
    assert not TOTPDevice.objects.exists()

    done = client.post(reverse(SETUP), {"code": code_for(secret)})

    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert services.is_on(officer)
    assert audit_actions(officer) == ["2fa-failed", "2fa-on"]
    # Shown once: the status page afterwards shows how many are left, not the codes.
    status = client.get(reverse(SETUP))
    assert status.context["codes_left"] == 10
    assert codes[0] not in status.content.decode()


def test_sign_in_then_requires_the_code(client, officer, enrolled):
    secret, _codes = enrolled

    response = sign_in(client, "pat")
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home.url.startswith(reverse(VERIFY))
    # Everything else waits too, e.g. Manage or an API token page.
    assert client.get(reverse("performance:manage-people")).url.startswith(reverse(VERIFY))
    assert client.get(reverse("api:tokens")).url.startswith(reverse(VERIFY))

    with time_machine.travel(time.time() + 60, tick=False):
        verified = client.post(reverse(VERIFY), {"code": code_for(secret), "next": "/"})

    assert verified.status_code == 302
    assert verified.url == "/"
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_and_audited(client, officer, enrolled):
    sign_in(client, "pat")

    response = client.post(reverse(VERIFY), {"code": "123456"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert audit_actions(officer)[-1] == "2fa-failed"


def test_a_code_is_not_accepted_twice(client, officer, enrolled):
    secret, _codes = enrolled
    at = time.time() + 120
    with time_machine.travel(at, tick=False):
        sign_in(client, "pat")
        assert client.post(reverse(VERIFY), {"code": code_for(secret)}).status_code == 302
        other = Client()
        sign_in(other, "pat")
        assert other.post(reverse(VERIFY), {"code": code_for(secret)}).status_code == 400


def test_a_recovery_code_works_once(client, officer, enrolled):
    _secret, codes = enrolled
    sign_in(client, "pat")

    used = client.post(reverse(VERIFY), {"code": codes[0].upper()}, follow=True)

    assert used.status_code == 200
    assert "9 left" in used.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert "2fa-recovery-code" in audit_actions(officer)

    other = Client()
    sign_in(other, "pat")
    again = other.post(reverse(VERIFY), {"code": codes[0]})
    assert again.status_code == 400
    assert other.post(reverse(VERIFY), {"code": codes[1]}).status_code == 302


def test_wrong_codes_are_limited_to_five_in_fifteen_minutes(client, officer, enrolled):
    secret, _codes = enrolled
    sign_in(client, "pat")
    for _ in range(services.FAILURES_ALLOWED):
        client.post(reverse(VERIFY), {"code": "000000"})

    locked = client.post(reverse(VERIFY), {"code": code_for(secret)})

    assert locked.status_code == 400
    assert "Too many wrong codes" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert audit_actions(officer).count("2fa-failed") == services.FAILURES_ALLOWED
    with time_machine.travel(time.time() + 16 * 60, tick=False):
        unlocked = client.post(reverse(VERIFY), {"code": code_for(secret)})
        assert unlocked.status_code == 302


def test_require_setting_makes_officers_set_it_up_first(client, officer, settings):
    settings.REQUIRE_2FA_FOR_OFFICERS = True
    sign_in(client, "pat")

    home = client.get(reverse("home"))
    assert home.url.startswith(reverse(SETUP))
    page = client.get(reverse(SETUP))
    assert "Your council asks performance officers" in page.content.decode()
    client.post(reverse(SETUP), {"code": code_for(page.context["secret"].base32)})

    assert client.get(reverse("home")).status_code == 200
    # It cannot be turned off while required.
    client.post(reverse("performance:two-factor-off"))
    assert services.is_on(officer)


@pytest.mark.parametrize("role", [Role.DATA_ENTERER, Role.MEMBER])
def test_non_officers_are_unaffected(client, settings, role):
    settings.REQUIRE_2FA_FOR_OFFICERS = True
    UserFactory(username="sam", roles=[role])

    sign_in(client, "sam")

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse(SETUP)).status_code == 403
    assert client.get(reverse(VERIFY)).status_code == 302  # nothing to verify: sent on


def test_officers_without_it_sign_in_as_before_when_not_required(client, officer):
    response = sign_in(client, "pat")

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_sign_in_through_the_identity_provider_is_not_asked(client, officer, enrolled, settings):
    # Stands in for the provider's backend: any backend listed as exempt.
    provider = "django.contrib.auth.backends.ModelBackend"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, provider]
    settings.TWO_FACTOR_EXEMPT_BACKENDS = [provider]
    client.force_login(officer, backend=provider)

    assert client.get(reverse("home")).status_code == 200


def test_failed_passwords_still_lock_out_with_two_factor_on(client, officer, enrolled):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pat", "password": "wrong password"})

    response = sign_in(client, "pat")

    assert response.status_code in (403, 429)
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_turn_off_and_reset_command_are_audited(client, officer, enrolled):
    secret, _codes = enrolled
    sign_in(client, "pat")
    client.post(reverse(VERIFY), {"code": code_for(secret, at=time.time() + 30)})

    client.post(reverse("performance:two-factor-off"))

    assert not services.is_on(officer)
    assert audit_actions(officer)[-1] == "2fa-off"
    client.force_login(officer)
    turn_on(client)
    call_command("reset_two_factor", "pat")
    assert not services.is_on(officer)


def test_a_new_phone_replaces_the_old_secret_only_after_a_code(client, officer, enrolled):
    secret, _codes = enrolled
    sign_in(client, "pat")
    client.post(reverse(VERIFY), {"code": code_for(secret, at=time.time() + 30)})

    page = client.get(reverse(SETUP) + "?new=1")
    new_secret = page.context["secret"].base32
    assert new_secret != secret
    assert (
        TOTPDevice.objects.get(user=officer).key
        == base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    )
    client.post(reverse(SETUP), {"code": code_for(new_secret)})

    device = TOTPDevice.objects.get(user=officer)
    assert re.fullmatch("[0-9a-f]{40}", device.key)
    assert device.key != base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
