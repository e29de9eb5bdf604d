"""Benchmarking and value-for-money calculations (SPEC §8): no database, dataclass literals."""

from __future__ import annotations

import statistics
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarking import calculations
from benchmarking.calculations import (
    EfficiencySaving,
    Position,
    SavingApproach,
    SavingsTotal,
    efficiency,
    efficiency_series,
    position_of,
    position_trend,
    quartile_counts,
    quartile_inc,
    savings_totals,
    suggested_targets,
)
from performance.core.calculations import Direction, Polarity

D = Decimal
HIGHER, LOWER, NONE = Polarity.HIGHER, Polarity.LOWER, Polarity.NONE


def ds(*values: str | int) -> list[Decimal]:
    return [D(str(v)) for v in values]


# --- QUARTILE.INC ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "excel"),
    [
        # =QUARTILE.INC({1,2,3,4}, q): positions 0.75, 1.5, 2.25
        (ds(1, 2, 3, 4), 1, D("1.75")),
        (ds(1, 2, 3, 4), 2, D("2.5")),
        (ds(1, 2, 3, 4), 3, D("3.25")),
        # =QUARTILE.INC({7,15,36,39,40,41}, q): positions 1.25, 2.5, 3.75
        (ds(7, 15, 36, 39, 40, 41), 1, D("20.25")),
        (ds(7, 15, 36, 39, 40, 41), 2, D("37.5")),
        (ds(7, 15, 36, 39, 40, 41), 3, D("39.75")),
        # Microsoft's QUARTILE.INC help page: {1,2,4,7,8,9,10,12}, q=1 -> 3.5
        (ds(1, 2, 4, 7, 8, 9, 10, 12), 1, D("3.5")),
        (ds(1, 2, 4, 7, 8, 9, 10, 12), 0, D(1)),
        (ds(1, 2, 4, 7, 8, 9, 10, 12), 4, D(12)),
    ],
)
def test_quartile_inc_matches_excel(values: list[Decimal], q: int, excel: Decimal) -> None:
    assert quartile_inc(values, q) == excel


def test_quartile_inc_of_one_value_is_that_value() -> None:
    assert [quartile_inc(ds("4.2"), q) for q in range(5)] == [D("4.2")] * 5


def test_quartile_inc_of_no_values_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        quartile_inc([], 2)


def test_quartile_inc_refuses_unsorted_values_and_other_quartiles() -> None:
    with pytest.raises(ValueError, match="ascending"):
        quartile_inc(ds(3, 1, 2), 2)
    with pytest.raises(ValueError, match="quartile must be"):
        quartile_inc(ds(1, 2), 5)


# --- ranks and quartiles, hand-worked -----------------------------------------------------------

# n = 15, sorted: 3 5 8 10 12 15 18 20 22 25 30 33 35 40 50 (0-based index 0..14)
# (n - 1) = 14: Q1 at 3.5 -> (10 + 12) / 2 = 11; median at 7 -> 20; Q3 at 10.5 -> (30 + 33) / 2 = 31.5
FIFTEEN = dict(
    zip(
        [f"E07{i:06d}" for i in range(15)],
        ds(25, 3, 50, 8, 10, 12, 15, 18, 20, 22, 5, 30, 33, 35, 40),
        strict=True,
    )
)
OURS_15 = "E07000000"  # the 25


def test_fifteen_higher_is_better_rank_and_quartile() -> None:
    # Better than 25: 30 33 35 40 50 -> rank 6. 25 < Q3 31.5 but >= median 20 -> quartile 2.
    position = position_of(FIFTEEN, OURS_15, HIGHER)
    assert (position.rank, position.of, position.quartile) == (6, 15, 2)
    assert (position.q1, position.median, position.q3) == (D(11), D(20), D("31.5"))
    assert position.gap_to_median == 0
    assert position.gap_to_top_quartile == D("6.5")  # 31.5 - 25
    assert position.missing == 0


