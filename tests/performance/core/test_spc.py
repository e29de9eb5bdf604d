"""XmR statistical process control (SPEC §4) on hand-built series. No database."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.core.calculations import Polarity
from performance.core.spc import (
    Assurance,
    SpcInput,
    SpcResult,
    Variation,
    analyse,
    latest_variations,
)

D = Decimal
HIGHER, LOWER, NONE = Polarity.HIGHER, Polarity.LOWER, Polarity.NONE


def spc(values, polarity=HIGHER, **options) -> SpcResult:
    return analyse(SpcInput([D(str(v)) for v in values], polarity, **options))


def flagged(result: SpcResult, rule: int) -> list[int]:
    return [p.index for p in result.points if rule in p.rules]


def special(result: SpcResult) -> list[int]:
    return [p.index for p in result.points if p.special_cause]


# Calm baselines: alternating values never make a shift, a trend or a near-limit signal.
CALM = [20, 0] * 6  # ends below the mean (index 11 is 0)
CALM_UP = [0, 20] * 6  # ends above the mean (index 11 is 20)
STEADY = [9, 11] * 15  # 30 points, small moving ranges


# --- limits -----------------------------------------------------------------------------------


def test_limits_are_mean_plus_or_minus_266_mean_moving_ranges():
    result = spc([10, 12] * 6)
    assert result.mean == D(11)
    assert result.mean_moving_range == D(2)
    assert result.upper_limit == D("16.32")
    assert result.lower_limit == D("5.68")
    # The near-limit band starts 2/3 of the way out: 11 ± 3.5466…
    assert result.upper_near.quantize(D("0.0001")) == D("14.5467")
    assert result.lower_near.quantize(D("0.0001")) == D("7.4533")
    assert result.note == ""
    assert not result.is_run_chart


def test_a_flat_series_has_zero_width_limits_and_no_signals():
    result = spc([5] * 12)
    assert result.upper_limit == result.lower_limit == D(5)
    assert special(result) == []
    assert {p.variation for p in result.points} == {Variation.COMMON}


def test_a_calm_series_is_common_cause_throughout():
    result = spc(STEADY)
    assert special(result) == []
    assert result.latest_variation is Variation.COMMON


# --- rule 1: outside a process limit ----------------------------------------------------------


def test_rule_1_flags_a_point_above_the_upper_limit():
    result = spc([10, 14] * 10 + [40])
    assert result.points[-1].value > result.upper_limit
    assert flagged(result, 1) == [20]
    assert special(result) == [20]


def test_rule_1_flags_a_point_below_the_lower_limit_in_the_middle():
    result = spc([*STEADY[:10], -5, *STEADY[10:]])
    assert flagged(result, 1) == [10]
    assert result.points[10].value < result.lower_limit


def test_rule_1_does_not_fire_for_a_point_inside_the_limits():
    result = spc([10, 14] * 10 + [20])
    assert result.points[-1].value < result.upper_limit
    assert flagged(result, 1) == []


# --- rule 2: shift ----------------------------------------------------------------------------


def test_rule_2_flags_seven_points_above_the_mean():
    result = spc(CALM + [15] * 7)
    assert flagged(result, 2) == list(range(12, 19))


def test_rule_2_does_not_fire_for_six_points_above_the_mean():
    result = spc(CALM + [15] * 6)
    assert flagged(result, 2) == []
    assert special(result) == []


def test_rule_2_flags_every_point_of_a_longer_run_below_the_mean():
    result = spc(CALM_UP + [5] * 9)
    assert flagged(result, 2) == list(range(12, 21))


def test_a_point_on_the_mean_breaks_a_shift():
    # 18 other points sum to 234, so a 19th point of 13 sits exactly on the mean of 13.
    on_mean = spc([*CALM, 19, 19, 19, 13, 19, 19, 19])
    assert on_mean.mean == D(13)
    assert flagged(on_mean, 2) == []
    just_above = spc([*CALM, 19, 19, 19, 14, 19, 19, 19])
    assert flagged(just_above, 2) == list(range(12, 19))


def test_run_length_is_configurable():
    assert flagged(spc(CALM + [15] * 6, run_length=6), 2) == list(range(12, 18))
    assert flagged(spc(CALM + [15] * 7, run_length=8), 2) == []


# --- rule 3: trend ----------------------------------------------------------------------------


def test_rule_3_flags_seven_rising_points_six_increases():
    # index 11 (0) starts the run: 0, 2, 6, 10, 14, 18, 22 are seven points.
    result = spc([*CALM, 2, 6, 10, 14, 18, 22])
    assert flagged(result, 3) == list(range(11, 18))
    assert flagged(result, 2) == []


def test_rule_3_does_not_fire_for_six_rising_points():
    result = spc([*CALM, 2, 6, 10, 14, 18])
    assert flagged(result, 3) == []
    assert special(result) == []


def test_rule_3_flags_seven_falling_points():
    result = spc([*CALM_UP, 18, 14, 10, 6, 2, -2])
    assert flagged(result, 3) == list(range(11, 18))


def test_a_repeated_value_breaks_a_trend():
    broken = spc([*CALM, 2, 6, 10, 10, 14, 18, 22])
    assert flagged(broken, 3) == []
    unbroken = spc([*CALM, 2, 6, 10, 12, 14, 18, 22])
    assert flagged(unbroken, 3) == list(range(11, 19))


def test_a_peak_belongs_to_the_rising_and_the_falling_trend():
    rising = [*CALM, 2, 4, 6, 8, 10, 12]  # indices 11..17 rise
    result = spc([*rising, 10, 8, 6, 4, 2, 0])  # 17..23 fall
    assert flagged(result, 3) == list(range(11, 24))


# --- rule 4: two of three near a limit --------------------------------------------------------


def in_upper_band(result: SpcResult, index: int) -> bool:
    return result.upper_near < result.points[index].value <= result.upper_limit


def in_lower_band(result: SpcResult, index: int) -> bool:
    return result.lower_limit <= result.points[index].value < result.lower_near


def test_rule_4_flags_two_of_three_points_in_the_upper_band():
    result = spc([*STEADY, 14.8, 11, 14.8])
    assert in_upper_band(result, 30)
    assert in_upper_band(result, 32)
    assert not in_upper_band(result, 31)
    assert result.points[31].value > result.mean
    assert flagged(result, 4) == [30, 32]  # the middle point is not near the limit
    assert flagged(result, 1) == []


def test_rule_4_flags_two_consecutive_points_in_the_lower_band():
    result = spc([*STEADY, 9, 5.2, 5.2])
    assert in_lower_band(result, 31)
    assert in_lower_band(result, 32)
    assert flagged(result, 4) == [31, 32]


def test_rule_4_needs_all_three_on_the_same_side_of_the_mean():
    result = spc([*STEADY, 14.8, 9, 14.8])
    assert in_upper_band(result, 30)
    assert in_upper_band(result, 32)
    assert result.points[31].value < result.mean
    assert flagged(result, 4) == []


def test_rule_4_needs_two_points_in_the_band():
    result = spc([*STEADY, 14.8, 11, 11.5])
    assert in_upper_band(result, 30)
    assert not in_upper_band(result, 32)
    assert flagged(result, 4) == []


def test_rule_4_counts_only_the_band_not_beyond_the_limit():
    result = spc([*STEADY, 15, 11, 18])
    assert in_upper_band(result, 30)
    assert result.points[32].value > result.upper_limit
    assert flagged(result, 4) == []
    assert flagged(result, 1) == [32]


# --- variation by polarity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "variation"),
    [(HIGHER, Variation.IMPROVING), (LOWER, Variation.CONCERNING), (NONE, Variation.NEUTRAL)],
)
def test_a_high_signal_is_judged_by_polarity(polarity, variation):
    result = spc([10, 14] * 10 + [40], polarity)
    assert result.latest_variation is variation
    assert result.points[0].variation is Variation.COMMON


@pytest.mark.parametrize(
    ("polarity", "variation"),
    [(HIGHER, Variation.CONCERNING), (LOWER, Variation.IMPROVING), (NONE, Variation.NEUTRAL)],
)
def test_a_low_signal_is_judged_by_polarity(polarity, variation):
    shift = spc(CALM_UP + [5] * 7, polarity)
    falling = spc([*CALM_UP, 18, 14, 10, 6, 2, -2], polarity)
    assert shift.latest_variation is variation
    assert falling.latest_variation is variation


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_a_point_with_high_and_low_signals_is_concerning(polarity):
    # An upward shift that is falling all the way: high by rule 2, low by rule 3.
    result = spc([*CALM_UP, 30, 29, 28, 27, 26, 25, 24], polarity)
    assert 2 in result.points[-1].rules
    assert 3 in result.points[-1].rules
    assert result.latest_variation is Variation.CONCERNING


def test_mixed_signals_are_neutral_without_a_polarity():
    result = spc([*CALM_UP, 30, 29, 28, 27, 26, 25, 24], NONE)
    assert result.latest_variation is Variation.NEUTRAL


# --- assurance --------------------------------------------------------------------------------

BAND = [10, 12] * 6  # limits 5.68 to 16.32


@pytest.mark.parametrize(
    ("polarity", "target", "assurance"),
    [
        (HIGHER, "20", Assurance.FAIL),
        (HIGHER, "5", Assurance.PASS),
        (HIGHER, "11", Assurance.HIT_AND_MISS),
        (HIGHER, "16.32", Assurance.HIT_AND_MISS),  # on the limit is not above it
        (HIGHER, "16.33", Assurance.FAIL),
        (HIGHER, "5.68", Assurance.HIT_AND_MISS),
        (HIGHER, "5.67", Assurance.PASS),
        (LOWER, "20", Assurance.PASS),
        (LOWER, "5", Assurance.FAIL),
        (LOWER, "11", Assurance.HIT_AND_MISS),
    ],
)
def test_assurance_compares_the_target_with_the_limits(polarity, target, assurance):
    assert spc(BAND, polarity, target=D(target)).assurance is assurance


def test_no_assurance_without_a_target_or_a_polarity():
    assert spc(BAND, HIGHER).assurance is Assurance.NONE
    assert spc(BAND, NONE, target=D(11)).assurance is Assurance.NONE


# --- too few points ---------------------------------------------------------------------------


def test_fewer_than_twelve_points_is_a_plain_run_chart_with_a_note():
    result = spc([10, 12] * 5 + [40], HIGHER, target=D(5))
    assert result.is_run_chart
    assert result.upper_limit is None
    assert result.lower_limit is None
    assert result.mean == D(150) / 11
    assert {p.variation for p in result.points} == {Variation.NONE}
    assert special(result) == []
    assert result.assurance is Assurance.NONE
    assert "Only 11 points" in result.note
    assert "run chart" in result.note


def test_twelve_points_are_enough():
    result = spc([10, 12] * 5 + [10, 40], HIGHER, target=D(5))
    assert not result.is_run_chart
    assert result.assurance is not Assurance.NONE


def test_no_values_gives_an_empty_result():
    result = spc([])
    assert result.points == ()
    assert result.segments == ()
    assert result.latest_variation is Variation.NONE
    assert result.assurance is Assurance.NONE
    assert result.is_run_chart
    assert result.mean is None


def test_minimum_points_is_configurable():
    assert not spc([10, 12] * 3, min_points=6).is_run_chart


# --- rebasing ---------------------------------------------------------------------------------

BEFORE = [10, 12] * 6  # mean 11
AFTER = [50, 52] * 6  # mean 51


def test_without_rebasing_a_step_change_is_a_shift():
    result = spc(BEFORE + AFTER)
    assert flagged(result, 2) == list(range(24))
    assert len(result.segments) == 1


def test_rebasing_computes_limits_for_each_segment():
    result = spc(BEFORE + AFTER, HIGHER, target=D(40), rebase_at=[12])
    first, latest = result.segments
    assert (first.start, first.stop, first.mean) == (0, 12, D(11))
    assert (latest.start, latest.stop, latest.mean) == (12, 24, D(51))
    assert result.upper_limit == D("56.32")
    assert special(result) == []
    assert [p.segment for p in result.points] == [0] * 12 + [1] * 12
    # The latest segment gives the assurance: 40 is below its lower limit.
    assert result.assurance is Assurance.PASS


def test_rules_do_not_run_across_a_rebase():
    # Six rising points either side of the change point are not a seven-point trend.
    values = [*CALM, 2, 4, 6, 8, 10, 12, 14, *CALM[1:]]
    assert flagged(spc(values), 3) == list(range(11, 19))
    assert flagged(spc(values, rebase_at=[15]), 3) == []


def test_a_short_latest_segment_after_rebasing_is_a_run_chart():
    result = spc([*BEFORE, 50, 52, 50], HIGHER, target=D(40), rebase_at=[12])
    assert result.is_run_chart
    assert result.segments[0].has_limits
    assert result.latest.mean == D(152) / 3
    assert [p.variation for p in result.points[12:]] == [Variation.NONE] * 3
    assert result.assurance is Assurance.NONE
    assert "Only 3 points since the limits were rebased" in result.note


def test_a_short_earlier_segment_is_noted():
    result = spc([10, 12, 10, *BEFORE], rebase_at=[3])
    assert not result.is_run_chart
    assert result.points[0].variation is Variation.NONE
    assert result.note == "1 earlier segment had too few points for limits."


def test_change_points_outside_the_series_are_ignored():
    plain = spc(BEFORE)
    assert spc(BEFORE, rebase_at=[0, 12, 40]).segments == plain.segments
    with pytest.raises(ValueError, match="negative"):
        spc(BEFORE, rebase_at=[-1])


# --- input checks and properties --------------------------------------------------------------


def test_input_refuses_floats_and_bad_settings():
    with pytest.raises(ValueError, match="finite Decimals"):
        analyse(SpcInput([1.5], HIGHER))  # type: ignore[list-item]
    with pytest.raises(ValueError, match="run_length"):
        spc(BEFORE, run_length=1)
    with pytest.raises(ValueError, match="min_points"):
        spc(BEFORE, min_points=1)
    with pytest.raises(ValueError, match="target"):
        spc(BEFORE, target=11)


def test_values_and_change_points_are_stored_as_tuples():
    spc_input = SpcInput([D(1), D(2)], HIGHER, rebase_at=[5, 1, 5])
    assert spc_input.values == (D(1), D(2))
    assert spc_input.rebase_at == (1, 5)


def test_point_labels_are_words_not_colours():
    assert Variation.IMPROVING.label == "Special cause: improving"
    assert Assurance.HIT_AND_MISS.label == "Hits and misses the target"


series = st.lists(st.integers(-50, 50), min_size=12, max_size=40)


@given(series, st.integers(-1000, 1000))
def test_moving_the_whole_series_changes_no_flag(values, offset):
    plain = spc(values)
    moved = spc([v + offset for v in values])
    assert [p.rules for p in plain.points] == [p.rules for p in moved.points]


@given(series)
def test_a_mirrored_series_with_the_opposite_polarity_reads_the_same(values):
    plain = spc(values, HIGHER, target=D(7))
    mirrored = spc([-v for v in values], LOWER, target=D(-7))
    assert [p.rules for p in plain.points] == [p.rules for p in mirrored.points]
    assert [p.variation for p in plain.points] == [p.variation for p in mirrored.points]
    assert plain.assurance is mirrored.assurance


# --- the variation of each point read as the latest of its series -----------------------------


def each_prefix(spc_input: SpcInput) -> dict[int, Variation]:
    """The slow definition: one analysis per prefix of the series."""
    return {
        i: analyse(
            SpcInput(
                spc_input.values[: i + 1],
                spc_input.polarity,
                run_length=spc_input.run_length,
                rebase_at=spc_input.rebase_at,
                min_points=spc_input.min_points,
            )
        ).latest_variation
        for i in range(len(spc_input.values))
    }


@given(
    st.lists(st.integers(-6, 6), min_size=0, max_size=45),
    st.sampled_from([HIGHER, LOWER, NONE]),
    st.lists(st.integers(0, 50), max_size=3),
    st.integers(2, 8),
    st.integers(2, 14),
)
def test_latest_variations_match_an_analysis_of_each_prefix(
    values, polarity, rebase_at, run_length, min_points
):
    # Small integers make ties with the mean, repeated values and points on a limit common.
    spc_input = SpcInput(
        [D(v) for v in values],
        polarity,
        run_length=run_length,
        rebase_at=rebase_at,
        min_points=min_points,
    )
    assert latest_variations(spc_input) == each_prefix(spc_input)


@given(st.lists(st.decimals(-1000, 1000, places=3), min_size=12, max_size=40))
def test_latest_variations_match_for_decimal_values(values):
    spc_input = SpcInput(values, HIGHER, rebase_at=[15])
    assert latest_variations(spc_input) == each_prefix(spc_input)


def test_latest_variations_read_each_point_with_the_limits_of_its_own_time():
    # Twelve calm points then a jump: the jump is outside the limits of the series up to it,
    # while the limits of the whole series (with the later jumps) would contain it.
    values = [D(v) for v in [10, 12] * 6 + [30, 30, 30, 30]]
    spc_input = SpcInput(values, HIGHER)
    variations = latest_variations(spc_input, at=[11, 12])
    assert variations == {11: Variation.COMMON, 12: Variation.IMPROVING}
    assert latest_variations(SpcInput(values, LOWER), at=[12]) == {12: Variation.CONCERNING}
    assert latest_variations(spc_input, at=[3]) == {3: Variation.NONE}  # too few points yet
    assert latest_variations(SpcInput((), HIGHER)) == {}
    with pytest.raises(IndexError):
        latest_variations(spc_input, at=[16])


@given(
    st.lists(st.integers(-6, 6), min_size=1, max_size=40),
    st.lists(st.integers(0, 39), min_size=1, max_size=5),
    st.lists(st.integers(0, 40), max_size=3),
)
def test_latest_variations_of_some_points_are_those_of_every_point(values, at, rebase_at):
    spc_input = SpcInput([D(v) for v in values], HIGHER, rebase_at=rebase_at, min_points=5)
    wanted = [i % len(values) for i in at]
    every = latest_variations(spc_input)
    assert latest_variations(spc_input, at=wanted) == {i: every[i] for i in wanted}


def test_latest_variations_are_exact_beyond_the_default_precision():
    """A value one more than twelve equal ones is outside their limits; with the default
    context (28 digits) 10**30 + 1 would round to 10**30 and read as common cause."""
    import decimal

    values = [D(10) ** 30] * 12 + [D("1" + "0" * 29 + "1")]  # 10**30 + 1, written exactly
    before = decimal.getcontext()
    assert latest_variations(SpcInput(values, HIGHER), at=[12]) == {12: Variation.IMPROVING}
    assert each_prefix(SpcInput(values, HIGHER))[12] is Variation.IMPROVING
    assert decimal.getcontext() is before  # the caller's context is left as it was
    assert before.prec == 28


@pytest.mark.parametrize(
    "bad", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN"), 1, 1.5, "2", None]
)
def test_input_names_the_first_value_that_is_not_a_finite_decimal(bad):
    with pytest.raises(ValueError, match=re.escape(f"finite Decimals, not {bad!r}")):
        SpcInput([D(1), bad, D("NaN")], HIGHER)  # type: ignore[list-item]


def test_input_accepts_decimal_subclasses():
    class Figure(Decimal):
        pass

    assert SpcInput([Figure(1), D(2)], HIGHER).values == (D(1), D(2))
