"""Issue 22: the returns workbook a screen-reader user can use, and its upload still works.

The Returns sheet stays first and active (the upload reads it by name, the exact header row is
checked): its header row is bold, frozen, printed on every page and the head of a defined table;
the Guidance sheet lists the sheets; no cell is merged. A downloaded, filled workbook still
uploads (the round trip of test_excel.py, here with the table in place).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from performance.collection import excel
from performance.models import Value
from tests.performance.collection import test_excel

# test_excel's download/fill/upload helpers; the world and the clock are conftest.py's.
download, fill, upload = test_excel.download, test_excel.fill, test_excel.upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def test_the_returns_sheet_header_is_a_defined_table_and_guidance_lists_the_sheets(client, world):
    book = load_workbook(io.BytesIO(download(client, world.users["enterer_a"])))
    sheet = book[excel.SHEET]
    rows = sheet.max_row - 1
    assert rows > 0
    (table,) = sheet.tables.values()
    last = sheet.cell(row=1 + rows, column=len(excel.COLUMNS)).coordinate
    assert table.ref == f"A1:{last}"
    assert [c.name for c in table.tableColumns] == excel.COLUMNS
    assert sheet.print_title_rows.replace("$", "") == "1:1"
    assert sheet.freeze_panes == "C2"
    assert all(cell.font.b for cell in sheet[1])
    lines = [row[0].value for row in book["Guidance"].iter_rows() if row[0].value]
    listed = lines[lines.index("Sheets in this workbook") + 1 :]
    assert [line.split(":")[0] for line in listed] == book.sheetnames
    for each in book.worksheets:
        assert not each.merged_cells.ranges


def test_a_filled_workbook_with_its_table_still_uploads(client, world):
    user = world.users["enterer_a"]
    data = fill(download(client, user), {"WAS 002": {"value": 9, "comment": "on track"}})
    assert load_workbook(io.BytesIO(data))[excel.SHEET].tables  # the table survives a save
    response = upload(client, data, mode="draft")
    assert response.status_code == 302, response.content[:500]
    assert Value.objects.filter(indicator__code="WAS 002", value=9).exists()
