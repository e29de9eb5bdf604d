"""Complaint timescales, lateness and the complaints report counts (SPEC §6). No database.

Bank holidays used below, as the `holidays` library gives them for England & Wales:
Christmas Day Wed 25 Dec 2024, Boxing Day Thu 26 Dec 2024, New Year's Day Wed 1 Jan 2025,
Good Friday 18 Apr 2025, Easter Monday 21 Apr 2025, Early May bank holiday Mon 5 May 2025.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reach_summit.timescales import (
    DEFAULT_TIMESCALES,
    Complaint,
    add_working_days,
    is_bank_holiday,
    is_late,
    is_working_day,
    late_in_quarter,
    response_due,
    summarise_complaints,
)

Q3_START, Q3_END = date(2024, 10, 1), date(2024, 12, 31)  # 2024/25 Q3
Q4_START, Q4_END = date(2025, 1, 1), date(2025, 3, 31)  # 2024/25 Q4


def test_the_library_gives_the_england_and_wales_bank_holidays_used_here() -> None:
    for day in (date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1)):
        assert is_bank_holiday(day)
    for day in (date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5)):
        assert is_bank_holiday(day)
    assert not is_bank_holiday(date(2024, 12, 24))
    assert not is_bank_holiday(date(2025, 1, 2))  # a Scottish bank holiday, not ours


def test_substitute_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2022, 12, 27))  # Christmas Day on a Sunday in 2022


# ------------------------------------------------------------------------------ working days


def test_add_working_days_skips_the_weekend() -> None:
    assert add_working_days(date(2024, 10, 4), 1) == date(2024, 10, 7)  # Friday → Monday


def test_add_zero_working_days_is_the_start_date() -> None:
    assert add_working_days(date(2024, 10, 5), 0) == date(2024, 10, 5)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2024, 10, 4), -1)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=1, max_value=40),
)
def test_add_working_days_lands_on_the_nth_working_day_after_start(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    days_between = ((start + timedelta(days=i)) for i in range(1, (due - start).days + 1))
    assert sum(1 for day in days_between if is_working_day(day)) == n


# ------------------------------------------------------------------------------ due dates


def test_stage_one_is_due_ten_working_days_after_receipt() -> None:
    assert DEFAULT_TIMESCALES == {1: 10, 2: 20}
    assert response_due(date(2024, 10, 1), 1) == date(2024, 10, 15)


def test_due_date_that_would_fall_on_boxing_day_moves_past_christmas() -> None:
    # Received Thu 12 Dec 2024: two calendar weeks would be Boxing Day; ten working days skip
    # the two weekends and both Christmas bank holidays.
    assert response_due(date(2024, 12, 12), 1) == date(2024, 12, 30)


def test_complaint_received_before_christmas_is_due_in_the_new_year_after_new_years_day() -> None:
    # Fri 20 Dec 2024: 23, 24, 27, 30, 31 Dec, (1 Jan), 2, 3, 6, 7, 8 Jan.
    assert response_due(date(2024, 12, 20), 1) == date(2025, 1, 8)


def test_complaint_received_before_easter_skips_good_friday_and_easter_monday() -> None:
    # Mon 7 Apr 2025: 8, 9, 10, 11, 14, 15, 16, 17, (18, 21), 22, 23 Apr.
    assert response_due(date(2025, 4, 7), 1) == date(2025, 4, 23)


def test_stage_two_is_due_twenty_working_days_after_receipt() -> None:
    # Wed 2 Apr 2025, over Easter: the twentieth working day is Fri 2 May.
    assert response_due(date(2025, 4, 2), 2) == date(2025, 5, 2)


def test_receipt_on_a_non_working_day_counts_from_the_next_working_day() -> None:
    # Easter Saturday 19 Apr 2025 counts as received Tue 22 Apr; then ten working days,
    # skipping the May bank holiday on Mon 5 May.
    assert response_due(date(2025, 4, 19), 1) == date(2025, 5, 7)
    # A Saturday and the Monday after it give the same due date.
    assert response_due(date(2024, 10, 5), 1) == response_due(date(2024, 10, 7), 1)


def test_timescales_are_configurable_per_stage() -> None:
    assert response_due(date(2024, 10, 1), 1, {1: 5, 2: 15}) == date(2024, 10, 8)
    assert response_due(date(2024, 10, 1), 3, {1: 5, 2: 15, 3: 25}) == date(2024, 11, 5)


def test_a_stage_without_a_timescale_is_an_error() -> None:
    with pytest.raises(ValueError, match="stage 3"):
        response_due(date(2024, 10, 1), 3)


# ---------------------------------------------------------------------------------- lateness

DUE = date(2024, 12, 30)


def test_response_on_the_due_date_is_on_time() -> None:
    assert not is_late(DUE, DUE, as_at=date(2025, 1, 10))


def test_response_the_day_after_the_due_date_is_late() -> None:
    assert is_late(DUE, DUE + timedelta(days=1), as_at=date(2025, 1, 10))


def test_unanswered_complaint_is_late_once_its_due_date_has_passed() -> None:
    assert not is_late(DUE, None, as_at=DUE)
    assert is_late(DUE, None, as_at=DUE + timedelta(days=1))


def test_response_dated_after_the_as_at_date_is_not_yet_known() -> None:
    assert is_late(DUE, date(2024, 12, 20), as_at=date(2025, 1, 5)) is False
    assert is_late(DUE, date(2025, 1, 20), as_at=date(2025, 1, 5)) is True


def test_complaint_answered_late_in_a_later_quarter_counts_once_in_the_quarter_it_fell_due() -> (
    None
):
    due, responded, today = DUE, date(2025, 1, 6), date(2025, 4, 10)
    assert late_in_quarter(due, responded, Q3_START, Q3_END, today)
    assert not late_in_quarter(due, responded, Q4_START, Q4_END, today)


def test_complaint_unanswered_at_quarter_end_is_late_in_that_quarter() -> None:
    assert late_in_quarter(DUE, None, Q3_START, Q3_END, today=date(2025, 1, 10))


def test_complaint_answered_on_time_is_never_late_in_any_quarter() -> None:
    for start, end in ((Q3_START, Q3_END), (Q4_START, Q4_END)):
        assert not late_in_quarter(DUE, date(2024, 12, 24), start, end, date(2025, 4, 10))


def test_complaint_received_in_one_quarter_and_due_in_the_next_counts_in_the_next() -> None:
    received = date(2024, 12, 20)
    due = response_due(received, 1)  # 8 Jan 2025
    assert not late_in_quarter(due, None, Q3_START, Q3_END, today=date(2025, 4, 10))
    assert late_in_quarter(due, None, Q4_START, Q4_END, today=date(2025, 4, 10))


def test_provisional_table_counts_overdue_unanswered_but_not_yet_due_complaints() -> None:
    today = date(2024, 11, 15)
    assert late_in_quarter(date(2024, 11, 14), None, Q3_START, Q3_END, today)
    assert not late_in_quarter(date(2024, 11, 15), None, Q3_START, Q3_END, today)


# -------------------------------------------------------------------------- complaints report


def complaint(ref: str, team: str, received: date, responded: date | None) -> Complaint:
    return Complaint(
        reference=ref,
        team_key=team,
        team_name=team,
        received=received,
        due=response_due(received, 1),
        responded=responded,
    )


COMPLAINTS = [
    # Waste: on time; late (answered in Q4); unanswered; received in Q3, due in Q4.
    complaint("W-1", "Waste", date(2024, 10, 1), date(2024, 10, 10)),
    complaint("W-2", "Waste", date(2024, 12, 2), date(2025, 1, 6)),
    complaint("W-3", "Waste", date(2024, 12, 12), None),
    complaint("W-4", "Waste", date(2024, 12, 20), date(2025, 1, 7)),
    # Parks: received in Q2, due and answered on time in Q3; one late within Q3.
    complaint("P-1", "Parks", date(2024, 9, 25), date(2024, 10, 8)),
    complaint("P-2", "Parks", date(2024, 11, 1), date(2024, 11, 29)),
]


def test_complaints_report_counts_per_team_and_in_total() -> None:
    summary = summarise_complaints(
        COMPLAINTS,
        quarter_start=Q3_START,
        quarter_end=Q3_END,
        today=date(2025, 1, 10),
        teams=[("Housing", "Housing")],
    )
    rows = {row.team_name: row for row in summary.teams}
    assert [row.team_name for row in summary.teams] == ["Housing", "Parks", "Waste"]
    waste, parks, housing = rows["Waste"], rows["Parks"], rows["Housing"]
    assert (waste.received, waste.responded, waste.fell_due) == (4, 1, 3)
    assert (waste.on_time, waste.late, waste.pending) == (1, 2, 0)
    assert waste.late_references == ("W-2", "W-3")
    assert (parks.received, parks.responded, parks.on_time, parks.late) == (1, 2, 1, 1)
    assert (housing.received, housing.late) == (0, 0)
    assert housing.percent_on_time is None
    total = summary.total
    assert (total.received, total.responded, total.fell_due) == (5, 3, 5)
    assert (total.on_time, total.late, total.pending) == (2, 3, 0)
    assert str(total.percent_on_time) == "40.0"
    assert summary.late_references() == {
        "Housing": (),
        "Parks": ("P-2",),
        "Waste": ("W-2", "W-3"),
    }


def test_complaints_report_late_count_is_the_league_tables_late_count() -> None:
    today = date(2025, 4, 10)
    for start, end in ((Q3_START, Q3_END), (Q4_START, Q4_END)):
        summary = summarise_complaints(
            COMPLAINTS, quarter_start=start, quarter_end=end, today=today
        )
        expected = sum(
            1 for c in COMPLAINTS if late_in_quarter(c.due, c.responded, start, end, today)
        )
        assert summary.total.late == expected


def test_provisional_complaints_report_keeps_not_yet_due_complaints_pending() -> None:
    summary = summarise_complaints(
        COMPLAINTS, quarter_start=Q3_START, quarter_end=Q3_END, today=date(2024, 12, 20)
    )
    waste = next(row for row in summary.teams if row.team_name == "Waste")
    # W-2 (due 16 Dec, unanswered on 20 Dec) is late; W-3 (due 30 Dec) is pending;
    # W-4 was received on 20 Dec, so it counts as received.
    assert (waste.received, waste.fell_due, waste.on_time, waste.late, waste.pending) == (
        4,
        3,
        1,
        1,
        1,
    )
