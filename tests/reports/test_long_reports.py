"""A county's quarterly report: long outcome lists show their exceptions, the workbook keeps
every indicator, and the PDF carries no per-point chart tooltips."""

from __future__ import annotations

import base64
import re

from performance.reports import exports, selectors, services
from performance.reports.data import Audience, Kind, Report, parse_period
from tests.reports.conftest import cells, pdf_text, workbook
from tests.reports.council import PERIOD


def quarterly(audience: Audience = Audience.MT) -> Report:
    return selectors.build(
        Kind.QUARTERLY, period=parse_period(Kind.QUARTERLY, PERIOD), audience=audience
    )


def shown_codes(report: Report) -> set[str]:
    return {
        row["indicator"]
        for section in report.shown_sections
        for table in section.tables
        for row in table.rows
        if "indicator" in row
    }


def test_a_short_outcome_list_shows_every_indicator(council):
    report = quarterly()
    assert {"WAS 001", "CLN 002", "HOU 003", "COR 004", "SEC 006"} <= shown_codes(report)
    assert not any(section.workbook_only for section in report.sections)


def test_a_long_outcome_list_shows_its_exceptions_and_counts_the_rest(council, monkeypatch):
    monkeypatch.setattr(selectors.quarterly, "FULL_LIST_MAX", 0)
    report = quarterly(Audience.MT)
    codes = shown_codes(report)
    assert {"WAS 001", "CLN 002", "SEC 006"} <= codes  # Red, Amber, No data
    assert "HOU 003" not in codes  # Green, common cause
    assert "COR 004" not in codes
    outcome = next(t for t in report.tables if t.id == "outcome-2-1")
    assert "The other 1 (1 Green, none of concern)" in outcome.note
    assert "Excel workbook" in outcome.note

    # The page and the PDF leave the full list out; the workbook has it.
    every = next(s for s in report.sections if s.workbook_only)
    assert {row["indicator"] for row in every.tables[0].rows} >= {"HOU 003", "COR 004"}
    text = pdf_text(exports.pdf(report, services.draft_stamp()))
    assert "HOU 003" not in text
    assert "All indicators of the report" not in text
    book = workbook(exports.xlsx(report, services.draft_stamp()))
    assert "HOU 003" in cells(book["All indicators"])
    assert "Outcome 2.1" in cells(book["All indicators"])


def test_an_indicator_with_a_concerning_spc_signal_is_an_exception(council, monkeypatch):
    row = {"status": "green", "variation": "concerning"}
    assert selectors.quarterly._is_exception(row)
    assert not selectors.quarterly._is_exception({**row, "variation": "common"})


def test_the_pdf_keeps_each_charts_name_but_not_its_point_tooltips(council):
    report = quarterly(Audience.MT)
    charts = [s.chart for section in report.sections for s in section.spotlights if s.chart]
    assert charts
    assert any(chart.svg.count("<title>") > 3 for chart in charts)  # tooltips on screen
    printed = exports.html(report, services.draft_stamp())
    assert "<title>" not in printed.split("</head>", 1)[1]
    # Each chart prints as an <img> of its SVG (a data URL) with its text alternative (issue 22).
    images = re.findall(
        r'<img class="report-figure__chart" src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"',
        printed,
    )
    assert len(images) == len(charts) + 2  # + summary bars
    svgs = [base64.b64decode(data).decode() for data, _ in images]
    assert all("<title>" not in svg for svg in svgs)  # no point tooltips
    assert all('<title id="chart-' in svg for svg in svgs)  # each chart's own name


def test_a_published_long_report_survives_its_snapshot(council, monkeypatch):
    monkeypatch.setattr(selectors.quarterly, "FULL_LIST_MAX", 0)
    report = quarterly()
    again = Report.from_json(report.to_json())
    assert again == report
    assert [s.id for s in again.shown_sections] == [s.id for s in report.shown_sections]
    old = report.to_json()
    for section in old["sections"]:
        section.pop("workbook_only")  # a snapshot published before the field existed
    assert all(not s.workbook_only for s in Report.from_json(old).sections)


def test_red_and_concerning_spotlights_have_a_chart_common_cause_ambers_do_not(council):
    report = quarterly(Audience.MT)
    variation = {row["indicator"]: row["variation"] for row in report.open_data.rows}
    spotlights = {s.code: s for section in report.sections for s in section.spotlights}
    assert spotlights["WAS 001"].chart is not None  # Red
    assert spotlights["CLN 002"].status == "amber"
    assert (spotlights["CLN 002"].chart is not None) == (variation["CLN 002"] == "concerning")
    for spotlight in spotlights.values():
        wanted = spotlight.status == "red" or variation[spotlight.code] == "concerning"
        assert (spotlight.chart is not None) == wanted, spotlight.code
