"""One set of validation rules for every value, wherever it is entered (SPEC §9). Pure.

The My returns form, the Excel upload and the `import_values` command all call `validate`, so a
figure is refused for the same reason with the same words wherever it comes from; callers only
add where the problem is (a row, a cell, a field). No Django import (a test asserts it).

Rules, in order; each problem names the field it belongs to:
1. unit and type: a percentage is 0 to 100 (or only not negative when the indicator allows more
   than 100); a count (unit `number` with 0 decimal places) or an indicator set to whole numbers
   is a whole number, and a count is not negative; days are not negative, except days where
   higher is better (days ahead of a timetable, negative when behind); an indicator that allows
   negative values (a net change, a % change: issue 18) lifts the "not negative" floor of every
   unit, and the 0 of a percentage's 0 to 100;
2. bounds set for the indicator (minimum and maximum, inclusive);
3. numerator ≤ denominator where required (a percentage from a ratio, or when the indicator says);
4. outliers, on submission only, need a comment: a value strictly outside the SPC process limits
   of the activated history, or a change from the previous period strictly larger than the
   indicator's threshold (a change from 0 to anything else is an infinite change);
5. flags: third-party data and proxy data must name the partner or source they come from.
Values are compared exactly (Decimal, no rounding); figures in messages are shown at the
indicator's decimal places (limits) or as entered (values).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Candidate", "History", "Problem", "Rules", "setting_problems", "validate"]

PERCENT = "percent"
NUMBER = "number"
DAYS = "days"


@dataclass(frozen=True, slots=True)
class Rules:
    """What an indicator allows: its unit and decimals, and its own validation settings."""

    unit: str
    decimals: int = 0
    ratio: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    allow_over_100: bool = False
    allow_negative: bool = False
    whole_numbers: bool = False
    numerator_not_above_denominator: bool = False
    change_threshold: Decimal | None = None
    polarity: str = ""

    @property
    def is_count(self) -> bool:
        return self.unit == NUMBER and self.decimals == 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """The figures and notes of one entry, already parsed as numbers."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""
    third_party: bool = False
    proxy: bool = False
    partner: str = ""


@dataclass(frozen=True, slots=True)
class History:
    """What an outlier is judged against: the previous activated value and the SPC limits."""

    previous: Decimal | None = None
    previous_period: str = ""
    lower_limit: Decimal | None = None
    upper_limit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    field: str  # value, numerator, denominator, comment or source
    rule: str  # a stable code: percent_range, whole_number, bounds, outlier_spc, …
    message: str


def show(number: Decimal, places: int | None = None) -> str:
    """A number as people write it: no exponent, no trailing zeros unless `places` asks."""
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return f"{number:,f}"
    text = f"{number.normalize():f}"
    if "." in text:
        whole, fraction = text.split(".")
        return f"{int(whole):,}.{fraction}" if whole != "-0" else f"-0.{fraction}"
    return f"{int(text):,}"


def _value_rules(rules: Rules, value: Decimal) -> list[Problem]:
    negative = value < 0 and not rules.allow_negative
    if rules.unit == PERCENT:
        if rules.allow_over_100:
            if negative:
                return [
                    Problem(
                        "value", "percent_range", "Value is a percentage and must not be negative"
                    )
                ]
        elif negative or value > Decimal(100):
            return [
                Problem(
                    "value",
                    "percent_range",
                    "Value is a percentage and must be between 0 and 100"
                    if not rules.allow_negative
                    else "Value is a percentage and must be 100 or less",
                )
            ]
    whole = value == value.to_integral_value()
    if rules.is_count:
        if not whole:
            return [Problem("value", "whole_number", "Value is a count and must be a whole number")]
        if negative:
            return [Problem("value", "negative", "Value is a count and must not be negative")]
    elif rules.whole_numbers and not whole:
        return [Problem("value", "whole_number", "Value must be a whole number for this indicator")]
    # Days taken are never negative; "higher is better" days count days ahead of (negative:
    # behind) a timetable, so they may be.
    if rules.unit == DAYS and rules.polarity != "higher" and negative:
        return [Problem("value", "negative", "Value is a number of days and must not be negative")]
    if rules.minimum is not None and value < rules.minimum:
        return [
            Problem(
                "value",
                "bounds",
                f"Value must be at least {show(rules.minimum)} for this indicator",
            )
        ]
    if rules.maximum is not None and value > rules.maximum:
        return [
            Problem(
                "value",
                "bounds",
                f"Value must be no more than {show(rules.maximum)} for this indicator",
            )
        ]
    return []


