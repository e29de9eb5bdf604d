"""Issue 20: the quarterly reports say of each Red or Amber indicator whether its action plan is
open, requested or judged not needed (with why), and Cabinet is asked to agree only plans that
exist, to note the ones requested and the decisions of no plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from performance.models import ActionPlan, ActionPlanRequest, Indicator
from performance.reports.data import Audience, Kind
from tests.reports.test_exports import build

pytestmark = pytest.mark.django_db


def section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def ask(indicator, *, status="requested", reason="", review_on=None):
    return ActionPlanRequest.objects.create(
        indicator=indicator,
        team=indicator.team,
        period="2025/26 Q3",
        reason="red",
        raised_at=timezone.now(),
        status=status,
        no_plan_reason=reason,
        review_on=review_on,
    )


@pytest.fixture
def three_states(council):
    """WAS 001 has its open plan; MON 010 a plan requested; CLN 002 (Amber) no plan needed."""
    ask(council.monthly)
    ask(
        council.amber,
        status="no_plan",
        reason="A one-off caused by a depot closure.",
        review_on=timezone.localdate() + dt.timedelta(days=60),
    )
    return council


def test_the_mt_and_scrutiny_spotlights_show_open_requested_and_no_plan(three_states):
    for audience in (Audience.MT, Audience.SCRUTINY):
        spots = {
            s.code: s for s in section(build(Kind.QUARTERLY, audience), "exceptions").spotlights
        }
        assert spots["WAS 001"].plan_title == "Recover the recycling rate"
        assert spots["MON 010"].plan_status == "Plan requested"
        assert spots["CLN 002"].plan_status == "No plan: A one-off caused by a depot closure"
    scrutiny = {
        s.code: s
        for s in section(build(Kind.QUARTERLY, Audience.SCRUTINY), "exceptions").spotlights
    }
    assert any("when will it be in place" in q for q in scrutiny["MON 010"].questions)
    assert any("needs no action plan" in q for q in scrutiny["CLN 002"].questions)


def test_cabinet_notes_a_requested_plan_instead_of_asking_for_one(three_states):
    report = build(Kind.QUARTERLY, Audience.CABINET)
    items = section(report, "decisions").items
    assert not any("request action plans" in item for item in items)
    assert (
        "Cabinet is asked to note that Summit has asked the heads of service for action plans, "
        "not yet opened, for MON 010 Missed bins per 100,000 collections."
    ) in items
    rows = next(t for t in report.tables if t.id == "red-kpis-table").rows
    assert {row["indicator"]: row["plan"] for row in rows} == {
        "MON 010": "Plan requested",
        "WAS 001": "Recover the recycling rate",
    }


def test_cabinet_notes_a_decision_of_no_plan_with_its_reason_and_review_date(council):
    ActionPlan.objects.filter(indicator=council.red).update(status=ActionPlan.Status.CLOSED)
    review = timezone.localdate() + dt.timedelta(days=30)
    ask(council.red, status="no_plan", reason="Recovering already.", review_on=review)
    report = build(Kind.QUARTERLY, Audience.CABINET)
    items = section(report, "decisions").items
    assert not any("agree" in item for item in items)
    assert (
        "Cabinet is asked to note that no action plan is judged needed for WAS 001 Household "
        f"waste recycled: Recovering already (to be reviewed by {review:%-d %B %Y})."
    ) in items
    # MON 010 has neither: Cabinet still asks for it.
    assert items[-1].startswith("Cabinet is asked to request action plans")
    assert "MON 010" in items[-1]
    assert "WAS 001" not in items[-1]
    rows = next(t for t in report.tables if t.id == "red-kpis-table").rows
    assert {row["indicator"]: row["plan"] for row in rows}["WAS 001"] == (
        "No plan: Recovering already"
    )


def test_a_no_plan_decision_past_its_review_date_is_not_reported(council):
    ActionPlan.objects.filter(indicator=council.red).update(status=ActionPlan.Status.CLOSED)
    ask(
        council.red,
        status="no_plan",
        reason="Old",
        review_on=timezone.localdate() - dt.timedelta(days=1),
    )
    rows = next(
        t for t in build(Kind.QUARTERLY, Audience.CABINET).tables if t.id == "red-kpis-table"
    ).rows
    assert {row["indicator"]: row["plan"] for row in rows}["WAS 001"] == "No action plan yet"


# --- corporate health (issue 20) ------------------------------------------------------------------


def test_every_audience_has_a_corporate_health_section_cabinets_the_shortest(council):
    Indicator.objects.filter(pk__in=[council.red.pk, council.green.pk]).update(
        corporate_health=True
    )
    mt = section(build(Kind.QUARTERLY, Audience.MT), "corporate-health")
    [table] = mt.tables
    assert [row["indicator"] for row in table.rows] == ["HOU 003", "WAS 001"]
    assert mt.paragraphs[0].startswith("2 corporate health indicators")
    assert "1 Green" in mt.paragraphs[0]
    assert "1 Red" in mt.paragraphs[0]
    assert "WAS 001 Household waste recycled (Red" in mt.paragraphs[1]
    scrutiny = section(build(Kind.QUARTERLY, Audience.SCRUTINY), "corporate-health")
    assert len(scrutiny.tables[0].rows) == 2
    cabinet = section(build(Kind.QUARTERLY, Audience.CABINET), "corporate-health")
    assert cabinet.tables == []
    assert cabinet.paragraphs == mt.paragraphs


def test_no_corporate_health_section_without_such_indicators(council):
    ids = [s.id for s in build(Kind.QUARTERLY, Audience.MT).sections]
    assert "corporate-health" not in ids
