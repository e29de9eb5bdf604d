"""Hostile input to the import commands and the Excel upload (hypothesis).

Every file either imports or is refused with a clear message (CommandError / UploadRefused /
row errors): never a traceback. A refused file leaves the database exactly as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from performance.collection import excel
from performance.collection import services as collection
from performance.common import tables as imports
from performance.models import AuditEvent, Indicator, Target, Team, Value
from tests.factories import IndicatorFactory, TeamFactory, ValueFactory
from tests.performance.collection.test_collection import build_world

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in CI every run: a failure is reproducible
)

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "9" * 400,
    "-" + "9" * 40,
    "1e308",
    "1E-400",
    "NaN",
    "Infinity",
    "0x1F",
    "1,2,3",
    "١٢٣",  # Arabic-Indic digits
    "１２",  # full-width digits
    "\u202e001 SAW",  # right-to-left override
    "WAS\x00001",
    "'; DROP TABLE performance_value; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "2024/25 Q5",
    "2024-13",
    "2099/00",
    "9999/00 Q1",
    "   ",
    "",
    "🏔️",
    "a" * 5000,
]
cell = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
VALUE_HEADER = ["indicator", "period", "value", "numerator", "denominator", "comment", "source"]
INDICATOR_HEADER = [
    "code",
    "title",
    "kind",
    "perspective",
    "aspect",
    "polarity",
    "unit",
    "decimals",
    "frequency",
    "aggregation",
    "team",
    "tolerance",
    "baseline",
    "baseline_period",
    "target 2024/25 Q1",
]


@pytest.fixture
def council():
    team = TeamFactory(name="Waste", slug="waste")
    indicator = IndicatorFactory(code="WAS 001", team=team)
    ValueFactory(indicator=indicator)
    IndicatorFactory(code="HOU 001", team=team, frequency="monthly")
    return team


def fingerprint() -> tuple:
    return (
        tuple(Team.objects.order_by("pk").values_list()),
        tuple(Indicator.objects.order_by("pk").values_list()),
        tuple(Target.objects.order_by("pk").values_list()),
        tuple(Value.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
    )


def run_import(command: str, path) -> None:
    """Run the command; only success or CommandError is acceptable; refused = unchanged."""
    with transaction.atomic():
        before = fingerprint()
        refusal = None
        try:
            call_command(command, str(path), stdout=io.StringIO())
        except CommandError as error:
            refusal = str(error)
        if refusal is not None:
            assert refusal.strip(), "a refusal must say why"
            assert "Traceback" not in refusal
            assert fingerprint() == before, f"{command} refused the file but changed data"
        # Each example starts from the same council.
        transaction.set_rollback(True)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def xlsx_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in [header, *rows]:
        # openpyxl refuses control characters Excel cannot store; strip them as Excel would.
        sheet.append(["".join(ch for ch in c if ch >= " " or ch == "\t") for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_of(width: int):
    return st.lists(st.lists(cell, min_size=width, max_size=width), min_size=1, max_size=5)


@pytest.mark.parametrize("command", ["import_values", "import_indicators"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_are_refused_cleanly(council, tmp_path, command, suffix, data):
    path = tmp_path / f"upload{suffix}"
    path.write_bytes(data)
    run_import(command, path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@FUZZ
@given(rows=rows_of(len(VALUE_HEADER)), codes=st.lists(st.sampled_from(["WAS 001", "HOU 001"])))
def test_hostile_value_cells_import_or_are_refused_cleanly(council, tmp_path, suffix, rows, codes):
    for row, code in zip(rows, codes, strict=False):
        row[0] = code  # some rows name a real indicator, so validation reaches the values
    path = tmp_path / f"values{suffix}"
    builder = csv_bytes if suffix == ".csv" else xlsx_bytes
    path.write_bytes(builder(VALUE_HEADER, rows))
    run_import("import_values", path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@FUZZ
@given(rows=rows_of(len(INDICATOR_HEADER)))
def test_hostile_indicator_cells_import_or_are_refused_cleanly(council, tmp_path, suffix, rows):
    path = tmp_path / f"indicators{suffix}"
    builder = csv_bytes if suffix == ".csv" else xlsx_bytes
    path.write_bytes(builder(INDICATOR_HEADER, rows))
    run_import("import_indicators", path)


@FUZZ
@given(header=st.lists(st.one_of(st.sampled_from(VALUE_HEADER), cell), max_size=9))
def test_hostile_headers_are_refused_cleanly(council, tmp_path, header):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes(header, [["WAS 001", "2024/25 Q1", "1"]]))
    run_import("import_values", path)


def test_a_formula_is_stored_as_text_never_evaluated(council, tmp_path):
    """The hostile values that pass validation are inert text (a comment), not a number."""
    path = tmp_path / "values.csv"
    path.write_bytes(
        csv_bytes(VALUE_HEADER, [["WAS 001", "2024/25 Q2", "12", "", "", "=cmd|' /C calc'!A0", ""]])
    )
    call_command("import_values", str(path), stdout=io.StringIO())
    stored = Value.objects.get(indicator__code="WAS 001", period="2024/25 Q2")
    assert stored.value == Decimal("12")
    assert stored.comment == "=cmd|' /C calc'!A0"


def test_a_bad_row_refuses_the_whole_file(council, tmp_path):
    path = tmp_path / "values.csv"
    path.write_bytes(
        csv_bytes(
            VALUE_HEADER,
            [["WAS 001", "2024/25 Q3", "5", "", "", "", ""], ["WAS 001", "2024/25 Q4", "=1+1"]],
        )
    )
    before = fingerprint()
    with pytest.raises(CommandError, match="Row 3"):
        call_command("import_values", str(path), stdout=io.StringIO())
    assert fingerprint() == before
    assert imports.SUFFIXES  # the module under test is the one the command uses


# --- the Excel upload of My returns -------------------------------------------------------------

LONDON = zoneinfo.ZoneInfo("Europe/London")
entry_cell = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)


@pytest.fixture
def returns_world():
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        world = build_world()
        user = world.users["enterer_a"]
        items = collection.due_items(collection.open_rounds(), enterer=user, history=0)
        assert items, "the enterer must have due items for the upload to be exercised"
        yield user, excel.build_workbook(items)


def _fill(workbook: bytes, cells: list[dict]) -> bytes:
    book = load_workbook(io.BytesIO(workbook))
    sheet = book[excel.SHEET]
    header = [c.value for c in sheet[1]]
    for row, values in zip(sheet.iter_rows(min_row=2), cells, strict=False):
        for name, value in values.items():
            if isinstance(value, str):
                value = "".join(ch for ch in value if ch >= " ")
            row[header.index(name)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(user, name: str, data: bytes, submit: bool) -> None:
    with transaction.atomic():
        before = fingerprint()
        refusal = result = None
        try:
            result = excel.import_workbook(user=user, name=name, data=data, submit=submit)
        except excel.UploadRefused as refused:
            refusal = refused.message
        if refusal is not None:
            assert refusal.strip()
            assert fingerprint() == before
        else:
            if not result.ok:
                assert all(str(error).startswith("Row ") for error in result.errors)
                assert fingerprint() == before, "a rejected upload changed data"
        transaction.set_rollback(True)


@FUZZ
@given(
    cells=st.lists(
        st.fixed_dictionaries(
            dict.fromkeys(excel.ENTRY, entry_cell),
            optional={"key": entry_cell, "version": entry_cell},
        ),
        min_size=1,
        max_size=6,
    ),
    submit=st.booleans(),
)
def test_hostile_workbook_cells_are_saved_or_refused_row_by_row(returns_world, cells, submit):
    user, workbook = returns_world
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        _upload(user, "returns.xlsx", _fill(workbook, cells), submit)


@FUZZ
@given(data=st.binary(max_size=4096), name=st.sampled_from(["r.xlsx", "r.xlsm", "r.csv", ""]))
def test_random_bytes_uploaded_as_a_workbook_are_refused(returns_world, data, name):
    user, _ = returns_world
    with (
        time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False),
        pytest.raises(excel.UploadRefused),
    ):
        excel.import_workbook(user=user, name=name, data=data, submit=True)
