"""Every report kind renders to PDF and Excel from the same data, with the expected contents."""

from __future__ import annotations

import pytest

from performance.models import Indicator
from performance.reports import exports, selectors, services
from performance.reports.data import Audience, Kind, parse_period
from tests.reports.conftest import cells, pdf_text, workbook
from tests.reports.council import MONTH, PERIOD, UNPUBLISHED

PERIODS = {Kind.MONTHLY: MONTH, Kind.STRATEGIC_ACTIONS: "2025/26 Q2", Kind.ANNUAL: "2024/25"}


def build(kind: Kind, audience: Audience = Audience.MT, **kwargs):
    period = parse_period(kind, PERIODS.get(kind, PERIOD))
    return selectors.build(kind, period=period, audience=audience, **kwargs)


def sheet_with(book, text: str):
    for sheet in book.worksheets:
        if text in cells(sheet):
            return sheet
    raise AssertionError(f"no sheet holds {text!r}: {book.sheetnames}")


def row_of(sheet, first: str) -> list:
    for row in sheet.iter_rows(values_only=True):
        if row and row[0] == first:
            return list(row)
    raise AssertionError(f"no row starts with {first!r} in {sheet.title}")


EXPECTED = {
    Kind.QUARTERLY: ["WAS 001", "CLN 002", "HOU 003", "COR 004", "SEC 006", "Priority 1"],
    Kind.MONTHLY: ["MON 010", "Missed bins", "Two vehicles off the road"],
    Kind.COMPLAINTS: ["Waste and Street Scene", "Housing and Homelessness", "CMP-002"],
    Kind.STRATEGIC_ACTIONS: ["Roll out food waste collections", "At risk", "No update"],
    Kind.DATA_QUALITY: ["Waste and Street Scene", "SEC 006", "Entered but not activated"],
    Kind.REACH_THE_SUMMIT: ["Waste and Street Scene", "League table"],
    Kind.BENCHMARKING: ["Household waste recycled (benchmark)", "Nearest neighbours"],
    Kind.RISK: ["Heat map of current scores", "0 open risks", "No open risk is above"],
    Kind.ANNUAL: ["WAS 001", "HOU 003", "Direction over three years", "Outturn"],
}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_renders_to_a_pdf_with_its_figures_and_print_furniture(council, kind):
    report = build(kind)
    data = exports.pdf(report, services.draft_stamp())
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    # pypdf splits some kerned pairs ("T eam", "T wo"), so compare without spaces.
    squashed = text.replace(" ", "")
    for words in EXPECTED[kind]:
        assert words.replace(" ", "") in squashed, f"{words!r} missing from the {kind} PDF"
    # Running header, contents and page numbers.
    assert "DemoBoroughCouncil·ManagementTeam" in squashed
    assert "DRAFT" in text
    assert "Contents" in text
    assert "Page 1 of" in text
    assert str(UNPUBLISHED) not in text
    assert "nobody has approved" not in text


def test_quarterly_pdf_leaves_out_service_indicators_not_on_the_plan(council):
    text = pdf_text(exports.pdf(build(Kind.QUARTERLY), services.draft_stamp()))
    assert "SPI 005" not in text
    assert "Pest control" not in text


def test_a_red_kpis_comment_and_action_plan_reach_scrutiny(council):
    audience = Audience.SCRUTINY
    text = pdf_text(exports.pdf(build(Kind.QUARTERLY, audience), services.draft_stamp()))
    assert "WAS 001" in text
    assert "contamination checks at the sorting plant" in text
    assert "Recover the recycling rate (version 2)" in text
    assert "Door-step campaign on the ten lowest-recycling rounds" in text
    assert audience.label in text


def test_a_red_kpis_action_plan_reaches_cabinet_by_name(council):
    # Cabinet's summary names the plan, its owner and date; comments and actions are the MT
    # report's (issue 19, tests/reports/test_cabinet_summary.py).
    text = pdf_text(exports.pdf(build(Kind.QUARTERLY, Audience.CABINET), services.draft_stamp()))
    assert "WAS 001" in text
    assert "Recover the recycling rate" in text
    assert "Pat Okafor" in text
    assert "Cabinet" in text


def test_cabinet_gets_decisions_and_scrutiny_gets_questions(council):
    cabinet = build(Kind.QUARTERLY, Audience.CABINET)
    scrutiny = build(Kind.QUARTERLY, Audience.SCRUTINY)
    decisions = next(s for s in cabinet.sections if s.id == "decisions")
    assert any("WAS 001" in item for item in decisions.items)
    spotlight = next(s for sec in scrutiny.sections for s in sec.spotlights if s.code == "WAS 001")
    assert any("Recover the recycling rate" in q for q in spotlight.questions)
    assert not any(s.id == "decisions" for s in scrutiny.sections)


