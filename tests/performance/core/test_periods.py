"""Periods: parsing, printing, ordering and moving about (SPEC §3, §5). No database."""

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.core import periods
from performance.core.periods import Frequency, Period, PeriodError

# --- parsing and printing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2024/25", Frequency.ANNUAL, date(2024, 4, 1), date(2025, 3, 31)),
        ("2024/25 Q1", Frequency.QUARTERLY, date(2024, 4, 1), date(2024, 6, 30)),
        ("2024/25 Q2", Frequency.QUARTERLY, date(2024, 7, 1), date(2024, 9, 30)),
        ("2024/25 Q3", Frequency.QUARTERLY, date(2024, 10, 1), date(2024, 12, 31)),
        ("2024/25 Q4", Frequency.QUARTERLY, date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-07", Frequency.MONTHLY, date(2024, 7, 1), date(2024, 7, 31)),
        ("2024-02", Frequency.MONTHLY, date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", Frequency.MONTHLY, date(2023, 2, 1), date(2023, 2, 28)),
        ("1999/00", Frequency.ANNUAL, date(1999, 4, 1), date(2000, 3, 31)),
        ("1999/00 Q4", Frequency.QUARTERLY, date(2000, 1, 1), date(2000, 3, 31)),
    ],
)
def test_parse_reads_each_written_form(text, kind, start, end):
    period = periods.parse(text)
    assert period == Period(kind, start, end)
    assert str(period) == text


def test_parse_ignores_surrounding_whitespace_and_lower_case_q():
    assert periods.parse("  2024/25 q2\n") == Period.for_quarter(2024, 2)
    assert str(periods.parse("2024/25   Q2")) == "2024/25 Q2"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024/26", "the year after 2024 is written /25"),
        ("2024/24", "the year after 2024 is written /25"),
        ("2024/25 Q5", "quarter Q5 is not Q1-Q4"),
        ("2024/25 Q0", "quarter Q0 is not Q1-Q4"),
        ("2024-13", "month 13 is not 01-12"),
        ("2024-00", "month 00 is not 01-12"),
        ("2024-7", "unrecognised form"),
        ("2024/2025", "unrecognised form"),
        ("24/25", "unrecognised form"),
        ("Q1 2024/25", "unrecognised form"),
        ("2024/25Q1", "unrecognised form"),
        ("July 2024", "unrecognised form"),
    ],
)
def test_parse_rejects_bad_text_naming_it_and_the_expected_forms(text, reason):
    with pytest.raises(PeriodError) as caught:
        periods.parse(text)
    message = str(caught.value)
    assert repr(text) in message
    assert reason in message
    assert "2024/25" in message
    assert "2024/25 Q1" in message
    assert "2024-07" in message


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_parse_rejects_blank_text(text):
    with pytest.raises(PeriodError, match="a period is required"):
        periods.parse(text)


def test_parse_rejects_what_is_not_text():
    with pytest.raises(PeriodError, match="is not a period"):
        periods.parse(None)  # type: ignore[arg-type]


def test_period_error_is_a_value_error():
    with pytest.raises(ValueError):  # noqa: PT011 — the point is the base class
        periods.parse("nonsense")


def test_parse_with_a_kind_refuses_another_kind():
    assert periods.parse("2024/25 Q1", kind=Frequency.QUARTERLY) == Period.for_quarter(2024, 1)
    with pytest.raises(PeriodError, match="is an annual period, expected a quarterly one"):
        periods.parse("2024/25", kind=Frequency.QUARTERLY)


def test_parse_rejects_years_outside_the_supported_range():
    with pytest.raises(PeriodError, match="outside the supported"):
        periods.parse("9999/00")
    with pytest.raises(PeriodError, match="outside the supported"):
        periods.parse("1000-03")  # belongs to 999/00


def test_constructing_a_period_checks_its_dates():
    with pytest.raises(PeriodError, match="is not a quarterly period"):
        Period(Frequency.QUARTERLY, date(2024, 5, 1), date(2024, 7, 31))
    with pytest.raises(PeriodError, match="is not a monthly period"):
        Period(Frequency.MONTHLY, date(2024, 7, 1), date(2024, 7, 30))
    with pytest.raises(PeriodError, match="is not an annual period"):
        Period(Frequency.ANNUAL, date(2024, 1, 1), date(2024, 12, 31))


def test_kind_given_as_plain_text_becomes_the_enum():
    period = Period("monthly", date(2024, 7, 1), date(2024, 7, 31))  # type: ignore[arg-type]
    assert period.kind is Frequency.MONTHLY
    assert period == Period.for_month(2024, 7)


def test_constructors_refuse_bad_numbers():
    with pytest.raises(PeriodError):
        Period.for_month(2024, 13)
    with pytest.raises(PeriodError):
        Period.for_quarter(2024, 0)