def test_fifteen_lower_is_better_rank_and_quartile() -> None:
    # Better (lower) than 25: the nine values 3..22 -> rank 10. 25 > median 20, <= Q3 31.5 -> 3.
    position = position_of(FIFTEEN, OURS_15, LOWER)
    assert (position.rank, position.of, position.quartile) == (10, 15, 3)
    assert position.gap_to_median == D(5)  # 25 - 20
    assert position.gap_to_top_quartile == D(14)  # 25 - Q1 11


# Real data, n = 16. Source: /work/shared/data/benchmark_household_waste_recycling_rate_england.csv
# (Defra ENV18 via Trafford Data Lab), % household waste reused, recycled or composted, 2023/24,
# for Maidstone's 15 neighbours in /work/shared/data/cipfa_nearest_neighbours.csv (focus E07000110,
# Oflog NN.json list) plus Maidstone itself.
MAIDSTONE = "E07000110"
RECYCLING_2023_24 = {
    "E07000110": D("49.6"),  # Maidstone
    "E07000011": D("53.9"),  # Huntingdonshire
    "E07000067": D("48.9"),  # Braintree
    "E07000070": D("53.4"),  # Chelmsford
    "E07000071": D("54.0"),  # Colchester
    "E07000084": D("30.0"),  # Basingstoke and Deane
    "E07000093": D("38.1"),  # Test Valley
    "E07000099": D("56.9"),  # North Hertfordshire
    "E07000105": D("49.3"),  # Ashford
    "E07000115": D("48.2"),  # Tonbridge and Malling
    "E07000116": D("52.2"),  # Tunbridge Wells
    "E07000177": D("53.2"),  # Cherwell
    "E07000179": D("62.9"),  # South Oxfordshire
    "E07000228": D("42.3"),  # Mid Sussex
    "E07000242": D("44.7"),  # East Hertfordshire
    "E07000245": D("37.1"),  # West Suffolk
}


def test_maidstone_recycling_2023_24_among_its_nearest_neighbours() -> None:
    # Sorted (index: value): 0:30.0 1:37.1 2:38.1 3:42.3 4:44.7 5:48.2 6:48.9 7:49.3
    #                        8:49.6* 9:52.2 10:53.2 11:53.4 12:53.9 13:54.0 14:56.9 15:62.9
    # (n - 1) = 15: Q1 at 3.75  -> 42.3 + 0.75 x (44.7 - 42.3) = 44.1
    #               median 7.5  -> 49.3 + 0.5 x (49.6 - 49.3)  = 49.45
    #               Q3 at 11.25 -> 53.4 + 0.25 x (53.9 - 53.4) = 53.525
    # Higher better; seven are above 49.6 -> rank 8 of 16. 49.45 <= 49.6 < 53.525 -> quartile 2.
    position = position_of(RECYCLING_2023_24, MAIDSTONE, HIGHER)
    assert (position.value, position.rank, position.of, position.quartile) == (D("49.6"), 8, 16, 2)
    assert (position.q1, position.median, position.q3) == (D("44.1"), D("49.45"), D("53.525"))
    assert position.gap_to_median == 0
    assert position.gap_to_top_quartile == D("3.925")  # 53.525 - 49.6
    assert position.missing == 0


def test_maidstone_needs_more_than_todays_q3_to_reach_the_top_quartile() -> None:
    # Others sorted (15): 30.0 37.1 38.1 42.3 44.7 48.2 48.9 49.3 52.2 53.2 53.4 53.9 54.0 56.9 62.9
    # At v = 53.9 the 16 sorted hold 53.9 twice at indexes 11 and 12: Q3 = 53.9, reached;
    # at 53.525 (today's Q3) the new Q3 is 53.525 + 0.25 x (53.9 - 53.525) > 53.525, not reached.
    targets = suggested_targets(RECYCLING_2023_24, HIGHER, authority=MAIDSTONE)
    assert targets.median == D("49.3")
    assert targets.top_quartile == D("53.9")
    at_target = position_of({**RECYCLING_2023_24, MAIDSTONE: D("53.9")}, MAIDSTONE, HIGHER)
    assert at_target.quartile == 1
    at_todays_q3 = position_of({**RECYCLING_2023_24, MAIDSTONE: D("53.525")}, MAIDSTONE, HIGHER)
    assert at_todays_q3.quartile == 2


