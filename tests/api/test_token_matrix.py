"""Every endpoint × every kind of token (issue 16): none, read, write, expired, revoked, and
another team's person. Each cell is the answer SPEC §15 and the pages' access rule give."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from benchmarking.models import BenchmarkValue
from performance.api import services
from performance.collection import due
from performance.collection.rules import is_ratio
from performance.models import ApiToken, Indicator, Risk, Value
from performance.models.visibility import member_team_ids
from reach_summit import selectors as league_selectors
from tests.api.conftest import Api, exact, token_for

pytestmark = pytest.mark.django_db
User = get_user_model()

KINDS = ("none", "read", "write", "expired", "revoked", "other team")


def _other_team_person() -> str:
    """Someone in none of the demo enterer's teams, who reads only their own teams."""
    mine = set(member_team_ids(User.objects.get(username="enterer")))
    for user in User.objects.filter(is_active=True).order_by("username"):
        teams = set(member_team_ids(user))
        readable = Indicator.objects.readable_by(user)
        if teams and not teams & mine and readable.count() < Indicator.objects.count():
            return user.username
    raise AssertionError("the demo has no person outside the enterer's teams")


def _secret(kind: str) -> str | None:
    if kind == "none":
        return None
    if kind == "other team":
        return token_for(_other_team_person(), write=True)
    secret = token_for("enterer", write=kind == "write", days=1)
    token = ApiToken.objects.get(digest=hashlib.sha256(secret.encode()).hexdigest())
    if kind == "revoked":
        services.revoke(token=token, actor=token.user)
    if kind == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    return secret


def _enterers_item() -> due.DueItem:
    user = User.objects.get(username="enterer")
    return next(
        item
        for item in due.due_items(due.open_rounds(), enterer=user, history=0)
        if item.editable and item.value is None
    )


def _requests() -> dict[str, tuple[str, str, dict]]:
    from django.conf import settings

    quarter = str(league_selectors.default_quarter())
    value = BenchmarkValue.objects.filter(authority__code=settings.COUNCIL_CODE).select_related(
        "measure", "authority"
    )[0]
    group = value.authority.groups.first()
    latest = Value.objects.filter(status="activated", period__contains="Q").latest("period_start")
    mine = Indicator.objects.readable_by(User.objects.get(username="enterer")).order_by("code")[0]
    item = _enterers_item()
    return {
        "root": ("get", "/api/v1/", {}),
        "indicators": ("get", "/api/v1/indicators", {}),
        "status": ("get", "/api/v1/status", {"period": latest.period}),
        "values": ("get", "/api/v1/values", {}),
        "values of my indicator": ("get", "/api/v1/values", {"indicator": mine.code}),
        "league-table": ("get", "/api/v1/league-table", {"quarter": quarter}),
        "risks": ("get", "/api/v1/risks", {}),
        "corporate risks": ("get", "/api/v1/risks", {"register": "corporate"}),
        "benchmark-position": (
            "get",
            "/api/v1/benchmark-position",
            {"measure": value.measure.code, "group": group.name, "period": value.period},
        ),
        "submit a value": (
            "post",
            "/api/v1/values",
            {
                "submit": False,
                "values": [
                    {
                        "indicator": item.indicator.code,
                        "period": item.period,
                        **(
                            {"numerator": 1, "denominator": 2}
                            if is_ratio(item.indicator)
                            else {"value": 1}
                        ),
                    }
                ],
            },
        ),
    }


# Expected status per (request, kind); "other team" reads its own teams only.
EXPECTED = {
    "root": (401, 200, 200, 401, 401, 200),
    "indicators": (401, 200, 200, 401, 401, 200),
    "status": (401, 200, 200, 401, 401, 200),
    "values": (401, 200, 200, 401, 401, 200),
    "values of my indicator": (401, 200, 200, 401, 401, 404),
    "league-table": (401, 200, 200, 401, 401, 200),
    "risks": (401, 200, 200, 401, 401, 200),
    "corporate risks": (401, 200, 200, 401, 401, 200),
    "benchmark-position": (401, 200, 200, 401, 401, 200),
    "submit a value": (401, 403, 200, 401, 401, 422),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_endpoint_for_every_kind_of_token(council, kind):
    secret = _secret(kind)
    api = Api(secret)
    item = _enterers_item()
    answers = {}
    for name, (method, path, params) in _requests().items():
        response = api.get(path, params) if method == "get" else api.post(path, params)
        answers[name] = response.status_code
    expected = {name: EXPECTED[name][KINDS.index(kind)] for name in EXPECTED}
    assert answers == expected
    # Only the enterer's write token changed anything.
    saved = Value.objects.filter(indicator=item.indicator, period=item.period).exists()
    assert saved == (kind == "write")


def test_another_teams_person_sees_none_of_the_enterers_figures(council):
    other = Api(token_for(_other_team_person()))
    enterer = User.objects.get(username="enterer")
    theirs = set(Indicator.objects.readable_by(enterer).values_list("code", flat=True))
    shown = {r["code"] for r in other.walk("/api/v1/indicators")}
    assert shown
    assert not shown & theirs
    latest = Value.objects.filter(status="activated", period__contains="Q").latest("period_start")
    rows = other.walk("/api/v1/status", {"period": latest.period})
    assert not {r["indicator"] for r in rows} & theirs
    values = other.walk("/api/v1/values", {"page_size": 5000})
    assert not {r["indicator"] for r in values} & theirs


def test_a_token_used_after_it_expires_is_refused_mid_walk(council):
    secret = token_for("performance", days=1)
    api = Api(secret)
    first = exact(api.get("/api/v1/values", {"page_size": 10}))
    assert first["next"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert api.client.get(first["next"], headers=api.headers()).status_code == 401


def test_each_token_reads_the_open_risks_its_person_reads(council):
    for username in ("performance", "member", "head", "enterer", _other_team_person()):
        user = User.objects.get(username=username)
        rows = Api(token_for(username)).walk("/api/v1/risks", {"page_size": 5000})
        readable = Risk.objects.readable_by(user).filter(status=Risk.Status.OPEN)
        assert [r["reference"] for r in rows] == sorted(r.reference for r in readable), username