def test_frequency_values_are_the_model_choices():
    assert [f.value for f in Frequency] == ["monthly", "quarterly", "annual"]
    assert [f.months for f in Frequency] == [1, 3, 12]
    assert [f.per_year for f in Frequency] == [12, 4, 1]


# --- ordering ---------------------------------------------------------------------------------


def test_periods_sort_chronologically_shorter_first_on_the_same_start():
    texts = ["2024/25", "2024-05", "2023/24 Q4", "2024/25 Q1", "2024-04", "2025-03"]
    ordered = sorted(periods.parse(t) for t in texts)
    assert [str(p) for p in ordered] == [
        "2023/24 Q4",
        "2024-04",
        "2024/25 Q1",
        "2024/25",
        "2024-05",
        "2025-03",
    ]


def test_periods_compare_with_operators_and_refuse_other_types():
    q1, q2 = Period.for_quarter(2024, 1), Period.for_quarter(2024, 2)
    assert q1 < q2 <= q2
    assert q2 > q1 >= q1
    with pytest.raises(TypeError):
        _ = q1 < "2024/25 Q2"  # type: ignore[operator]


def test_periods_are_hashable_values():
    assert len({periods.parse("2024/25 Q1"), Period.for_quarter(2024, 1)}) == 1


# --- moving about -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "previous", "following"),
    [
        ("2024/25 Q1", "2023/24 Q4", "2024/25 Q2"),
        ("2024/25 Q4", "2024/25 Q3", "2025/26 Q1"),
        ("2024-01", "2023-12", "2024-02"),
        ("2024-12", "2024-11", "2025-01"),
        ("2024/25", "2023/24", "2025/26"),
        ("2000/01", "1999/00", "2001/02"),
    ],
)
def test_previous_and_next_stay_in_the_same_kind(text, previous, following):
    period = periods.parse(text)
    assert str(period.previous()) == previous
    assert str(period.next()) == following


@pytest.mark.parametrize(
    ("text", "last_year"),
    [("2024/25 Q3", "2023/24 Q3"), ("2024-02", "2023-02"), ("2024/25", "2023/24")],
)
def test_same_period_last_year(text, last_year):
    assert str(periods.parse(text).same_period_last_year()) == last_year


def test_shift_moves_by_whole_periods():
    assert str(periods.parse("2024/25 Q2").shift(5)) == "2025/26 Q3"
    assert str(periods.parse("2024-03").shift(-15)) == "2022-12"


def test_moving_past_the_supported_range_raises():
    with pytest.raises(PeriodError):
        periods.parse("9998/99").next()
    with pytest.raises(PeriodError):
        periods.parse("1000-04").previous()


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2024-04", "2024/25"),
        ("2025-03", "2024/25"),
        ("2024/25 Q4", "2024/25"),
        ("2024/25", "2024/25"),
    ],
)
def test_financial_year_is_the_containing_year(text, year):
    assert str(periods.parse(text).financial_year) == year


def test_quarter_number_of_quarters_and_months():
    assert periods.parse("2024/25 Q3").quarter_number == 3
    assert periods.parse("2025-02").quarter_number == 4
    assert periods.parse("2024/25").quarter_number is None


def test_fy_start_year():
    assert periods.parse("2025-03").fy_start_year == 2024
    assert periods.parse("2025-04").fy_start_year == 2025


# --- periods of a day -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "month", "quarter", "year"),
    [
        (date(2024, 4, 1), "2024-04", "2024/25 Q1", "2024/25"),
        (date(2024, 6, 30), "2024-06", "2024/25 Q1", "2024/25"),
        (date(2024, 7, 1), "2024-07", "2024/25 Q2", "2024/25"),
        (date(2024, 12, 31), "2024-12", "2024/25 Q3", "2024/25"),
        (date(2025, 1, 1), "2025-01", "2024/25 Q4", "2024/25"),
        (date(2025, 3, 31), "2025-03", "2024/25 Q4", "2024/25"),
    ],
)
def test_containing_finds_the_month_quarter_and_year_of_a_day(day, month, quarter, year):
    assert str(periods.containing(day, Frequency.MONTHLY)) == month
    assert str(periods.month_of(day)) == month
    assert str(periods.quarter_of(day)) == quarter
    assert str(periods.containing(day, Frequency.QUARTERLY)) == quarter
    assert str(periods.financial_year_of(day)) == year
    assert str(periods.containing(day, Frequency.ANNUAL)) == year


def test_current_financial_year_turns_over_on_1_april():
    assert str(periods.current_financial_year(date(2025, 3, 31))) == "2024/25"
    assert str(periods.current_financial_year(date(2025, 4, 1))) == "2025/26"


# --- sub-periods and containment --------------------------------------------------------------


