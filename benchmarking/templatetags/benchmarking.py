"""Template helpers: figures at a measure's precision, quartile and direction words, and the
indicator page's benchmark panel (`{% load benchmarking %}{% indicator_benchmark indicator period %}`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from benchmarking import selectors
from performance.core import symbols

register = template.Library()

# (words, shape, GOV.UK tag colour): the shapes and words from the registry of symbols
# (`performance.core.symbols`, issue 19); the third quartile is the registry's amber (orange).
_TAG_COLOURS = {1: "green", 2: "blue", 3: "orange", 4: "red"}
QUARTILES = {
    number: (symbols.word("quartile", number), symbols.char("quartile", number), colour)
    for number, colour in _TAG_COLOURS.items()
}
DIRECTIONS = {
    code: (symbols.short("direction", code), symbols.char("direction", code))
    for code in ("improving", "deteriorating", "stable", "none")
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
    label, icon, colour = QUARTILES.get(
        quartile, (symbols.word("quartile", "none"), symbols.char("quartile", "none"), "grey")
    )
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
