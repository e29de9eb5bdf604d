"""Days left before a window closes (issue 14): one count, in London calendar days, pinned
either side of midnight and across both clock changes. The clock is passed in UTC. No database."""

from datetime import UTC, date, datetime

import pytest

from performance.core.deadlines import days_left, days_left_label


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "deadline", "expected"),
    [
        # Summer (BST, UTC+1): 23:59 and 00:01 London are both on 7 July in UTC.
        (utc(2026, 7, 7, 22, 59), date(2026, 7, 10), 3),  # 23:59 Tuesday 7 July London
        (utc(2026, 7, 7, 23, 1), date(2026, 7, 10), 2),  # 00:01 Wednesday 8 July London
        # Winter (GMT): London and UTC agree.
        (utc(2026, 1, 7, 23, 59), date(2026, 1, 10), 3),
        (utc(2026, 1, 8, 0, 1), date(2026, 1, 10), 2),
        # The deadline day itself is not counted; the day after, the window has closed.
        (utc(2026, 7, 9, 23, 1), date(2026, 7, 10), 0),  # 00:01 on the deadline day
        (utc(2026, 7, 10, 22, 59), date(2026, 7, 10), 0),  # 23:59 on the deadline day
        (utc(2026, 7, 10, 23, 1), date(2026, 7, 10), -1),  # 00:01 the day after
    ],
)
def test_days_left_counts_london_calendar_days_either_side_of_midnight(now, deadline, expected):
    assert days_left(deadline, now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 10, 24, 22, 59), 2),  # 23:59 BST Saturday 24 October
        (utc(2026, 10, 24, 23, 1), 1),  # 00:01 BST Sunday 25 October (clocks go back at 02:00)
        (utc(2026, 10, 25, 0, 30), 1),  # 01:30 BST, the first of the two 01:30s
        (utc(2026, 10, 25, 1, 30), 1),  # 01:30 GMT, the second
        (utc(2026, 10, 25, 23, 59), 1),  # 23:59 GMT Sunday, the end of a 25-hour day
        (utc(2026, 10, 26, 0, 1), 0),  # 00:01 GMT Monday 26 October, the deadline day
    ],
)
def test_days_left_across_the_change_from_bst_to_gmt(now, expected):
    assert days_left(date(2026, 10, 26), now) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 3, 28, 23, 59), 2),  # 23:59 GMT Saturday 28 March
        (utc(2026, 3, 29, 0, 1), 1),  # 00:01 GMT Sunday 29 March (clocks go forward at 01:00)
        (utc(2026, 3, 29, 1, 30), 1),  # 02:30 BST, after the missing hour
        (utc(2026, 3, 29, 22, 59), 1),  # 23:59 BST Sunday, the end of a 23-hour day
        (utc(2026, 3, 29, 23, 1), 0),  # 00:01 BST Monday 30 March, the deadline day
    ],
)
def test_days_left_across_the_change_from_gmt_to_bst(now, expected):
    assert days_left(date(2026, 3, 30), now) == expected


def test_days_left_refuses_a_naive_clock_naming_it():
    with pytest.raises(ValueError, match="now"):
        days_left(date(2026, 7, 10), datetime(2026, 7, 7, 12, 0))  # noqa: DTZ001 (naive on purpose)


@pytest.mark.parametrize(
    ("days", "label"),
    [(-1, "Closed"), (0, "Closes today"), (1, "1 day left"), (4, "4 days left")],
)
def test_days_left_label(days, label):
    assert days_left_label(days) == label
