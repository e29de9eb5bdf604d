"""The six-feature dashboard checked against a hand-built data set (SPEC §9)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from dataquality import selectors, services
from dataquality.models import RejectedEntry
from performance.core import periods, spc, status
from performance.core.roles import Role
from performance.indicators import selectors as performance_selectors
from performance.models import AuditEvent, SpcChangePoint, Value
from tests.factories import TeamFactory, UserFactory
from tests.performance.collection.test_collection import make_indicator

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
    corrections = selectors.drill_down(
        board,
        "corrections",
        drafts_of=selectors.drafts_shown(council["officer"], board, "corrections"),
    )
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


# --- scope by team ids, SPC signals, caching -----------------------------------------------------


def test_team_ids_scope_the_board_without_a_user(council):
    alpha, beta = council["a"], council["b"]
    by_user = selectors.dashboard(user=council["officer"], period=Q1, today=TODAY)
    every = selectors.dashboard(period=Q1, today=TODAY)  # no user, no ids: every team
    assert [(r.label, r.expected, r.counts) for r in every.rows] == [
        (r.label, r.expected, r.counts) for r in by_user.rows
    ]
    only_beta = selectors.dashboard(team_ids=[beta.pk], period=Q1, today=TODAY)
    assert [r.label for r in only_beta.rows] == ["Beta"]
    assert only_beta.total.expected == 4
    assert {i.indicator.team_id for i in only_beta.items} == {beta.pk}
    assert selectors.dashboard(team_ids=[], period=Q1, today=TODAY).rows == []
    assert [
        r.label for r in selectors.dashboard(team_ids={alpha.pk}, period=Q1, today=TODAY).rows
    ] == ["Alpha"]


def _gamma_with_signals():
    """A monthly indicator whose two years of values give special causes (shifts, outliers)."""
    team = TeamFactory(name="Gamma")
    indicator = make_indicator("G1", team, frequency="monthly", aggregation="mean")
    month = periods.parse("2024-04")
    numbers = [50, 52] * 6 + [51, 50, 52, 51, 53, 50, 90, 91, 92, 30, 31, 52, 51, 50, 93]
    for number in numbers:
        value(indicator, str(month), "activated", activated=month.end, number=number)
        month = month.next()
    return team, indicator


def _signals_by_status(indicator, facts, period) -> dict:
    """The special causes the indicator's own status reads at each month of `period`."""
    data = performance_selectors.indicator_data([indicator.pk], until=period.end)
    expected = {}
    for each in period.sub_periods(periods.Frequency.MONTHLY):
        reading = status.status_for(
            facts, data[indicator.pk], each, window_closed=True, with_spc=True
        ).variation
        if reading in (spc.Variation.IMPROVING, spc.Variation.CONCERNING, spc.Variation.NEUTRAL):
            expected[str(each)] = reading
    return expected


def test_signals_are_those_of_the_status_of_each_period():
    """Each month's signal is the SPC reading of the series up to that month (as the
    indicator's status for the month reads it), rebased at a change point, not the reading of
    the month inside the whole history."""
    team, indicator = _gamma_with_signals()
    SpcChangePoint.objects.create(indicator=indicator, period="2026-02", note="New process")
    facts = performance_selectors.indicator_facts(indicator)
    for text in ("2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26"):
        period = periods.parse(text)
        board = selectors.dashboard(team_ids=[team.pk], period=period, today=dt.date(2026, 5, 1))
        expected = _signals_by_status(indicator, facts, period)
        got = {str(i.period): i.signal for i in board.items if i.signal is not None}
        assert got == expected
    assert len(expected) >= 3  # the year has signals to compare