# Ties: 10, 20, 20, 30. (n - 1) = 3: Q1 at 0.75 -> 17.5; median at 1.5 -> 20; Q3 at 2.25 -> 22.5
TIES = {"a": D(10), "b": D(20), "c": D(20), "d": D(30)}


def test_equal_values_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ranks = {code: position_of(TIES, code, HIGHER).rank for code in TIES}
    assert ranks == {"d": 1, "b": 2, "c": 2, "a": 4}
    ranks = {code: position_of(TIES, code, LOWER).rank for code in TIES}
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_value_on_a_boundary_belongs_to_the_better_quartile() -> None:
    # 20 equals the median: quartile 2 for either polarity.
    assert position_of(TIES, "b", HIGHER).quartile == 2
    assert position_of(TIES, "b", LOWER).quartile == 2
    quartiles = {code: position_of(TIES, code, HIGHER).quartile for code in TIES}
    assert quartiles == {"d": 1, "b": 2, "c": 2, "a": 4}
    quartiles = {code: position_of(TIES, code, LOWER).quartile for code in TIES}
    assert quartiles == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_members_without_a_value_are_left_out_counted_and_listed() -> None:
    group = {**TIES, "f": None, "e": None}
    position = position_of(group, "a", LOWER)
    assert (position.rank, position.of, position.quartile) == (1, 4, 1)
    assert (position.q1, position.median, position.q3) == (D("17.5"), D(20), D("22.5"))
    assert position.missing == 2
    assert position.missing_authorities == ("e", "f")


def test_our_own_value_missing_still_gives_the_groups_boundaries() -> None:
    position = position_of({**TIES, "us": None}, "us", HIGHER)
    assert (position.value, position.rank, position.quartile) == (None, None, None)
    assert (position.of, position.missing, position.missing_authorities) == (4, 1, ("us",))
    assert (position.q1, position.median, position.q3) == (D("17.5"), D(20), D("22.5"))
    assert position.gap_to_median is None
    assert position.gap_to_top_quartile is None


def test_nobody_with_a_value_gives_no_boundaries() -> None:
    position = position_of({"us": None, "them": None}, "us", HIGHER)
    assert (position.of, position.missing, position.q1, position.median, position.q3) == (
        0,
        2,
        None,
        None,
        None,
    )


def test_group_of_one_is_top_of_itself() -> None:
    for polarity in (HIGHER, LOWER):
        position = position_of({"us": D(5)}, "us", polarity)
        assert (position.rank, position.of, position.quartile) == (1, 1, 1)
        assert position.q1 == position.median == position.q3 == D(5)
        assert position.gap_to_median == position.gap_to_top_quartile == 0


def test_group_of_two_puts_one_top_and_one_bottom() -> None:
    # 10, 20: Q1 at 0.25 -> 12.5; median at 0.5 -> 15; Q3 at 0.75 -> 17.5
    group = {"a": D(10), "b": D(20)}
    best, worst = position_of(group, "b", HIGHER), position_of(group, "a", HIGHER)
    assert (best.rank, best.quartile, worst.rank, worst.quartile) == (1, 1, 2, 4)
    assert (worst.gap_to_median, worst.gap_to_top_quartile) == (D(5), D("7.5"))
    best, worst = position_of(group, "a", LOWER), position_of(group, "b", LOWER)
    assert (best.rank, best.quartile, worst.rank, worst.quartile) == (1, 1, 2, 4)
    assert (worst.gap_to_median, worst.gap_to_top_quartile) == (D(5), D("7.5"))


