"""Signing in with a real OpenID Connect provider (node-oidc-provider, tests/fixtures/oidc):
authorization code flow with PKCE, the ID token's checks, the mappings applied at every sign-in,
the refusal pages, sign-out at the provider, the lockout and /healthz (issue 15)."""

from __future__ import annotations

import base64
import json

import pytest
import requests
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse

from performance.common import access, audit, identity
from performance.core.roles import Role
from performance.models import TeamMembership
from performance.signin.backends import ProviderBackend
from performance.signin.models import ProviderIdentity, SignInMapping
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.signin import flow

pytestmark = pytest.mark.django_db

ANA = {
    "email": "ana.silva@example.gov.uk",
    "name": "Ana Silva",
    "given_name": "Ana",
    "family_name": "Silva",
    "preferred_username": "ana.silva@example.gov.uk",
    "groups": ["g-waste-enterers"],
}


@pytest.fixture
def waste():
    return TeamFactory(name="Waste and Street Scene")


@pytest.fixture
def mappings(waste):
    SignInMapping.objects.create(
        claim_value="g-waste-enterers", role=Role.DATA_ENTERER.value, team=waste
    )
    SignInMapping.objects.create(claim_value="g-cabinet", role=Role.MEMBER.value)


def signed_in_user(client) -> User | None:
    """Whom the client's session signs in, as Django's middleware would see it."""
    request = HttpRequest()
    request.session = client.session
    user = get_user(request)
    return user if user.is_authenticated else None


# --- the flow -----------------------------------------------------------------------------------


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc_provider):
    url = flow.start(client)
    assert url.startswith(f"{oidc_provider.issuer}/auth")
    params = flow.query(url)
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) >= 43
    assert params["state"]
    assert params["nonce"]
    assert params["redirect_uri"] == "http://testserver/oidc/callback/"
    assert params["client_id"] == "summit"


def test_first_sign_in_creates_the_person_with_the_mapped_role_and_team(
    client, oidc_provider, mappings, waste
):
    oidc_provider.people({"ana": ANA})
    response = flow.sign_in(client, "ana")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = signed_in_user(client)
    assert user is not None
    assert (user.username, user.email, user.get_full_name()) == (
        "ana.silva@example.gov.uk",
        "ana.silva@example.gov.uk",
        "Ana Silva",
    )
    assert not user.has_usable_password()
    assert access.roles_of(user) == {Role.DATA_ENTERER}
    assert list(TeamMembership.objects.filter(user=user).values_list("team", flat=True)) == [
        waste.pk
    ]
    identity_row = ProviderIdentity.objects.get(user=user)
    assert (identity_row.issuer, identity_row.subject) == (oidc_provider.issuer, "ana")
    events = list(audit.history(user))
    assert {event.action for event in events} == {"create", "update"}
    change = next(event for event in events if event.action == "update")
    assert change.changes["roles"] == [[], [Role.DATA_ENTERER.value]]
    assert change.changes["teams"] == [[], ["Waste and Street Scene"]]
    assert "Test Council ID" in change.reason
    assert client.get(reverse("home")).status_code == 200


def test_groups_that_map_to_nothing_get_the_page_saying_whom_to_ask(
    client, oidc_provider, mappings
):
    UserFactory(first_name="Priya", last_name="Shah", roles=[Role.PERFORMANCE_OFFICER])
    oidc_provider.people({"ana": {**ANA, "groups": ["g-somewhere-else"]}})
    response = flow.sign_in(client, "ana")
    assert response.status_code == 403
    text = response.content.decode()
    assert "You do not have access to Summit yet" in text
    assert "Priya Shah" in text
    assert signed_in_user(client) is None
    assert not User.objects.filter(email=ANA["email"]).exists()


def test_a_change_of_group_at_the_provider_changes_the_role_at_the_next_sign_in(
    client, oidc_provider, mappings, waste
):
    hand_given = TeamFactory(name="Finance")
    oidc_provider.people({"ana": ANA})
    flow.sign_in(client, "ana")
    user = signed_in_user(client)
    # A team no mapping names, given by hand in Manage, is kept.
    TeamMembership.objects.create(user=user, team=hand_given)
    client.logout()

    oidc_provider.people({"ana": {**ANA, "groups": ["g-cabinet"]}})
    response = flow.sign_in(client, "ana")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert access.roles_of(user) == {Role.MEMBER}
    assert set(TeamMembership.objects.filter(user=user).values_list("team", flat=True)) == {
        hand_given.pk
    }
    latest = audit.history(user).first()
    assert latest.changes == {
        "roles": [[Role.DATA_ENTERER.value], [Role.MEMBER.value]],
        "teams": [["Finance", "Waste and Street Scene"], ["Finance"]],
    }