def test_the_second_request_is_served_from_the_cache(council, django_assert_num_queries):
    first = selectors.dashboard(team_ids=[council["a"].pk, council["b"].pk], period=Q1, today=TODAY)
    with django_assert_num_queries(1):  # the generation tokens only
        second = selectors.dashboard(
            team_ids=[council["b"].pk, council["a"].pk], period=Q1, today=TODAY
        )
    assert second is first
    # Another scope, chosen team, period or day is another board.
    assert selectors.dashboard(team_ids=[council["a"].pk], period=Q1, today=TODAY) is not first
    assert (
        selectors.dashboard(
            team_ids=[council["a"].pk, council["b"].pk],
            period=Q1,
            today=TODAY,
            team_id=council["a"].pk,
        )
        is not first
    )
    later = selectors.dashboard(
        team_ids=[council["a"].pk, council["b"].pk], period=Q1, today=dt.date(2025, 8, 16)
    )
    assert later is not first


def test_changes_show_on_the_next_request(council):
    ind = council["ind"]
    scope = [council["a"].pk, council["b"].pk]

    def board():
        return selectors.dashboard(team_ids=scope, period=Q1, today=TODAY)

    before = board().total.counts.copy()
    assert board().total.counts == before  # cached, unchanged

    # A value activated late (after the window closed on 10 July).
    a3 = Value.objects.get(indicator=ind["A3"], period="2025/26 Q1")
    a3.status = "activated"
    a3.activated_at = at(dt.date(2025, 7, 20))
    a3.save()
    now = board().total
    assert (now.counts["late"], now.counts["unactivated"]) == (before["late"] + 1, 0)

    # An entry refused by validation, recorded in bulk.
    services.record_rejections(
        indicator=ind["A4"], period="2025/26 Q1", errors={"value": "Too big"}, channel="form"
    )
    assert board().total.counts["rejected"] == before["rejected"] + 1

    # A return by a data manager.
    event(Value.objects.get(indicator=ind["A5"], period="2025/26 Q1"), "return")
    assert board().total.counts["returned"] == before["returned"] + 1

    # A definition reviewed this year.
    ind["A4"].reviewed_on = dt.date(2025, 8, 1)
    ind["A4"].save()
    assert board().total.counts["not_reviewed"] == before["not_reviewed"] - 1


def test_queries_do_not_grow_with_the_indicators(council):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from performance.common import cache

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard(period=Q1, today=TODAY)
        return len(queries)

    small = count()
    team = TeamFactory(name="Delta")
    for n in range(8):
        indicator = make_indicator(f"D{n}", team, frequency="monthly", aggregation="mean")
        month = periods.parse("2024-04")
        for _ in range(15):
            row = value(indicator, str(month), "activated", activated=month.end, number=40 + n)
            month = month.next()
        event(row, "correct")
        rejected(indicator, "2025-05")
    assert count() == small <= 8


# --- directorates, the history read for SPC, unassigned indicators ------------------------------


def test_team_rows_add_up_per_directorate_and_to_the_total(council):
    other = TeamFactory(name="Gamma", directorate=council["a"].directorate)
    make_indicator("G1", other)
    board = selectors.dashboard(user=council["officer"], period=Q1, today=TODAY)
    assert [(g.row.label, [r.label for r in g.teams]) for g in board.groups] == sorted(
        [
            (council["a"].directorate.name, ["Alpha", "Gamma"]),
            (council["b"].directorate.name, ["Beta"]),
        ]
    )
    for group in board.groups:
        assert group.row.key == f"d{group.row.directorate.pk}"
        for key in ("missing", "late", "signals", "rejected", "returned", "not_reviewed"):
            assert group.row.counts[key] == sum(r.counts[key] for r in group.teams)
        assert group.row.expected == sum(r.expected for r in group.teams)
        assert group.row.day_total == sum(r.day_total for r in group.teams)
    alpha_side = board.find_row(f"d{council['a'].directorate.pk}")
    assert (alpha_side.expected, alpha_side.activated) == (6, 2)
    assert alpha_side.counts["not_reviewed"] == 4  # A3, A4, A5 and the new G1
    assert board.find_row(str(council["b"].pk)).label == "Beta"
    assert board.find_row("all") is None
    assert board.find_row("d0") is None
    assert board.group_of(str(other.pk)).row.key == alpha_side.key
    totals = [sum(g.row.counts[k] for g in board.groups) for k in selectors.MEASURE_KEYS]
    assert totals == [board.total.counts[k] for k in selectors.MEASURE_KEYS]
    # The records behind a directorate's number are those of its teams.
    missing = selectors.drill_down(board, "missing", alpha_side.key)
    assert sorted(r["indicator"].code for r in missing) == ["A4", "A5", "G1"]
    # By indicator there are no directorate rows.
    assert (
        selectors.dashboard(
            user=council["officer"], period=Q1, team_id=council["a"].pk, today=TODAY
        ).groups
        == []
    )