def test_data_only_measure_is_ordered_by_size_but_not_judged() -> None:
    position = position_of(TIES, "d", NONE)
    assert (position.rank, position.quartile, position.judged) == (1, 1, False)
    assert position.gap_to_median is None
    assert position.gap_to_top_quartile is None
    assert position_of(TIES, "d", HIGHER).judged


def test_polarity_may_be_given_as_its_string() -> None:
    assert position_of(TIES, "a", "lower").rank == 1  # type: ignore[arg-type]


def test_authority_outside_the_group_is_an_error() -> None:
    with pytest.raises(ValueError, match="E07000110 is not in the group"):
        position_of(TIES, "E07000110", HIGHER)


def test_a_value_that_is_not_a_finite_decimal_is_an_error_naming_the_authority() -> None:
    with pytest.raises(ValueError, match="value for b"):
        position_of({"a": D(1), "b": D("NaN")}, "a", HIGHER)
    with pytest.raises(ValueError, match="value for b"):
        position_of({"a": D(1), "b": 2.5}, "a", HIGHER)  # type: ignore[dict-item]


# --- trend of our position ----------------------------------------------------------------------


def _at(value: str | None, others: list[str], polarity: Polarity = HIGHER) -> Position:
    group: dict[str, Decimal | None] = {f"o{i}": D(v) for i, v in enumerate(others)}
    group["us"] = None if value is None else D(value)
    return position_of(group, "us", polarity)


def test_moving_up_a_quartile_is_improving() -> None:
    # Others 10, 20, 30. At 15: 10 15 20 30, median 17.5 -> quartile 3. At 25: 10 20 25 30,
    # Q3 26.25, median 22.5 -> quartile 2.
    changes = position_trend(
        {"2023/24": _at("25", ["10", "20", "30"]), "2022/23": _at("15", ["10", "20", "30"])}
    )
    assert len(changes) == 1
    change = changes[0]
    assert (change.previous_period, change.period) == ("2022/23", "2023/24")
    assert (change.rank_change, change.quartile_change, change.direction) == (
        1,
        1,
        Direction.IMPROVING,
    )


def test_falling_rank_within_the_same_quartile_is_deteriorating() -> None:
    # Others 10 20 30 40 50 60 70 (n = 8, Q3 position 5.25). At 65: rank 2, Q3 61.25 -> 1.
    # At 75 the year before: rank 1, quartile 1.
    others = ["10", "20", "30", "40", "50", "60", "70"]
    (change,) = position_trend({"2022/23": _at("75", others), "2023/24": _at("65", others)})
    assert (change.rank_change, change.quartile_change, change.direction) == (
        -1,
        0,
        Direction.DETERIORATING,
    )


def test_same_rank_and_quartile_in_the_same_group_is_stable() -> None:
    others = ["10", "20", "30"]
    (change,) = position_trend({"2022/23": _at("25", others), "2023/24": _at("26", others)})
    assert change.direction is Direction.STABLE


def test_same_rank_in_a_larger_group_is_not_read_as_a_fall() -> None:
    # 10 20 30 40 50* 60 70 80: rank 4 of 8; median 45, Q3 at 5.25 -> 62.5 -> quartile 2.
    # Add a 15: rank 4 of 9; median at 4 -> 40, Q3 at 6 -> 60 -> quartile 2. Share ahead of us
    # falls from 3/8 to 3/9: better placed, though the rank is the same.
    before = _at("50", ["10", "20", "30", "40", "60", "70", "80"])
    after = _at("50", ["10", "15", "20", "30", "40", "60", "70", "80"])
    assert (before.rank, before.quartile, after.rank, after.quartile) == (4, 2, 4, 2)
    (change,) = position_trend({"2022/23": before, "2023/24": after})
    assert (change.rank_change, change.direction) == (0, Direction.IMPROVING)


