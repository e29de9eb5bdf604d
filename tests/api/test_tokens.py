"""Tokens (SPEC §15): made by command or on one's own page, shown once, stored hashed, expiring,
revocable, audited; a token is its person — no more; a per-token rate limit answers 429."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from performance.models import ApiToken, AuditEvent
from tests.api.conftest import Api, exact, token_for

pytestmark = pytest.mark.django_db
User = get_user_model()


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_token_alone_and_stores_only_its_digest(council):
    printed = _command("member", "--days", "7")
    secret = printed.strip()
    assert printed == secret + "\n"  # the token alone on its line
    assert secret.startswith("smt_")
    token = ApiToken.objects.get(user__username="member")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.digest, token.name}
    assert secret.startswith(token.prefix)
    assert not token.can_write
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=7)).date()
    event = AuditEvent.objects.filter(action="api_token_created").latest("id")
    assert event.actor is None  # made by the command
    assert Api(secret).get("/api/v1/indicators").status_code == 200


def test_the_command_names_bad_arguments(council):
    with pytest.raises(CommandError, match="USERNAME: no person has the username 'nobody'"):
        _command("nobody")
    with pytest.raises(CommandError, match="--days: Days must be between 1 and 366"):
        _command("member", "--days", "0")
    assert _command("enterer", "--write").startswith("smt_")
    assert ApiToken.objects.get(user__username="enterer").can_write


@pytest.mark.parametrize(
    ("header", "why"),
    [
        ("", "no token"),
        ("Bearer smt_notatoken", "unknown token"),
        ("Basic dXNlcjpwYXNz", "not a bearer token"),
    ],
)
def test_no_token_or_a_bad_one_is_401(council, header, why):
    response = Client().get(
        "/api/v1/indicators", headers={"Authorization": header} if header else {}
    )
    assert response.status_code == 401, why
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_inactive_tokens_are_401(council):
    secret = token_for("member", days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        assert Api(secret).get("/api/v1/indicators").status_code == 401
    secret = token_for("member")
    token = ApiToken.objects.get(digest=hashlib.sha256(secret.encode()).hexdigest())
    from performance.api import services

    services.revoke(token=token, actor=token.user)
    assert Api(secret).get("/api/v1/indicators").status_code == 401
    secret = token_for("head")
    User.objects.filter(username="head").update(is_active=False)
    assert Api(secret).get("/api/v1/indicators").status_code == 401


def test_a_session_is_not_a_token(council):
    client = Client()
    client.force_login(User.objects.get(username="performance"))
    assert client.get("/api/v1/indicators").status_code == 401


def test_last_use_is_recorded(council):
    secret = token_for("member")
    token = ApiToken.objects.get(digest=hashlib.sha256(secret.encode()).hexdigest())
    assert token.last_used_at is None
    Api(secret).get("/api/v1/indicators")
    token.refresh_from_db()
    assert token.last_used_at is not None


@override_settings(API_RATE_LIMIT="3/minute")
def test_too_many_requests_answer_429_with_retry_after(council):
    from django.core.cache import caches

    caches["api"].clear()
    api = Api(token_for("member"))
    assert [api.get("/api/v1/indicators").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/indicators")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Per token: another token of the same person is counted on its own.
    assert Api(token_for("member")).get("/api/v1/indicators").status_code == 200


def _page_client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_person_makes_sees_and_revokes_their_own_tokens_on_their_page(council):
    client = _page_client("manager")
    page = client.get("/api/tokens/")
    assert page.status_code == 200
    assert "You have no tokens" in page.content.decode()
    made = client.post("/api/tokens/", {"name": "Power BI", "days": "30"})
    assert made.status_code == 200
    html = made.content.decode()
    token = ApiToken.objects.get(user__username="manager", name="Power BI")
    secret = html.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.digest
    assert "it will not be shown again" in html
    # Shown once: the list afterwards shows only its first characters.
    listing = client.get("/api/tokens/").content.decode()
    assert secret not in listing
    assert token.prefix in listing
    assert Api(secret).get("/api/v1/indicators").status_code == 200
    # Another person cannot revoke it (404), its owner can.
    assert _page_client("enterer").post(f"/api/tokens/{token.pk}/revoke").status_code == 404
    assert Api(secret).get("/api/v1/indicators").status_code == 200
    assert client.post(f"/api/tokens/{token.pk}/revoke").status_code == 302
    assert Api(secret).get("/api/v1/indicators").status_code == 401
    assert "Revoked" in client.get("/api/tokens/").content.decode()
    actions = set(
        AuditEvent.objects.filter(object_id=str(token.user_id)).values_list("action", flat=True)
    )
    assert {"api_token_created", "api_token_revoked"} <= actions


def test_the_token_form_names_its_errors(council):
    client = _page_client("manager")
    response = client.post("/api/tokens/", {"name": "", "days": "5000"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a name for the token" in html
    assert "Days must be between 1 and 366" in html
    assert not ApiToken.objects.filter(user__username="manager").exists()


def test_the_api_pages_need_sign_in(council):
    assert Client().get("/api/tokens/").status_code == 302
    assert Client().get("/api/").status_code == 302
    page = _page_client("member").get("/api/")
    assert page.status_code == 200
    assert "Power Query" in page.content.decode()


def test_a_token_is_its_person_and_no_more(council):
    """An enterer's token reads their teams' values only; a member's writes nothing."""
    enterer = Api(token_for("enterer"))
    codes = {r["code"] for r in enterer.walk("/api/v1/indicators")}
    every = {r["code"] for r in Api(token_for("performance")).walk("/api/v1/indicators")}
    assert codes < every
    member_writer = Api(token_for("member", write=True))
    response = member_writer.post(
        "/api/v1/values",
        {"submit": False, "values": [{"indicator": sorted(every)[0], "period": "2025/26 Q1"}]},
    )
    assert response.status_code == 422
    assert "not one of your due items" in exact(response)["errors"][0]["message"]
