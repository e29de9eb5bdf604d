"""The year-end forecast's pure rules (issue 20): projections by aggregation, edge cases, status."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from performance.core import forecasts, periods, status
from performance.core.calculations import Aggregation, Level, Observation, Polarity
from performance.core.forecasts import Bounds, Method, OfficerForecast, Source
from performance.core.periods import Frequency

YEAR = periods.parse("2025/26")
LAST = periods.parse("2024/25")


def facts(
    aggregation: str = "sum",
    *,
    frequency: str = "monthly",
    polarity: str = "higher",
    percent: bool = False,
    year_to_date: bool = False,
    decimals: int = 0,
) -> status.IndicatorFacts:
    return status.IndicatorFacts(
        code="X 001",
        polarity=Polarity(polarity),
        decimals=decimals,
        frequency=Frequency(frequency),
        aggregation=Aggregation(aggregation),
        percent=percent,
        year_to_date=year_to_date,
    )


def months(year: periods.Period, figures: list[object]) -> dict[str, Observation]:
    """Figures for the year's months in order; None skips a month."""
    out = {}
    for month, figure in zip(year.months(), figures, strict=False):
        if figure is None:
            continue
        if isinstance(figure, tuple):
            out[str(month)] = Observation(
                value=D(1), numerator=D(figure[0]), denominator=D(figure[1])
            )
        else:
            out[str(month)] = Observation(value=D(figure))
    return out


def data(values: dict[str, Observation], target: str | None = None) -> status.IndicatorData:
    targets = {str(YEAR): D(target)} if target is not None else {}
    return status.IndicatorData(values=values, targets=targets)


def at(month: str) -> periods.Period:
    return periods.parse(month)


def test_cumulative_adds_last_years_remaining_months_to_the_year_to_date():
    values = months(LAST, [10] * 12) | months(YEAR, [12, 14, 13])
    result = forecasts.project(facts(), data(values), YEAR, as_of=at("2025-06"))
    # 39 so far + 9 months of last year at 10
    assert result.value == D(129)
    assert result.method is Method.PROFILE
    assert "last year" in result.label


def test_cumulative_without_last_year_uses_the_run_rate_and_says_so():
    values = months(YEAR, [12, 14, 13])
    result = forecasts.project(facts(), data(values), YEAR, as_of=at("2025-06"))
    assert result.value == D(156)  # 13 a month for 12 months
    assert result.method is Method.RUN_RATE
    assert "run rate" in result.label


def test_a_missing_month_is_filled_from_last_year_and_noted():
    values = months(LAST, [10] * 12) | months(YEAR, [12, None, 13])
    result = forecasts.project(facts(), data(values), YEAR, as_of=at("2025-06"))
    assert result.value == D(25 + 100)
    assert result.note == "1 period missing this year"


def test_first_month_of_the_year_is_not_enough_to_project():
    values = months(LAST, [10] * 12) | months(YEAR, [12])
    result = forecasts.project(facts(), data(values), YEAR, as_of=at("2025-04"))
    assert result.value is None
    assert result.label == "Not enough data yet this year"


def test_as_of_hides_what_came_later():
    values = months(YEAR, [12, 14, 13, 100])
    early = forecasts.project(facts(), data(values), YEAR, as_of=at("2025-05"))
    assert early.value == D(13 * 12)
    quarter = forecasts.project(facts(), data(values), YEAR, as_of=periods.parse("2025/26 Q1"))
    assert quarter.value == D(156)


def test_annual_indicators_have_no_in_year_projection():
    values = {str(LAST): Observation(value=D(5)), str(YEAR): Observation(value=D(6))}
    result = forecasts.project(facts(frequency="annual"), data(values), YEAR, as_of=YEAR)
    assert result.value is None
    assert "Annual" in result.label


def test_quarterly_cumulative_from_q2():
    values = {
        **{str(q): Observation(value=D(100)) for q in LAST.quarters()},
        "2025/26 Q1": Observation(value=D(90)),
        "2025/26 Q2": Observation(value=D(80)),
    }
    f = facts(frequency="quarterly")
    assert forecasts.project(f, data(values), YEAR, as_of=at("2025/26 Q1")).value is None
    result = forecasts.project(f, data(values), YEAR, as_of=at("2025/26 Q2"))
    assert result.value == D(370)


def test_ratio_projects_numerators_and_denominators_like_a_sum():
    values = months(LAST, [(50, 100)] * 12) | months(YEAR, [(90, 100), (80, 100)])
    result = forecasts.project(
        facts("ratio", percent=True), data(values), YEAR, as_of=at("2025-05")
    )
    # (170 + 500) / (200 + 1000) × 100
    assert result.value == (D(670) * 100 / D(1200)).quantize(D("0.000001"))
    assert result.method is Method.PROFILE


def test_ratio_without_last_year_is_the_year_to_date_ratio():
    values = months(YEAR, [(90, 100), (80, 100)])
    result = forecasts.project(
        facts("ratio", percent=True), data(values), YEAR, as_of=at("2025-05")
    )
    assert result.value == D(85)
    assert result.method is Method.RUN_RATE


def test_mean_is_the_mean_of_the_year_so_far():
    values = months(LAST, [1] * 12) | months(YEAR, [4, 6, 8])
    result = forecasts.project(facts("mean"), data(values), YEAR, as_of=at("2025-06"))
    assert result.value == D(6)
    assert result.method is Method.MEAN


