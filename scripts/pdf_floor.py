"""WeasyPrint's own floor for a report PDF (issue 21): what the same amount of matter costs when
nothing of ours is in the way.

`floor_html(report_html)` keeps, from a report's print HTML, its headings, paragraphs, its tables
(every row and cell, as plain text) and its charts (the same SVG `<img>`s), in a plain document
with a plain stylesheet (A4, one font, collapsed borders): no print CSS of ours, no running
strings, no contents list with page numbers, no `break-inside` rules, no templates.
`measure(report_html)` lays it out and writes it tagged (PDF/UA-1, as every Summit PDF is), and
returns the CPU seconds, the pages and the bytes. A report within 1.5 × this floor spends no
more than half as much again on its own layout, rules and tags as WeasyPrint spends anyway.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass

FLOOR_CSS = """
@page { size: A4; margin: 24mm 15mm 20mm 15mm; }
html { font-family: "Liberation Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
table { border-collapse: collapse; width: 100%; margin: 0 0 4mm; }
th, td { border: 0.5pt solid #b1b4b6; padding: 1mm; text-align: left; vertical-align: top; }
img { max-width: 100%; }
"""

_KEEP = re.compile(
    r"<(h[1-4])\b[^>]*>(.*?)</\1>|<p\b[^>]*>(.*?)</p>|(<table\b.*?</table>)|(<img\b[^>]*>)",
    re.S | re.I,
)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<(t[hd])\b[^>]*>(.*?)</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_SRC = re.compile(r'\bsrc="([^"]+)"')
_ALT = re.compile(r'\balt="([^"]*)"')


def _text(fragment: str) -> str:
    return html.escape(" ".join(html.unescape(_TAG.sub(" ", fragment)).split()))


def _table(source: str) -> str:
    rows = []
    for row in _ROW.findall(source):
        cells = "".join(f"<{tag}>{_text(cell)}</{tag}>" for tag, cell in _CELL.findall(row))
        rows.append(f"<tr>{cells}</tr>")
    return "<table>" + "".join(rows) + "</table>"


def floor_html(report_html: str) -> str:
    """A plain document with the report's headings, paragraphs, tables and charts."""
    parts = []
    for match in _KEEP.finditer(report_html):
        heading, heading_text, paragraph, table, image = match.groups()
        if heading:
            parts.append(f"<{heading}>{_text(heading_text)}</{heading}>")
        elif paragraph is not None:
            parts.append(f"<p>{_text(paragraph)}</p>")
        elif table:
            parts.append(_table(table))
        elif image:
            src = _SRC.search(image)
            alt = _ALT.search(image)
            if src:
                parts.append(f'<img src="{src[1]}" alt="{alt[1] if alt else ""}">')
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Floor</title></head><body>{body}</body></html>"
    )


@dataclass(frozen=True)
class Floor:
    seconds: float  # CPU seconds of layout and writing
    pages: int
    size: int
    tables: int
    charts: int


def measure(report_html: str) -> Floor:
    """Lay out and write `floor_html(report_html)` with WeasyPrint alone, tagged (PDF/UA-1)."""
    from django.conf import settings
    from weasyprint import CSS, HTML

    from performance.common.pdf import UA, static_only

    plain = floor_html(report_html)
    started = time.process_time()
    document = HTML(string=plain, base_url=str(settings.BASE_DIR), url_fetcher=static_only).render(
        stylesheets=[CSS(string=FLOOR_CSS)]
    )
    data = document.write_pdf(pdf_variant=UA)
    return Floor(
        seconds=time.process_time() - started,
        pages=len(document.pages),
        size=len(data),
        tables=plain.count("<table>"),
        charts=plain.count("<img "),
    )