def _outlier(rules: Rules, value: Decimal, history: History) -> Problem | None:
    low, high = history.lower_limit, history.upper_limit
    if low is not None and high is not None and (value < low or value > high):
        return Problem(
            "comment",
            "outlier_spc",
            f"Add a comment: {show(value)} is a special-cause signal, outside the SPC process "
            f"limits ({show(low, rules.decimals + 1)} to {show(high, rules.decimals + 1)})",
        )
    previous, threshold = history.previous, rules.change_threshold
    if previous is None or threshold is None:
        return None
    gap = abs(value - previous)
    # Cross-multiplied so the boundary is exact: a change of exactly the threshold is allowed.
    if gap * 100 > threshold * abs(previous) and gap != 0:
        if previous == 0:
            change = "a change from 0"
        else:
            change = f"a change of {show(gap * 100 / abs(previous), 1)}% from {show(previous)}"
        since = f" ({history.previous_period})" if history.previous_period else ""
        return Problem(
            "comment",
            "outlier_change",
            f"Add a comment: {show(value)} is {change}{since}, more than the "
            f"{show(threshold)}% that needs explaining",
        )
    return None


def validate(
    rules: Rules, candidate: Candidate, history: History | None = None, *, submit: bool = True
) -> list[Problem]:
    """Every problem of `candidate` under `rules` (see the module docstring); [] when valid.

    `submit` False (a draft) skips the outlier rule: a comment is asked for on submission.
    """
    problems: list[Problem] = []
    numerator, denominator = candidate.numerator, candidate.denominator
    if (
        (rules.numerator_not_above_denominator or (rules.ratio and rules.unit == PERCENT))
        and numerator is not None
        and denominator is not None
        and numerator > denominator
    ):
        problems.append(
            Problem(
                "numerator",
                "numerator_above_denominator",
                "Numerator must not be more than the denominator",
            )
        )
    value = candidate.value
    if value is not None and not problems:
        problems += _value_rules(rules, value)
    if submit and value is not None and not problems and not candidate.comment.strip():
        outlier = _outlier(rules, value, history or History())
        if outlier is not None:
            problems.append(outlier)
    if not candidate.partner.strip():
        if candidate.third_party:
            problems.append(
                Problem(
                    "source", "third_party", "Name the partner who supplies this third-party data"
                )
            )
        elif candidate.proxy:
            problems.append(Problem("source", "proxy", "Name the source of this proxy data"))
    return problems


def _forbids_negative(rules: Rules) -> bool:
    """Whether the unit's own rules refuse a value below 0 (percent, count, days taken)."""
    return (
        rules.unit == PERCENT
        or rules.is_count
        or (rules.unit == DAYS and rules.polarity != "higher")
    )


def setting_problems(rules: Rules, *, said_no_to_negative: bool = False) -> list[Problem]:
    """Contradictions among an indicator's own settings, each naming the setting (issue 18).

    A negative minimum or maximum needs `allow_negative` when the unit refuses values below 0,
    or when the settings say so explicitly (`said_no_to_negative`: an import's "no"); the
    minimum is not above the maximum; a percentage's maximum above 100 needs `allow_over_100`.
    `Problem.field` is the setting's name (`minimum`, `maximum`).
    """
    problems = []
    low, high = rules.minimum, rules.maximum
    refuses = not rules.allow_negative and (said_no_to_negative or _forbids_negative(rules))
    for name, bound in (("minimum", low), ("maximum", high)):
        if bound is not None and bound < 0 and refuses:
            problems.append(
                Problem(
                    name,
                    "negative_bound",
                    f"{name} {show(bound)} is below 0 but negative values are not allowed "
                    "(set allow_negative to yes)",
                )
            )
    if low is not None and high is not None and low > high:
        problems.append(
            Problem(
                "maximum",
                "bounds_order",
                f"maximum {show(high)} is below minimum {show(low)}",
            )
        )
    if rules.unit == PERCENT and not rules.allow_over_100 and high is not None and high > 100:
        problems.append(
            Problem(
                "maximum",
                "percent_range",
                f"maximum {show(high)} is over 100% but allow_over_100 is not set",
            )
        )
    return problems
