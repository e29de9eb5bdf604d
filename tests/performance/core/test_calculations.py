"""Status rules of SPEC §4: shortfall, level, direction, aggregation, SMART. No database."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.core.calculations import (
    LEVEL_POINTS,
    Aggregation,
    Direction,
    Level,
    Observation,
    Polarity,
    Reading,
    SmartPart,
    SmartRecord,
    aggregate,
    direction_of_travel,
    level_of,
    round_to,
    shortfall_pct,
    smart_gaps,
    status_code,
)

D = Decimal
HIGHER, LOWER, NONE = Polarity.HIGHER, Polarity.LOWER, Polarity.NONE


def reading(actual, target, polarity=HIGHER, decimals=2, tolerance=None):
    extra = {} if tolerance is None else {"tolerance": D(tolerance)}
    return Reading(
        actual=None if actual is None else D(actual),
        target=None if target is None else D(target),
        polarity=polarity,
        decimals=decimals,
        **extra,
    )


def test_calculation_modules_do_not_import_django():
    code = (
        "import sys; import performance.core.calculations, performance.core.periods, performance.core.spc; "
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- SPEC §13 worked examples -----------------------------------------------------------------


def test_worked_example_95_higher_actual_90_is_firstbase_with_526_percent():
    r = reading("90", "95", HIGHER, decimals=0)
    assert shortfall_pct(r).quantize(D("0.01")) == D("5.26")
    assert level_of(r) is Level.FIRSTBASE
    assert level_of(r).points == D(1)


def test_worked_example_10_days_lower_actual_11_5_is_basecamp_with_15_percent():
    r = reading("11.5", "10", LOWER, decimals=1)
    assert shortfall_pct(r) == D(15)
    assert level_of(r) is Level.BASECAMP
    assert level_of(r).points == D(0)


def test_worked_example_10_days_lower_actual_10_is_summit():
    r = reading("10", "10", LOWER, decimals=1)
    assert shortfall_pct(r) == 0
    assert level_of(r) is Level.SUMMIT
    assert level_of(r).points == D(3)


def test_existing_level_points_and_colours_are_kept():
    assert {
        Level.SUMMIT: D(3),
        Level.FIRSTBASE: D(1),
        Level.BASECAMP: D(0),
        Level.NO_DATA: D("-0.25"),
    } == LEVEL_POINTS
    assert [lv.rag for lv in Level] == ["green", "amber", "red", "no_data"]


# --- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        ("94.95", 1, "95.0"),
        ("94.949", 1, "94.9"),
        ("2.5", 0, "3"),
        ("-2.5", 0, "-3"),
        ("0.125", 2, "0.13"),
        ("-0.004", 2, "0.00"),
        ("7", 2, "7.00"),
        ("1E+40", 1, "1" + "0" * 40 + ".0"),
    ],
)
def test_round_to_rounds_halves_away_from_zero(value, decimals, expected):
    result = round_to(D(value), decimals)
    assert str(result) == expected


def test_round_to_refuses_negative_decimals_and_non_finite_values():
    with pytest.raises(ValueError, match="decimals"):
        round_to(D(1), -1)
    with pytest.raises(ValueError, match="finite"):
        round_to(D("NaN"), 1)


# --- shortfall --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "expected"),
    [
        ("80", "100", HIGHER, "20"),
        ("120", "100", HIGHER, "-20"),
        ("120", "100", LOWER, "20"),
        ("80", "100", LOWER, "-20"),
        ("-12", "-10", HIGHER, "20"),  # |target| in the denominator
        ("-8", "-10", LOWER, "20"),
    ],
)
def test_shortfall_follows_the_spec_formula_by_polarity(actual, target, polarity, expected):
    assert shortfall_pct(reading(actual, target, polarity)) == D(expected)


@pytest.mark.parametrize(
    "r",
    [
        reading(None, "10"),
        reading("10", None),
        reading("10", "10", NONE),
        reading("1", "0"),
        reading("1", "0.004", decimals=2),  # the target rounds to 0
    ],
    ids=["no actual", "no target", "polarity none", "zero target", "target rounds to zero"],
)
def test_shortfall_is_none_when_it_cannot_be_judged(r):
    assert shortfall_pct(r) is None


def test_shortfall_uses_rounded_values():
    # 94.96 rounds to 95.0 at one decimal: no shortfall at all.
    assert shortfall_pct(reading("94.96", "95", HIGHER, decimals=1)) == 0
    assert shortfall_pct(reading("94.96", "95", HIGHER, decimals=2)) > 0


# --- level at every boundary ------------------------------------------------------------------

# target 100 with 2 decimals: a shortfall of x% is actual 100 - x (higher) or 100 + x (lower).
BOUNDARIES = [
    ("-0.01", Level.SUMMIT),  # better than target
    ("0", Level.SUMMIT),  # on target
    ("0.01", Level.FIRSTBASE),  # just worse than target
    ("9.99", Level.FIRSTBASE),  # just inside the tolerance
    ("10", Level.BASECAMP),  # at the tolerance
    ("10.01", Level.BASECAMP),  # beyond it
]


@pytest.mark.parametrize(("shortfall", "level"), BOUNDARIES)
def test_level_boundaries_when_higher_is_better(shortfall, level):
    r = reading(D(100) - D(shortfall), "100", HIGHER)
    assert shortfall_pct(r) == D(shortfall)
    assert level_of(r) is level


@pytest.mark.parametrize(("shortfall", "level"), BOUNDARIES)
def test_level_boundaries_when_lower_is_better(shortfall, level):
    r = reading(D(100) + D(shortfall), "100", LOWER)
    assert shortfall_pct(r) == D(shortfall)
    assert level_of(r) is level


@pytest.mark.parametrize(
    ("shortfall", "level"),
    [
        ("0", Level.SUMMIT),
        ("0.01", Level.FIRSTBASE),
        ("4.99", Level.FIRSTBASE),
        ("5", Level.BASECAMP),
    ],
)
@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_custom_tolerance_moves_the_basecamp_boundary(shortfall, level, polarity):
    sign = -1 if polarity is HIGHER else 1
    r = reading(D(100) + sign * D(shortfall), "100", polarity, tolerance="5")
    assert level_of(r) is level


def test_zero_tolerance_leaves_no_firstbase():
    assert level_of(reading("99.99", "100", tolerance="0")) is Level.BASECAMP
    assert level_of(reading("100", "100", tolerance="0")) is Level.SUMMIT


def test_tolerance_boundary_is_exact_for_thirds():
    # 0.3 short of 3 is exactly 10%: Basecamp, never a rounding-error Firstbase.
    assert level_of(reading("2.7", "3", HIGHER, decimals=1)) is Level.BASECAMP
    assert level_of(reading("33.34", "30.31", LOWER, decimals=2)) is Level.FIRSTBASE


@pytest.mark.parametrize(
    ("actual", "polarity", "level"),
    [
        ("0", HIGHER, Level.SUMMIT),
        ("1", HIGHER, Level.SUMMIT),
        ("-1", HIGHER, Level.BASECAMP),
        ("-0.01", HIGHER, Level.BASECAMP),
        ("0", LOWER, Level.SUMMIT),
        ("-1", LOWER, Level.SUMMIT),
        ("0.01", LOWER, Level.BASECAMP),
        ("5", LOWER, Level.BASECAMP),
    ],
)
def test_zero_target_is_summit_when_met_and_basecamp_otherwise(actual, polarity, level):
    assert level_of(reading(actual, "0", polarity)) is level


def test_zero_target_compares_rounded_values():
    assert level_of(reading("0.004", "0", LOWER, decimals=2)) is Level.SUMMIT
    assert level_of(reading("0.005", "0", LOWER, decimals=2)) is Level.BASECAMP


@pytest.mark.parametrize(
    ("actual", "target", "polarity", "decimals", "level"),
    [
        ("90.05", "100", HIGHER, 1, Level.FIRSTBASE),  # 90.1: 9.9% short
        ("90.05", "100", HIGHER, 0, Level.BASECAMP),  # 90: 10% short
        ("90.049", "100", HIGHER, 1, Level.BASECAMP),  # 90.0
        ("90.049", "100", HIGHER, 2, Level.FIRSTBASE),  # 90.05
        ("99.95", "100", HIGHER, 1, Level.SUMMIT),  # 100.0
        ("99.95", "100", HIGHER, 2, Level.FIRSTBASE),
        ("10.04", "10", LOWER, 1, Level.SUMMIT),  # 10.0
        ("10.04", "10", LOWER, 2, Level.FIRSTBASE),
        ("10.95", "10", LOWER, 1, Level.BASECAMP),  # 11.0: 10% over
        ("10.95", "10", LOWER, 2, Level.FIRSTBASE),
        ("95", "94.96", HIGHER, 1, Level.SUMMIT),  # the target is rounded too
    ],
)
def test_rounding_to_the_indicators_decimals_can_change_the_level(
    actual, target, polarity, decimals, level
):
    assert level_of(reading(actual, target, polarity, decimals=decimals)) is level


def test_polarity_none_gets_no_level_even_after_the_window():
    assert level_of(reading("5", "10", NONE)) is None
    assert level_of(reading(None, "10", NONE), window_closed=True) is None


def test_no_target_gets_no_level():
    assert level_of(reading("5", None)) is None
    assert level_of(reading(None, None), window_closed=True) is None


def test_missing_value_is_no_data_only_when_the_window_has_closed():
    assert level_of(reading(None, "10")) is None
    assert level_of(reading(None, "10"), window_closed=True) is Level.NO_DATA
    assert level_of(reading("10", "10"), window_closed=True) is Level.SUMMIT


def test_status_code_is_the_indicator_status_cell():
    assert status_code(Level.FIRSTBASE) == "amber"
    assert status_code(Level.NO_DATA) == "no_data"
    assert status_code(None) == "none"


def test_reading_refuses_nonsense():
    with pytest.raises(ValueError, match="decimals"):
        reading("1", "1", decimals=-1)
    with pytest.raises(ValueError, match="tolerance"):
        reading("1", "1", tolerance="-1")
    with pytest.raises(ValueError, match="finite"):
        Reading(actual=D("Infinity"), target=D(1), polarity=HIGHER, decimals=0)
    with pytest.raises(ValueError, match="finite"):
        Reading(actual=1.5, target=D(1), polarity=HIGHER, decimals=0)  # type: ignore[arg-type]


def test_reading_accepts_polarity_as_text():
    assert Reading(D(1), D(1), "lower", 0).polarity is LOWER  # type: ignore[arg-type]


LEVEL_RANK = {Level.BASECAMP: 0, Level.FIRSTBASE: 1, Level.SUMMIT: 2}
values = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False)


@given(
    target=values,
    worse=values,
    better=values,
    polarity=st.sampled_from([HIGHER, LOWER]),
    decimals=st.integers(0, 3),
    tolerance=st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_better_actual_never_gets_a_worse_level(
    target, worse, better, polarity, decimals, tolerance
):
    if (better < worse) == (polarity is HIGHER):
        worse, better = better, worse
    level_worse = level_of(Reading(worse, target, polarity, decimals, tolerance))
    level_better = level_of(Reading(better, target, polarity, decimals, tolerance))
    assert LEVEL_RANK[level_better] >= LEVEL_RANK[level_worse]


@given(target=values, actual=values, polarity=st.sampled_from([HIGHER, LOWER]))
def test_level_agrees_with_the_shortfall(target, actual, polarity):
    r = Reading(actual, target, polarity, 3)
    shortfall = shortfall_pct(r)
    level = level_of(r)
    if shortfall is None:
        assert round_to(target, 3) == 0
    elif shortfall <= 0:
        assert level is Level.SUMMIT
    elif level is Level.FIRSTBASE:
        assert shortfall <= 10
    else:
        assert level is Level.BASECAMP
        assert shortfall >= 10


# --- direction of travel ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "direction"),
    [
        ("91", "90", HIGHER, Direction.IMPROVING),
        ("89", "90", HIGHER, Direction.DETERIORATING),
        ("9", "10", LOWER, Direction.IMPROVING),
        ("11", "10", LOWER, Direction.DETERIORATING),
        ("90", "90", HIGHER, Direction.STABLE),
        ("90", "90", LOWER, Direction.STABLE),
    ],
)
def test_direction_is_judged_by_polarity(current, previous, polarity, direction):
    assert direction_of_travel(D(current), D(previous), polarity, 0) is direction


def test_direction_is_stable_when_equal_at_the_indicators_decimals():
    assert direction_of_travel(D("90.04"), D("89.96"), HIGHER, 1) is Direction.STABLE
    assert direction_of_travel(D("90.04"), D("89.96"), HIGHER, 2) is Direction.IMPROVING


@pytest.mark.parametrize(
    ("current", "previous", "polarity"),
    [(None, D(1), HIGHER), (D(1), None, LOWER), (None, None, HIGHER), (D(2), D(1), NONE)],
)
def test_direction_is_none_without_both_values_or_a_polarity(current, previous, polarity):
    assert direction_of_travel(current, previous, polarity, 0) is Direction.NONE


def test_direction_values_are_the_export_words():
    assert [d.value for d in Direction] == ["improving", "deteriorating", "stable", "none"]
    assert Direction.IMPROVING.label == "Improving"


# --- aggregation ------------------------------------------------------------------------------

MONTHLY = [D(v) for v in ["10", "12", "11", "9", "14", "13", "8", "10", "15", "12", "11", "13"]]
QUARTERLY = [D("25.5"), D("30"), D("27.25"), D("31")]


def obs(values):
    return [Observation(value=v) for v in values]


def test_sum_of_a_year_of_months_and_of_quarters_is_cumulative():
    assert aggregate(obs(MONTHLY), Aggregation.SUM) == D(138)
    assert aggregate(obs(QUARTERLY), Aggregation.SUM) == D("113.75")


def test_last_of_a_year_is_the_final_sub_period():
    assert aggregate(obs(MONTHLY), Aggregation.LAST) == D(13)
    assert aggregate(obs(QUARTERLY), Aggregation.LAST) == D(31)


def test_mean_of_a_year_is_the_arithmetic_mean():
    assert aggregate(obs(MONTHLY), Aggregation.MEAN) == D("11.5")
    assert aggregate(obs(QUARTERLY), Aggregation.MEAN) == D("28.4375")
    assert aggregate(obs([D(1), D(1), D(2)]), Aggregation.MEAN).quantize(D("0.0001")) == D("1.3333")


def test_ratio_is_sum_of_numerators_over_sum_of_denominators_as_a_percentage():
    months = [Observation(numerator=D(n), denominator=D(100)) for n in range(80, 92)]
    assert aggregate(months, Aggregation.RATIO) == D("85.5")  # 1026 / 1200 * 100
    quarters = [
        Observation(numerator=D(90), denominator=D(100)),
        Observation(numerator=D(10), denominator=D(50)),
        Observation(numerator=D(45), denominator=D(50)),
        Observation(numerator=D(5), denominator=D(100)),
    ]
    # Not the mean of the quarter percentages (52.5): the big quarters weigh more.
    assert aggregate(quarters, Aggregation.RATIO) == D(50)
    assert aggregate(quarters, Aggregation.RATIO, scale=D(1)) == D("0.5")


def test_ratio_with_zero_denominators_is_none():
    zero = [Observation(numerator=D(0), denominator=D(0))] * 3
    assert aggregate(zero, Aggregation.RATIO) is None


@pytest.mark.parametrize("rule", [Aggregation.SUM, Aggregation.MEAN])
def test_a_missing_month_leaves_sum_and_mean_empty_unless_partial_is_allowed(rule):
    months = [*obs(MONTHLY[:5]), None, *obs(MONTHLY[6:])]
    assert aggregate(months, rule) is None
    expected = {Aggregation.SUM: D(125), Aggregation.MEAN: D(125) / 11}
    assert aggregate(months, rule, allow_partial=True) == expected[rule]


def test_an_observation_without_a_value_counts_as_missing():
    assert aggregate([Observation(value=D(1)), Observation()], Aggregation.SUM) is None


def test_a_missing_quarter_leaves_ratio_empty_unless_partial_is_allowed():
    quarters = [
        Observation(numerator=D(9), denominator=D(10)),
        Observation(numerator=D(8)),  # no denominator: missing
        Observation(numerator=D(7), denominator=D(10)),
    ]
    assert aggregate(quarters, Aggregation.RATIO) is None
    assert aggregate(quarters, Aggregation.RATIO, allow_partial=True) == D(80)


def test_expected_count_treats_absent_trailing_sub_periods_as_missing():
    year_to_date = obs(MONTHLY[:3])
    assert aggregate(year_to_date, Aggregation.SUM, expected=12) is None
    assert aggregate(year_to_date, Aggregation.SUM, expected=12, allow_partial=True) == D(33)
    assert aggregate(year_to_date, Aggregation.SUM, expected=3) == D(33)
    with pytest.raises(ValueError, match="4 sub-period values given for 3"):
        aggregate(obs(QUARTERLY), Aggregation.SUM, expected=3)


def test_last_needs_the_final_sub_period_unless_partial_is_allowed():
    quarters = [*obs(QUARTERLY[:3]), None]
    assert aggregate(quarters, Aggregation.LAST) is None
    assert aggregate(quarters, Aggregation.LAST, allow_partial=True) == D("27.25")
    assert aggregate(obs(QUARTERLY[:2]), Aggregation.LAST, expected=4) is None
    # An earlier gap does not matter to a snapshot.
    assert aggregate([None, *obs(QUARTERLY[1:])], Aggregation.LAST) == D(31)


@pytest.mark.parametrize("rule", list(Aggregation))
def test_nothing_present_aggregates_to_none(rule):
    assert aggregate([], rule) is None
    assert aggregate([None, None], rule, allow_partial=True) is None


def test_aggregation_accepts_the_rule_as_text():
    assert aggregate(obs(QUARTERLY), "sum") == D("113.75")  # type: ignore[arg-type]
    assert [a.value for a in Aggregation] == ["sum", "last", "mean", "ratio"]


# --- SMART ------------------------------------------------------------------------------------

SMART = SmartRecord(
    linked_to="Outcome 2.1: cleaner streets",
    unit="percent",
    value=D(95),
    baseline=D(90),
    realistic=True,
    period="2024/25",
)


def test_a_complete_target_has_no_smart_gaps():
    assert smart_gaps(SMART) == []


def test_an_empty_record_lacks_every_part_in_order():
    assert smart_gaps(SmartRecord()) == [
        "Specific",
        "Measurable",
        "Achievable",
        "Realistic",
        "Timescaled",
    ]


def test_each_missing_part_is_named():
    from dataclasses import replace

    assert smart_gaps(replace(SMART, linked_to="  ")) == [SmartPart.SPECIFIC]
    assert smart_gaps(replace(SMART, unit=None)) == [SmartPart.MEASURABLE]
    assert smart_gaps(replace(SMART, value=None)) == [SmartPart.MEASURABLE]
    assert smart_gaps(replace(SMART, baseline=None)) == [SmartPart.ACHIEVABLE]
    assert smart_gaps(replace(SMART, realistic=False)) == [SmartPart.REALISTIC]
    assert smart_gaps(replace(SMART, period=None)) == [SmartPart.TIMESCALED]


def test_any_one_piece_of_evidence_makes_a_target_achievable():
    from dataclasses import replace

    bare = replace(SMART, baseline=None)
    assert smart_gaps(replace(bare, trend_evidence=True)) == []
    assert smart_gaps(replace(bare, benchmark_quartile=2)) == []


def test_a_realism_note_or_a_date_stand_in_for_the_tick_and_the_period():
    from dataclasses import replace

    assert smart_gaps(replace(SMART, realistic=False, realism_note="Staffing agreed")) == []
    assert smart_gaps(replace(SMART, period=None, due_date=date(2026, 3, 31))) == []


def test_smart_parts_explain_what_is_needed():
    assert "objective or outcome" in SmartPart.SPECIFIC.hint