def test_quarterly_statuses_and_the_unactivated_value(council):
    rows = {row["indicator"]: row for row in build(Kind.QUARTERLY).open_data.rows}
    assert rows["WAS 001"]["status"] == "red"
    assert rows["WAS 001"]["value"] == "38"
    assert rows["CLN 002"]["status"] == "amber"
    assert rows["HOU 003"]["status"] == "green"
    # Submitted but not activated: the report knows no value, and the window has closed.
    assert rows["SEC 006"]["value"] == ""
    assert rows["SEC 006"]["status"] == "no_data"
    assert "SPI 005" not in rows


def test_quarterly_workbook_has_a_sheet_per_table_with_numbers_and_frozen_headers(council):
    book = workbook(exports.xlsx(build(Kind.QUARTERLY), services.draft_stamp()))
    assert book.sheetnames[0] == "Report"
    assert "Outcome 1.2" in book.sheetnames
    sheet = book["Outcome 1.2"]
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].value == "Code"
    row = row_of(sheet, "WAS 001")
    assert row[3] == pytest.approx(38.0)
    assert row[4] == pytest.approx(45.0)
    assert row[5] == "Red"
    value_cell = next(c for c in sheet["D"] if c.value == pytest.approx(38.0))
    assert value_cell.number_format == '0.0"%"'
    for sheet_ in book.worksheets:
        assert float(UNPUBLISHED) not in cells(sheet_)


@pytest.mark.parametrize(
    ("kind", "first", "index", "expected"),
    [
        (Kind.MONTHLY, "MON 010", 3, 70),
        (Kind.COMPLAINTS, "Waste and Street Scene", 1, 2),  # received
        (Kind.COMPLAINTS, "Waste and Street Scene", 5, 1),  # late
        (Kind.STRATEGIC_ACTIONS, "Roll out food waste collections", 5, 40),
        (Kind.DATA_QUALITY, "Housing and Homelessness", 1, 2),  # expected
        (Kind.DATA_QUALITY, "Housing and Homelessness", 4, 1),  # entered, not activated
        (Kind.DATA_QUALITY, "Waste and Street Scene", 2, 7),  # activated on time
        (Kind.BENCHMARKING, "Household waste recycled (benchmark)", 2, 41.5),
        (Kind.BENCHMARKING, "Household waste recycled (benchmark)", 3, 3),  # rank
    ],
)
def test_each_kinds_workbook_holds_the_expected_values(council, kind, first, index, expected):
    book = workbook(exports.xlsx(build(kind), services.draft_stamp()))
    sheet = sheet_with(book, first)
    row = row_of(sheet, first)
    assert row[index] == pytest.approx(expected)
    assert sheet.freeze_panes == "A3"


def test_reach_the_summit_workbook_lists_the_scored_team(council):
    book = workbook(exports.xlsx(build(Kind.REACH_THE_SUMMIT), services.draft_stamp()))
    sheet = book["League table"]
    assert "Waste and Street Scene" in cells(sheet)
    assert sheet["A2"].value == "Rank"


def test_a_reader_of_one_team_sees_only_that_teams_indicators(council):
    report = build(Kind.QUARTERLY, team_ids={council.housing.id})
    codes = {row["indicator"] for row in report.open_data.rows}
    assert codes == {"HOU 003", "SEC 006"}
    assert report.teams_note


def test_open_data_files_follow_the_documented_schema(council):
    import csv
    import io
    import json

    report = build(Kind.QUARTERLY)
    rows = list(csv.DictReader(io.StringIO(exports.open_data_csv(report))))
    assert list(rows[0]) == [
        "indicator",
        "title",
        "team",
        "period",
        "value",
        "target",
        "unit",
        "decimals",
        "shortfall_pct",
        "status",
        "dot_previous",
        "dot_year",
        "variation",
        "assurance",
    ]
    was = next(r for r in rows if r["indicator"] == "WAS 001")
    assert (was["value"], was["target"], was["status"], was["shortfall_pct"]) == (
        "38",
        "45",
        "red",
        "15.6",
    )
    document = json.loads(exports.open_data_json(report, {"version": 1}))
    assert document["schema"] == "summit-open-data/1"
    assert document["report"]["period"] == PERIOD
    types = {c["name"]: c["type"] for c in document["columns"]}
    assert types["value"] == "number"
    assert types["status"] == "string"
    was_json = next(r for r in document["rows"] if r["indicator"] == "WAS 001")
    assert was_json["value"] == 38
    assert was_json["status"] == "red"


