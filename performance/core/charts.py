"""Server-side SVG charts for pages and PDF reports alike (pure: no Django import).

Dataclasses in, an SVG string out. Three charts:

- `value_chart`: an indicator's values over time against its target, with the SPC centre line,
  process limits and near-limit band of each segment (an XmR chart), or a plain run chart when
  no segment has limits.
- `bar_chart`: counts by RAG status (or any labelled counts) as horizontal bars.
- `sparkline`: a small trend line for tables and cards.

Accessibility and policy:
- every chart is `<svg role="img" aria-labelledby="… …">` with a `<title>` and a `<desc>`; the
  caller always renders a text alternative (a table) beside it as well;
- readable without colour: the target is a dashed line, process limits dotted lines, the centre
  line solid and thin, the near-limit band shaded; special-cause points have their own marker
  shape (diamond: concerning, square: improving, triangle: neither) and the legend says so in
  words;
- no `style=` attribute anywhere (the Content Security Policy forbids inline styles): only SVG
  presentation attributes (fill, stroke, stroke-dasharray…), which the CSP allows and
  WeasyPrint understands;
- all text is XML-escaped.

Coordinates are floats (display only); values are `Decimal` and are rounded for labels with
`calculations.round_to` (ROUND_HALF_UP), the same rounding as the status rules.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from performance.core.calculations import round_to

__all__ = [
    "Bar",
    "BarChart",
    "ChartPoint",
    "Limits",
    "Marker",
    "Sparkline",
    "ValueChart",
    "bar_chart",
    "format_value",
    "sparkline",
    "value_chart",
]

FONT = "Helvetica Neue, Arial, Liberation Sans, sans-serif"
INK = "#0b0c0c"
SECONDARY = "#505a5f"
VALUE_COLOUR = "#1d3557"
BAND_FILL = "#e8e8e8"
GRID = "#dcdcdc"

# Fill of the bars by tone; the bar's label always says the status in words as well.
TONES = {
    "green": "#00703c",
    "amber": "#f47738",
    "red": "#d4351c",
    "grey": "#b1b4b6",
    "none": "#f3f2f1",
    "blue": "#1d70b8",
}


# --- values -----------------------------------------------------------------------------------


def format_value(value: Decimal | None, decimals: int, unit: str = "number") -> str:
    """A value as people read it: rounded to `decimals` (half up), thousands separated.

    `unit` is the indicator's unit (`percent` → "95.0%", `currency` → "£1,250", `days` →
    "12 days", `number`/`ratio` → plain). None → "–" (an en dash: nothing to show).
    """
    if value is None:
        return "–"
    rounded = round_to(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    if unit == "percent":
        return f"{text}%"
    if unit == "currency":
        return f"-£{text[1:]}" if text.startswith("-") else f"£{text}"
    if unit == "days":
        return f"{text} day" if rounded == 1 else f"{text} days"
    return text


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _safe_id(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", text)
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def _num(x: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _open_svg(
    chart_id: str, width: int, height: int, title: str, desc: str, css: str, font_size: int = 14
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'class="{css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="{font_size}" focusable="false">'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
    )


# --- values against target over time ---------------------------------------------------------


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
        d = f"M{_num(x)} {_num(y - 7)}L{_num(x + 7)} {_num(y)}L{_num(x)} {_num(y + 7)}L{_num(x - 7)} {_num(y)}Z"
        return f'<path d="{d}" fill="{TONES["amber"]}" stroke="{INK}" stroke-width="1.5"/>'
    if kind is Marker.IMPROVING:  # square
        return (
            f'<rect x="{_num(x - 5.5)}" y="{_num(y - 5.5)}" width="11" height="11" '
            f'fill="{TONES["blue"]}" stroke="{INK}" stroke-width="1.5"/>'
        )
    if kind is Marker.NEUTRAL:  # triangle
        d = f"M{_num(x)} {_num(y - 7)}L{_num(x + 7)} {_num(y + 5)}L{_num(x - 7)} {_num(y + 5)}Z"
        return f'<path d="{d}" fill="{TONES["grey"]}" stroke="{INK}" stroke-width="1.5"/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{VALUE_COLOUR}"/>'


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
            f'<g transform="translate({_num(x)} {_num(y)})">{sample}'
            f'<text x="36" y="11" fill="{INK}">{_esc(words)}</text></g>'
        )
        x += item_width + 16
    return "".join(parts), y + 22


def value_chart(chart: ValueChart) -> str:
    """The SVG of `chart` (see the module docstring for how each line is drawn)."""
    chart_id = _safe_id(chart.chart_id)
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
    out = [_open_svg(chart_id, width, height, chart.title, chart.description, "summit-chart")]

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
            f'<path d="M{_LEFT} {_num(y)}H{width - _RIGHT}" stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_LEFT - 8}" y="{_num(y + 4)}" text-anchor="end" fill="{INK}">'
            f"{_esc(_tick_label(tick, step, chart.unit))}</text>"
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
                f'<text x="{_num(x)}" y="{_TOP + plot_h + 20}" text-anchor="{anchor}" '
                f'fill="{INK}">{_esc(point.label)}</text>'
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
                    f'<rect class="summit-chart__band" x="{_num(x0)}" y="{_num(y_a)}" '
                    f'width="{_num(x1 - x0)}" height="{_num(y_b - y_a)}" fill="{BAND_FILL}"/>'
                )
        out.append(
            f'<path class="summit-chart__mean" d="M{_num(x0)} {_num(y_of(limits.mean))}H{_num(x1)}" '
            f'stroke="{SECONDARY}" stroke-width="1.5"/>'
        )
        for edge in (limits.upper, limits.lower):
            out.append(
                f'<path class="summit-chart__limit" d="M{_num(x0)} {_num(y_of(edge))}H{_num(x1)}" '
                f'stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="2 3"/>'
            )
        out.append("</g>")

    # Target: a dashed step line, one level per period, broken where a period has none.
    target_d, previous = [], None
    for index, point in enumerate(points):
        if point.target is None:
            previous = None
            continue
        level = _num(y_of(point.target))
        start, end = _num(x_of(index) - slot / 2), _num(x_of(index) + slot / 2)
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
        value_d.append(f"{'L' if joined else 'M'}{_num(x_of(index))} {_num(y_of(point.value))}")
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
            f"<g><title>{_esc(words)}</title>"
            f"{_marker_svg(point.marker, x_of(index), y_of(point.value))}</g>"
        )
    out.append("</g>")
    out.append(legend)
    out.append("</svg>")
    return "".join(out)


# --- counts as horizontal bars ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label in words (with its icon), its count, its tone (a key of TONES)."""

    label: str
    count: int
    tone: str = "grey"


