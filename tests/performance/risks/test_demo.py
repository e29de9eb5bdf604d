"""seed_demo's risks (SPEC §14): a corporate register and service registers with appetites, a
year of reviews, overdue reviews, confidential risks and key risk indicator alerts."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from performance import demo
from performance.models import AuditEvent, Risk, RiskAlert, RiskReview
from performance.risks import selectors

pytestmark = pytest.mark.django_db

NOV_20 = dt.datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def council(monkeypatch):
    monkeypatch.setattr(
        demo,
        "DEMO_STEPS",
        [
            "performance.demo",
            "performance.demo.indicators",
            "performance.demo.collection",
            "performance.risks.demo",
        ],
    )
    with time_machine.travel(NOV_20, tick=False):
        call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
        yield


def test_the_demo_register_has_every_kind_of_risk_a_committee_asks_about(council):
    rows = selectors.register_rows(user=None)
    corporate = [row for row in rows if row.register == "corporate"]
    assert [row.reference for row in corporate][:3] == ["CR01", "CR02", "CR03"]
    assert any("Cyber" in row.title for row in corporate)
    assert any(row.above_appetite for row in corporate)
    assert any(not row.above_appetite for row in corporate)
    assert {row.direction.value for row in corporate} >= {"improving", "stable", "deteriorating"}
    assert any(row.review_overdue for row in rows)
    assert any(row.kri_alert for row in rows)
    assert len({row.rating for row in rows}) >= 2
    assert Risk.objects.filter(register="service", confidential=True).exists()
    # Every alert names a linked indicator whose latest activated value is Red or concerning.
    for alert in RiskAlert.objects.select_related("risk", "indicator"):
        assert alert.indicator in alert.risk.indicators.all()
        assert alert.notified_at is not None  # the demo's history emails nobody
    assert RiskReview.objects.filter(risk__reference="CR01").count() == 4
    assert not AuditEvent.objects.exists()