def add_data_quality_findings(council) -> None:
    """Three refused entries for SEC 006 (Housing), two returns of WAS 001's Q3 value (Waste), and
    every Waste indicator but WAS 001 reviewed this year (so relevance: Housing 2, Waste 1)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from dataquality.models import RejectedEntry
    from performance.core import periods
    from performance.models import AuditEvent, Indicator, Value

    for _ in range(3):
        RejectedEntry.objects.create(
            indicator=council.unactivated,
            period=PERIOD,
            period_start=periods.parse(PERIOD).start,
            channel="form",
            field="value",
            rule="percent_range",
            message="A percentage is between 0 and 100",
        )
    for _ in range(2):
        AuditEvent.objects.create(
            action="return",
            actor_name="Dana Manager",
            content_type=ContentType.objects.get_for_model(Value),
            object_id=str(council.red_value.pk),
            object_repr=str(council.red_value),
            reason="Check the tonnage",
        )
    Indicator.objects.filter(team=council.waste).exclude(pk=council.red.pk).update(
        reviewed_on=timezone.localdate()
    )


def test_data_quality_pdf_and_workbook_show_all_six_features_by_team(council):
    add_data_quality_findings(council)
    report = build(Kind.DATA_QUALITY)
    text = pdf_text(exports.pdf(report, services.draft_stamp()))
    # Completeness and timeliness: expected, on time, late, not activated, missing, %, mean days.
    assert "Housing and Homelessness 2 1 0 1 0 50.0% 0.0" in text
    # Validity, reliability (signals, corrections), accuracy, relevance.
    assert "Housing and Homelessness 3 0 0 0 2" in text  # 3 refused, 2 not reviewed
    assert "Waste and Street Scene 0 1 0 2 1" in text  # WAS 001 special cause, 2 returns
    assert "All teams 3 1 0 2 3" in text
    assert "Validity: 3 entries refused" in text
    assert "Accuracy: 2 returns by data managers" in text
    assert "Relevance: 3 indicators not reviewed" in text
    # The problem items.
    assert "Entered but not activated; 3 entries refused" in text
    assert "Returned 2 times by a data manager" in text
    assert "HOU 003" in text  # not reviewed this year

    book = workbook(exports.xlsx(report, services.draft_stamp()))
    features = book["Features by team"]
    assert features["B2"].value == "Validity: entries refused"
    assert row_of(features, "Housing and Homelessness")[1:] == [3, 0, 0, 0, 2]
    assert row_of(features, "Waste and Street Scene")[1:] == [0, 1, 0, 2, 1]
    assert row_of(features, "All teams")[1:] == [3, 1, 0, 2, 3]
    assert row_of(book["By team"], "All teams")[1:6] == [9, 8, 0, 1, 0]
    assert row_of(book["By team"], "All teams")[6] == pytest.approx(88.9)
    problems = book["Problems"]
    assert row_of(problems, "SEC 006")[4] == "Entered but not activated; 3 entries refused"
    assert "HOU 003" in cells(book["Not reviewed"])


def test_data_quality_for_one_team_totals_that_team_only(council):
    add_data_quality_findings(council)
    report = build(Kind.DATA_QUALITY, team_ids={council.housing.id})
    teams = {row["team"] for table in report.tables for row in table.rows if "team" in row}
    assert teams == {"Housing and Homelessness", "All teams"}
    features = next(t for t in report.tables if t.id == "dq-features")
    assert features.rows[-1] == {
        "team": "All teams",
        "rejected": 3,
        "signals": 0,
        "corrections": 0,
        "returned": 0,
        "not_reviewed": 2,
    }
    assert report.teams_note


def test_the_data_quality_report_names_an_indicator_without_a_team_unassigned(council):
    """An active indicator with no team (council-wide, or not yet configured) is listed as
    Unassigned, as the pages write it; it used to stop the report with an AttributeError."""
    add_data_quality_findings(council)
    Indicator.objects.filter(code="HOU 003").update(team=None)
    report = build(Kind.DATA_QUALITY)
    rows = [
        row for table in report.tables for row in table.rows if row.get("indicator") == "HOU 003"
    ]
    assert rows
    assert {row["team"] for row in rows} == {"Unassigned"}


def test_the_data_quality_report_survives_its_json_round_trip(council):
    import json

    from performance.reports.data import Report

    add_data_quality_findings(council)
    report = build(Kind.DATA_QUALITY)
    again = Report.from_json(json.loads(json.dumps(report.to_json())))
    assert again == report
    assert exports.html(again, services.draft_stamp()) == exports.html(
        report, services.draft_stamp()
    )
