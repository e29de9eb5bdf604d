"""Reach the Summit with a database: scoring from real rows, freezing, recomputing, complaints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from performance.core.calculations import Level
from performance.core.periods import Period
from performance.core.roles import Role
from performance.models import AuditEvent, Indicator, Value
from reach_summit import selectors, services, tasks
from reach_summit.calculations import Award
from reach_summit.models import Complaint, Scorecard, Snapshot
from tests.factories import UserFactory
from tests.reach_summit.conftest import Q1, build_team, set_value

pytestmark = pytest.mark.django_db

AFTER_Q1 = dt.date(2024, 8, 1)
Q2 = Q1.next()


def officer():
    return UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])


def complaint(team, reference, received, responded=None, stage=1):
    return services.record_complaint(
        actor=None,
        item=services.ComplaintInput(reference, team, stage, received, responded),
    )


# ------------------------------------------------------------------------------ live scoring


def test_spec_worked_example_from_real_rows():
    team = build_team("Waste", ("summit", "firstbase", "no_data", "summit"))
    services.approve_improvement(
        actor=officer(), team=team, quarter=Q1, title="Garden waste online", points=Decimal("0.5")
    )
    # Three complaints due in Q1 and answered late (received in May, due in May/June).
    for n, received in enumerate([dt.date(2024, 5, 1), dt.date(2024, 5, 10), dt.date(2024, 6, 3)]):
        complaint(team, f"C-{n}", received, received + dt.timedelta(days=40))
    table = selectors.live_table(Q1, today=AFTER_Q1)
    row = table.rows[0]
    assert row.score == Decimal("6.5")
    assert (row.customer, row.financial, row.process, row.learning) == (
        Level.SUMMIT,
        Level.FIRSTBASE,
        Level.NO_DATA,
        Level.SUMMIT,
    )
    assert row.formula == "3 + 1 \u2212 0.25 + 3 + 0.5 \u2212 0.25 \u2212 0.25 \u2212 0.25 = 6.5"
    sources = {line["perspective"]: line["source"] for line in row.lines if line["kind"] == "level"}
    assert sources["financial"]["value"] == "95"
    assert sources["financial"]["target"] == "100"
    assert "No activated value" in sources["process"]["note"]
    refs = [
        line["complaint"]["reference"] for line in row.lines if line["kind"] == "late_complaint"
    ]
    assert refs == ["C-0", "C-1", "C-2"]


def test_no_data_recorded_by_the_collection_cycle_counts_as_no_data():
    team = build_team("Parks", ("summit", "summit", "summit", "summit"))
    indicator = team.indicators_by_perspective["customer"]
    Value.objects.filter(indicator=indicator).update(value=None, status=Value.Status.NO_DATA)
    row = selectors.live_table(Q1, today=AFTER_Q1).rows[0]
    assert row.customer is Level.NO_DATA
    assert row.score == Decimal("8.75")


def test_window_open_table_is_provisional_and_missing_values_are_pending():
    build_team("Parks", ("summit", "no_data", "summit", "summit"))
    table = selectors.live_table(Q1, today=dt.date(2024, 7, 5))
    assert table.provisional
    row = table.rows[0]
    assert row.financial is Level.NO_DATA
    assert "financial" in row.pending
    assert not selectors.live_table(Q1, today=dt.date(2024, 7, 11)).provisional


def test_learning_is_pending_until_the_quarters_last_month_has_ended():
    build_team("Parks", quarters=(Q2,))
    row = selectors.live_table(Q2, today=dt.date(2024, 9, 20)).rows[0]
    assert row.learning is Level.NO_DATA
    assert "learning" in row.pending
    row = selectors.live_table(Q2, today=dt.date(2024, 10, 3)).rows[0]
    assert row.learning is Level.SUMMIT


def test_learning_level_is_the_share_of_milestones_met_against_100_percent():
    build_team("A", ("summit", "summit", "summit", "firstbase"))
    build_team("B", ("summit", "summit", "summit", "basecamp"))
    build_team("C", ("summit", "summit", "summit", "no_data"))
    rows = {r.team_name: r for r in selectors.live_table(Q1, today=AFTER_Q1).rows}
    assert rows["A"].learning is Level.FIRSTBASE  # 19 of 20 = 95%
    assert rows["B"].learning is Level.BASECAMP  # 0 of 1
    assert rows["C"].learning is Level.NO_DATA  # nothing due


def test_a_team_without_a_scorecard_for_the_year_is_not_in_the_table():
    build_team("In")
    build_team("Later", quarters=(Period.for_quarter(2025, 1),))
    names = [r.team_name for r in selectors.live_table(Q1, today=AFTER_Q1).rows]
    assert names == ["In"]


# -------------------------------------------------------------------------- frozen snapshots


def test_frozen_snapshot_does_not_change_when_a_value_is_corrected_afterwards():
    team = build_team("Waste", ("firstbase", "summit", "summit", "summit"))
    build_team("Parks", ("summit", "summit", "summit", "summit"))
    _snapshot, created = services.freeze_quarter(Q1, today=AFTER_Q1)
    assert created
    before = selectors.frozen_table(Q1)
    assert before.rows[0].team_name == "Parks"

    set_value(team.indicators_by_perspective["customer"], Q1, "summit")  # the correction
    Value.objects.filter(indicator=team.indicators_by_perspective["customer"]).update(
        value=Decimal(100)
    )
    assert selectors.live_table(Q1, today=AFTER_Q1).rows[0].score == Decimal(12)
    after = selectors.league_table(Q1, today=AFTER_Q1)
    assert [(r.team_name, r.score, r.award) for r in after.rows] == [
        (r.team_name, r.score, r.award) for r in before.rows
    ]
    assert after.rows[1].explanation == before.rows[1].explanation


def test_an_audited_recomputation_by_a_performance_officer_changes_the_snapshot():
    team = build_team("Waste", ("basecamp", "summit", "summit", "summit"))
    build_team("Parks", ("summit", "summit", "summit", "firstbase"))
    services.freeze_quarter(Q1, today=AFTER_Q1)
    Value.objects.filter(indicator=team.indicators_by_perspective["customer"]).update(
        value=Decimal(100)
    )
    pat = officer()
    result = services.recompute_quarter(
        Q1, actor=pat, reason="WAS customer value corrected", today=AFTER_Q1
    )
    table = selectors.league_table(Q1)
    assert table.rows[0].team_name == "Waste"
    assert table.rows[0].award is Award.TOP
    assert table.recomputations == 1
    event = AuditEvent.objects.get(action="recompute")
    assert event.actor == pat
    assert event.reason == "WAS customer value corrected"
    assert set(event.changes) == {"Waste", "Parks"}
    assert "rank 2, score 9 (Basecamp/" in event.changes["Waste"][0]
    assert "rank 1, score 12, Top Team" in event.changes["Waste"][1]
    assert result.changes == event.changes


def test_recomputation_needs_a_performance_officer_and_a_reason():
    build_team("Waste")
    services.freeze_quarter(Q1, today=AFTER_Q1)
    enterer = UserFactory(username="erin", roles=[Role.DATA_ENTERER])
    with pytest.raises(PermissionDenied):
        services.recompute_quarter(Q1, actor=enterer, reason="because", today=AFTER_Q1)
    with pytest.raises(ValidationError):
        services.recompute_quarter(Q1, actor=officer(), reason="  ", today=AFTER_Q1)
    assert not AuditEvent.objects.filter(action="recompute").exists()


def test_freezing_is_refused_while_the_window_is_open():
    build_team("Waste")
    with pytest.raises(ValidationError, match="not closed"):
        services.freeze_quarter(Q1, today=dt.date(2024, 7, 10))
    assert not Snapshot.objects.exists()


def test_freeze_task_is_idempotent_and_freezes_oldest_first():
    build_team("Waste", quarters=(Q1, Q2))
    build_team("Parks", ("firstbase", "summit", "summit", "summit"), quarters=(Q1, Q2))
    first = tasks.freeze_closed_quarters.delay(today="2024-10-11").get()
    assert first == ["2024/25 Q1", "2024/25 Q2"]
    assert tasks.freeze_closed_quarters.delay(today="2024-10-12").get() == []
    assert Snapshot.objects.count() == 2
    assert AuditEvent.objects.filter(action="freeze").count() == 2
    # Q2's Runner-up history saw Q1's frozen awards: Waste won Q1 and Q2 (Top Team), and
    # Parks (rank 2 both times) is Runner-up in Q2 only, having won nothing before.
    q2 = selectors.league_table(Q2)
    assert [(r.team_name, r.award) for r in q2.rows] == [
        ("Waste", Award.TOP),
        ("Parks", Award.RUNNER_UP),
    ]


def test_freeze_task_before_any_window_has_closed_freezes_nothing():
    build_team("Waste")
    assert services.freeze_closed_quarters(today=dt.date(2024, 7, 3)) == []


# ---------------------------------------------------------------------------------- complaints


def test_due_date_skips_a_weekend_and_bank_holidays():
    team = build_team("Waste")
    # Received Mon 7 Apr 2025: Good Friday and Easter Monday are skipped → Wed 23 Apr.
    assert complaint(team, "E1", dt.date(2025, 4, 7)).due == dt.date(2025, 4, 23)
    # Received Thu 12 Dec 2024: Christmas Day and Boxing Day are skipped → Mon 30 Dec.
    assert complaint(team, "X1", dt.date(2024, 12, 12)).due == dt.date(2024, 12, 30)
    # Received on Saturday 5 Oct 2024: counts from Monday 7 Oct → Mon 21 Oct.
    assert complaint(team, "S1", dt.date(2024, 10, 5)).due == dt.date(2024, 10, 21)


def test_complaint_falling_due_after_a_bank_holiday_answered_on_the_due_date_is_on_time():
    team = build_team("Waste", quarters=(Period.for_quarter(2025, 1),))
    q = Period.for_quarter(2025, 1)
    # Received 19 May 2025; the late-May bank holiday (26th) pushes the due date to 3 June.
    on_time = complaint(team, "ON", dt.date(2025, 5, 19), responded=dt.date(2025, 6, 3))
    assert on_time.due == dt.date(2025, 6, 3)
    complaint(team, "LATE", dt.date(2025, 5, 19), responded=dt.date(2025, 6, 4))
    row = selectors.live_table(q, today=dt.date(2025, 8, 1)).rows[0]
    assert row.late_complaints == 1
    assert [line["complaint"]["reference"] for line in row.lines if "complaint" in line] == ["LATE"]


def test_a_complaint_answered_late_in_a_later_quarter_counts_once_where_it_fell_due():
    team = build_team("Waste", quarters=(Q1, Q2))
    # Received 20 June 2024, due 4 July (Q2), answered 2 October (Q3): late in Q2 only.
    c = complaint(team, "C-9", dt.date(2024, 6, 20), responded=dt.date(2024, 10, 2))
    assert c.due == dt.date(2024, 7, 4)
    assert selectors.live_table(Q1, today=dt.date(2024, 12, 1)).rows[0].late_complaints == 0
    assert selectors.live_table(Q2, today=dt.date(2024, 12, 1)).rows[0].late_complaints == 1
    q3 = Q2.next()
    assert selectors.complaints_report(q3, today=dt.date(2025, 2, 1)).summary.total.late == 0
    assert selectors.complaints_report(Q2, today=dt.date(2025, 2, 1)).summary.total.late == 1


def test_complaint_with_a_response_before_receipt_is_refused():
    team = build_team("Waste")
    with pytest.raises(ValidationError):
        complaint(team, "BAD", dt.date(2024, 5, 10), responded=dt.date(2024, 5, 1))
    assert not Complaint.objects.exists()


def test_complaints_report_counts_per_team_and_total_with_four_quarters_of_trend():
    a = build_team("A")
    b = build_team("B")
    complaint(a, "A1", dt.date(2024, 4, 2), responded=dt.date(2024, 4, 5))
    complaint(a, "A2", dt.date(2024, 5, 2), responded=dt.date(2024, 6, 28))
    complaint(b, "B1", dt.date(2024, 5, 2))
    report = selectors.complaints_report(Q1, today=AFTER_Q1)
    counts = {c.team_name: c for c in report.summary.teams}
    assert (counts["A"].received, counts["A"].on_time, counts["A"].late) == (2, 1, 1)
    assert (counts["B"].received, counts["B"].late) == (1, 1)
    assert report.summary.total.late == 2
    assert [str(q) for q, _ in report.trend] == [
        "2023/24 Q2",
        "2023/24 Q3",
        "2023/24 Q4",
        "2024/25 Q1",
    ]


# ----------------------------------------------------------------------------- configuration


def test_scorecard_needs_one_indicator_of_each_perspective_owned_by_the_team():
    team = build_team("Waste")
    other = build_team("Parks")
    pat = officer()
    mine = team.indicators_by_perspective
    with pytest.raises(ValidationError) as error:
        services.save_scorecard(
            actor=pat,
            team=team,
            year="2025/26",
            indicators={
                "customer": mine["financial"],
                "financial": other.indicators_by_perspective["financial"],
                "process": mine["process"],
            },
        )
    assert set(error.value.message_dict) == {"customer", "financial"}
    assert "choose a customer one" in error.value.message_dict["customer"][0]
    assert "belongs to another team" in error.value.message_dict["financial"][0]
    assert not Scorecard.objects.filter(year="2025/26").exists()


def test_scorecard_is_saved_and_changed_with_an_audit_trail():
    team = build_team("Waste")
    pat = officer()
    mine = dict(team.indicators_by_perspective)
    services.save_scorecard(actor=pat, team=team, year="2025/26", indicators=mine)
    spare = Indicator.objects.create(
        code="WAS 999",
        title="Complaints resolved",
        kind="SPI",
        perspective="customer",
        aspect="quality",
        polarity="lower",
        unit="number",
        frequency="quarterly",
        aggregation="sum",
        team=team,
    )
    services.save_scorecard(
        actor=pat, team=team, year="2025/26", indicators={**mine, "customer": spare}
    )
    assert Scorecard.objects.get(team=team, year="2025/26").customer == spare
    assert AuditEvent.objects.filter(action="create", object_repr__startswith="Scorecard").exists()
    assert AuditEvent.objects.filter(action="update", object_repr__startswith="Scorecard").exists()


def test_data_only_indicator_cannot_be_on_a_scorecard():
    team = build_team("Waste")
    data_only = Indicator.objects.create(
        code="WAS 500",
        title="Tonnage",
        kind="SPI",
        perspective="process",
        aspect="delivery",
        polarity="none",
        unit="number",
        frequency="quarterly",
        aggregation="sum",
        team=team,
    )
    with pytest.raises(ValidationError, match="data only"):
        services.save_scorecard(
            actor=officer(),
            team=team,
            year="2026/27",
            indicators={**team.indicators_by_perspective, "process": data_only},
        )


def test_improvement_points_default_to_half_a_point_and_only_officers_approve():
    team = build_team("Waste")
    with pytest.raises(PermissionDenied):
        services.approve_improvement(
            actor=UserFactory(username="m", roles=[Role.MEMBER]),
            team=team,
            quarter=Q1,
            title="x",
            points=Decimal("0.5"),
        )
    services.approve_improvement(
        actor=officer(), team=team, quarter=Q1, title="Online forms", points=Decimal("0.5")
    )
    services.approve_improvement(
        actor=officer(), team=team, quarter=Q1, title="Big one", points=Decimal("1.25")
    )
    row = selectors.live_table(Q1, today=AFTER_Q1).rows[0]
    assert row.improvements == Decimal("1.75")
    assert row.score == Decimal("13.75")
