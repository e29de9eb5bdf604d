"""Geometry of the comparison bar chart, drawn as SVG by the template (no JavaScript).

Pure: no Django. Horizontal bars, best first, one per authority with a value; quartile
boundaries as labelled lines over shaded bands. Our bar differs by a hatch pattern, a thick
outline and the words "(us)", never by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 760
LABEL_WIDTH = 230
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - 70
ROW = 24
BAR = 16
TOP = 62  # room for the three staggered boundary labels
BOTTOM = 56  # axis ticks and band names


@dataclass(frozen=True, slots=True)
class ChartRow:
    name: str
    value: Decimal
    value_text: str
    ours: bool


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    value_text: str
    ours: bool
    y: float
    text_y: float
    width: float
    value_x: float


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    x: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True, slots=True)
class Band:
    label: str
    x: float
    width: float
    label_x: float
    shaded: bool
    show_label: bool


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    name_x: float
    plot_top: float
    band_height: float
    plot_bottom: float
    zero_x: float
    bars: tuple[Bar, ...]
    lines: tuple[Line, ...]
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    axis_y: float
    band_label_y: float


def _nice_step(span: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about four intervals."""
    raw = span / 4 if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def _format(number: float, step: float) -> str:
    decimals = 0 if step >= 1 else min(6, len(f"{step:.6f}".rstrip("0").split(".")[1]))
    return f"{number:,.{decimals}f}"


def bar_chart(
    rows: Sequence[ChartRow],
    *,
    q1: Decimal | None,
    median: Decimal | None,
    q3: Decimal | None,
    lower_is_better: bool,
    boundary_text: dict[str, str],
) -> BarChart | None:
    """Bars for `rows` (already in rank order), or None when there are none."""
    if not rows:
        return None
    values = [float(r.value) for r in rows]
    lo = min(0.0, *values)
    hi = max(0.0, *values)
    if hi == lo:
        hi = lo + 1
    step = _nice_step(hi - lo)
    # Round the ends out to whole steps so the ticks are round numbers.
    lo = (lo // step) * step
    hi = -((-hi) // step) * step
    span = hi - lo

    def x_of(number: float) -> float:
        return round(PLOT_LEFT + (number - lo) / span * (PLOT_RIGHT - PLOT_LEFT), 1)

    plot_bottom = TOP + ROW * len(rows)
    zero = x_of(0.0)
    bars = []
    for index, row in enumerate(rows):
        x = x_of(float(row.value))
        y = TOP + index * ROW + (ROW - BAR) / 2
        bars.append(
            Bar(
                name=row.name + (" (us)" if row.ours else ""),
                value_text=row.value_text,
                ours=row.ours,
                y=y,
                text_y=y + BAR - 3,
                width=round(abs(x - zero), 1),
                value_x=max(x, zero) + 6,
            )
        )
    lines: list[Line] = []
    bands: list[Band] = []
    if q1 is not None and median is not None and q3 is not None:
        edges = [PLOT_LEFT, x_of(float(q1)), x_of(float(median)), x_of(float(q3)), PLOT_RIGHT]
        names = ["Quartile 4", "Quartile 3", "Quartile 2", "Quartile 1 (top)"]
        if lower_is_better:
            names.reverse()
        for index, name in enumerate(names):
            left, right = edges[index], edges[index + 1]
            bands.append(
                Band(
                    label=name,
                    x=left,
                    width=round(max(right - left, 0), 1),
                    label_x=round((left + right) / 2, 1),
                    shaded=index % 2 == 0,
                    show_label=right - left >= 70,
                )
            )
        for index, (key, title) in enumerate((("q1", "Q1"), ("median", "Median"), ("q3", "Q3"))):
            x = edges[index + 1]
            # Labels sit just right of their line, one row each, so they never overlap.
            anchor, label_x = "start", x + 4
            if PLOT_RIGHT - x < 90:
                anchor, label_x = "end", x - 4
            lines.append(Line(f"{title} {boundary_text[key]}", x, label_x, 16 + 16 * index, anchor))
    ticks = []
    count = round(span / step)
    for index in range(count + 1):
        number = lo + index * step
        ticks.append(Tick(x_of(number), _format(number, step)))
    return BarChart(
        width=WIDTH,
        height=plot_bottom + BOTTOM,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        name_x=PLOT_LEFT - 8,
        plot_top=TOP - 6,
        band_height=plot_bottom - (TOP - 6),
        plot_bottom=plot_bottom,
        zero_x=zero,
        bars=tuple(bars),
        lines=tuple(lines),
        bands=tuple(bands),
        ticks=tuple(ticks),
        axis_y=plot_bottom + 18,
        band_label_y=plot_bottom + 42,
    )