@dataclass(frozen=True, slots=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: Sequence[Bar]
    width: int = 460


def bar_chart(chart: BarChart) -> str:
    """Horizontal bars, each labelled with its words and its count (never colour alone)."""
    chart_id = _safe_id(chart.chart_id)
    label_w, count_w, row_h, top = 230, 70, 40, 8  # count_w: room for a 5-digit count
    bars = list(chart.bars)
    height = top * 2 + row_h * max(len(bars), 1)
    most = max((bar.count for bar in bars), default=0) or 1
    span = chart.width - label_w - count_w
    out = [
        _open_svg(
            chart_id,
            chart.width,
            height,
            chart.title,
            chart.description,
            "summit-chart summit-chart--bars",
            font_size=17,
        )
    ]
    for index, bar in enumerate(bars):
        y = top + index * row_h
        length = span * bar.count / most
        fill = TONES.get(bar.tone, TONES["grey"])
        out.append(
            f'<g><text x="{label_w - 10}" y="{y + 26}" text-anchor="end" fill="{INK}">{_esc(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 6}" width="{_num(max(length, 0))}" height="{row_h - 12}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="{1 if bar.count else 0}"/>'
            f'<text x="{_num(label_w + length + 8)}" y="{y + 26}" fill="{INK}" font-weight="bold">{bar.count}</text></g>'
        )
    out.append(
        f'<path d="M{label_w} {top}V{height - top}" stroke="{SECONDARY}" stroke-width="1"/></svg>'
    )
    return "".join(out)


# --- sparkline --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A small trend line of `values` (oldest first; None: a gap)."""

    chart_id: str
    title: str
    description: str
    values: Sequence[Decimal | None]
    width: int = 120
    height: int = 32


def sparkline(chart: Sparkline) -> str:
    chart_id = _safe_id(chart.chart_id)
    out = [
        _open_svg(
            chart_id, chart.width, chart.height, chart.title, chart.description, "summit-sparkline"
        )
    ]
    values = list(chart.values)
    present = [float(v) for v in values if v is not None]
    if present:
        low, high = min(present), max(present)
        span = (high - low) or 1.0
        pad = 4
        step = (chart.width - 2 * pad) / max(len(values) - 1, 1)
        d, joined, last = [], False, None
        for index, value in enumerate(values):
            if value is None:
                joined = False
                continue
            x = pad + index * step
            y = chart.height - pad - (float(value) - low) / span * (chart.height - 2 * pad)
            d.append(f"{'L' if joined else 'M'}{_num(x)} {_num(y)}")
            joined, last = True, (x, y)
        out.append(
            f'<path d="{"".join(d)}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
        if last is not None:
            out.append(
                f'<circle cx="{_num(last[0])}" cy="{_num(last[1])}" r="2.5" fill="{VALUE_COLOUR}"/>'
            )
    out.append("</svg>")
    return "".join(out)
