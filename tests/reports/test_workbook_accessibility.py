"""Issue 22: workbooks a screen-reader user can use.

Every report workbook (each kind) opens on a cover sheet that lists the sheets and what each
holds; every data sheet has a bold, frozen header row printed on every page and, where it has
rows, a defined table over its data; no cell is merged.
"""

from __future__ import annotations

import pytest

from performance.reports import exports, services
from performance.reports.data import Kind
from tests.reports.conftest import workbook
from tests.reports.test_exports import build

pytestmark = pytest.mark.django_db


def header_problems(sheet, header_row: int) -> list[str]:
    """What is missing from a data sheet's header row."""
    found = []
    header = [c for c in sheet[header_row] if c.value is not None]
    if not header or not all(c.font.b for c in header):
        found.append(f"{sheet.title}: header row {header_row} not bold")
    if sheet.freeze_panes != f"A{header_row + 1}":
        found.append(f"{sheet.title}: header row not frozen ({sheet.freeze_panes})")
    if (sheet.print_title_rows or "").replace("$", "") != f"{header_row}:{header_row}":
        found.append(f"{sheet.title}: header not printed on every page")
    if sheet.merged_cells.ranges:
        found.append(f"{sheet.title}: merged cells {sheet.merged_cells.ranges}")
    return found


@pytest.mark.parametrize("kind", list(Kind))
def test_each_report_workbook_has_a_cover_and_marked_header_rows(council, kind):
    report = build(kind)
    book = workbook(exports.xlsx(report, services.draft_stamp()))
    cover = book.worksheets[0]
    assert cover.title == "Report"
    assert book.active.title == "Report"
    assert not cover.merged_cells.ranges
    rows = [[c.value for c in row] for row in cover.iter_rows()]
    heading = rows.index(["Sheet", "What it holds"])
    assert all(c.font.b for c in cover[heading + 1])
    listed = {row[0]: row[1] for row in rows[heading + 1 :] if row[0]}
    assert list(listed) == book.sheetnames[1:]
    for sheet, table in zip(book.worksheets[1:], report.tables, strict=True):
        assert listed[sheet.title] == table.caption
        assert header_problems(sheet, header_row=2) == []
        assert [c.value for c in sheet[2]] == [c.label for c in table.columns]
        if table.rows:
            (defined,) = sheet.tables.values()
            last = sheet.cell(row=2 + len(table.rows), column=len(table.columns)).coordinate
            assert defined.ref == f"A2:{last}"
            assert [c.name for c in defined.tableColumns] == [c.label for c in table.columns]
        else:
            assert not sheet.tables


def test_table_names_stay_unique_and_valid_across_sheets(council):
    book = workbook(exports.xlsx(build(Kind.QUARTERLY), services.draft_stamp()))
    names = [name for sheet in book.worksheets for name in sheet.tables]
    assert names
    assert len(names) == len(set(names))
    for name in names:
        assert name.replace("_", "").isalnum(), name


def test_no_defined_table_over_duplicate_or_empty_headers():
    from openpyxl import Workbook

    from performance.common import spreadsheets

    sheet = Workbook().active
    assert not spreadsheets.define_table(sheet, header_row=1, headers=["a", "A"], rows=2)
    assert not spreadsheets.define_table(sheet, header_row=1, headers=["a", ""], rows=2)
    assert not spreadsheets.define_table(sheet, header_row=1, headers=["a", "b"], rows=0)
    assert spreadsheets.define_table(sheet, header_row=1, headers=["a", "b"], rows=2)
    assert sheet.tables["T_Sheet"].ref == "A1:B3"
