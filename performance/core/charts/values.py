"""The chart of an indicator's values against its target over time (an XmR or a run chart).

Pure: no Django import. `value_chart` draws the values as a line with a marker per point, the
target as a dashed step line, and per segment with process limits the SPC centre line, the
limits (dotted) and the near-limit band (shaded); with no limits it is a plain run chart.
Special-cause points have their own marker shape, and a legend says every line in words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from performance.core.charts.svg import (
    BAND_FILL,
    GRID,
    INK,
    SECONDARY,
    TONES,
    VALUE_COLOUR,
    esc,
    format_value,
    num,
    open_svg,
    safe_id,
)

__all__ = ["ChartPoint", "Limits", "Marker", "ValueChart", "value_chart"]


class Marker(StrEnum):
    """How a point is drawn: its SPC reading (common cause, or a special cause by direction)."""

    COMMON = "common"
    IMPROVING = "improving"
    CONCERNING = "concerning"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One period on the x axis: its label, its value (None: a gap) and its target."""

    label: str
    value: Decimal | None
    target: Decimal | None = None
    marker: Marker = Marker.COMMON


@dataclass(frozen=True, slots=True)
class Limits:
    """The SPC lines of points `start` ≤ i < `stop` (one per segment with process limits)."""

    start: int
    stop: int
    mean: Decimal
    upper: Decimal
    lower: Decimal
    upper_near: Decimal | None = None
    lower_near: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ValueChart:
    """An indicator's values against target. `limits` empty: a run chart (no SPC lines)."""

    chart_id: str
    title: str
    description: str
    points: Sequence[ChartPoint]
    limits: Sequence[Limits] = ()
    decimals: int = 0
    unit: str = "number"
    width: int = 760
    plot_height: int = 300


_LEFT, _RIGHT, _TOP, _XLABELS = 78, 24, 18, 44


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    power: float = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _y_scale(numbers: list[float]) -> tuple[float, float, float]:
    """(bottom, top, step) of a y axis holding `numbers`, on round tick values."""
    low, high = min(numbers), max(numbers)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    bottom = math.floor(low / step) * step
    top = math.ceil(high / step) * step
    if top == bottom:
        top = bottom + step
    return bottom, top, step


def _tick_label(tick: float, step: float, unit: str) -> str:
    places = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    if step < 1 and round(step * 10**places) % 1:
        places += 1
    # Percent-style ticks need no currency or day words: the axis title says the unit.
    return format_value(
        Decimal(str(round(tick, 10))), places, "percent" if unit == "percent" else "number"
    )


def _marker_svg(kind: Marker, x: float, y: float) -> str:
    if kind is Marker.CONCERNING:  # diamond
        d = f"M{num(x)} {num(y - 7)}L{num(x + 7)} {num(y)}L{num(x)} {num(y + 7)}L{num(x - 7)} {num(y)}Z"
        return f'<path d="{d}" fill="{TONES["amber"]}" stroke="{INK}" stroke-width="1.5"/>'
    if kind is Marker.IMPROVING:  # square
        return (
            f'<rect x="{num(x - 5.5)}" y="{num(y - 5.5)}" width="11" height="11" '
            f'fill="{TONES["blue"]}" stroke="{INK}" stroke-width="1.5"/>'
        )
    if kind is Marker.NEUTRAL:  # triangle
        d = f"M{num(x)} {num(y - 7)}L{num(x + 7)} {num(y + 5)}L{num(x - 7)} {num(y + 5)}Z"
        return f'<path d="{d}" fill="{TONES["grey"]}" stroke="{INK}" stroke-width="1.5"/>'
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5" fill="{VALUE_COLOUR}"/>'


_MARKER_WORDS = {
    Marker.CONCERNING: "Special cause, concerning (diamond)",
    Marker.IMPROVING: "Special cause, improving (square)",
    Marker.NEUTRAL: "Special cause, neither (triangle)",
}