def test_an_unassigned_indicator_counts_in_a_row_of_its_own():
    team = TeamFactory(name="Owned")
    make_indicator("OWN1", team)
    make_indicator("NONE1", None)
    board = selectors.dashboard(period=Q1, today=TODAY)  # every indicator, no scope
    assert [r.label for r in board.rows] == ["Owned", "Unassigned"]
    assert [g.row.label for g in board.groups][-1] == "Unassigned"
    assert board.total.expected == 2
    assert [r["indicator"].code for r in selectors.drill_down(board, "missing", "None")] == [
        "NONE1"
    ]


def test_signals_read_only_the_series_at_the_indicators_own_frequency():
    """Values kept at another frequency (the indicator was quarterly once) and change points
    are read as `status` reads them, whatever their place in the history."""
    team = TeamFactory(name="Delta")
    indicator = make_indicator("DM1", team, frequency="monthly", aggregation="mean")
    month = periods.parse("2024-04")
    numbers = [50, 52] * 7 + [51, 50, 60, 61, 62, 63, 64, 65, 66, 90, 91, 40]
    for number in numbers:
        value(indicator, str(month), "activated", activated=month.end, number=number)
        month = month.next()
    quarter = periods.parse("2024/25 Q1")
    for number in (5, 500, 7, 800):  # quarterly values of the same indicator: not its series
        value(indicator, str(quarter), "activated", activated=quarter.end, number=number)
        quarter = quarter.next()
    SpcChangePoint.objects.create(indicator=indicator, period="2024-05", note="New way")
    SpcChangePoint.objects.create(indicator=indicator, period="2024/25 Q3", note="Not monthly")
    facts = performance_selectors.indicator_facts(indicator)
    seen = set()
    for text in ("2025/26", "2025/26 Q3", "2026/27 Q1", "2026-05"):
        period = periods.parse(text)
        board = selectors.dashboard(team_ids=[team.pk], period=period, today=dt.date(2026, 9, 1))
        expected = _signals_by_status(indicator, facts, period)
        got = {str(i.period): i.signal for i in board.items if i.signal is not None}
        assert got == expected
        seen |= set(got.values())
    assert seen == {spc.Variation.IMPROVING, spc.Variation.CONCERNING}  # both compared


def test_queries_do_not_grow_with_the_teams_and_directorates(council):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from performance.common import cache

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard(period=Q1, today=TODAY)
        return len(queries)

    small = count()
    for n in range(6):
        team = TeamFactory(name=f"More {n}")  # a directorate each
        row = value(make_indicator(f"M{n}", team), "2025/26 Q1", "activated", activated=TODAY)
        event(row, "return")
    assert count() == small <= 8


def test_a_year_to_date_indicator_counts_no_signals():
    """The same series that gives signals above gives none once the indicator is marked year to
    date: its climb and April drop are the figure's nature, not special causes."""
    team, indicator = _gamma_with_signals()
    period = periods.parse("2025/26")
    today = dt.date(2026, 5, 1)
    before = selectors.dashboard(team_ids=[team.pk], period=period, today=today)
    assert [i for i in before.items if i.signal is not None]
    indicator.year_to_date = True
    indicator.save()
    after = selectors.dashboard(team_ids=[team.pk], period=period, today=today)
    assert [i for i in after.items if i.signal is not None] == []
    assert after.total.counts["signals"] == 0