def test_a_period_without_our_value_has_no_direction_either_side() -> None:
    others = ["10", "20", "30"]
    changes = position_trend(
        {"2021/22": _at("5", others), "2022/23": _at(None, others), "2023/24": _at("35", others)}
    )
    assert [c.direction for c in changes] == [Direction.NONE, Direction.NONE]


def test_one_period_has_no_changes() -> None:
    assert position_trend({"2023/24": _at("5", ["1"])}) == ()


def test_lower_is_better_trend_follows_polarity() -> None:
    others = ["10", "20", "30"]
    (change,) = position_trend(
        {"2022/23": _at("35", others, LOWER), "2023/24": _at("5", others, LOWER)}
    )
    assert change.direction is Direction.IMPROVING


# --- suggested targets --------------------------------------------------------------------------


def test_suggested_targets_account_for_our_own_value_moving_the_boundaries() -> None:
    # We are the 1 in {1, 2, 3, 4}: median 2.5 today, but at 2.5 the median is 2.75.
    # At 3: {2, 3, 3, 4}, median 3 -> reached. At 4: {2, 3, 4, 4}, Q3 at 2.25 -> 4 -> reached.
    group = {"us": D(1), "b": D(2), "c": D(3), "d": D(4)}
    targets = suggested_targets(group, HIGHER, authority="us")
    assert (targets.median, targets.top_quartile) == (D(3), D(4))


def test_suggested_targets_for_lower_is_better() -> None:
    # We are the 4 in {1, 2, 3, 4}. At 2: {1, 2, 2, 3}, median 2 -> reached.
    # At 1: {1, 1, 2, 3}, Q1 at 0.75 -> 1 -> reached.
    group = {"a": D(1), "b": D(2), "c": D(3), "us": D(4)}
    targets = suggested_targets(group, LOWER, authority="us")
    assert (targets.median, targets.top_quartile) == (D(2), D(1))


def test_suggested_targets_need_other_values() -> None:
    targets = suggested_targets({"us": D(3), "b": None}, HIGHER, authority="us")
    assert (targets.median, targets.top_quartile) == (None, None)


def test_data_only_measure_has_no_suggested_targets() -> None:
    with pytest.raises(ValueError, match="no targets"):
        suggested_targets(TIES, NONE, authority="a")


# --- the council across all measures ------------------------------------------------------------


def test_quartile_counts_across_measures_with_trends() -> None:
    others = ["10", "20", "30"]
    now = {
        "WAS 001": _at("35", others),  # quartile 1
        "WAS 002": _at("25", others),  # quartile 2
        "HOU 001": _at("5", others, LOWER),  # quartile 1
        "HOU 002": _at(None, others),  # no value
        "POP 001": _at("25", others, NONE),  # data only
        "NEW 001": _at("5", others),  # quartile 4, no previous
    }
    before = {
        "WAS 001": _at("25", others),  # improving
        "WAS 002": _at("25", others),  # stable
        "HOU 001": _at("35", others, LOWER),  # improving
        "HOU 002": _at("25", others),  # not compared: no value now
        "POP 001": _at("5", others, NONE),  # not compared: not judged
    }
    counts = quartile_counts(now, before)
    assert counts.by_quartile == (2, 1, 0, 1)
    assert (counts.no_value, counts.not_judged, counts.total) == (1, 1, 6)
    assert (counts.improving, counts.stable, counts.deteriorating, counts.not_compared) == (
        2,
        1,
        0,
        3,
    )


def test_quartile_counts_without_a_previous_period_compare_nothing() -> None:
    counts = quartile_counts({"WAS 001": _at("35", ["10"])})
    assert (counts.by_quartile, counts.not_compared) == ((1, 0, 0, 0), 1)


# --- value for money ----------------------------------------------------------------------------


