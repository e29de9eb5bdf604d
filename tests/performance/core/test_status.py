"""An indicator's status for a period (performance.core.status): pure, no database.

Aggregation of sub-periods into the reporting period, targets of coarser periods, No data once
the window has closed, direction of travel, and the SPC columns (variation, assurance) with and
without a rebase.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from performance.core import periods, status
from performance.core.calculations import Aggregation, Direction, Level, Observation, Polarity
from performance.core.periods import Frequency
from performance.core.spc import Assurance, Variation

D = Decimal
HIGHER, LOWER, NONE = Polarity.HIGHER, Polarity.LOWER, Polarity.NONE
MONTHLY, QUARTERLY, ANNUAL = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL
P = periods.parse

TEN = D(10)
FY24 = P("2024/25")
Q1, Q2 = P("2024/25 Q1"), P("2024/25 Q2")


def facts(
    frequency=MONTHLY,
    aggregation=Aggregation.SUM,
    *,
    polarity=HIGHER,
    decimals=1,
    tolerance=TEN,
    percent=True,
) -> status.IndicatorFacts:
    return status.IndicatorFacts(
        code="TST 001",
        polarity=polarity,
        decimals=decimals,
        frequency=frequency,
        aggregation=aggregation,
        tolerance=tolerance,
        percent=percent,
    )


def data(values=None, targets=None, **options) -> status.IndicatorData:
    """`values` as {period: number or (numerator, denominator, value)}, targets {period: number}."""
    observations = {}
    for period, given in (values or {}).items():
        if isinstance(given, tuple):
            numerator, denominator, value = given
            observations[period] = Observation(
                D(str(value)), D(str(numerator)), D(str(denominator))
            )
        else:
            observations[period] = Observation(D(str(given)))
    return status.IndicatorData(
        values=observations,
        targets={period: D(str(target)) for period, target in (targets or {}).items()},
        **options,
    )


def months_of(period: periods.Period, numbers) -> dict[str, object]:
    return {str(month): number for month, number in zip(period.months(), numbers, strict=True)}


def quarters_from(first: str, numbers) -> dict[str, object]:
    start = P(first)
    return {str(start.shift(i)): number for i, number in enumerate(numbers)}


TWELVE_MONTHS = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]


# --- which periods an indicator reports at ----------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "period", "applies"),
    [
        (MONTHLY, "2024-05", True),
        (MONTHLY, "2024/25 Q1", True),
        (MONTHLY, "2024/25", True),
        (QUARTERLY, "2024-05", False),
        (QUARTERLY, "2024/25 Q1", True),
        (QUARTERLY, "2024/25", True),
        (ANNUAL, "2024/25 Q1", False),
        (ANNUAL, "2024/25", True),
    ],
)
def test_an_indicator_reports_at_its_own_frequency_or_coarser(frequency, period, applies):
    assert status.applies(facts(frequency), P(period)) is applies


def test_a_finer_period_than_the_indicator_has_no_value_or_target():
    quarterly = facts(QUARTERLY, Aggregation.SUM)
    held = data({"2024/25 Q1": 30}, {"2024/25 Q1": 25})
    assert status.value_for(quarterly, held, P("2024-04")) is None
    assert status.target_for(quarterly, held, P("2024-04")) is None
    assert status.statuses([(quarterly, held)], P("2024-04"), window_closed=True) == []


# --- value_for: aggregation of sub-periods ----------------------------------------------------


def test_the_own_period_value_is_the_activated_value():
    monthly = facts(MONTHLY, Aggregation.SUM)
    held = data(months_of(Q1, [5, 6, 7]))
    assert status.value_for(monthly, held, P("2024-05")) == D(6)
    assert status.value_for(monthly, held, P("2024-07")) is None


@pytest.mark.parametrize(
    ("rule", "quarter", "year"),
    [
        # Q1 = April–June: 10, 20, 30.
        (Aggregation.SUM, D(60), D(780)),
        (Aggregation.MEAN, D(20), D(65)),
        (Aggregation.LAST, D(30), D(120)),
    ],
)
def test_months_aggregate_into_quarters_and_the_year_by_the_rule(rule, quarter, year):
    monthly = facts(MONTHLY, rule)
    held = data(months_of(FY24, TWELVE_MONTHS))
    assert status.value_for(monthly, held, Q1) == quarter
    assert status.value_for(monthly, held, FY24) == year


def test_a_ratio_is_the_sum_of_numerators_over_the_sum_of_denominators():
    monthly = facts(MONTHLY, Aggregation.RATIO)
    # Monthly rates 50%, 100%, 25%: their mean would be 58.3%; the quarter's rate is
    # (5 + 10 + 15) / (10 + 10 + 60) = 30 / 80 = 37.5%.
    held = data(months_of(Q1, [(5, 10, 50), (10, 10, 100), (15, 60, 25)]))
    assert status.value_for(monthly, held, Q1) == D("37.5")
    plain = facts(MONTHLY, Aggregation.RATIO, percent=False)
    assert status.value_for(plain, held, Q1) == D("0.375")


@pytest.mark.parametrize(
    ("rule", "year"),
    [
        (Aggregation.SUM, D(100)),
        (Aggregation.MEAN, D(25)),
        (Aggregation.LAST, D(40)),
        (Aggregation.RATIO, D(25)),  # (1 + 2 + 3 + 4) / (10 × 4) × 100
    ],
)
def test_quarters_aggregate_into_the_year_by_the_rule(rule, year):
    quarterly = facts(QUARTERLY, rule)
    held = data(
        quarters_from("2024/25 Q1", [(n, 10, 10 * n) for n in (1, 2, 3, 4)])
        if rule is Aggregation.RATIO
        else quarters_from("2024/25 Q1", [10, 20, 30, 40])
    )
    assert status.value_for(quarterly, held, FY24) == year


@pytest.mark.parametrize("rule", [Aggregation.SUM, Aggregation.MEAN, Aggregation.RATIO])
def test_a_missing_month_leaves_the_quarter_without_a_value(rule):
    monthly = facts(MONTHLY, rule)
    held = data({"2024-04": (1, 2, 50), "2024-06": (1, 2, 50)})
    assert status.value_for(monthly, held, Q1) is None


def test_a_snapshot_needs_the_last_month():
    monthly = facts(MONTHLY, Aggregation.LAST)
    assert status.value_for(monthly, data({"2024-04": 1, "2024-05": 2}), Q1) is None
    assert status.value_for(monthly, data({"2024-06": 3}), Q1) == D(3)


# --- target_for -------------------------------------------------------------------------------


def test_the_recorded_target_of_the_period_is_used():
    monthly = facts(MONTHLY, Aggregation.SUM)
    held = data(targets={"2024/25 Q1": 55, **months_of(Q1, [10, 20, 30])})
    assert status.target_for(monthly, held, Q1) == D(55)  # recorded: wins over the months
    assert status.target_for(monthly, held, P("2024-05")) == D(20)


@pytest.mark.parametrize(
    ("rule", "quarter"),
    [
        (Aggregation.SUM, D(60)),
        (Aggregation.MEAN, D(20)),
        (Aggregation.LAST, D(30)),
        # A target rate has no numerator: the months' target rates are averaged.
        (Aggregation.RATIO, D(20)),
    ],
)
def test_without_its_own_target_a_period_aggregates_the_sub_period_targets(rule, quarter):
    monthly = facts(MONTHLY, rule)
    held = data(targets=months_of(Q1, [10, 20, 30]))
    assert status.target_for(monthly, held, Q1) == quarter


def test_the_own_frequency_does_not_borrow_a_coarser_target():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    held = data(targets={"2024/25": 90})
    assert status.target_for(quarterly, held, Q1) is None
    assert status.target_for(quarterly, held, FY24) == D(90)


def test_a_data_only_indicator_has_no_target():
    data_only = facts(QUARTERLY, Aggregation.SUM, polarity=NONE)
    held = data({"2024/25 Q1": 5}, {"2024/25 Q1": 4})
    assert status.target_for(data_only, held, Q1) is None
    result = status.status_for(data_only, held, Q1, window_closed=True)
    assert (result.level, result.status, result.shortfall) == (None, "none", None)


# --- level and No data ------------------------------------------------------------------------


def test_a_target_without_a_value_is_no_data_only_once_the_window_has_closed():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    held = data(targets={"2024/25 Q1": 90})
    assert status.status_for(quarterly, held, Q1, window_closed=False).status == "none"
    closed = status.status_for(quarterly, held, Q1, window_closed=True)
    assert closed.level is Level.NO_DATA
    assert closed.status == "no_data"
    assert closed.actual is None


def test_a_period_marked_no_data_is_no_data_while_the_window_is_open():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    held = data(targets={"2024/25 Q1": 90}, no_data=frozenset({"2024/25 Q1"}))
    assert status.status_for(quarterly, held, Q1, window_closed=False).status == "no_data"


def test_no_target_is_no_status_even_after_the_window():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    assert status.status_for(quarterly, data(), Q1, window_closed=True).status == "none"


def test_a_month_without_its_value_makes_the_quarter_no_data_after_the_window():
    monthly = facts(MONTHLY, Aggregation.SUM)
    held = data({"2024-04": 10, "2024-05": 10}, {"2024/25 Q1": 30})
    assert status.status_for(monthly, held, Q1, window_closed=True).status == "no_data"


@pytest.mark.parametrize(
    ("polarity", "target", "actual", "tolerance", "code", "shortfall"),
    [
        (HIGHER, "95", "90", 10, "amber", "5.26"),  # SPEC §13
        (HIGHER, "95", "95", 10, "green", "0.00"),
        (HIGHER, "100", "90.1", 10, "amber", "9.90"),  # just under the tolerance
        (HIGHER, "100", "90", 10, "red", "10.00"),  # exactly the tolerance: Red
        (LOWER, "10", "11.5", 10, "red", "15.00"),  # SPEC §13
        (LOWER, "10", "10", 10, "green", "0.00"),  # SPEC §13
        (LOWER, "100", "104.5", 10, "amber", "4.50"),
        (LOWER, "100", "104.5", 4, "red", "4.50"),  # the indicator's own tolerance
    ],
)
def test_the_level_comes_from_the_value_target_and_tolerance(
    polarity, target, actual, tolerance, code, shortfall
):
    quarterly = facts(QUARTERLY, Aggregation.MEAN, polarity=polarity, tolerance=D(tolerance))
    held = data({"2024/25 Q1": actual}, {"2024/25 Q1": target})
    result = status.status_for(quarterly, held, Q1, window_closed=False)
    assert result.status == code
    assert result.shortfall.quantize(D("0.01")) == D(shortfall)
    assert (result.actual, result.target) == (D(actual), D(target))


def test_values_are_rounded_to_the_indicators_decimals_before_judging():
    # 94.95 rounds up to 95.0 at one decimal: on target.
    one_dp = facts(QUARTERLY, Aggregation.MEAN, decimals=1)
    held = data({"2024/25 Q1": "94.95"}, {"2024/25 Q1": 95})
    assert status.status_for(one_dp, held, Q1, window_closed=False).status == "green"
    two_dp = facts(QUARTERLY, Aggregation.MEAN, decimals=2)
    assert status.status_for(two_dp, held, Q1, window_closed=False).status == "amber"


# --- direction of travel ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "previous", "direction"),
    [
        (HIGHER, "80", Direction.IMPROVING),
        (HIGHER, "90", Direction.DETERIORATING),
        (HIGHER, "85.04", Direction.STABLE),  # equal at one decimal place
        (LOWER, "80", Direction.DETERIORATING),
        (LOWER, "90", Direction.IMPROVING),
        (NONE, "80", Direction.NONE),
    ],
)
def test_direction_against_the_previous_quarter(polarity, previous, direction):
    quarterly = facts(QUARTERLY, Aggregation.MEAN, polarity=polarity)
    held = data({"2024/25 Q1": previous, "2024/25 Q2": "85"})
    result = status.status_for(quarterly, held, Q2, window_closed=False)
    assert result.dot_previous is direction
    assert result.dot_year is Direction.NONE  # nothing a year earlier


def test_direction_against_the_same_period_last_year():
    quarterly = facts(QUARTERLY, Aggregation.MEAN, polarity=LOWER)
    held = data({"2023/24 Q2": "12", "2024/25 Q1": "8", "2024/25 Q2": "10"})
    result = status.status_for(quarterly, held, Q2, window_closed=False)
    assert result.dot_previous is Direction.DETERIORATING  # 8 → 10, lower is better
    assert result.dot_year is Direction.IMPROVING  # 12 → 10


def test_the_first_quarter_compares_with_the_last_quarter_of_the_year_before():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    held = data({"2023/24 Q4": "70", "2024/25 Q1": "75"})
    assert status.status_for(quarterly, held, Q1, window_closed=False).dot_previous is (
        Direction.IMPROVING
    )


def test_a_monthly_indicator_compares_quarters_of_aggregated_months():
    monthly = facts(MONTHLY, Aggregation.SUM, decimals=0)
    held = data(
        {
            **months_of(P("2023/24 Q2"), [10, 10, 10]),  # 30 a year earlier
            **months_of(Q1, [10, 10, 10]),  # 30
            **months_of(Q2, [9, 9, 9]),  # 27
        }
    )
    result = status.status_for(monthly, held, Q2, window_closed=False)
    assert result.actual == D(27)
    assert result.dot_previous is Direction.DETERIORATING
    assert result.dot_year is Direction.DETERIORATING
    # The year before Q2 2023/24 lacks months: no comparison rather than a partial one.
    assert status.status_for(monthly, held, P("2023/24 Q2"), window_closed=False).dot_year is (
        Direction.NONE
    )


def test_no_value_gives_no_direction():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    held = data({"2024/25 Q1": "70"}, {"2024/25 Q2": "80"})
    result = status.status_for(quarterly, held, Q2, window_closed=True)
    assert (result.dot_previous, result.dot_year) == (Direction.NONE, Direction.NONE)


# --- SPC: variation and assurance -------------------------------------------------------------

CALM = [10, 12] * 6  # mean 11, mean moving range 2: limits 5.68 and 16.32


def spc_status(values, *, polarity=HIGHER, target=None, rebase=(), first="2021/22 Q1", **kw):
    quarterly = facts(QUARTERLY, Aggregation.MEAN, polarity=polarity, decimals=0)
    series = quarters_from(first, values)
    last = max(series, key=P)
    held = data(
        series,
        {last: target} if target is not None else {},
        rebase_periods=frozenset(rebase),
    )
    return status.status_for(quarterly, held, P(last), window_closed=True, **kw)


def test_fewer_than_twelve_points_give_no_variation_or_assurance():
    result = spc_status(CALM[:11], target=11)
    assert result.variation is Variation.NONE
    assert result.assurance is Assurance.NONE


def test_twelve_calm_points_are_common_cause():
    result = spc_status(CALM, target=11)
    assert result.variation is Variation.COMMON
    assert result.assurance is Assurance.HIT_AND_MISS


@pytest.mark.parametrize(
    ("polarity", "target", "assurance"),
    [
        (HIGHER, 17, Assurance.FAIL),  # above the upper limit 16.32: never reached
        (HIGHER, 5, Assurance.PASS),  # below the lower limit 5.68: always met
        (HIGHER, 16, Assurance.HIT_AND_MISS),
        (LOWER, 17, Assurance.PASS),
        (LOWER, 5, Assurance.FAIL),
    ],
)
def test_assurance_reads_the_target_against_the_limits(polarity, target, assurance):
    assert spc_status(CALM, polarity=polarity, target=target).assurance is assurance


@pytest.mark.parametrize(
    ("polarity", "variation"),
    [(HIGHER, Variation.IMPROVING), (LOWER, Variation.CONCERNING), (NONE, Variation.NEUTRAL)],
)
def test_a_point_beyond_the_upper_limit_is_special_cause_by_polarity(polarity, variation):
    # 13 points: mean (132 + 30) / 13 ≈ 12.46, mean moving range (22 + 18) / 12 ≈ 3.33,
    # upper limit ≈ 21.33: 30 is beyond it.
    assert spc_status([*CALM, 30], polarity=polarity).variation is variation


def test_spc_reads_the_series_only_up_to_the_period():
    quarterly = facts(QUARTERLY, Aggregation.MEAN, decimals=0)
    held = data(quarters_from("2021/22 Q1", [*CALM, 30]))
    before_jump = status.status_for(quarterly, held, P("2023/24 Q4"), window_closed=True)
    assert before_jump.variation is Variation.COMMON


def test_spc_is_skipped_when_not_asked_for():
    result = spc_status([*CALM, 30], with_spc=False)
    assert (result.variation, result.assurance) == (Variation.NONE, Assurance.NONE)


def test_gaps_in_the_history_are_left_out_of_the_spc_series():
    quarterly = facts(QUARTERLY, Aggregation.MEAN)
    series = quarters_from("2021/22 Q1", [*CALM[:6], None, *CALM[6:]])
    held = data({period: value for period, value in series.items() if value is not None})
    points = status.series_up_to(quarterly, held, P("2024/25 Q1"))
    assert len(points) == 12
    assert P("2022/23 Q3") not in [period for period, _ in points]
    latest = status.status_for(quarterly, held, P("2024/25 Q1"), window_closed=True)
    assert latest.variation is Variation.COMMON


def test_the_spc_series_of_a_monthly_indicator_is_read_at_the_reporting_frequency():
    monthly = facts(MONTHLY, Aggregation.SUM)
    held = data(months_of(FY24, TWELVE_MONTHS))
    assert status.series_up_to(monthly, held, Q2) == [(Q1, D(60)), (Q2, D(150))]


# --- SPC after a rebase -----------------------------------------------------------------------

STEP = [*CALM, *[20, 22] * 6]  # a step up after twelve quarters 2018/19 Q1 – 2020/21 Q4


def test_without_a_rebase_a_step_change_is_a_special_cause():
    result = spc_status(STEP, target=15, first="2018/19 Q1")
    # 24 points: mean 16, mean moving range 52/23, limits ≈ 9.99 and 22.01: no point is outside,
    # but the last twelve sit above the mean (a shift), and 15 lies between the limits.
    assert result.variation is Variation.IMPROVING
    assert result.assurance is Assurance.HIT_AND_MISS


def test_a_rebase_reads_the_latest_segment_on_its_own():
    result = spc_status(STEP, target=15, first="2018/19 Q1", rebase={"2021/22 Q1"})
    # Latest segment 20, 22, …: mean 21, limits 15.68 and 26.32 → common cause, and a target of
    # 15 below the lower limit is consistently passed.
    assert result.variation is Variation.COMMON
    assert result.assurance is Assurance.PASS


def test_a_rebase_with_fewer_than_twelve_points_since_gives_none():
    result = spc_status(STEP, target=15, first="2018/19 Q1", rebase={"2021/22 Q3"})
    assert result.variation is Variation.NONE
    assert result.assurance is Assurance.NONE


def test_a_rebase_after_the_period_is_ignored():
    result = spc_status(STEP, target=15, first="2018/19 Q1", rebase={"2030/31 Q1"})
    assert result.variation is Variation.IMPROVING


# --- many indicators --------------------------------------------------------------------------


def test_statuses_lists_the_indicators_that_report_at_the_period_in_order():
    monthly = status.IndicatorFacts("M 1", HIGHER, 0, MONTHLY, Aggregation.SUM)
    quarterly = status.IndicatorFacts("Q 1", HIGHER, 0, QUARTERLY, Aggregation.MEAN)
    annual = status.IndicatorFacts("A 1", HIGHER, 0, ANNUAL, Aggregation.LAST)
    items = [
        (monthly, data(months_of(Q1, [1, 2, 3]))),
        (quarterly, data({"2024/25 Q1": 4})),
        (annual, data({"2024/25": 5})),
    ]
    result = status.statuses(items, Q1, window_closed=True)
    assert [(each.code, each.actual) for each in result] == [("M 1", D(6)), ("Q 1", D(4))]
    assert all(each.period == Q1 for each in result)


# --- what a list reads, and which history rows have figures ---------------------------------


def test_periods_read_are_the_period_its_previous_and_last_year_at_the_indicators_frequency():
    from performance.core.status import periods_read

    quarter = periods.parse("2025/26 Q2")
    values, targets = periods_read(quarter, Frequency.QUARTERLY)
    assert values == {"2025/26 Q2", "2025/26 Q1", "2024/25 Q2"}
    assert targets == {"2025/26 Q2"}
    values, targets = periods_read(quarter, Frequency.MONTHLY)
    assert values == {
        "2025-07", "2025-08", "2025-09", "2025-04", "2025-05", "2025-06",
        "2024-07", "2024-08", "2024-09",
    }  # fmt: skip
    assert targets == {"2025/26 Q2", "2025-07", "2025-08", "2025-09"}
    assert periods_read(quarter, Frequency.ANNUAL) == (frozenset(), frozenset())


@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.QUARTERLY])
def test_a_status_from_the_periods_read_only_equals_one_from_the_whole_history(frequency):
    from performance.core.status import periods_read

    quarter = periods.parse("2025/26 Q2")
    history = periods.between(periods.parse("2022/23 Q1"), quarter)
    subs = [sub for each in history for sub in each.sub_periods(frequency)]
    whole = status.IndicatorData(
        values={str(p): Observation(Decimal(50 + i % 7)) for i, p in enumerate(subs)},
        targets={str(p): Decimal(52) for p in subs},
    )
    facts = status.IndicatorFacts(
        code="X",
        polarity=Polarity.HIGHER,
        decimals=0,
        frequency=frequency,
        aggregation=Aggregation.MEAN,
    )
    read_values, read_targets = periods_read(quarter, frequency)
    narrow = status.IndicatorData(
        values={k: v for k, v in whole.values.items() if k in read_values},
        targets={k: v for k, v in whole.targets.items() if k in read_targets},
    )
    for closed in (False, True):
        expected = status.status_for(facts, whole, quarter, window_closed=closed, with_spc=False)
        assert (
            status.status_for(facts, narrow, quarter, window_closed=closed, with_spc=False)
            == expected
        )


@pytest.mark.parametrize(
    ("polarity", "values", "targets", "expected"),
    [
        (Polarity.HIGHER, {"2025/26 Q1": Observation(Decimal(5))}, {}, True),
        (Polarity.HIGHER, {}, {"2025/26 Q1": Decimal(5)}, True),
        (Polarity.NONE, {}, {"2025/26 Q1": Decimal(5)}, False),
        (Polarity.HIGHER, {"2025/26 Q1": Observation(None, Decimal(1), Decimal(2))}, {}, False),
        (Polarity.HIGHER, {"2025/26 Q2": Observation(Decimal(5))}, {}, False),
    ],
)
def test_has_figures_agrees_with_status_for(polarity, values, targets, expected):
    facts = status.IndicatorFacts(
        code="X",
        polarity=polarity,
        decimals=0,
        frequency=Frequency.QUARTERLY,
        aggregation=Aggregation.SUM,
    )
    data = status.IndicatorData(values=values, targets=targets, no_data=frozenset({"2025/26 Q1"}))
    quarter = periods.parse("2025/26 Q1")
    assert status.has_figures(facts, data, quarter) is expected
    for closed in (False, True):
        found = status.status_for(facts, data, quarter, window_closed=closed, with_spc=False)
        shows = not (found.actual is None and found.target is None and found.level is None)
        assert shows is expected


# --- the brief status lists show ------------------------------------------------------------


def _random_case(rng, frequency: Frequency, quarter):
    """An indicator's facts and data around `quarter`: gaps, ratios, No data marks, targets of
    the quarter or of its months, values that round to equal figures."""
    history = periods.between(quarter.shift(-5), quarter)
    subs = [sub for each in history for sub in each.sub_periods(frequency)]
    aggregation = rng.choice(list(Aggregation))
    values, targets, no_data = {}, {}, set()
    for each in subs:
        roll = rng.random()
        if roll < 0.15:
            continue
        if roll < 0.2:
            no_data.add(str(each))
            continue
        numerator = D(rng.randint(0, 90))
        denominator = D(rng.randint(0, 100))
        value = D(rng.randint(400, 600)) / 10 if rng.random() < 0.8 else D("50.05")
        values[str(each)] = Observation(value, numerator, denominator)
        if rng.random() < 0.6:
            targets[str(each)] = D(rng.randint(45, 55))
    if rng.random() < 0.5:
        targets[str(quarter)] = D(rng.randint(45, 55))
    chosen = status.IndicatorFacts(
        code="RND",
        polarity=rng.choice(list(Polarity)),
        decimals=rng.choice([0, 1, 2]),
        frequency=frequency,
        aggregation=aggregation,
        tolerance=D(rng.choice([0, 5, 10, 25])),
        percent=rng.random() < 0.5,
    )
    return chosen, status.IndicatorData(values=values, targets=targets, no_data=frozenset(no_data))


@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.QUARTERLY])
def test_a_brief_status_agrees_with_the_full_one_read_from_its_rows_only(frequency):
    import random

    rng = random.Random(20261126)
    quarter = periods.parse("2025/26 Q2")
    read_values, read_targets = status.brief_periods_read(quarter, frequency)
    seen_levels = set()
    for _ in range(400):
        chosen, whole = _random_case(rng, frequency, quarter)
        narrow = status.IndicatorData(
            values={k: v for k, v in whole.values.items() if k in read_values},
            targets={k: v for k, v in whole.targets.items() if k in read_targets},
            no_data=whole.no_data,
        )
        for closed in (False, True):
            full = status.status_for(chosen, whole, quarter, window_closed=closed, with_spc=False)
            brief = status.brief_for(chosen, narrow, quarter, window_closed=closed)
            assert (brief.actual, brief.target, brief.level, brief.dot_previous, brief.status) == (
                full.actual,
                full.target,
                full.level,
                full.dot_previous,
                full.status,
            )
            seen_levels.add(brief.level)
    assert seen_levels == {None, *Level}  # every outcome was exercised


def test_brief_periods_read_are_the_period_and_the_previous_one_only():
    quarter = periods.parse("2025/26 Q2")
    values, targets = status.brief_periods_read(quarter, Frequency.MONTHLY)
    assert values == {"2025-07", "2025-08", "2025-09", "2025-04", "2025-05", "2025-06"}
    assert targets == {"2025/26 Q2", "2025-07", "2025-08", "2025-09"}
    assert status.brief_periods_read(quarter, Frequency.QUARTERLY) == (
        {"2025/26 Q2", "2025/26 Q1"},
        {"2025/26 Q2"},
    )
    assert status.brief_periods_read(quarter, Frequency.ANNUAL) == (frozenset(), frozenset())


def test_a_brief_status_is_remembered_by_its_inputs_and_changes_with_them():
    chosen = facts(QUARTERLY, Aggregation.SUM, decimals=0)
    data = status.IndicatorData(
        values={"2024/25 Q2": Observation(D(95)), "2024/25 Q1": Observation(D(90))},
        targets={"2024/25 Q2": D(90)},
    )
    first = status.brief_for(chosen, data, Q2, window_closed=False)
    assert (first.level, first.dot_previous) == (Level.SUMMIT, Direction.IMPROVING)
    equal = status.IndicatorData(values=dict(data.values), targets=dict(data.targets))
    assert status.brief_for(chosen, equal, Q2, window_closed=False) is first
    lower = status.IndicatorData(
        values={**data.values, "2024/25 Q2": Observation(D(80))}, targets=data.targets
    )
    changed = status.brief_for(chosen, lower, Q2, window_closed=False)
    assert (changed.actual, changed.level, changed.dot_previous) == (
        D(80),
        Level.BASECAMP,
        Direction.DETERIORATING,
    )
    # A No data mark on the period, or a closed window, is part of what is remembered.
    missing = status.IndicatorData(targets=data.targets, no_data=frozenset({"2024/25 Q2"}))
    assert status.brief_for(chosen, missing, Q2, window_closed=False).level is Level.NO_DATA
    awaited = status.IndicatorData(targets=data.targets)
    assert status.brief_for(chosen, awaited, Q2, window_closed=False).level is None
    assert status.brief_for(chosen, awaited, Q2, window_closed=True).level is Level.NO_DATA


def test_facts_keep_members_and_convert_stored_strings():
    made = status.IndicatorFacts(
        code="X", polarity="lower", decimals=0, frequency="monthly", aggregation="ratio"
    )
    assert (made.polarity, made.frequency, made.aggregation) == (
        Polarity.LOWER,
        Frequency.MONTHLY,
        Aggregation.RATIO,
    )
    assert made == status.IndicatorFacts(
        code="X",
        polarity=Polarity.LOWER,
        decimals=0,
        frequency=Frequency.MONTHLY,
        aggregation=Aggregation.RATIO,
    )
    with pytest.raises(ValueError, match="sideways"):
        status.IndicatorFacts(
            code="X", polarity="sideways", decimals=0, frequency="monthly", aggregation="sum"
        )
