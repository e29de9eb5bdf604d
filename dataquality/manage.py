"""Data quality's kind of record in the Manage area: validation rules (SPEC §9).

Manage lists, adds and edits records of the kinds it is given (`performance.manage.views.kinds`);
it cannot import this app, so `apps.py` registers `kinds()` under the MANAGE_KINDS hook. The
rules sit in the "Indicators and targets" group, after the targets.
"""

from __future__ import annotations

from decimal import Decimal

from dataquality.models import ValidationRule
from dataquality.rule_forms import ValidationRuleForm
from performance.manage.views.kinds import Kind, Placement


def _number(value: Decimal | None, decimals: int) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}%"


def _checks(rule: ValidationRule) -> str:
    checks = [
        label
        for on, label in (
            (rule.whole_numbers, "whole numbers"),
            (rule.allow_over_100, "may exceed 100%"),
            (rule.allow_negative, "may be negative"),
            (rule.numerator_not_above_denominator, "numerator ≤ denominator"),
        )
        if on
    ]
    return ", ".join(checks) or "Unit's own only"


VALIDATION_RULES = Kind(
    "validation-rules",
    ValidationRuleForm,
    "Bounds and checks on an indicator's values beyond its unit's own rules (data quality).",
    (
        ("Indicator", lambda o: o.indicator.code),
        ("Lowest", lambda o: _number(o.minimum, o.indicator.decimals)),
        ("Highest", lambda o: _number(o.maximum, o.indicator.decimals)),
        ("Checks", _checks),
        ("Change needing a comment", lambda o: _percent(o.change_threshold)),
    ),
    words=("Validation rules", "validation rule"),
    related=("indicator",),
    filters=("indicator",),
    order=("indicator__code",),
)


def kinds() -> list[Placement]:
    """The MANAGE_KINDS receiver: validation rules, after the targets."""
    return [Placement("Indicators and targets", after="targets", kind=VALIDATION_RULES)]
