"""Server-side SVG charts for pages and PDF reports alike (pure: no Django import).

Dataclasses in, an SVG string out. Three charts, one module each:

- `value_chart` (`values`): an indicator's values over time against its target, with the SPC
  centre line, process limits and near-limit band of each segment (an XmR chart), or a plain
  run chart when no segment has limits.
- `bar_chart` (`bars`): counts by RAG status (or any labelled counts) as horizontal bars.
- `sparkline` (`sparklines`): a small trend line for tables and cards.

They draw with `svg` (palette, `format_value`, escaping, coordinates, the `<svg>` tag). Callers
use the names re-exported here.

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

from performance.core.charts.bars import Bar, BarChart, bar_chart
from performance.core.charts.sparklines import Sparkline, sparkline
from performance.core.charts.svg import TONES, format_value
from performance.core.charts.values import ChartPoint, Limits, Marker, ValueChart, value_chart

__all__ = [
    "TONES",
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
