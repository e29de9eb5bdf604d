"""Template filters of Reach the Summit."""

from decimal import Decimal, InvalidOperation

from django import template

from performance.core.charts.svg import format_value
from performance.models import Indicator
from reach_summit.calculations import format_points

register = template.Library()


@register.filter
def points(value) -> str:
    """3, 0.5, −0.25: points as a council writes them (no trailing zeros, a real minus)."""
    if value in (None, ""):
        return ""
    try:
        return format_points(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


@register.filter
def signed_points(value) -> str:
    """+3, +0.5, −0.25, 0."""
    text = points(value)
    if text and text != "0" and not text.startswith("\N{MINUS SIGN}"):
        return f"+{text}"
    return text


_UNIT_CODES = {label: code for code, label in Indicator.Unit.choices}


@register.filter
def measure_figure(text, unit_label) -> str:
    """A scorecard figure as the indicator pages write it (issue 19): "1129747" in currency →
    "£1,129,747", with the decimals it was stored with. `unit_label` is the unit's display name
    kept in the explanation (frozen snapshots hold it too)."""
    if text in (None, ""):
        return ""
    try:
        number = Decimal(str(text))
    except InvalidOperation:
        return str(text)
    decimals = max(0, -int(number.as_tuple().exponent))
    return format_value(number, decimals, _UNIT_CODES.get(unit_label, "number"))
