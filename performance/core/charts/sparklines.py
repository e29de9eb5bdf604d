"""A sparkline: a small trend line for tables and cards, ending in a dot at the latest value.

Pure: no Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from performance.core.charts.svg import VALUE_COLOUR, num, open_svg, safe_id

__all__ = ["Sparkline", "sparkline"]


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
    chart_id = safe_id(chart.chart_id)
    out = [
        open_svg(
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
            d.append(f"{'L' if joined else 'M'}{num(x)} {num(y)}")
            joined, last = True, (x, y)
        out.append(
            f'<path d="{"".join(d)}" fill="none" stroke="{VALUE_COLOUR}" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
        if last is not None:
            out.append(
                f'<circle cx="{num(last[0])}" cy="{num(last[1])}" r="2.5" fill="{VALUE_COLOUR}"/>'
            )
    out.append("</svg>")
    return "".join(out)
