"""Counts by RAG status (or any labelled counts) as horizontal bars.

Pure: no Django import. Each bar is labelled with its words and its count, never colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from performance.core.charts.svg import INK, SECONDARY, TONES, esc, num, open_svg, safe_id

__all__ = ["Bar", "BarChart", "bar_chart"]


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
    chart_id = safe_id(chart.chart_id)
    label_w, count_w, row_h, top = 230, 70, 40, 8  # count_w: room for a 5-digit count
    bars = list(chart.bars)
    height = top * 2 + row_h * max(len(bars), 1)
    most = max((bar.count for bar in bars), default=0) or 1
    span = chart.width - label_w - count_w
    out = [
        open_svg(
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
            f'<g><text x="{label_w - 10}" y="{y + 26}" text-anchor="end" fill="{INK}">{esc(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y + 6}" width="{num(max(length, 0))}" height="{row_h - 12}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="{1 if bar.count else 0}"/>'
            f'<text x="{num(label_w + length + 8)}" y="{y + 26}" fill="{INK}" font-weight="bold">{bar.count}</text></g>'
        )
    out.append(
        f'<path d="M{label_w} {top}V{height - top}" stroke="{SECONDARY}" stroke-width="1"/></svg>'
    )
    return "".join(out)
