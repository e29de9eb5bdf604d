"""The six-feature dashboard checked against a hand-built data set (SPEC §9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from dataquality import selectors
from dataquality.models import RejectedEntry
from performance import periods
from performance.models import AuditEvent, Value
from performance.roles import Role
from tests.factories import TeamFactory, UserFactory
from tests.performance.test_collection import make_indicator

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 8, 15)
Q1 = periods.parse("2025/26 Q1")  # requested 1 July 2025, window closes 10 July


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def value(indicator, period: str, state: str, *, activated: dt.date | None = None, number=50):
    return Value.objects.create(
        indicator=indicator,
        period=period,
        period_start=periods.parse(period).start,
        value=Decimal(number),
        status=state,
        activated_at=at(activated) if activated else None,
    )


def event(row: Value, action: str, reason: str = "Check it"):
    AuditEvent.objects.create(
        action=action,
        actor_name="manager",
        content_type=ContentType.objects.get_for_model(Value),
        object_id=str(row.pk),
        object_repr=str(row),
        reason=reason,
    )


def rejected(indicator, period: str, n: int = 1):
    for _ in range(n):
        RejectedEntry.objects.create(
            indicator=indicator,
            period=period,
            period_start=periods.parse(period).start,
            channel="form",
            field="value",
            rule="percent_range",
            message="Bad",
        )


@pytest.fixture
def council():
    a, b = TeamFactory(name="Alpha"), TeamFactory(name="Beta")
    ind = {}
    for code, reviewed in [
        ("A1", dt.date(2025, 5, 1)),
        ("A2", dt.date(2025, 4, 1)),
        ("A3", dt.date(2025, 3, 31)),
        ("A4", None),
        ("A5", None),
    ]:
        ind[code] = make_indicator(code, a, reviewed_on=reviewed)
    ind["B1"] = make_indicator("B1", b, frequency="monthly", aggregation="mean")
    ind["S1"] = make_indicator("S1", b, reviewed_on=dt.date(2025, 6, 1))
    make_indicator("OLD", a, active=False)  # inactive: not requested, not counted

    a1 = value(ind["A1"], "2025/26 Q1", "activated", activated=dt.date(2025, 7, 5))
    event(a1, "return")  # returned once before it was activated
    a2 = value(ind["A2"], "2025/26 Q1", "activated", activated=dt.date(2025, 7, 15))
    event(a2, "correct", "Wrong month's figure")
    value(ind["A3"], "2025/26 Q1", "submitted")
    rejected(ind["A3"], "2025/26 Q1", 2)
    value(ind["A5"], "2025/26 Q1", "draft")

    value(ind["B1"], "2025-04", "activated", activated=dt.date(2025, 5, 3))
    value(ind["B1"], "2025-05", "no_data")
    rejected(ind["B1"], "2025-05")
    b1_june = value(ind["B1"], "2025-06", "returned")
    event(b1_june, "return")
    rejected(ind["B1"], "2024-05")  # another period: not counted

    quarter = periods.parse("2022/23 Q1")
    for n in range(12):
        value(ind["S1"], str(quarter), "activated", activated=quarter.end, number=50 + n % 2)
        quarter = quarter.next()
    value(ind["S1"], "2025/26 Q1", "activated", activated=dt.date(2025, 7, 8), number=90)
    officer = UserFactory(roles=[Role.PERFORMANCE_OFFICER])
    return {"officer": officer, "a": a, "b": b, "ind": ind}


def counts(row):
    return dict(row.cells())


def test_numbers_by_team_match_the_hand_count(council):
    board = selectors.dashboard(user=council["officer"], period=Q1, today=TODAY)
    alpha, beta = board.rows
    assert (alpha.label, alpha.expected, alpha.activated) == ("Alpha", 5, 2)
    assert counts(alpha) == {
        "missing": 2,
        "late": 1,
        "unactivated": 1,
        "days": Decimal("9.0"),
        "rejected": 2,
        "signals": 0,
        "corrections": 1,
        "returned": 1,
        "not_reviewed": 3,
    }
    assert (beta.label, beta.expected, beta.activated) == ("Beta", 4, 2)
    assert counts(beta) == {
        "missing": 2,
        "late": 0,
        "unactivated": 0,
        "days": Decimal("4.5"),
        "rejected": 1,
        "signals": 1,
        "corrections": 0,
        "returned": 1,
        "not_reviewed": 1,
    }
    total = board.total
    assert (total.expected, total.activated, total.completeness) == (9, 4, Decimal("44.4"))
    assert counts(total)["days"] == Decimal("6.8")  # (4 + 14 + 2 + 7) / 4 = 6.75, half up


def test_drill_down_lists_the_records_behind_each_number(council):
    board = selectors.dashboard(user=council["officer"], period=Q1, today=TODAY)
    alpha = str(council["a"].pk)
    missing = selectors.drill_down(board, "missing", alpha)
    assert [(r["indicator"].code, r["period"]) for r in missing] == [
        ("A4", "2025/26 Q1"),
        ("A5", "2025/26 Q1"),
    ]
    late = selectors.drill_down(board, "late", alpha)
    assert [r["indicator"].code for r in late] == ["A2"]
    assert "15 Jul 2025" in late[0]["detail"]
    assert [r["indicator"].code for r in selectors.drill_down(board, "signals")] == ["S1"]
    corrections = selectors.drill_down(board, "corrections")
    assert corrections[0]["detail"] == "manager: Wrong month's figure"
    assert len(selectors.drill_down(board, "rejected")) == 3
    assert sorted(r["indicator"].code for r in selectors.drill_down(board, "not_reviewed")) == [
        "A3",
        "A4",
        "A5",
        "B1",
    ]


def test_a_team_filter_gives_rows_per_indicator(council):
    board = selectors.dashboard(
        user=council["officer"], period=Q1, team_id=council["b"].pk, today=TODAY
    )
    assert board.by == "indicator"
    assert [(r.label, r.expected) for r in board.rows] == [
        ("B1 Indicator B1", 3),
        ("S1 Indicator S1", 1),
    ]


def test_only_periods_already_requested_are_expected(council):
    board = selectors.dashboard(
        user=council["officer"], period=periods.parse("2025/26 Q2"), today=TODAY
    )
    # Only July's monthly B1 has been requested (1 August; closed 10 August): missing.
    assert [(i.indicator.code, str(i.period)) for i in board.items] == [("B1", "2025-07")]
    assert (board.total.expected, board.total.counts["missing"]) == (1, 1)
    assert board.total.counts["not_reviewed"] == 4  # relevance does not depend on the period


def test_people_see_only_their_teams(council):
    enterer = UserFactory(roles=[Role.DATA_ENTERER], teams=[council["a"]])
    board = selectors.dashboard(user=enterer, period=Q1, today=TODAY)
    assert [r.label for r in board.rows] == ["Alpha"]
