"""Bulk Excel returns: the downloaded workbook, a filled round trip, and every kind of bad file."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from performance.collection import excel
from performance.collection import services as collection
from performance.models import AuditEvent, Value
from tests.performance.collection.test_collection import enter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def download(client, user) -> bytes:
    client.force_login(user)
    response = client.get(reverse("performance:returns-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_TYPE
    return response.content


def fill(data: bytes, rows: dict[str, dict[str, object]]) -> bytes:
    """Fill entry cells by indicator code: {"WAS 001": {"value": 96, "comment": "..."}}."""
    book = load_workbook(io.BytesIO(data))
    sheet = book[excel.SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        code = row[header.index("indicator")].value
        for name, cell_value in rows.get(code, {}).items():
            row[header.index(name)].value = cell_value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, *, name="returns.xlsx", mode="submit"):
    return client.post(
        reverse("performance:returns-upload"),
        {"workbook": SimpleUploadedFile(name, data), "mode": mode},
    )


def test_the_workbook_lists_my_due_items_locked_except_the_entry_cells(client, world):
    enter(world, "WAS 002", "9", comment="draft so far")
    book = load_workbook(io.BytesIO(download(client, world.users["enterer_a"])))
    sheet = book[excel.SHEET]
    assert [c.value for c in sheet[1]] == excel.COLUMNS
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"WAS 001", "WAS 002", "GEN 001"}
    was1 = rows["WAS 001"]
    header = excel.COLUMNS
    assert was1[header.index("target")].value == 95
    assert was1[header.index("definition")].value == "How WAS 001 is counted."
    assert rows["WAS 002"][header.index("value")].value == 9  # the draft so far
    assert sheet.protection.sheet is True
    assert was1[header.index("value")].protection.locked is False
    assert was1[header.index("comment")].protection.locked is False
    assert was1[header.index("target")].protection.locked is True
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert {"decimal", "textLength"} <= kinds
    percent = next(dv for dv in sheet.data_validations.dataValidation if dv.formula2 == "100")
    assert f"N{was1[0].row}" in str(percent.sqref)
    assert "Guidance" in book.sheetnames


def test_round_trip_submits_every_filled_row_with_audit(client, world):
    data = download(client, world.users["enterer_a"])
    filled = fill(
        data,
        {
            "WAS 001": {"value": 96},
            "WAS 002": {"value": 11.5, "comment": "Contractor strike in June"},
            "GEN 001": {},  # left empty: skipped
        },
    )
    response = upload(client, filled)
    assert response.status_code == 302
    values = {v.indicator.code: v for v in Value.objects.select_related("indicator")}
    assert set(values) == {"WAS 001", "WAS 002"}
    assert values["WAS 001"].value == Decimal(96)
    assert values["WAS 002"].status == "submitted"
    assert values["WAS 002"].comment == "Contractor strike in June"
    assert (
        AuditEvent.objects.filter(content_type__model="value", actor_name="enterer_a").count() == 2
    )


def test_bad_rows_are_all_reported_by_row_and_cell_and_nothing_is_saved(client, world):
    data = download(client, world.users["enterer_a"])
    filled = fill(
        data,
        {
            "WAS 001": {"value": 96},  # fine on its own
            "WAS 002": {"value": 14},  # Red without a comment
            "GEN 001": {"value": "lots"},
        },
    )
    response = upload(client, filled)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved: 2 problems in the workbook" in body
    book = load_workbook(io.BytesIO(filled))
    rows = {r[1].value: r[0].row for r in book[excel.SHEET].iter_rows(min_row=2)}
    assert f'<td class="govuk-table__cell">Q{rows["WAS 002"]}</td>' in body
    assert f'<td class="govuk-table__cell">N{rows["GEN 001"]}</td>' in body
    assert "Red (Basecamp)" in body
    assert "must be a number" in body
    assert not Value.objects.exists()


def test_drafts_mode_does_not_need_comments(client, world):
    filled = fill(download(client, world.users["enterer_a"]), {"WAS 002": {"value": 14}})
    assert upload(client, filled, mode="draft").status_code == 302
    assert Value.objects.get().status == "draft"


def test_a_row_changed_since_download_refuses_the_upload(client, world):
    data = download(client, world.users["enterer_a"])
    enter(world, "WAS 001", "97", user="officer")
    response = upload(client, fill(data, {"WAS 001": {"value": 96}}))
    assert response.status_code == 400
    assert "changed by" in response.content.decode()
    assert Value.objects.get().value == Decimal(97)


def test_activated_rows_are_locked(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    collection.activate(user=world.users["manager_a"], value_id=value.pk, version=value.version)
    data = download(client, world.users["enterer_a"])
    response = upload(client, fill(data, {"WAS 001": {"value": 50}}))
    assert "activated and locked" in response.content.decode()
    unchanged = upload(client, data)  # the same file back: nothing to do, no error
    assert unchanged.status_code == 302


def test_rows_for_someone_elses_items_are_refused(client, world):
    other = download(client, world.users["enterer_b"])
    client.logout()
    client.force_login(world.users["enterer_a"])
    response = upload(client, fill(other, {"HOU 001": {"value": 120}}))
    assert "is not one of your due items" in response.content.decode()
    assert not Value.objects.exists()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "returns.xlsx",
            lambda good: b"x" * (excel.MAX_BYTES + 1),
            "largest file accepted is 5 MB",
        ),
        ("returns.xlsx", lambda good: b"Name,Value\nWAS 001,96\n", "not an Excel workbook"),
        ("returns.xlsx", lambda good: b"", "empty"),
        (
            "returns.xlsx",
            lambda good: _zip({"xl/workbook.xml": b"<a/>", "bomb.xml": b"0" * (60 * 1024 * 1024)}),
            "bomb",
        ),
        ("returns.xlsx", lambda good: _zip({"readme.txt": b"hello"}), "not an Excel workbook"),
        (
            "returns.xlsx",
            lambda good: _zip({"xl/workbook.xml": b"<a/>", "xl/vbaProject.bin": b"\0" * 10}),
            "contains macros",
        ),
        ("returns.xlsm", lambda good: good, "Macro-enabled workbooks (.xlsm) are not accepted"),
        ("returns.csv", lambda good: good, "must be an Excel workbook (.xlsx)"),
        ("returns.xlsx", lambda good: _zip({"xl/workbook.xml": b"not xml"}), "could not be read"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(client, world, name, make, message):
    good = download(client, world.users["enterer_a"])
    response = upload(client, make(good), name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Value.objects.exists()


def test_a_zip_bomb_is_refused_before_it_is_expanded(world):
    bomb = _zip(
        {"xl/workbook.xml": b"<a/>", "xl/worksheets/sheet1.xml": b"0" * (200 * 1024 * 1024)}
    )
    assert len(bomb) < excel.MAX_BYTES
    with pytest.raises(excel.UploadRefused, match="bomb"):
        excel.check_file("returns.xlsx", bomb)


def _renamed_sheet(good: bytes) -> bytes:
    book = load_workbook(io.BytesIO(good))
    book[excel.SHEET].title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _changed_header(good: bytes) -> bytes:
    book = load_workbook(io.BytesIO(good))
    book[excel.SHEET]["N1"] = "figure"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_renamed_sheet, "no sheet called “Returns” (it has: Sheet1, Guidance)"),
        (_changed_header, "missing value; unexpected figure"),
    ],
)
def test_wrong_sheet_or_header_is_refused(client, world, change, message):
    good = download(client, world.users["enterer_a"])
    response = upload(client, change(good))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_upload_page_is_labelled_and_explains_the_rules(client, world):
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:returns-upload")).content.decode()
    assert '<label class="govuk-label govuk-label--s" for="workbook">' in body
    assert "Macro-enabled files (.xlsm) are not accepted" in body


def test_the_workbook_keeps_its_layout_styles_and_guidance(client, world):
    """The write-only build: entry cells yellow and unlocked only on editable rows, the key and
    version columns hidden, panes frozen, the sheet protected, the guidance sheet styled."""
    value = enter(world, "WAS 001", "96", submit=True)
    collection.activate(user=world.users["manager_a"], value_id=value.pk, version=value.version)
    enter(world, "WAS 002", "9", comment="draft so far")
    book = load_workbook(io.BytesIO(download(client, world.users["enterer_a"])))
    assert book.sheetnames == [excel.SHEET, "Guidance"]
    assert book.active.title == excel.SHEET
    sheet = book[excel.SHEET]
    header = excel.COLUMNS
    assert all(cell.font.b for cell in sheet[1])
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    for name in excel.ENTRY:
        editable = rows["WAS 002"][header.index(name)]
        assert editable.protection.locked is False
        assert editable.fill.fgColor.rgb == "00FFF7BF"
        locked = rows["WAS 001"][header.index(name)]  # activated: locked
        assert locked.protection.locked is True
        assert locked.fill.fill_type is None
    assert rows["WAS 001"][header.index("value")].value == 96
    assert rows["WAS 002"][header.index("comment")].value == "draft so far"
    assert sheet.column_dimensions[excel.LETTER["key"]].hidden
    assert sheet.column_dimensions[excel.LETTER["version"]].hidden
    assert sheet.column_dimensions[excel.LETTER["title"]].width == 40
    assert sheet.freeze_panes == "C2"
    assert sheet.protection.sheet
    assert not sheet.protection.formatColumns
    comment_rule = next(
        dv for dv in sheet.data_validations.dataValidation if dv.type == "textLength"
    )
    assert f"Q{rows['WAS 002'][0].row}" in str(comment_rule.sqref)
    assert f"Q{rows['WAS 001'][0].row}" not in str(comment_rule.sqref)
    guide = book["Guidance"]
    assert guide["A1"].value == "How to fill in your returns"
    assert guide["A1"].font.b
    assert guide["A1"].font.sz == 14
    assert guide["A3"].alignment.wrap_text
    assert guide.protection.sheet


def test_checking_an_entry_with_rules_loaded_in_bulk_runs_no_query(
    world, django_assert_num_queries
):
    """The upload loads every row's validation rules once; each row's checks then cost nothing."""
    from dataquality import services as data_quality

    indicator = world.indicators["WAS 001"]
    rules = data_quality.rules_of([indicator])[indicator.id]
    with django_assert_num_queries(0):
        _, errors = collection.clean_entry(
            indicator, {"value": "101", "comment": ""}, submit=False, rules=rules
        )
    assert "value" in errors  # a percentage above 100 is still refused by the loaded rules
    with django_assert_num_queries(0):
        _, fine = collection.clean_entry(indicator, {"value": "96"}, submit=False, rules=rules)
    assert fine == {}