def _legend(items: list[tuple[str, str]], width: int, top: float) -> tuple[str, float]:
    """Legend entries (sample SVG drawn in a 28×14 box at the origin, words) flowed in rows."""
    parts, x, y = [], float(_LEFT), top
    for sample, words in items:
        item_width = 40 + len(words) * 6.6
        if x + item_width > width - _RIGHT and x > _LEFT:
            x, y = float(_LEFT), y + 22
        parts.append(
            f'<g transform="translate({num(x)} {num(y)})">{sample}'
            f'<text x="36" y="11" fill="{INK}">{esc(words)}</text></g>'
        )
        x += item_width + 16
    return "".join(parts), y + 22


def value_chart(chart: ValueChart) -> str:
    """The SVG of `chart` (see the module docstring for how each line is drawn)."""
    chart_id = safe_id(chart.chart_id)
    points = list(chart.points)
    width, plot_h = chart.width, chart.plot_height
    plot_w = width - _LEFT - _RIGHT
    numbers = [float(p.value) for p in points if p.value is not None]
    numbers += [float(p.target) for p in points if p.target is not None]
    for limits in chart.limits:
        numbers += [float(limits.upper), float(limits.lower), float(limits.mean)]

    legend_items: list[tuple[str, str]] = []
    if any(p.value is not None for p in points):
        legend_items.append(
            (
                f'<path d="M0 7H28" stroke="{VALUE_COLOUR}" stroke-width="2.5"/>'
                f'<circle cx="14" cy="7" r="3.5" fill="{VALUE_COLOUR}"/>',
                "Value",
            )
        )
    if any(p.target is not None for p in points):
        legend_items.append(
            (
                f'<path d="M0 7H28" stroke="{INK}" stroke-width="2" stroke-dasharray="7 4"/>',
                "Target (dashed)",
            )
        )
    if chart.limits:
        legend_items += [
            (f'<path d="M0 7H28" stroke="{SECONDARY}" stroke-width="1.5"/>', "Mean (centre line)"),
            (
                f'<path d="M0 7H28" stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="2 3"/>',
                "Process limits (dotted)",
            ),
        ]
        if any(limit.upper_near is not None for limit in chart.limits):
            legend_items.append(
                (
                    f'<rect x="0" y="1" width="28" height="12" fill="{BAND_FILL}" stroke="{SECONDARY}" stroke-width="0.5"/>',
                    "Near-limit band (shaded)",
                )
            )
    for kind in (Marker.CONCERNING, Marker.IMPROVING, Marker.NEUTRAL):
        if any(p.marker is kind and p.value is not None for p in points):
            legend_items.append((_marker_svg(kind, 14, 7), _MARKER_WORDS[kind]))

    legend, legend_bottom = _legend(legend_items, width, _TOP + plot_h + _XLABELS)
    height = int(legend_bottom + 6)
    out = [open_svg(chart_id, width, height, chart.title, chart.description, "summit-chart")]

    if not numbers:
        out.append(
            f'<text x="{width / 2}" y="{_TOP + plot_h / 2}" text-anchor="middle" fill="{SECONDARY}">'
            "No values to chart yet</text></svg>"
        )
        return "".join(out)

    bottom, top, step = _y_scale(numbers)

    def y_of(value: Decimal | float) -> float:
        return _TOP + plot_h - (float(value) - bottom) / (top - bottom) * plot_h

    slot = plot_w / max(len(points), 1)

    def x_of(index: int) -> float:
        return _LEFT + slot * (index + 0.5)

    # Grid and y axis labels.
    out.append('<g class="summit-chart__axis">')
    ticks = round((top - bottom) / step)
    for i in range(ticks + 1):
        tick = bottom + i * step
        y = y_of(tick)
        out.append(
            f'<path d="M{_LEFT} {num(y)}H{width - _RIGHT}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_LEFT - 8}" y="{num(y + 4)}" text-anchor="end" fill="{INK}">'
            f"{esc(_tick_label(tick, step, chart.unit))}</text>"
        )
    out.append(
        f'<path d="M{_LEFT} {_TOP}V{_TOP + plot_h}H{width - _RIGHT}" stroke="{SECONDARY}" '
        'stroke-width="1" fill="none"/>'
    )
    # x axis labels: as many as fit, always including the latest period.
    every = max(1, math.ceil(len(points) / max(1, plot_w // 78)))
    last_left = math.inf  # left edge of the label last placed (they are placed right to left)
    for index in range(len(points) - 1, -1, -1):
        point = points[index]
        if (len(points) - 1 - index) % every == 0:
            # A label that would run past the right edge (the latest, usually) ends at it, and
            # one that would then touch the label to its right is left out.
            x, half = x_of(index), len(point.label) * 3.8  # ≈ half its width at 14 px
            anchor = "middle"
            if x + half > width - 2:
                anchor, x = "end", width - 2
            right = x if anchor == "end" else x + half
            if right > last_left - 8:
                continue
            last_left = right - 2 * half
            out.append(
                f'<text x="{num(x)}" y="{_TOP + plot_h + 20}" text-anchor="{anchor}" '
                f'fill="{INK}">{esc(point.label)}</text>'
            )
    out.append("</g>")

    # SPC: near-limit bands, then centre line and process limits, per segment.
    for limits in chart.limits:
        x0 = x_of(limits.start) - slot / 2
        x1 = x_of(limits.stop - 1) + slot / 2
        out.append('<g class="summit-chart__spc">')
        for near, edge in ((limits.upper_near, limits.upper), (limits.lower_near, limits.lower)):
            if near is not None:
                y_a, y_b = sorted((y_of(near), y_of(edge)))
                out.append(
                    f'<rect class="summit-chart__band" x="{num(x0)}" y="{num(y_a)}" '
                    f'width="{num(x1 - x0)}" height="{num(y_b - y_a)}" fill="{BAND_FILL}"/>'
                )
        out.append(
            f'<path class="summit-chart__mean" d="M{num(x0)} {num(y_of(limits.mean))}H{num(x1)}" '
            f'stroke="{SECONDARY}" stroke-width="1.5"/>'
        )
        for edge in (limits.upper, limits.lower):
            out.append(
                f'<path class="summit-chart__limit" d="M{num(x0)} {num(y_of(edge))}H{num(x1)}" '
                f'stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="2 3"/>'
            )
        out.append("</g>")

    # Target: a dashed step line, one level per period, broken where a period has none.
    target_d, previous = [], None
    for index, point in enumerate(points):
        if point.target is None:
            previous = None
            continue
        level = num(y_of(point.target))
        start, end = num(x_of(index) - slot / 2), num(x_of(index) + slot / 2)
        target_d.append(f"M{start} {level}H{end}" if previous is None else f"V{level}H{end}")
        previous = point.target
    if target_d:
        out.append(
            f'<path class="summit-chart__target" d="{"".join(target_d)}" fill="none" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="7 4"/>'
        )

    # Values: a line with one path point per value, broken at a missing period.
    value_d, joined = [], False
    for index, point in enumerate(points):
        if point.value is None:
            joined = False
            continue
        value_d.append(f"{'L' if joined else 'M'}{num(x_of(index))} {num(y_of(point.value))}")
        joined = True
    if value_d:
        out.append(
            f'<path class="summit-chart__values" d="{"".join(value_d)}" fill="none" '
            f'stroke="{VALUE_COLOUR}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
    out.append('<g class="summit-chart__points">')
    for index, point in enumerate(points):
        if point.value is None:
            continue
        words = f"{point.label}: {format_value(point.value, chart.decimals, chart.unit)}"
        if point.target is not None:
            words += f", target {format_value(point.target, chart.decimals, chart.unit)}"
        if point.marker is not Marker.COMMON:
            words += f", {_MARKER_WORDS[point.marker].split(' (')[0].lower()}"
        out.append(
            f"<g><title>{esc(words)}</title>"
            f"{_marker_svg(point.marker, x_of(index), y_of(point.value))}</g>"
        )
    out.append("</g>")
    out.append(legend)
    out.append("</svg>")
    return "".join(out)
