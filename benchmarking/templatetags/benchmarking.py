"""Template helpers: figures at a measure's precision, quartile and direction words, and the
indicator page's benchmark panel (`{% load benchmarking %}{% indicator_benchmark indicator period %}`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from benchmarking import selectors

register = template.Library()

QUARTILES = {
    1: ("Top quartile", "★", "green"),
    2: ("Second quartile", "◆", "blue"),
    3: ("Third quartile", "◇", "yellow"),
    4: ("Bottom quartile", "▽", "red"),
}
DIRECTIONS = {
    "improving": ("Improving", "▲"),
    "deteriorating": ("Deteriorating", "▼"),
    "stable": ("Stable", "▶"),
    "none": ("No comparison", "–"),
}


@register.filter
def figure(value, decimals=None):
    """A Decimal at `decimals` places (half-up), exact without trailing zeros when not given."""
    return selectors.plain(value, None if decimals in (None, "") else int(decimals))


@register.filter
def money(value):
    """Whole pounds with thousands separators and a true minus sign: −£120,000."""
    if value is None:
        return ""
    rounded = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,}"


@register.inclusion_tag("benchmarking/partials/quartile.html")
def quartile_tag(quartile, judged=True):
    label, icon, colour = QUARTILES.get(quartile, ("No value", "–", "grey"))
    if quartile and not judged:
        label, colour = f"Quartile {quartile} by size (not judged)", "grey"
    return {"label": label, "icon": icon, "colour": colour}


@register.inclusion_tag("benchmarking/partials/direction.html")
def direction_tag(direction):
    key = getattr(direction, "value", direction) or "none"
    label, icon = DIRECTIONS.get(key, DIRECTIONS["none"])
    return {"label": label, "icon": icon, "key": key}


@register.inclusion_tag("benchmarking/partials/indicator_position.html")
def indicator_benchmark(indicator, period=None):
    """The benchmark panel for an indicator page; renders nothing when the indicator is not
    mapped to a benchmark measure or there are no figures."""
    return {
        "benchmark": selectors.position_for_indicator(indicator, period),
        "indicator": indicator,
    }
