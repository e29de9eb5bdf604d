"""Report writers: a `data.Report` in, bytes or text out, no queries (SPEC §10).

- PDF: the report's own template (the one the browser page uses) in its print frame, through
  WeasyPrint with static/css/print.css: A4, a running header with the council, committee, date
  and status (DRAFT or PUBLISHED vN), page numbers, a contents list with page numbers, table
  rows that never split across pages, charts as inline SVG (vector, so they print crisply).
- Excel: a cover sheet listing the sheets, then one sheet per table with its caption, a frozen
  header row (a defined table, printed on every page) and number formats by unit, numbers
  stored as numbers.
- Open data: the report's open-data table as CSV and as JSON (docs/open-data.md).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from performance.common import pdf as pdf_files
from performance.common import pdf_parts, spreadsheets
from performance.common.pdf import static_only
from performance.reports import pdf_split
from performance.reports.data import (
    DIRECTION_WORDS,
    RATING_WORDS,
    STATUS_WORDS,
    Column,
    Report,
    Table,
    cell_text,
    number,
    plain,
    published_number,
)

OPEN_DATA_SCHEMA = "summit-open-data/1"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stamp:
    """What the running header says about the copy: its status and its date."""

    status: str  # "DRAFT" or "PUBLISHED v2"
    date: str  # "5 July 2025"
    published: bool = False


def context(report: Report, stamp: Stamp, *, for_print: bool, links: bool = False, **extra) -> dict:
    return {
        "report": report,
        "stamp": stamp,
        "for_print": for_print,
        "links": links,
        "base_template": "reports/_print.html" if for_print else "reports/_web.html",
        **extra,
    }


def html(report: Report, stamp: Stamp) -> str:
    """The print HTML of a report (the same template as the page, in its print frame)."""
    return render_to_string(report.kind_enum.template, context(report, stamp, for_print=True))


_style = threading.local()


def _print_style() -> tuple[Any, Any]:
    """static/css/print.css parsed, with its font configuration, once per thread (issue 21).

    Parsing the stylesheet and setting up fontconfig were done for every PDF; they depend on
    nothing but the file (read again when it is edited). Per thread,
    not per process: WeasyPrint's font configuration is not made to be shared by two layouts
    at once, and gunicorn serves requests on several threads.
    """
    from weasyprint import CSS  # noqa: PLC0415 (WeasyPrint loads Pango: only when a PDF is built)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    path = finders.find("css/print.css")
    version = (path, os.stat(path).st_mtime_ns)  # an edited stylesheet is read again
    cached = getattr(_style, "value", None)
    if cached is None or cached[0] != version:
        fonts = FontConfiguration()
        css = CSS(filename=path, url_fetcher=static_only, font_config=fonts)
        cached = _style.value = (version, css, fonts)
    return cached[1], cached[2]


def _render(source: str) -> Any:
    """A print HTML laid out by WeasyPrint with print.css (only our static files may be read:
    issue 14, performance.common.pdf)."""
    from weasyprint import HTML  # noqa: PLC0415 (WeasyPrint loads Pango: only when a PDF is built)

    print_css, fonts = _print_style()
    return HTML(string=source, base_url=str(settings.BASE_DIR), url_fetcher=static_only).render(
        stylesheets=[print_css], font_config=fonts
    )


def parts_for(report: Report, stamp: Stamp, *, tagged: bool = True) -> int:
    """How many processes lay a report out (issue 21): `REPORTS_PDF_PARTS` (default: the
    machine's cores, at most 4) for a large draft built on a process's main thread (a worker's
    task, a command); one otherwise. A small report gains nothing worth a process; a published
    copy is written for the archive (PDF/A) in one piece; a thread of a web server must not
    fork (another thread may hold a lock the new process would wait on for ever)."""
    if not tagged or stamp.published or not hasattr(os, "fork") or not pdf_parts.supported():
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    if report.size < getattr(settings, "REPORTS_PDF_PARTS_MIN_SIZE", PARTS_MIN_SIZE):
        return 1
    return max(1, int(getattr(settings, "REPORTS_PDF_PARTS", min(os.cpu_count() or 1, 4))))


# A report's size (rows + 8 a spotlight) from which it is laid out in parts: the council
# Management Team report is about 600, the small council's about 100.
PARTS_MIN_SIZE = 300


def _in_parts(
    report: Report, stamp: Stamp, source: str, parts: int, tell: Callable
) -> bytes | None:
    """The report built by `parts` processes and joined, or None (then built in one)."""
    running = {
        "council": report.council,
        "committee": report.committee,
        "title": report.title,
        "status": stamp.status,
        "date": stamp.date,
    }
    cut = pdf_split.split(source, parts, running)
    if cut is None:
        return None
    try:
        return pdf_parts.build(
            lambda numbers: pdf_split.numbered_front(cut.front, numbers),
            cut.parts,
            anchors=cut.anchors,
            render=_render,
            write=pdf_files.write,
            placeholders=cut.placeholders,
            tell=tell,
        )
    except pdf_parts.PartsFailed:
        logger.exception("A report's PDF could not be built in parts; building it in one.")
        return None


def pdf(
    report: Report,
    stamp: Stamp,
    *,
    progress: Callable[[int, str], None] | None = None,
    tagged: bool = True,
    parts: int | None = None,
) -> bytes:
    """The report as a tagged PDF (PDF/UA-1; a published copy also PDF/A-3u for the archive,
    issue 22). `progress(percent, stage)` is told as the work goes on; `tagged=False` is for the
    benchmark only; `parts` overrides `parts_for` for a tagged draft (laid out by that many
    processes)."""
    tell = progress or (lambda _percent, _stage: None)
    tell(30, "Laying out the pages")
    source = html(report, stamp)
    count = parts_for(report, stamp, tagged=tagged) if parts is None else parts
    if stamp.published or not tagged:
        count = 1  # the archive copy (PDF/A) and the untagged comparison are built whole
    # Young objects collected every 50,000 allocations rather than 700 (issue 21: 14 % of the
    # council MT PDF's CPU, 9.9 → 8.5 s): see performance.common.pdf.fewer_collections.
    with pdf_files.fewer_collections():
        data = _in_parts(report, stamp, source, count, tell) if count > 1 else None
        if data is None:
            document = _render(source)
            tell(80, f"Writing {len(document.pages)} pages")
            data = pdf_files.write(document, archive=stamp.published, tagged=tagged)
    tell(100, "Done")
    return data


# --- Excel --------------------------------------------------------------------------------------

_UNIT_FORMATS = {
    "percent": '0{d}"%"',
    "currency": '"£"#,##0{d}',
    "days": '0{d}" days"',
    "number": "#,##0{d}",
    "ratio": "0{d}",
}


def _format(unit: str, decimals: int) -> str:
    places = f".{'0' * decimals}" if decimals > 0 else ""
    return _UNIT_FORMATS.get(unit, "#,##0{d}").format(d=places)


def _excel_cell(column: Column, row: dict[str, Any]) -> tuple[Any, str | None]:
    """(value, number format) of a cell; numbers as numbers, statuses as their words."""
    raw = row.get(column.key)
    if column.kind == "status":
        return STATUS_WORDS.get(raw or "none", ("", raw))[1], None
    if column.kind == "direction":
        return DIRECTION_WORDS.get(raw or "none", ("", raw))[1], None
    if column.kind == "rating":
        return RATING_WORDS.get(raw or "", ("", raw))[1], None
    if column.kind == "heat":
        # The count as a number; the cell's rating is in the table of cells beside it.
        return int(raw or 0), "0"
    if column.numeric:
        value = number(raw)
        if value is None:
            return None, None
        if column.kind == "int":
            return int(value), "0"
        if column.kind == "value":
            decimals = int(row.get("decimals") or 0)
            return float(value), _format(row.get("unit") or "number", decimals)
        unit = "percent" if column.kind == "percent" else "number"
        return float(value), _format(unit, column.decimals)
    return ("" if raw is None else str(raw)), None


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(wanted: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("-", wanted).strip("'")[:31] or "Table"
    name, number_ = base, 2
    while name.lower() in taken:
        suffix = f" ({number_})"
        name = base[: 31 - len(suffix)] + suffix
        number_ += 1
    taken.add(name.lower())
    return name


def _write_table(sheet, table: Table) -> None:
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 (openpyxl: only when a workbook is built)
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 (openpyxl: only when a workbook is built)

    sheet.append(spreadsheets.row(sheet, [table.caption]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(spreadsheets.row(sheet, [column.label for column in table.columns]))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [min(max(len(c.label), 6), 40) for c in table.columns]
    for index, row in enumerate(table.rows, start=3):
        for position, column in enumerate(table.columns, start=1):
            value, fmt = _excel_cell(column, row)
            # A progress note or comment "=…" is text, never a formula (issue 14).
            cell = spreadsheets.put(sheet.cell(row=index, column=position), value)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str):
                widths[position - 1] = min(max(widths[position - 1], len(value)), 60)
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = width + 2
    sheet.freeze_panes = "A3"
    # The header row marked as such (issue 22): repeated on every printed page, and the data a
    # defined table (a screen reader announces each cell's column header) when it can be one.
    sheet.print_title_rows = "2:2"
    spreadsheets.define_table(
        sheet, header_row=2, headers=[c.label for c in table.columns], rows=len(table.rows)
    )
    if table.note and not table.rows:
        sheet.append(spreadsheets.row(sheet, [table.note]))


def xlsx(report: Report, stamp: Stamp) -> bytes:
    """A workbook: a cover sheet, then one sheet per table of the report."""
    from openpyxl import Workbook  # noqa: PLC0415 (openpyxl: only when a workbook is built)
    from openpyxl.styles import Font  # noqa: PLC0415 (openpyxl: only when a workbook is built)

    book = Workbook()
    cover = book.active
    cover.title = "Report"
    cover.append(spreadsheets.row(cover, [report.title]))
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Council", report.council),
        ("Committee", report.committee),
        ("Period", report.period),
        ("Status", stamp.status),
        ("Date", stamp.date),
    ):
        cover.append(spreadsheets.row(cover, [label, value]))
    cover.append([])
    for line in [*report.summary, *report.notes, report.teams_note]:
        if line:
            cover.append(spreadsheets.row(cover, [line]))
    cover.append([])
    # The list of sheets and what each holds, under a header row of its own (issue 22).
    cover.append(["Sheet", "What it holds"])
    for cell in cover[cover.max_row]:
        cell.font = Font(bold=True)
    cover.column_dimensions["A"].width = 18
    cover.column_dimensions["B"].width = 60
    taken = {"report"}
    for table in report.tables:
        name = _sheet_name(table.sheet or table.caption, taken)
        cover.append(spreadsheets.row(cover, [name, table.caption]))
        _write_table(book.create_sheet(name), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- open data ----------------------------------------------------------------------------------


def _json_value(column: Column, row: dict[str, Any]) -> Any:
    raw = row.get(column.key)
    if column.numeric:
        value = published_number(column, row)
        if value is None:
            return None
        if column.kind == "int" and value == value.to_integral_value():
            return int(value)
        return value  # written with exactly the CSV's digits by `_json_text`
    if raw is None or raw == "":
        return None if column.kind in ("status", "direction") else ""
    return raw


def _csv_value(column: Column, row: dict[str, Any]) -> str:
    if column.numeric:
        # A number is written as digits and never quoted: "-2.5" stays a number.
        return plain(published_number(column, row))
    # Text only: a title "=…" is quoted (issue 14).
    raw = row.get(column.key)
    return "" if raw is None else spreadsheets.csv_text(str(raw))


def open_data_csv(report: Report) -> str:
    table = report.open_data
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(c, row) for c in table.columns])
    return buffer.getvalue()


_JSON_TYPES = {"int": "integer", "number": "number", "percent": "number", "value": "number"}


def open_data_json(report: Report, meta: dict[str, Any]) -> str:
    table = report.open_data
    document = {
        "schema": OPEN_DATA_SCHEMA,
        "report": {
            "kind": report.kind,
            "title": report.title,
            "period": report.period,
            "audience": report.audience,
            "committee": report.committee,
            "council": report.council,
            **meta,
        },
        "columns": [
            {"name": c.key, "title": c.label, "type": _JSON_TYPES.get(c.kind, "string")}
            for c in table.columns
        ],
        "rows": [{c.key: _json_value(c, row) for c in table.columns} for row in table.rows],
    }
    return _json_text(document)


def _json_text(value: Any, level: int = 0) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, but a Decimal is a JSON number with
    exactly its digits (the CSV's): `json` would go through a float, and 12345678901.123456
    would come out as 12345678901.123455."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict | list) and value:
        inner, outer = "  " * (level + 1), "  " * level
        if isinstance(value, dict):
            items = [
                f"{json.dumps(str(key), ensure_ascii=False)}: {_json_text(item, level + 1)}"
                for key, item in value.items()
            ]
            opening, closing = "{", "}"
        else:
            items = [_json_text(item, level + 1) for item in value]
            opening, closing = "[", "]"
        return f"{opening}\n{inner}" + f",\n{inner}".join(items) + f"\n{outer}{closing}"
    return json.dumps(value, ensure_ascii=False)


def text_of(column: Column, row: dict[str, Any]) -> str:
    return cell_text(column, row)
