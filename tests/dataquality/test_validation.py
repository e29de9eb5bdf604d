"""The pure validation rules (SPEC §9): each rule refuses and accepts what it should."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from dataquality.validation import Candidate, History, Rules, show, validate

PERCENT = Rules(unit="percent", decimals=1)
COUNT = Rules(unit="number", decimals=0)


def messages(rules, candidate, history=None, *, submit=True):
    return [(p.field, p.message) for p in validate(rules, candidate, history, submit=submit)]


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("100", True), ("55.5", True), ("100.01", False), ("-0.1", False)],
)
def test_a_percentage_is_between_0_and_100(value, ok):
    result = messages(PERCENT, Candidate(value=D(value)))
    assert (result == []) is ok
    if not ok:
        assert result == [("value", "Value is a percentage and must be between 0 and 100")]


def test_a_percentage_may_exceed_100_when_allowed_but_not_be_negative():
    rules = Rules(unit="percent", decimals=1, allow_over_100=True)
    assert messages(rules, Candidate(value=D("140"))) == []
    assert messages(rules, Candidate(value=D("-1"))) == [
        ("value", "Value is a percentage and must not be negative")
    ]


def test_counts_are_whole_and_not_negative():
    assert messages(COUNT, Candidate(value=D("12"))) == []
    assert messages(COUNT, Candidate(value=D("12.5"))) == [
        ("value", "Value is a count and must be a whole number")
    ]
    assert messages(COUNT, Candidate(value=D("-3"))) == [
        ("value", "Value is a count and must not be negative")
    ]


def test_whole_numbers_can_be_required_of_any_unit():
    rules = Rules(unit="currency", decimals=2, whole_numbers=True)
    assert messages(rules, Candidate(value=D("1200"))) == []
    assert messages(rules, Candidate(value=D("1200.50"))) == [
        ("value", "Value must be a whole number for this indicator")
    ]


def test_days_are_not_negative_unless_they_count_days_ahead_of_a_timetable():
    assert messages(Rules(unit="days", decimals=1, polarity="lower"), Candidate(value=D("-1"))) == [
        ("value", "Value is a number of days and must not be negative")
    ]
    assert (
        messages(Rules(unit="days", decimals=0, polarity="higher"), Candidate(value=D("-28"))) == []
    )


def test_bounds_are_inclusive():
    rules = Rules(unit="currency", decimals=0, minimum=D("10"), maximum=D("1000"))
    assert messages(rules, Candidate(value=D("10"))) == []
    assert messages(rules, Candidate(value=D("1000"))) == []
    assert messages(rules, Candidate(value=D("9"))) == [
        ("value", "Value must be at least 10 for this indicator")
    ]
    assert messages(rules, Candidate(value=D("1000.5"))) == [
        ("value", "Value must be no more than 1,000 for this indicator")
    ]


def test_numerator_not_above_denominator_for_percent_ratios_and_when_required():
    ratio = Rules(unit="percent", decimals=1, ratio=True)
    bad = Candidate(value=D("120"), numerator=D("12"), denominator=D("10"))
    assert messages(ratio, bad) == [
        ("numerator", "Numerator must not be more than the denominator")
    ]
    assert messages(ratio, Candidate(value=D("100"), numerator=D("10"), denominator=D("10"))) == []
    # A plain number ratio may exceed 1 unless the indicator says otherwise.
    plain = Rules(unit="ratio", decimals=2, ratio=True)
    assert messages(plain, Candidate(value=D("1.2"), numerator=D("12"), denominator=D("10"))) == []
    strict = Rules(unit="ratio", decimals=2, ratio=True, numerator_not_above_denominator=True)
    assert messages(strict, Candidate(value=D("1.2"), numerator=D("12"), denominator=D("10")))


def test_a_value_outside_the_spc_limits_needs_a_comment_on_submission():
    history = History(lower_limit=D("40.123"), upper_limit=D("60"))
    result = messages(PERCENT, Candidate(value=D("61")), history)
    assert result == [
        (
            "comment",
            "Add a comment: 61 is a special-cause signal, outside the SPC process limits "
            "(40.12 to 60.00)",
        )
    ]
    # Exactly on a limit is inside; a comment satisfies it; drafts are not asked.
    assert messages(PERCENT, Candidate(value=D("60")), history) == []
    assert messages(PERCENT, Candidate(value=D("61"), comment="New contract."), history) == []
    assert messages(PERCENT, Candidate(value=D("61")), history, submit=False) == []


def test_a_change_larger_than_the_threshold_needs_a_comment():
    rules = Rules(unit="number", decimals=0, change_threshold=D("25"))
    history = History(previous=D("100"), previous_period="2025/26 Q1")
    assert messages(rules, Candidate(value=D("125")), history) == []  # exactly 25%: allowed
    assert messages(rules, Candidate(value=D("75")), history) == []
    assert messages(rules, Candidate(value=D("126")), history) == [
        (
            "comment",
            "Add a comment: 126 is a change of 26.0% from 100 (2025/26 Q1), more than the 25% "
            "that needs explaining",
        )
    ]
    from_zero = History(previous=D("0"))
    assert messages(rules, Candidate(value=D("3")), from_zero)[0][1].startswith(
        "Add a comment: 3 is a change from 0"
    )
    # Without a threshold the change rule does not apply.
    assert messages(COUNT, Candidate(value=D("1000")), history) == []


def test_third_party_and_proxy_data_must_name_the_partner():
    assert messages(COUNT, Candidate(value=D("1"), third_party=True)) == [
        ("source", "Name the partner who supplies this third-party data")
    ]
    assert messages(COUNT, Candidate(value=D("1"), proxy=True)) == [
        ("source", "Name the source of this proxy data")
    ]
    assert messages(COUNT, Candidate(value=D("1"), third_party=True, partner="Biffa")) == []


def test_numbers_are_shown_as_people_write_them():
    assert show(D("1E+3")) == "1,000"
    assert show(D("12.50")) == "12.5"
    assert show(D("2.345"), 2) == "2.35"


def test_validation_does_not_import_django():
    code = (
        "import sys, importlib; importlib.import_module('dataquality.validation'); "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