def test_efficiency_is_output_over_input() -> None:
    assert efficiency(D(1200), D(480)) == D("2.5")


@pytest.mark.parametrize(("output", "input_"), [(D(10), D(0)), (None, D(4)), (D(10), None)])
def test_efficiency_is_none_without_an_input_or_a_value(
    output: Decimal | None, input_: Decimal | None
) -> None:
    assert efficiency(output, input_) is None


def test_efficiency_series_is_in_period_order_with_direction_of_travel() -> None:
    series = efficiency_series(
        {
            "2024/25": (D(120), D(60)),  # 2.0
            "2022/23": (D(100), D(50)),  # 2.0
            "2023/24": (D(120), D(50)),  # 2.4
            "2021/22": (None, D(10)),
        }
    )
    assert [p.period for p in series] == ["2021/22", "2022/23", "2023/24", "2024/25"]
    assert [p.efficiency for p in series] == [None, D(2), D("2.4"), D(2)]
    assert [p.direction for p in series] == [
        Direction.NONE,
        Direction.NONE,
        Direction.IMPROVING,
        Direction.DETERIORATING,
    ]


def test_efficiency_equal_at_the_shown_decimals_is_stable() -> None:
    periods = {"2023/24": (D(1), D(3)), "2024/25": (D(334), D(1000))}  # 0.3333… then 0.334
    assert efficiency_series(periods)[1].direction is Direction.IMPROVING
    assert efficiency_series(periods, decimals=2)[1].direction is Direction.STABLE


def test_savings_register_totals_by_year_approach_and_cashable() -> None:
    register = [
        EfficiencySaving("2024/25", SavingApproach.REDUCED_INPUTS, True, D("50000")),
        EfficiencySaving("2023/24", SavingApproach.INCREASED_OUTPUTS, False, D("12000.50")),
        EfficiencySaving("2024/25", SavingApproach.INVEST_TO_SAVE, True, D("30000")),
        EfficiencySaving("2024/25", SavingApproach.INVEST_TO_SAVE, False, D("8000")),
        EfficiencySaving("2024/25", SavingApproach.REDUCED_INPUTS, True, D("2500")),
    ]
    totals = savings_totals(register)
    assert totals.overall == SavingsTotal(cashable=D("82500"), non_cashable=D("20000.50"))
    assert totals.overall.total == D("102500.50")
    assert list(totals.by_year) == ["2023/24", "2024/25"]
    assert totals.by_year["2024/25"] == SavingsTotal(D("82500"), D("8000"))
    assert totals.by_approach[SavingApproach.REDUCED_INPUTS].total == D("52500")
    assert totals.by_approach[SavingApproach.INVEST_TO_SAVE] == SavingsTotal(D(30000), D(8000))
    assert totals.by_year_and_approach[("2023/24", SavingApproach.INCREASED_OUTPUTS)] == (
        SavingsTotal(D(0), D("12000.50"))
    )


def test_empty_savings_register_totals_zero_for_every_approach() -> None:
    totals = savings_totals([])
    assert totals.overall.total == 0
    assert totals.by_year == {}
    assert {a: t.total for a, t in totals.by_approach.items()} == dict.fromkeys(SavingApproach, 0)


# --- properties ---------------------------------------------------------------------------------

# One-decimal values, as benchmark data is published; None is a member without a value.
tenths = st.integers(min_value=-2000, max_value=2000).map(lambda i: D(i).scaleb(-1))
groups = st.lists(st.one_of(tenths, tenths, tenths, st.none()), min_size=1, max_size=25).map(
    lambda values: {f"E07{i:06d}": v for i, v in enumerate(values)}
)
judged = st.sampled_from([HIGHER, LOWER])


