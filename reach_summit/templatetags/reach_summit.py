"""Template filters of Reach the Summit."""

from decimal import Decimal, InvalidOperation

from django import template

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