def test_roles_no_mapping_names_are_kept(client, oidc_provider, mappings):
    UserFactory(username="ana", email=ANA["email"], roles=[Role.SERVICE_MANAGER])
    oidc_provider.people({"ana": ANA})
    flow.sign_in(client, "ana")
    user = signed_in_user(client)
    assert user.username == "ana"  # the existing account, linked by its email address
    assert access.roles_of(user) == {Role.SERVICE_MANAGER, Role.DATA_ENTERER}


def test_a_person_removed_from_every_mapped_group_is_refused(client, oidc_provider, mappings):
    oidc_provider.people({"ana": ANA})
    flow.sign_in(client, "ana")
    user = signed_in_user(client)
    client.logout()
    oidc_provider.people({"ana": {**ANA, "groups": []}})
    response = flow.sign_in(client, "ana")
    assert response.status_code == 403
    assert signed_in_user(client) is None
    assert access.roles_of(User.objects.get(pk=user.pk)) == set()


def test_an_inactive_person_cannot_sign_in_and_a_session_ends_when_deactivated(
    client, oidc_provider, mappings
):
    oidc_provider.people({"ana": ANA})
    flow.sign_in(client, "ana")
    user = signed_in_user(client)
    User.objects.filter(pk=user.pk).update(is_active=False)
    # The session restored through the provider's backend ends.
    assert client.get(reverse("home")).status_code == 302
    response = flow.sign_in(client, "ana")
    assert response.status_code == 403
    assert "switched off" in response.content.decode()
    assert signed_in_user(client) is None


# --- refused tokens: signed with the provider's key, but wrong ------------------------------------


def _callback_with(client, monkeypatch, make_token):
    """Start a sign-in, then answer the callback with the token `make_token(nonce)` as the
    token endpoint's id_token (its signature is checked against the provider's real JWKS)."""
    params = flow.query(flow.start(client))
    token = make_token(params["nonce"])
    monkeypatch.setattr(
        ProviderBackend, "get_token", lambda self, payload: {"id_token": token, "access_token": ""}
    )
    return client.get(f"/oidc/callback/?code=anything&state={params['state']}")


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["g-waste-enterers", "g-officers"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _other_key_token(provider, claims):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other, algorithm="RS256", headers={"kid": "summit-test-key"})


REFUSED_TOKENS = {
    "tampered": lambda p, n: _tamper(p.sign(p.claims(nonce=n, groups=["g-waste-enterers"]))),
    "expired": lambda p, n: p.sign(p.claims(nonce=n, iat=1_700_000_000, exp=1_700_000_300)),
    "wrong audience": lambda p, n: p.sign(p.claims(nonce=n, aud="another-client")),
    "wrong issuer": lambda p, n: p.sign(p.claims(nonce=n, iss="http://evil.example")),
    "wrong nonce": lambda p, n: p.sign(p.claims(nonce="not-" + n)),
    "no nonce": lambda p, n: p.sign(p.claims()),
    "another key": lambda p, n: _other_key_token(p, p.claims(nonce=n)),
    "no expiry": lambda p, n: p.sign({k: v for k, v in p.claims(nonce=n).items() if k != "exp"}),
}


def test_a_good_crafted_token_is_accepted(client, oidc_provider, monkeypatch, mappings):
    """The control for the refusals below: the same token, nothing wrong, signs in."""
    response = _callback_with(
        client,
        monkeypatch,
        lambda n: oidc_provider.sign(oidc_provider.claims(nonce=n, groups=["g-waste-enterers"])),
    )
    assert response.status_code == 302
    assert signed_in_user(client).email == "crafted@example.gov.uk"


@pytest.mark.parametrize("defect", list(REFUSED_TOKENS))
def test_a_defective_id_token_is_refused_and_nobody_signed_in(
    client, oidc_provider, monkeypatch, mappings, defect
):
    make = REFUSED_TOKENS[defect]
    response = _callback_with(client, monkeypatch, lambda n: make(oidc_provider, n))
    assert response.status_code == 400
    assert "Signing in did not finish" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="crafted@example.gov.uk").exists()
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_a_replayed_state_is_refused(client, oidc_provider, mappings):
    oidc_provider.people({"ana": ANA})
    callback = flow.at_provider(flow.start(client), "ana").removeprefix(flow.TEST_SERVER)
    assert client.get(callback).status_code == 302
    client.logout()
    replayed = client.get(callback)
    assert replayed.status_code == 400
    assert signed_in_user(client) is None

    # Nor in another browser that started its own sign-in (a state it never issued).
    from django.test import Client

    other = Client()
    flow.start(other)
    assert other.get(callback).status_code == 400
    assert signed_in_user(other) is None


