"""What every chart draws with: the palette, value labels, escaping, coordinates, the `<svg>` tag.

Pure: no Django import. `format_value` is also the value formatting of pages and reports.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal

from performance.core.calculations import round_to

__all__ = [
    "BAND_FILL",
    "FONT",
    "GRID",
    "INK",
    "SECONDARY",
    "TONES",
    "VALUE_COLOUR",
    "esc",
    "format_value",
    "num",
    "open_svg",
    "safe_id",
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
    "amber": "#8f4a00",  # the registry's amber (core.symbols): GOV.UK orange is 2.9:1 on white
    "red": "#d4351c",
    "grey": "#b1b4b6",
    "none": "#f3f2f1",
    "blue": "#1d70b8",
}


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


def esc(text: object) -> str:
    """`text` XML-escaped, quotes included (for element text and attribute values alike)."""
    return html.escape(str(text), quote=True)


def safe_id(text: str) -> str:
    """`text` as an XML id: other characters become "-", and it starts with a letter."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", text)
    return cleaned if cleaned[:1].isalpha() else f"chart-{cleaned}"


def num(x: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def open_svg(
    chart_id: str, width: int, height: int, title: str, desc: str, css: str, font_size: int = 14
) -> str:
    """The opening `<svg>` tag with its accessible name (`<title>`) and description (`<desc>`)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'class="{css}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="{font_size}" focusable="false">'
        f'<title id="{chart_id}-title">{esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{esc(desc)}</desc>'
    )
