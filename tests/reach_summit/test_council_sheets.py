"""Reach the Summit's sheets of the council workbook (issue 18): the round trip gives the same
cells and the same league tables, frozen and live; bad rows are named by sheet, row and column."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from performance import demo
from performance.council import COLUMNS, exports, imports
from performance.models import AuditEvent, Team
from reach_summit.models import (
    Complaint,
    ComplaintTimescale,
    Improvement,
    Scorecard,
    Snapshot,
    SnapshotRow,
)
from tests.performance.manage.test_council_workbook import (
    INDICATOR,
    PERSON,
    TEAM,
    _forget_the_council,
)

pytestmark = pytest.mark.django_db

NOV_20 = dt.datetime(2026, 11, 20, 9, tzinfo=ZoneInfo("Europe/London"))
CLOSED = "2026/27 Q1"  # frozen by the demo (its window closed in July)
CURRENT = "2026/27 Q3"  # live and provisional on 20 November
NEW_SHEETS = ["Complaint timescales", "Scorecards", "Complaints", "Improvements", "League tables"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def cells(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}
    finally:
        workbook.close()


def league(quarter: str) -> str:
    return run("league_table", "--quarter", quarter, "--format", "csv")


@pytest.fixture
def council(monkeypatch):
    monkeypatch.setattr(
        demo,
        "DEMO_STEPS",
        [
            "performance.demo",
            "performance.demo.indicators",
            "performance.demo.collection",
            "performance.risks.demo",
            "reach_summit.demo",
        ],
    )
    with time_machine.travel(NOV_20, tick=False):
        run("seed_demo", "--scale", "small")
        yield


def _forget_reach_the_summit() -> None:
    SnapshotRow.objects.all().delete()
    Snapshot.objects.all().delete()
    Improvement.objects.all().delete()
    Complaint.objects.all().delete()
    Scorecard.objects.all().delete()
    ComplaintTimescale.objects.all().delete()


def test_the_round_trip_gives_the_same_sheets_and_the_same_league_tables(council, tmp_path):
    with time_machine.travel(NOV_20, tick=False):
        ComplaintTimescale.objects.create(stage=3, working_days=25)
        # A correction after the freeze: the frozen table must not change, so only carrying the
        # snapshot (not freezing again from the imported data) gives the same table back.
        team = Team.objects.get(
            slug=SnapshotRow.objects.filter(snapshot__quarter=CLOSED)[0].team_slug
        )
        Improvement.objects.create(
            team=team,
            quarter=CLOSED,
            quarter_start=dt.date(2026, 4, 1),
            title="Late approval",
            points=Decimal(5),
        )
        closed, current = league(CLOSED), league(CURRENT)
        assert len(closed.splitlines()) > 3
        assert len(current.splitlines()) > 3
        first = tmp_path / "first.xlsx"
        run("export_council", str(first))

        _forget_reach_the_summit()
        _forget_the_council()
        assert not Snapshot.objects.exists()
        assert league(CLOSED) != closed  # an empty database has another table
        out = run("import_council", str(first))
        assert "League tables:" in out
        second = tmp_path / "second.xlsx"
        run("export_council", str(second))

        a, b = cells(first), cells(second)
        assert list(a)[-5:] == NEW_SHEETS
        for sheet in a:
            assert a[sheet] == b[sheet], sheet
        for sheet in NEW_SHEETS:
            assert len(a[sheet]) > 1, sheet
        assert league(CLOSED) == closed
        assert league(CURRENT) == current
        # Freezing again from the imported data would have counted the late improvement.
        from performance.core import periods
        from reach_summit import selectors

        live = selectors.live_table(periods.parse(CLOSED), today=NOV_20.date())
        assert [r.score for r in live.rows] != [
            r.score for r in selectors.frozen_table(periods.parse(CLOSED)).rows
        ]
        # The explanations point at the imported rows again.
        row = SnapshotRow.objects.filter(snapshot__quarter=CLOSED).first()
        codes = {
            line["source"]["code"]: line["source"]["indicator_id"]
            for line in row.explanation["lines"]
            if "source" in line and "code" in line["source"]
        }
        assert codes
        from performance.models import Indicator

        assert all(Indicator.objects.get(pk=pk).code == code for code, pk in codes.items())


def test_the_same_workbook_twice_changes_and_audits_nothing(council, tmp_path):
    with time_machine.travel(NOV_20, tick=False):
        path = tmp_path / "council.xlsx"
        exports.export_council(str(path))
        events = AuditEvent.objects.count()
        result = imports.import_council(path=path)
        assert not result.changed, result.lines()
        assert result.sheets["Complaints"].unchanged == Complaint.objects.count() > 0
        assert AuditEvent.objects.count() == events


# --- bad rows ------------------------------------------------------------------------------------

HEADERS = {
    "Complaint timescales": ["stage", "working_days"],
    "Scorecards": ["team", "year", "customer", "financial", "process"],
    "Complaints": ["reference", "team", "stage", "received", "due", "responded"],
    "Improvements": [
        "team",
        "quarter",
        "title",
        "description",
        "points",
        "approved_by",
        "approved_on",
    ],
}


def _workbook(tmp_path: Path, **sheets: list[list]) -> Path:
    base = {
        "Teams": (list(COLUMNS["Teams"]), [TEAM]),
        "People": (list(COLUMNS["People"]), [PERSON]),
        "Plan": (list(COLUMNS["Plan"]), []),
        "Service plans": (list(COLUMNS["Service plans"]), []),
        "Indicators": ([*COLUMNS["Indicators"], "target 2024/25 Q1"], [[*INDICATOR, 120]]),
        "Values": (["indicator", "period", "value"], []),
        "Risks": (list(COLUMNS["Risks"]), []),
    }
    from reach_summit import council

    for name, rows in sheets.items():
        name = name.replace("_", " ")
        if name in base:
            base[name] = (base[name][0], rows)
            continue
        header = list(council.LEAGUE_COLUMNS) if name == "League tables" else HEADERS[name]
        base[name] = (header, rows)
    path = tmp_path / "bad.xlsx"
    exports.write_workbook(base, path)
    return path


def rejected(path: Path) -> list[str]:
    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_council(path=path)
    return caught.value.errors


def _indicator(code: str, perspective: str) -> list:
    return [code, *INDICATOR[1:3], perspective, *INDICATOR[4:], 120]


def test_good_rows_of_every_new_sheet_are_imported(tmp_path):
    path = _workbook(
        tmp_path,
        Indicators=[
            _indicator("WAS 001", "customer"),
            _indicator("WAS 002", "financial"),
            _indicator("WAS 003", "process"),
        ],
        Scorecards=[["waste", "2024/25", "WAS 001", "WAS 002", "WAS 003"]],
        Complaint_timescales=[[3, 25]],
        Complaints=[["C-1", "Waste", 3, "2024-05-01", "", ""]],
        Improvements=[["waste", "2024/25 Q1", "Bins", "", "0.5", "pat", "2024-06-01"]],
    )
    result = imports.import_council(path=path)
    assert result.sheets["Complaints"].created == 1
    assert Scorecard.objects.get().financial.code == "WAS 002"
    assert Complaint.objects.get().due == dt.date(
        2024, 6, 7
    )  # 25 working days; 6 and 27 May are holidays
    assert Improvement.objects.get().approved_by.username == "pat"
    again = imports.import_council(path=path)
    assert not again.changed, "\n".join(again.lines())


def test_a_scorecard_of_an_unknown_team_or_the_wrong_perspective_is_named(tmp_path):
    errors = rejected(
        _workbook(
            tmp_path,
            Scorecards=[
                ["Parks", "2024/25", "WAS 001", "WAS 001", "WAS 001"],
                ["Waste", "2024-25", "WAS 001", "NOPE 1", "WAS 001"],
            ],
        )
    )
    assert errors[0] == (
        "Sheet Scorecards, row 2, column team: team 'Parks' is defined in no Teams sheet row "
        "and not in Summit."
    )
    assert "Sheet Scorecards, row 2, column financial: WAS 001 is a customer indicator" in errors[1]
    assert "Sheet Scorecards, row 3, column year: '2024-25' is not a financial year" in errors[3]
    assert (
        "Sheet Scorecards, row 3, column financial: indicator 'NOPE 1' is in no Indicators"
        in errors[4]
    )
    assert not Team.objects.exists()


def test_a_scorecard_naming_another_teams_indicator_is_named(tmp_path):
    parks = ["Parks", "parks", "Place", "", "", "", "yes"]
    errors = rejected(
        _workbook(
            tmp_path,
            Teams=[TEAM, parks],
            Scorecards=[["parks", "2024/25", "WAS 001", "WAS 001", "WAS 001"]],
        )
    )
    assert errors[0] == (
        "Sheet Scorecards, row 2, column customer: WAS 001 belongs to another team than 'parks'."
    )


def test_a_complaint_with_a_bad_date_or_a_repeated_reference_is_named(tmp_path):
    errors = rejected(
        _workbook(
            tmp_path,
            Complaints=[
                ["C-1", "Waste", 1, "2024-13-01", "", ""],
                ["C-1", "Waste", 1, "2024-05-01", "", "2024-04-01"],
            ],
        )
    )
    assert errors == [
        "Sheet Complaints, row 2, column received: '2024-13-01' is not a date written YYYY-MM-DD.",
        "Sheet Complaints, row 3, column reference: 'C-1' is already in row 2.",
        "Sheet Complaints, row 3, column responded: the response is dated before the complaint "
        "was received.",
    ]


def test_an_improvement_of_a_bad_quarter_or_an_unknown_approver_is_named(tmp_path):
    errors = rejected(
        _workbook(
            tmp_path,
            Improvements=[["Waste", "2024/25 Q5", "Bins", "", "0.5", "kim", ""]],
        )
    )
    assert errors == [
        "Sheet Improvements, row 2, column quarter: '2024/25 Q5' is not a quarter written like "
        "2024/25 Q1.",
        "Sheet Improvements, row 2, column approved_by: no person 'kim' in the People sheet or "
        "in Summit.",
    ]


def test_a_timescale_that_is_not_a_number_is_named(tmp_path):
    errors = rejected(_workbook(tmp_path, Complaint_timescales=[[1, "ten"]]))
    assert errors == [
        "Sheet Complaint timescales, row 2, column working_days: 'ten' is not a whole number."
    ]


def test_a_league_table_row_with_an_unknown_level_is_named(tmp_path):
    row = ["2024/25 Q1", 1, "waste", "Waste", 1, "no", "summit", "summit", "summit", "gold"]
    row += [0, 0, 12, "top", "2024-07-11T01:00:00+00:00", "score", 0, "", "{}"]
    errors = rejected(_workbook(tmp_path, League_tables=[row]))
    assert errors == [
        "Sheet League tables, row 2, column learning: 'gold' is not one of summit, firstbase, "
        "basecamp, no_data."
    ]