@settings(deadline=None)  # O(n²) positions per example: slow on a busy machine, not wrong
@given(groups, judged)
def test_a_better_rank_never_has_a_worse_quartile(
    group: dict[str, Decimal | None], polarity: Polarity
) -> None:
    ranked = [position_of(group, code, polarity) for code, v in group.items() if v is not None]
    for a in ranked:
        assert a.rank is not None
        assert a.quartile is not None
        assert 1 <= a.rank <= a.of
        assert 1 <= a.quartile <= 4
        for b in ranked:
            assert b.rank is not None
            assert b.quartile is not None
            if a.rank < b.rank:
                assert a.quartile <= b.quartile
            if a.rank == b.rank:
                assert a.quartile == b.quartile
    if ranked:
        assert min(ranked, key=lambda p: p.rank or 0).quartile == 1


@given(groups, judged)
def test_quartile_boundaries_are_ordered_and_within_the_values(
    group: dict[str, Decimal | None], polarity: Polarity
) -> None:
    present = [v for v in group.values() if v is not None]
    position = position_of(group, next(iter(group)), polarity)
    if not present:
        assert position.q1 is position.median is position.q3 is None
        return
    assert position.q1 is not None
    assert position.median is not None
    assert position.q3 is not None
    assert min(present) <= position.q1 <= position.median <= position.q3 <= max(present)
    assert position.of + position.missing == len(group)


@given(groups)
def test_reversing_polarity_mirrors_ranks(group: dict[str, Decimal | None]) -> None:
    for code, value in group.items():
        if value is None:
            continue
        higher, lower = position_of(group, code, HIGHER), position_of(group, code, LOWER)
        assert higher.rank is not None
        assert lower.rank is not None
        sharing = sum(1 for v in group.values() if v == value)  # ourselves included
        assert higher.rank + lower.rank == higher.of + 2 - sharing
        assert higher.rank + lower.rank <= higher.of + 1


@given(groups, judged, st.integers(min_value=1, max_value=5))
def test_members_without_values_never_change_anyone_elses_position(
    group: dict[str, Decimal | None], polarity: Polarity, extra: int
) -> None:
    widened = {**group, **{f"E09{i:06d}": None for i in range(extra)}}
    for code in group:
        before, after = position_of(group, code, polarity), position_of(widened, code, polarity)
        assert (before.rank, before.quartile, before.of) == (after.rank, after.quartile, after.of)
        assert (before.q1, before.median, before.q3) == (after.q1, after.median, after.q3)
        assert after.missing == before.missing + extra


@given(st.lists(tenths, min_size=2, max_size=40))
def test_quartile_inc_agrees_with_pythons_inclusive_quantiles(values: list[Decimal]) -> None:
    ordered = sorted(values)
    assert [quartile_inc(ordered, q) for q in (1, 2, 3)] == statistics.quantiles(
        ordered, n=4, method="inclusive"
    )


@given(st.lists(tenths, min_size=1, max_size=25), judged)
def test_suggested_targets_are_the_least_values_that_reach_the_boundaries(
    others: list[Decimal], polarity: Polarity
) -> None:
    group: dict[str, Decimal | None] = {f"o{i}": v for i, v in enumerate(others)}
    group["us"] = None
    targets = suggested_targets(group, polarity, authority="us")
    assert targets.median is not None
    assert targets.top_quartile is not None
    # A hundredth worse than the target: values are tenths, so nothing else sits between.
    worse = D("-0.01") if polarity is HIGHER else D("0.01")
    for target, reached in ((targets.median, 2), (targets.top_quartile, 1)):
        at = position_of({**group, "us": target}, "us", polarity)
        assert at.quartile is not None
        assert at.quartile <= reached
        short = position_of({**group, "us": target + worse}, "us", polarity)
        assert short.quartile is not None
        assert short.quartile > reached


def test_calculations_import_no_django() -> None:
    code = (
        "import sys, benchmarking.calculations; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, check=False)
    assert result.returncode == 0, "benchmarking.calculations imported Django"
    assert calculations.__name__ == "benchmarking.calculations"
