"""Issue 19 (wrong facts) on Reach the Summit pages: the frozen league table gives the window's
own close date and the date it was frozen (not "frozen on <freeze date> when the window
closed"); a team's score page writes money as money (£1,129,747, not 1129747)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from performance.core.roles import Role
from performance.models import Indicator, Target, Value
from reach_summit import services
from tests.factories import UserFactory
from tests.reach_summit.conftest import Q1, build_team

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory(username="cllr", roles=[Role.MEMBER]))
    return client


def test_a_frozen_table_gives_the_window_close_date_and_the_freeze_date(member_client):
    build_team("Waste", ("summit", "firstbase", "basecamp", "summit"))
    with time_machine.travel(dt.datetime(2024, 12, 6, 9, 0, tzinfo=LONDON), tick=False):
        services.freeze_quarter(Q1)
    body = member_client.get("/reach-the-summit/", {"quarter": "2024-25-q1"}).content.decode()
    assert "collection window closed on 10 July 2024; this table was frozen on 6 December 2024" in (
        body
    )
    assert "when the collection window closed" not in body


def test_the_score_page_writes_money_with_pound_sign_and_thousands(member_client):
    team = build_team("Waste", ("summit", "firstbase", "basecamp", "summit"))
    indicator = team.indicators_by_perspective["financial"]
    Indicator.objects.filter(pk=indicator.pk).update(unit=Indicator.Unit.CURRENCY, decimals=0)
    Value.objects.filter(indicator=indicator).update(value=Decimal("1129747"))
    Target.objects.filter(indicator=indicator).update(value=Decimal("1000000"))
    body = member_client.get(
        "/reach-the-summit/teams/waste/score/", {"quarter": "2024-25-q1"}
    ).content.decode()
    assert "£1,129,747" in body
    assert "£1,000,000" in body
    assert "1129747" not in body
