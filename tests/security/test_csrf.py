"""CSRF: every URL of the app refuses a state-changing request that carries no valid token."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from performance.core.roles import Role
from performance.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.security.helpers import all_routes

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int]:
    return AuditEvent.objects.count(), get_user_model().objects.count()


# The API's endpoints (SPEC §15) take only `Authorization: Bearer` and ignore the session cookie,
# so a forged cross-site request carries no credential: DRF exempts them from CSRF, and a session
# gets 401 there (tests/api, tests/security/test_matrix.py). Nothing else may be exempt.
TOKEN_ONLY = {
    "api:root",
    "api:indicators",
    "api:status",
    "api:values",
    "api:league-table",
    "api:benchmark-position",
    "api:risks",
    "api:schema",
}


def test_every_route_is_discovered_and_none_is_csrf_exempt():
    routes, unfilled = all_routes()
    names = {route.name for route in routes}
    # The discovery really walks the app (not an empty list that would pass everything).
    assert {"home", "login", "logout", "password_reset"} <= names
    assert len(routes) > 40
    assert not unfilled, f"routes the test cannot fill in: {unfilled}"
    exempt = sorted(r.name for r in routes if getattr(r.callback, "csrf_exempt", False))
    assert set(exempt) == TOKEN_ONLY, f"views exempt from CSRF: {exempt}"


@pytest.mark.parametrize("as_user", [False, True], ids=["anonymous", "performance-officer"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_state_changing_request_without_a_token_is_refused_everywhere(as_user, method):
    client = Client(enforce_csrf_checks=True)
    if as_user:
        user = UserFactory(roles=[Role.PERFORMANCE_OFFICER], is_staff=True, is_superuser=True)
        client.force_login(user)
    before = _state()
    routes, _ = all_routes()
    accepted = {}
    for route in routes:
        response = getattr(client, method)(
            route.path, {"name": "x", "value": "1"} if method == "post" else None
        )
        refused = (401, 405) if route.name in TOKEN_ONLY else (403,)
        if response.status_code not in refused:
            accepted[route.name] = response.status_code
    assert not accepted, f"{method.upper()} without a CSRF token was not refused: {accepted}"
    assert _state() == before


def test_a_token_from_another_session_is_refused_and_a_real_one_accepted():
    user = UserFactory(roles=[Role.DATA_ENTERER])
    attacker = Client(enforce_csrf_checks=True)
    attacker.get("/accounts/login/")
    forged = attacker.cookies["csrftoken"].value

    victim = Client(enforce_csrf_checks=True)
    victim.get("/accounts/login/")
    refused = victim.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": forged},
    )
    assert refused.status_code == 403

    token = victim.cookies["csrftoken"].value
    accepted = victim.post(
        "/accounts/login/",
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302  # the control: enforcement tells a real token apart


def test_htmx_requests_send_the_token_in_a_header_that_is_checked():
    """base.html puts the token in hx-headers; the header form must be enforced too."""
    user = UserFactory(roles=[Role.DATA_ENTERER])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/")
    body = page.content.decode()
    assert "X-CSRFToken" in body, "base.html must give htmx the CSRF token in hx-headers"
    wrong = client.post("/accounts/logout/", HTTP_X_CSRFTOKEN="x" * 64, HTTP_HX_REQUEST="true")
    assert wrong.status_code == 403
    right = client.post(
        "/accounts/logout/",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        HTTP_HX_REQUEST="true",
    )
    assert right.status_code in (200, 302)