def test_failed_callbacks_from_one_address_lock_it_out(client, oidc_provider, mappings, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    oidc_provider.people({"ana": ANA})
    for _ in range(3):
        flow.start(client)
        # The third failure reaches the limit: its answer is already the lockout.
        assert client.get("/oidc/callback/?code=x&state=forged").status_code in (400, 429)
    assert AccessAttempt.objects.get().failures_since_start == 3
    response = flow.sign_in(client, "ana")
    assert response.status_code == 429
    assert signed_in_user(client) is None


# --- sign-out --------------------------------------------------------------------------------------


def test_sign_out_ends_the_summit_session_then_the_providers(client, oidc_provider, mappings):
    oidc_provider.people({"ana": ANA})
    flow.sign_in(client, "ana")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert signed_in_user(client) is None
    location = response["Location"]
    end_session = identity.discovery()["end_session_endpoint"]
    assert location.startswith(end_session + "?")
    params = flow.query(location)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    # The provider accepts the hint (a browser with its session is asked to confirm: the
    # browser journey clicks it).
    confirm = requests.get(location, timeout=10)
    assert confirm.status_code == 200
    assert "invalid_request" not in confirm.text


def test_a_local_account_signs_out_to_the_login_page(client, oidc_provider):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")


def test_csp_lets_the_sign_out_form_reach_the_provider(client, oidc_provider):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_provider.issuer}" in policy


# --- the sign-in page, break-glass, healthz ------------------------------------------------------


def test_the_sign_in_page_offers_the_provider(client, oidc_provider):
    text = client.get(reverse("login")).content.decode()
    assert "Sign in with Test Council ID" in text
    assert 'name="password"' in text


def test_local_login_false_hides_the_password_form_but_break_glass_works(
    client, oidc_provider, settings
):
    settings.LOCAL_LOGIN = False
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    UserFactory(username="eddie", roles=[Role.DATA_ENTERER])
    text = client.get(reverse("login")).content.decode()
    assert "Sign in with Test Council ID" in text
    assert 'name="password"' not in text
    local = client.get(reverse("login") + "?local=1").content.decode()
    assert 'name="password"' in local
    assert 'action="/accounts/login/?local=1"' in local

    refused = client.post(
        reverse("login") + "?local=1", {"username": "eddie", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert signed_in_user(client) is None
    # The form stays shown after a refusal at ?local=1.
    assert 'name="password"' in refused.content.decode()
    ok = client.post(reverse("login") + "?local=1", {"username": "pat", "password": PASSWORD})
    assert ok.status_code == 302
    assert signed_in_user(client).username == "pat"


def test_break_glass_works_while_the_provider_is_down(client, oidc_provider, settings):
    settings.LOCAL_LOGIN = False
    UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    oidc_provider.process.terminate()
    oidc_provider.process.wait()
    identity.forget()
    page = client.get(reverse("oidc_authentication_init"))
    assert page.status_code == 503
    assert "not answering" in page.content.decode()
    client.post(reverse("login") + "?local=1", {"username": "pat", "password": PASSWORD})
    assert signed_in_user(client).username == "pat"


def test_healthz_reports_the_provider_without_failing_on_it(client, oidc_provider):
    body = client.get(reverse("healthz")).json()
    assert body["identity_provider"] == "ok"
    oidc_provider.process.terminate()
    oidc_provider.process.wait()
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["identity_provider"].startswith("unavailable: ")


def test_without_a_provider_nothing_changes(client):
    assert client.get(reverse("healthz")).json()["identity_provider"] == "not configured"
    text = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in text
    assert 'name="password"' in text
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


def test_an_officer_signed_in_at_the_provider_is_not_asked_for_summits_second_step(
    client, oidc_provider, settings
):
    """The provider enforces its own multi-factor sign-in (TWO_FACTOR_EXEMPT_BACKENDS)."""
    settings.REQUIRE_2FA_FOR_OFFICERS = True
    SignInMapping.objects.create(claim_value="g-officers", role=Role.PERFORMANCE_OFFICER.value)
    oidc_provider.people({"ana": {**ANA, "groups": ["g-officers"]}})
    flow.sign_in(client, "ana")
    assert access.is_performance_officer(signed_in_user(client))
    assert client.get(reverse("home")).status_code == 200
