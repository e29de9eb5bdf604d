"""The risk management report (SPEC §14, issue 17) and the quarterly report's risk section,
from hand-made risks (tests/reports/risk_council.py): rows, sections and counts, the PDF's text,
the workbook's cells, and who sees confidential risks."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from performance.reports import exports, selectors, services
from performance.reports.data import Audience, Kind, cell_text, parse_period
from tests.reports.conftest import cells, pdf_text, workbook
from tests.reports.risk_council import PERIOD, TODAY, at, make_risks

pytestmark = pytest.mark.django_db


@pytest.fixture
def risks(db):
    with time_machine.travel(at(TODAY), tick=False):
        made = make_risks()
    return made


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield TODAY


def build(kind=Kind.RISK, audience=Audience.MT, **kwargs):
    return selectors.build(
        kind, period=parse_period(kind, PERIOD), audience=audience, today=TODAY, **kwargs
    )


def section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def table(report, table_id):
    return next(t for t in report.tables if t.id == table_id)


def refs(a_table) -> list[str]:
    return [row["reference"] for row in a_table.rows]


def texts(a_table) -> list[dict[str, str]]:
    return [{c.key: cell_text(c, row) for c in a_table.columns} for row in a_table.rows]


# --- the sections ----------------------------------------------------------------------------


def test_summary_counts_open_risks_by_rating_above_appetite_and_alerts(risks, today):
    report = build()
    words = section(report, "risk-summary").paragraphs[0]
    # Open: CR01 16, CR02 9, SR01 12, SR02 20 (confidential, MT sees it), DR01 4; CL01 closed.
    assert words == (
        "5 open risks (2 very high, 1 high, 1 medium, 1 low); 3 above the council's appetite; "
        "1 with a key risk indicator alert; 1 reviews overdue."
    )
    summary = texts(table(report, "risk-summary-table"))
    assert summary == [
        {"rating": "Very high", "risks": "2", "above": "2", "alerts": "0"},
        {"rating": "High", "risks": "1", "above": "1", "alerts": "0"},
        {"rating": "Medium", "risks": "1", "above": "0", "alerts": "1"},
        {"rating": "Low", "risks": "1", "above": "0", "alerts": "0"},
        {"rating": "All open risks", "risks": "5", "above": "3", "alerts": "1"},
    ]
    alerts = table(report, "risk-alerts-table").rows
    assert [(a["reference"], a["indicator"], a["period"], a["reason"]) for a in alerts] == [
        ("CR02", "KRI 001", "2025/26 Q2", "Red")
    ]


def test_the_corporate_register_lists_corporate_risks_with_scores_and_words(risks, today):
    rows = texts(table(build(), "risk-corporate-table"))
    assert [r["reference"] for r in rows] == ["CR01", "CR02"]
    assert rows[0] == {
        "reference": "CR01",
        "title": "Funding gap in 2026/27",
        "category": "Financial",
        "owner": "Olu Owner",
        "inherent": "25",
        "current": "16",
        "target": "2",
        "rating": "Very high",
        "appetite": "12",
        "direction": "Deteriorating",
        "review_due": "10 Jan 2026",
        "kri_alert": "No",
    }
    assert rows[1]["kri_alert"] == "Yes"


def test_risks_above_appetite_show_appetite_and_gap_largest_gap_first(risks, today):
    rows = table(build(), "risk-above-table").rows
    assert [(r["reference"], r["current"], r["appetite"], r["gap"]) for r in rows] == [
        ("SR02", 20, 12, 8),
        ("CR01", 16, 12, 4),
        ("SR01", 12, 9, 3),
    ]


def test_movements_compare_the_quarters_reviews_and_list_new_closed_and_escalated(risks, today):
    report = build()
    moves = table(report, "risk-movements-table").rows
    assert [(m["reference"], m["before"], m["after"], m["direction"]) for m in moves] == [
        ("CR01", 12, 16, "deteriorating"),
        ("SR01", 16, 12, "improving"),
        ("SR02", 16, 20, "deteriorating"),
    ]
    assert refs(table(report, "risk-new-table")) == ["DR01"]
    assert refs(table(report, "risk-closed-table")) == ["CL01"]
    assert table(report, "risk-closed-table").rows[0]["closed"] == "14 Oct 2025"
    escalations = table(report, "risk-escalations-table").rows
    assert [(e["reference"], e["from"], e["to"]) for e in escalations] == [
        ("SR01", "Service", "Directorate")
    ]
    assert (
        section(report, "risk-movements")
        .paragraphs[0]
        .endswith(
            "3 scores changed (1 improving, 2 deteriorating), 1 new risks, 1 closed, "
            "1 escalations confirmed."
        )
    )


def test_a_later_quarter_has_no_movements_from_this_round(risks, today):
    report = selectors.build(
        Kind.RISK, period=parse_period(Kind.RISK, "2025/26 Q3"), audience=Audience.MT, today=TODAY
    )
    assert table(report, "risk-movements-table").rows == []
    assert table(report, "risk-new-table").rows == []
    assert table(report, "risk-closed-table").rows == []


def test_overdue_reviews_and_actions_read_linked_actions_from_their_plan(risks, today):
    report = build()
    reviews = table(report, "risk-overdue-reviews-table").rows
    assert [(r["reference"], r["due"], r["days"]) for r in reviews] == [("DR01", "1 Nov 2025", 19)]
    actions = table(report, "risk-overdue-actions-table").rows
    assert [
        (a["reference"], a["action"], a["due"], a["progress"], a["linked"]) for a in actions
    ] == [
        ("CR01", "Review the reserves", "30 Sep 2025", "In progress", "Action plan action"),
        ("SR01", "Test the payroll failover", "1 Oct 2025", "In progress", ""),
    ]
    assert actions[0]["owner"] == "Pat Officer"


def test_the_heat_map_counts_each_cell_with_its_rating(risks, today):
    report = build()
    grid = table(report, "risk-heat-grid")
    assert [row["likelihood"] for row in grid.rows] == [
        "5 Almost certain",
        "4 Likely",
        "3 Possible",
        "2 Unlikely",
        "1 Rare",
    ]
    by_likelihood = {row["likelihood"][0]: row for row in grid.rows}
    assert by_likelihood["5"]["i4"] == 1
    assert by_likelihood["5"]["i4_rating"] == "very_high"
    assert by_likelihood["4"]["i4"] == 1
    assert by_likelihood["4"]["i3"] == 1
    assert by_likelihood["3"]["i3"] == 1
    assert by_likelihood["2"]["i2"] == 1
    assert by_likelihood["1"]["i1"] == 0
    assert by_likelihood["1"]["i1_rating"] == "low"
    assert sum(row[f"i{i}"] for row in grid.rows for i in range(1, 6)) == 5
    column = grid.columns[4]
    assert cell_text(column, by_likelihood["5"]) == "1 Very high"
    filled = texts(table(report, "risk-heat-cells"))
    assert [(c["score"], c["rating"], c["count"], c["risks"]) for c in filled] == [
        ("20", "Very high", "1", "SR02"),
        ("16", "Very high", "1", "CR01"),
        ("12", "High", "1", "SR01"),
        ("9", "Medium", "1", "CR02"),
        ("4", "Low", "1", "DR01"),
    ]


# --- who sees confidential risks ---------------------------------------------------------------


def _all_refs(report) -> set[str]:
    found = set()
    for t in [*report.tables, report.open_data]:
        for row in t.rows:
            found.add(row.get("reference"))
            if isinstance(row.get("risks"), str):
                found.update(row["risks"].split(", "))
    return found - {None, ""}


@pytest.mark.parametrize("audience", [Audience.CABINET, Audience.SCRUTINY])
def test_members_reports_never_hold_a_confidential_risk(risks, today, audience):
    report = build(audience=audience)
    assert "SR02" not in _all_refs(report)
    assert "Tribunal" not in str(report.to_json())
    assert "4 open risks" in report.summary[0]
    assert any("Management Team only" in note for note in report.notes)


def test_management_team_sees_confidential_risks_but_a_published_copy_does_not(risks, today):
    assert "SR02" in _all_refs(build())
    published = build(public=True)
    assert "SR02" not in _all_refs(published)
    assert "Tribunal" not in str(published.to_json())


def test_a_report_read_by_a_person_holds_only_the_risks_they_read(risks, today):
    # A member reading the MT report still sees no confidential risk.
    assert "SR02" not in _all_refs(build(reader=risks.member))
    # Staff of the finance team: their team's and council-wide risks, not the confidential one.
    staff = build(reader=risks.staff)
    assert _all_refs(staff) >= {"CR01", "CR02", "SR01", "DR01"}
    assert "SR02" not in _all_refs(staff)
    assert "Showing the risks you may read only" in staff.teams_note
    # Parks staff: council-wide risks only.
    parks = build(reader=risks.other_staff)
    assert {"SR01", "SR02"}.isdisjoint(_all_refs(parks))
    assert "CR01" in _all_refs(parks)
    # The owner's confidential risk is theirs to read.
    assert "SR02" in _all_refs(build(reader=risks.owner))


def test_publication_freezes_no_confidential_risk(risks, today):
    row = services.publish(
        actor=risks.officer,
        kind=Kind.RISK,
        period=parse_period(Kind.RISK, PERIOD),
        audience=Audience.MT,
    )
    assert "SR02" not in str(row.snapshot)
    assert "Tribunal" not in pdf_text(row.pdf.read())


# --- PDF and workbook ------------------------------------------------------------------------


def test_the_pdf_holds_every_section_the_heat_map_in_words_and_the_figures(risks, today):
    text = pdf_text(exports.pdf(build(), services.draft_stamp()))
    squashed = text.replace(" ", "")
    for words in (
        "Risk management report 2025/26 Q2",
        "Summary",
        "The corporate risk register",
        "Risks above appetite",
        "Movements since the last quarter",
        "Overdue reviews and actions",
        "Heat map of current scores",
        "Funding gap in 2026/27",
        "Review the reserves",
        "Tribunal claim",
        "5 Almost certain",
        "1 Very high",
        "0 Low",
    ):
        assert words.replace(" ", "") in squashed, f"{words!r} missing from the PDF"
    assert "Page 1 of" in text


def test_the_cabinet_pdf_leaves_out_the_confidential_risk(risks, today):
    text = pdf_text(exports.pdf(build(audience=Audience.CABINET), services.draft_stamp()))
    assert "CR01" in text
    assert "SR02" not in text
    assert "Tribunal" not in text


def test_the_workbook_has_a_sheet_per_table_with_numbers_as_numbers(risks, today):
    book = workbook(exports.xlsx(build(), services.draft_stamp()))
    assert book.sheetnames[0] == "Report"
    for name in (
        "Summary",
        "Corporate register",
        "Above appetite",
        "Movements",
        "Heat map",
        "Heat map cells",
        "Overdue actions",
        "All risks",
    ):
        assert name in book.sheetnames, book.sheetnames
    above = book["Above appetite"]
    assert [c.value for c in above[2]][:3] == ["Ref", "Risk", "Register"]
    assert [c.value for c in above[3]][:1] == ["SR02"]
    assert above["F3"].value == 20
    assert above["G3"].value == "Very high"
    assert above["H3"].value == 12
    assert above["I3"].value == 8
    heat = book["Heat map"]
    assert [c.value for c in heat[3]] == ["5 Almost certain", 0, 0, 0, 1, 0]
    assert "Olu Owner" in cells(book["Corporate register"])


# --- the quarterly report's risk section ----------------------------------------------------


@pytest.mark.parametrize("audience", list(Audience))
def test_the_quarterly_report_has_a_short_risk_section(risks, today, audience):
    report = build(Kind.QUARTERLY, audience)
    risk_section = section(report, "risks")
    assert risk_section.paragraphs[0].startswith(
        "5 open risks" if audience is Audience.MT else "4 open risks"
    )
    assert "Heat map of current scores: " in risk_section.paragraphs[1]
    above = refs(risk_section.tables[0])
    assert above == (["SR02", "CR01", "SR01"] if audience is Audience.MT else ["CR01", "SR01"])
    if audience is Audience.CABINET:
        assert risk_section.items == []
        assert "1 risks have a key risk indicator alert" in risk_section.paragraphs[2]
    else:
        assert "Key risk indicator alert: CR02 Supplier failure: KRI 001 red in 2025/26 Q2" in (
            risk_section.items
        )
        assert (
            "Corporate register movement: CR01 Funding gap in 2026/27: 12 to 16 (deteriorating)"
            in (risk_section.items)
        )


# --- the command and the pages ----------------------------------------------------------------


def test_render_report_writes_the_risk_pdf(risks, today, tmp_path):
    target = tmp_path / "risk.pdf"
    out = io.StringIO()
    call_command(
        "render_report",
        "risk",
        "--period",
        PERIOD,
        "--audience",
        "scrutiny",
        "-o",
        str(target),
        stdout=out,
    )
    assert "Risk management report 2025/26 Q2 for Overview & Scrutiny" in out.getvalue()
    text = pdf_text(target.read_bytes())
    assert "CR01" in text
    assert "SR02" not in text


def test_the_reports_page_lists_the_risk_report_and_shows_it_to_staff_narrowed(
    client, risks, today
):
    client.force_login(risks.officer)
    index = client.get(reverse("reports:index")).content.decode()
    assert "Risk management report" in index
    client.force_login(risks.other_staff)
    page = client.get(reverse("reports:report", args=["risk"]), {"period": PERIOD})
    assert page.status_code == 200
    body = page.content.decode()
    assert "CR01" in body
    assert "SR01" not in body
    assert "SR02" not in body
    xlsx = client.get(reverse("reports:xlsx", args=["risk"]), {"period": PERIOD})
    assert "SR01" not in cells(workbook(xlsx.content)["All risks"])


def test_the_risk_pdf_is_tagged_with_its_tables_and_header_cells(risks, today):
    from tests.reports.test_pdf_tagging import problems, structure, tag

    data = exports.pdf(build(), services.draft_stamp())
    assert problems(data) == []
    _, nodes = structure(data)
    tables = [element for _, element in nodes if tag(element) == "/Table"]
    # Summary, alerts, register, above appetite, four movement tables, two overdue, heat map
    # and its cells: every table of the report with rows, none lost as layout.
    assert len(tables) == sum(1 for s in build().shown_sections for t in s.tables if t.rows)


def test_the_risk_page_query_count_does_not_grow_with_risks(client, risks, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import RiskFactory

    client.force_login(risks.officer)
    address = reverse("reports:report", args=["risk"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address, {"period": PERIOD}).status_code == 200
        return len(queries)

    count()
    small = count()
    for number in range(20):
        risk = RiskFactory(reference=f"XR{number:02}", owner=risks.owner, team=risks.team)
        risk.actions.create(description="Late", due_on=TODAY.replace(day=1))
    count()  # the first read after a change brings the alerts up to date
    assert count() == small


def test_published_open_data_is_the_register_columns_without_confidential_risks(risks, today):
    row = services.publish(
        actor=risks.officer,
        kind=Kind.RISK,
        period=parse_period(Kind.RISK, PERIOD),
        audience=Audience.MT,
    )
    frozen = services.frozen_report(row)
    lines = exports.open_data_csv(frozen).splitlines()
    assert lines[0] == (
        "reference,title,register,category,owner,inherent_score,current_score,target_score,"
        "rating,appetite,above_appetite,direction,review_due,linked_indicators,kri_alert"
    )
    assert lines[1] == (
        "CR01,Funding gap in 2026/27,corporate,Financial,Olu Owner,25,16,2,very_high,12,yes,"
        "deteriorating,2026-01-10,,no"
    )
    assert [line.split(",")[0] for line in lines[1:]] == ["CR01", "CR02", "DR01", "SR01"]
    assert "Olu Owner" in services.people_named(frozen)


def test_a_published_quarterly_report_has_no_confidential_risk_either(risks, today):
    report = build(Kind.QUARTERLY, Audience.MT, public=True)
    assert "SR02" not in refs(section(report, "risks").tables[0])
    assert "SR02" in refs(section(build(Kind.QUARTERLY, Audience.MT), "risks").tables[0])


def test_the_quarterly_section_lists_at_most_ten_risks_above_appetite(risks, today):
    from tests.factories import RiskFactory

    financial = risks.risks["CR01"].category
    for number in range(12):
        RiskFactory(
            reference=f"XR{number:02}",
            category=financial,
            owner=risks.owner,
            team=None,
            current_likelihood=5,
            current_impact=5,
        )
    above = section(build(Kind.QUARTERLY, Audience.SCRUTINY), "risks").tables[0]
    assert len(above.rows) == 10
    assert above.note.startswith("The 10 furthest above appetite of 14")
    assert len(table(build(), "risk-above-table").rows) == 15