def test_snapshot_follows_the_trend_to_the_last_month():
    # rising by 1 a month over the last 6 months; month 6 is 60 → March (9 months on) 69
    values = months(LAST, [0] * 9 + [55, 56, 57]) | months(YEAR, [58, 59, 60, None, None, None])
    result = forecasts.project(facts("last"), data(values), YEAR, as_of=at("2025-06"))
    assert result.value == D(69)
    assert result.method is Method.TREND


def test_a_percentage_trend_stays_within_100():
    values = months(YEAR, [90, 95, 99])
    result = forecasts.project(
        facts("last", percent=True),
        data(values),
        YEAR,
        as_of=at("2025-06"),
        bounds=Bounds.for_unit(percent=True, allow_negative=False, allow_over_100=False),
    )
    assert result.value == D(100)
    allowed = forecasts.project(
        facts("last", percent=True),
        data(values),
        YEAR,
        as_of=at("2025-06"),
        bounds=Bounds.for_unit(percent=True, allow_negative=False, allow_over_100=True),
    )
    assert allowed.value > D(100)


def test_a_falling_trend_stops_at_zero_unless_negatives_are_allowed():
    values = months(YEAR, [30, 20, 10])
    f = facts("last", polarity="lower")
    assert forecasts.project(f, data(values), YEAR, as_of=at("2025-06")).value == D(0)
    free = Bounds.for_unit(percent=False, allow_negative=True, allow_over_100=False)
    assert forecasts.project(f, data(values), YEAR, as_of=at("2025-06"), bounds=free).value < 0


def test_year_to_date_figure_adds_what_last_year_added_after_the_same_month():
    values = months(LAST, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]) | months(
        YEAR, [12, 24, 36]
    )
    result = forecasts.project(
        facts("last", year_to_date=True), data(values), YEAR, as_of=at("2025-06")
    )
    assert result.value == D(36 + 90)
    assert result.method is Method.PROFILE


def test_year_to_date_figure_without_last_year_is_scaled_by_the_year_elapsed():
    values = months(YEAR, [12, 24, 36])
    result = forecasts.project(
        facts("last", year_to_date=True), data(values), YEAR, as_of=at("2025-06")
    )
    assert result.value == D(144)
    assert result.method is Method.RUN_RATE


def test_forecast_prefers_the_officers_figure_and_keeps_the_projection():
    values = months(YEAR, [10, 10, 10])
    officer = OfficerForecast(value=D(100), comment="Two vacancies", period="2025-06")
    result = forecasts.forecast_for(
        facts(), data(values, target="120"), YEAR, as_of=at("2025-06"), officer=officer
    )
    assert result.value == D(100)
    assert result.source is Source.OFFICER
    assert result.projection.value == D(120)
    # 100 against 120: shortfall 16.7% ≥ 10 → Red
    assert result.level is Level.BASECAMP
    assert result.status == "red"
    assert result.at_risk


def test_forecast_falls_back_to_the_projection_and_is_scored_like_a_value():
    values = months(YEAR, [10, 10, 10])
    result = forecasts.forecast_for(facts(), data(values, target="125"), YEAR, as_of=at("2025-06"))
    assert result.source is Source.PROJECTION
    assert result.value == D(120)
    assert result.level is Level.FIRSTBASE  # 4% short
    assert result.at_risk


def test_no_annual_target_gives_no_projection_and_no_status():
    values = months(YEAR, [10, 10, 10])
    result = forecasts.forecast_for(facts(), data(values), YEAR, as_of=at("2025-06"))
    assert result.projection.value is None
    assert result.projection.label == "No annual target"
    assert result.value is None
    assert result.status == "none"
    officer = OfficerForecast(value=D(50), comment="", period="2025-06")
    kept = forecasts.forecast_for(facts(), data(values), YEAR, as_of=at("2025-06"), officer=officer)
    assert (kept.value, kept.level) == (D(50), None)
    assert not kept.at_risk


def test_a_profiled_target_counts_as_the_annual_target():
    values = months(YEAR, [10, 10, 10])
    targets = {str(m): D(10) for m in YEAR.months()}
    result = forecasts.forecast_for(
        facts(), status.IndicatorData(values=values, targets=targets), YEAR, as_of=at("2025-06")
    )
    assert result.target == D(120)
    assert result.level is Level.SUMMIT


@pytest.mark.parametrize(
    ("polarity", "forecast", "level"),
    [("lower", "0", Level.SUMMIT), ("lower", "1", Level.BASECAMP), ("higher", "0", Level.SUMMIT)],
)
def test_a_zero_target_is_met_or_missed(polarity, forecast, level):
    officer = OfficerForecast(value=D(forecast), comment="", period="2025-06")
    result = forecasts.forecast_for(
        facts(polarity=polarity), data({}, target="0"), YEAR, as_of=at("2025-06"), officer=officer
    )
    assert result.level is level


def test_data_only_indicators_get_no_status():
    officer = OfficerForecast(value=D(5), comment="", period="2025-06")
    result = forecasts.forecast_for(
        facts(polarity="none"), data({}, target="10"), YEAR, as_of=at("2025-06"), officer=officer
    )
    assert result.level is None


def test_the_year_must_be_a_financial_year():
    with pytest.raises(ValueError, match="not a financial year"):
        forecasts.project(facts(), data({}), at("2025-06"), as_of=at("2025-06"))


def test_the_forecast_rules_import_no_django():
    import subprocess
    import sys

    code = (
        "import sys, performance.core.forecasts; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