def test_a_year_has_twelve_months_and_four_quarters_in_order():
    year = periods.parse("2024/25")
    assert [str(m) for m in year.months()][:3] == ["2024-04", "2024-05", "2024-06"]
    assert str(year.months()[-1]) == "2025-03"
    assert len(year.months()) == 12
    assert [str(q) for q in year.quarters()] == [
        "2024/25 Q1",
        "2024/25 Q2",
        "2024/25 Q3",
        "2024/25 Q4",
    ]


def test_a_quarter_has_three_months_and_is_its_own_quarter():
    q4 = periods.parse("2024/25 Q4")
    assert [str(m) for m in q4.months()] == ["2025-01", "2025-02", "2025-03"]
    assert q4.quarters() == (q4,)


def test_a_month_is_its_own_month_and_has_no_quarters():
    month = periods.parse("2024-07")
    assert month.months() == (month,)
    with pytest.raises(PeriodError, match="has no quarterly sub-periods"):
        month.quarters()


def test_contains_periods_and_days():
    q2 = periods.parse("2024/25 Q2")
    assert q2.contains(periods.parse("2024-08"))
    assert q2.contains(q2)
    assert not q2.contains(periods.parse("2024-10"))
    assert not q2.contains(periods.parse("2024/25"))
    assert q2.contains(date(2024, 9, 30))
    assert not q2.contains(date(2024, 10, 1))


def test_between_lists_every_period_inclusive():
    first, last = periods.parse("2024/25 Q3"), periods.parse("2025/26 Q2")
    assert [str(p) for p in periods.between(first, last)] == [
        "2024/25 Q3",
        "2024/25 Q4",
        "2025/26 Q1",
        "2025/26 Q2",
    ]
    assert periods.between(last, first) == ()
    assert periods.between(first, first) == (first,)
    with pytest.raises(PeriodError, match="not of the same kind"):
        periods.between(first, periods.parse("2025-01"))


# --- the data collection cycle (SPEC §5) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "requested", "close"),
    [
        ("2024/25 Q1", date(2024, 7, 1), date(2024, 7, 10)),
        ("2024/25 Q2", date(2024, 10, 1), date(2024, 10, 10)),
        ("2024/25 Q3", date(2025, 1, 1), date(2025, 1, 10)),
        ("2024/25 Q4", date(2025, 4, 1), date(2025, 4, 10)),
        ("2024-02", date(2024, 3, 1), date(2024, 3, 10)),
        ("2024/25", date(2025, 4, 1), date(2025, 4, 10)),
    ],
)
def test_data_is_requested_the_day_after_the_period_and_the_window_lasts_ten_days(
    text, requested, close
):
    period = periods.parse(text)
    assert period.request_date() == requested
    assert periods.window_close(period.request_date()) == close
    assert period.window_close() == close


def test_window_length_is_configurable_and_at_least_a_day():
    assert periods.window_close(date(2024, 7, 1), days=1) == date(2024, 7, 1)
    assert periods.window_close(date(2024, 12, 25), days=14) == date(2025, 1, 7)
    with pytest.raises(ValueError, match="at least one day"):
        periods.window_close(date(2024, 7, 1), days=0)


# --- properties -------------------------------------------------------------------------------

fy_years = st.integers(min_value=periods.MIN_FY + 1, max_value=periods.MAX_FY - 1)


@st.composite
def any_period(draw):
    kind = draw(st.sampled_from(Frequency))
    year = periods.Period.for_year(draw(fy_years))
    return draw(st.sampled_from(year.sub_periods(kind)))


@given(any_period())
def test_parse_reads_back_what_str_writes(period):
    assert periods.parse(str(period)) == period


@given(any_period())
def test_previous_then_next_returns_the_period(period):
    assert period.previous().next() == period
    assert period.next().previous() == period
    assert period.previous() < period < period.next()


@given(any_period())
def test_same_period_last_year_is_a_year_of_its_periods_back(period):
    assert period.same_period_last_year() == period.shift(-period.kind.per_year)


@given(any_period())
def test_sub_periods_tile_the_period(period):
    months = period.months()
    assert all(period.contains(m) for m in months)
    assert months[0].start == period.start
    assert months[-1].end == period.end
    assert all(a.next() == b for a, b in itertools.pairwise(months))


@given(fy_years, st.integers(min_value=1, max_value=4))
def test_months_of_a_quarter_are_contained_by_it_and_find_it(year, number):
    quarter = Period.for_quarter(year, number)
    for month in quarter.months():
        assert quarter.contains(month)
        assert periods.quarter_of(month.start) == quarter
        assert month.financial_year == quarter.financial_year


@given(
    st.dates(min_value=date(1001, 1, 1), max_value=date(9998, 12, 31)), st.sampled_from(Frequency)
)
def test_the_period_containing_a_day_contains_it(day, kind):
    period = periods.containing(day, kind)
    assert period.contains(day)
    assert period.kind is kind
    assert period.request_date() > day
