"""The annual performance report (issue 20) from a hand-made council with three years of figures
(tests/reports/annual_council.py, where every expected figure is worked out): outturns, status,
three-year direction, forecast accuracy, priorities, achievements, Reach the Summit winners,
benchmarking; each audience; the command; publication; the page's queries."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.core.roles import Role
from performance.reports import exports, selectors, services
from performance.reports.data import Audience, Kind, cell_text, parse_period
from performance.reports.models import PublishedReport
from tests.factories import UserFactory
from tests.reports.annual_council import SUBMITTED, TODAY, YEAR, _at, make_annual_council
from tests.reports.conftest import cells, pdf_text, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(db):
    with time_machine.travel(_at(TODAY), tick=False):
        made = make_annual_council()
    return made


@pytest.fixture
def today():
    with time_machine.travel(_at(TODAY), tick=False):
        yield TODAY


def build(audience=Audience.MT, year=YEAR, **kwargs):
    return selectors.build(
        Kind.ANNUAL, period=parse_period(Kind.ANNUAL, year), audience=audience, **kwargs
    )


def section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def table(report, table_id):
    return next(t for t in report.tables if t.id == table_id)


def texts(a_table) -> list[dict[str, str]]:
    return [{c.key: cell_text(c, row) for c in a_table.columns} for row in a_table.rows]


def by_code(report) -> dict[str, dict]:
    """The outturn rows by indicator code, from every outturn table of the report."""
    return {
        row["indicator"]: row
        for t in report.tables
        if t.id.startswith("outturn-")
        for row in t.rows
    }


# --- the figures --------------------------------------------------------------------------------


def test_outturns_aggregate_the_quarters_and_judge_them_against_the_annual_target(council, today):
    rows = by_code(build())
    # (value, target, shortfall, status) as worked out in annual_council.py.
    assert {
        code: (row["value"], row["target"], row["shortfall_pct"], row["status"])
        for code, row in rows.items()
    } == {
        "REC 001": ("500", "480", "-4.2", "green"),  # sum of 120, 120, 130, 130
        "MIS 002": ("14.5", "12", "20.8", "red"),  # mean of 14, 14, 15, 15; lower is better
        "LST 004": ("78", "80", "2.5", "amber"),  # last quarter; target from the profile
        "NOD 005": ("", "50", "", "no_data"),  # no 2025/26 value once the window closed
        "CON 009": ("", "20", "", "no_data"),  # Q4 only submitted: no partial sum
    }


def test_three_year_direction_compares_with_the_year_before_and_two_years_before(council, today):
    rows = by_code(build())
    assert {
        code: (row["earlier"], row["previous"], row["dot_previous"], row["dot_three"])
        for code, row in rows.items()
    } == {
        "REC 001": ("400", "440", "improving", "improving"),
        "MIS 002": ("10", "12", "deteriorating", "deteriorating"),
        "LST 004": ("78", "80", "deteriorating", "stable"),  # 78 then 80 then 78
        "NOD 005": ("40", "45", "none", "none"),
        "CON 009": ("", "20", "none", "none"),  # 2024/25: 5 × 4 = 20; 2023/24 none
    }


def test_the_summary_counts_by_status_and_by_direction(council, today):
    words = section(build(), "summary").paragraphs
    assert words == [
        "5 indicators of the Strategic Plan for 2025/26: 1 met their annual target (Green), "
        "1 missed it narrowly (Amber), 1 missed it by the tolerance or more (Red) and 2 have "
        "No data.",
        "On 2024/25: 1 improved, 0 were stable and 2 deteriorated. Over three years (on "
        "2023/24): 1 improved, 1 were stable and 1 deteriorated.",
    ]


def test_forecasts_made_at_q2_and_q3_are_measured_against_the_outturn(council, today):
    rows = {r["indicator"]: r for r in table(build(), "forecasts-table").rows}
    assert (rows["REC 001"]["q2"], rows["REC 001"]["q2_error"]) == ("450", "-10")
    assert (rows["REC 001"]["q3"], rows["REC 001"]["q3_error"]) == ("490", "-2")
    assert (rows["MIS 002"]["q2"], rows["MIS 002"]["q2_error"]) == ("12.5", "-13.8")
    assert (rows["MIS 002"]["q3"], rows["MIS 002"]["q3_error"]) == ("14", "-3.4")
    assert rows["REC 001"]["source"] == "officer"
    # No officer's forecast for LST 004: the projection from the figures stands in.
    assert rows["LST 004"]["source"] == "projection"
    # No outturn, no accuracy.
    assert "CON 009" not in rows
    assert "NOD 005" not in rows


def test_priorities_count_indicators_by_status_and_actions_by_their_latest_update(council, today):
    report = build()
    assert texts(table(report, "priorities-table")) == [
        {
            "priority": "1. Clean and green",
            "indicators": "3",
            "green": "1",
            "amber": "0",
            "red": "1",
            "no_data": "1",
            "none": "0",
        },
        {
            "priority": "2. Homes for all",
            "indicators": "1",
            "green": "0",
            "amber": "1",
            "red": "0",
            "no_data": "0",
            "none": "0",
        },
    ]
    actions = {r["priority"]: r for r in table(report, "priority-actions-table").rows}
    assert actions["1. Clean and green"]["act_Complete"] == 1  # Q4's update wins over Q2's
    assert actions["1. Clean and green"]["act_At risk"] == 1
    assert actions["2. Homes for all"]["act_No update"] == 1
    listed = {r["action"]: (r["status"], r["as_at"]) for r in table(report, "actions-table").rows}
    assert listed == {
        "Food waste rollout": ("Complete", "2025/26 Q4"),
        "Bring sites review": ("At risk", "2025/26 Q2"),
        "New hostel": ("No update", ""),
    }


def test_achievements_are_targets_met_and_improved(council, today):
    assert [r["indicator"] for r in table(build(), "achievements-table").rows] == ["REC 001"]


def test_the_years_reach_the_summit_winners_come_from_the_frozen_tables(council, today):
    report = build()
    assert [
        (r["quarter"], r["award"], r["team"]) for r in table(report, "summit-winners").rows
    ] == [
        ("2025/26 Q1", "Top Team", "Waste and Street Scene"),
        ("2025/26 Q1", "Runner-up", "Housing and Homelessness"),
        ("2025/26 Q2", "Top Team", "Housing and Homelessness"),
    ]
    assert "No final table yet for 2025/26 Q3, 2025/26 Q4" in " ".join(
        section(report, "reach-the-summit").paragraphs
    )


def test_benchmark_positions_read_the_year_or_the_latest_before_it(council, today):
    rows = table(build(), "benchmark-positions").rows
    assert [
        (r["group"], r["period"], r["value"], r["rank"], r["of"], r["quartile"]) for r in rows
    ] == [
        ("Nearest neighbours", "2024/25", "40", 2, 4, "2")  # not 2026/27's 99
    ]
    assert rows[0]["median"] == "35"


# --- audiences ----------------------------------------------------------------------------------


def test_management_team_reads_every_section_and_the_outturns_by_priority(council, today):
    report = build()
    assert report.section_ids == [
        "summary",
        "priorities",
        "achievements",
        "three-years",
        "forecasts",
        "reach-the-summit",
        "benchmarking",
        "priority-1",
        "priority-2",
        "other-kpis",
    ]
    assert [r["indicator"] for r in table(report, "outturn-1").rows] == [
        "CON 009",
        "MIS 002",
        "REC 001",
    ]
    assert [r["indicator"] for r in table(report, "outturn-other").rows] == ["NOD 005"]


def test_cabinet_reads_a_summary_with_the_decisions_and_the_outturns_in_the_workbook(
    council, today
):
    report = build(Audience.CABINET)
    assert report.section_ids == [
        "summary",
        "decisions",
        "priorities",
        "achievements",
        "reach-the-summit",
        "benchmarking",
    ]
    assert {"outturn-1", "outturn-2", "outturn-other"} <= {t.id for t in report.tables}
    assert section(report, "decisions").items == [
        "Cabinet is asked to note the outturn for 2025/26: 1 of the 5 indicators met their "
        "annual target, 1 missed it narrowly (Amber), 1 missed it by the tolerance or more "
        "(Red) and 2 have No data.",
        "Cabinet is asked to note the year's achievements: 1 key performance indicator met "
        "their annual target and improved on last year, named under “Achievements”.",
        "Cabinet is asked to request improvement plans, for its next meeting, for the Red key "
        "performance indicator that has also deteriorated over three years: MIS 002 Missed "
        "bins per 100,000.",
        "Cabinet is asked to agree that the annual targets for 2026/27 are set in the light of "
        "these outturns and of the benchmarking positions.",
        "Cabinet is asked to congratulate the year's Reach the Summit Top Teams: Waste and "
        "Street Scene; Housing and Homelessness.",
    ]
    assert "actions-table" not in {t.id for t in report.tables}  # names stay with MT


def test_scrutiny_reads_the_exceptions_and_the_questions_they_raise(council, today):
    report = build(Audience.SCRUTINY)
    assert report.section_ids == [
        "summary",
        "misses",
        "questions",
        "three-years",
        "forecasts",
        "priorities",
        "benchmarking",
    ]
    assert [r["indicator"] for r in table(report, "misses-table").rows] == [
        "MIS 002",  # Red first
        "LST 004",  # then Amber
        "CON 009",  # then No data, by code
        "NOD 005",
    ]
    assert [r["indicator"] for r in table(report, "three-years-table").rows] == ["MIS 002"]
    # Only the forecasts more than 10% out: MIS 002 at Q2 (−13.8%).
    assert "MIS 002" in [r["indicator"] for r in table(report, "forecasts-table").rows]
    assert "REC 001" not in [r["indicator"] for r in table(report, "forecasts-table").rows]
    assert [a["action"] for a in table(report, "actions-table").rows] == [
        "Bring sites review",
        "New hostel",
    ]
    questions = section(report, "questions").items
    assert questions[:2] == [
        "MIS 002 Missed bins per 100,000 missed its annual target of 12.0 by 20.8% (outturn "
        "14.5): why, and what will change in 2026/27?",
        "MIS 002 Missed bins per 100,000 has deteriorated over three years, from 10.0 in "
        "2023/24 to 14.5: what is driving it?",
    ]


@pytest.mark.parametrize("audience", list(Audience))
def test_no_report_holds_an_unactivated_value(council, today, audience):
    assert str(SUBMITTED) not in str(build(audience).to_json())


def test_a_year_with_no_data_still_renders_and_says_so(council, today):
    report = build(year="2021/22")
    assert report.summary[0].startswith("No data: no indicator of the Strategic Plan has an")
    data = exports.pdf(report, services.draft_stamp())
    assert data.startswith(b"%PDF-")
    assert "No data" in pdf_text(data)


# --- the command, publication and the page -----------------------------------------------------


@pytest.mark.parametrize("audience", ["mt", "cabinet", "scrutiny"])
def test_render_report_writes_the_annual_pdf_and_workbook(council, today, tmp_path, audience):
    pdf = tmp_path / "annual.pdf"
    call_command(
        "render_report", "annual", "--period", YEAR, "--audience", audience, "-o", str(pdf)
    )
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data).replace(" ", "")
    assert "Annualperformancereport2025/26" in text
    assert "MIS002" in text
    assert "Glossary" in text
    book_file = tmp_path / "annual.xlsx"
    call_command(
        "render_report", "annual", "--period", YEAR, "--audience", audience, "-o", str(book_file)
    )
    book = workbook(book_file.read_bytes())
    assert book.sheetnames[0] == "Report"
    assert "By priority" in book.sheetnames
    assert "MIS 002" in [value for sheet in book.worksheets for value in cells(sheet)]
    if audience == "cabinet":
        assert {"Priority 1", "Priority 2", "Other KPIs"} <= set(book.sheetnames)


@pytest.mark.parametrize("period", ["2025/26 Q4", "2025-03", "2025-26", "next year"])
def test_render_report_refuses_a_period_that_is_not_a_financial_year(db, tmp_path, period):
    target = tmp_path / "annual.pdf"
    with pytest.raises(CommandError) as caught:
        call_command("render_report", "annual", "--period", period, "-o", str(target))
    assert str(caught.value).startswith("period:")
    assert "a financial year like 2024/25" in str(caught.value)
    assert not target.exists()


def test_publishing_freezes_the_annual_report_and_the_public_reads_it(council, today, client):
    row = services.publish(
        actor=council.officer,
        kind=Kind.ANNUAL,
        period=parse_period(Kind.ANNUAL, YEAR),
        audience=Audience.CABINET,
    )
    assert row.period == YEAR
    assert row.sha256
    # Frozen: a value activated later does not change the published figures.
    council.rec.values.filter(period="2025/26 Q4").update(value=1)
    frozen = services.frozen_report(PublishedReport.objects.get(pk=row.pk))
    assert by_code(frozen)["REC 001"]["value"] == "500"
    page = client.get(reverse("public:report", args=[row.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Annual performance report 2025/26" in body
    assert "Decisions for Cabinet" in body
    assert str(SUBMITTED) not in body
    served = client.get(reverse("public:pdf", args=[row.pk]))
    data = b"".join(served.streaming_content) if served.streaming else served.content
    assert data.startswith(b"%PDF-")
    data = client.get(reverse("public:csv", args=[row.pk])).content.decode()
    assert "REC 001" in data
    assert "value_two_years_before" in data.splitlines()[0]


def test_members_copies_name_no_action_owner_and_no_unactivated_value(council, today):
    for audience in (Audience.CABINET, Audience.SCRUTINY):
        report = build(audience, public=True)
        assert str(SUBMITTED) not in str(report.to_json())
    # Management Team's copy names the owners of strategic actions; Cabinet's names nobody.
    assert services.people_named(build(Audience.CABINET)) == {}
    assert "Pat Okafor" in services.people_named(build(Audience.MT))


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reports:report", args=["annual"]), params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("audience", ["mt", "cabinet", "scrutiny"])
def test_the_annual_page_query_count_does_not_grow_with_indicators(
    client, council, today, audience
):
    client.force_login(council.officer)
    params = {"period": YEAR, "audience": audience}
    count_queries(client, params)  # the first read after a change refreshes caches
    small = count_queries(client, params)
    outcome = council.rec.outcomes.get()
    for n in range(20):
        extra = council.rec.__class__.objects.create(
            code=f"EXT {n:03d}",
            title=f"Extra {n}",
            kind="kpi",
            perspective=council.rec.perspective,
            aspect=council.rec.aspect,
            polarity="higher",
            unit="number",
            decimals=0,
            frequency="quarterly",
            aggregation="sum",
            team=council.rec.team,
        )
        extra.outcomes.add(outcome)
    count_queries(client, params)
    large = count_queries(client, params)
    assert large == small
    assert large <= 40


def test_the_annual_page_opens_on_the_last_complete_year(client, council, today):
    client.force_login(council.officer)
    page = client.get(reverse("reports:report", args=["annual"])).content.decode()
    # 20 May 2026: Q4 of 2025/26 was the last quarter collected.
    assert "Annual performance report 2025/26" in page
    bad = client.get(reverse("reports:report", args=["annual"]), {"period": "2025/26 Q1"})
    assert bad.status_code == 400
    assert "a financial year like 2024/25" in bad.content.decode()


def test_team_staff_read_the_outturns_of_their_own_teams_only(client, council, today):
    enterer = UserFactory(username="erin", roles=[Role.DATA_ENTERER], teams=[council.lst.team])
    report = build(team_ids=selectors.reader_team_ids(enterer))
    assert list(by_code(report)) == ["LST 004"]
    assert report.teams_note == "Showing the indicators of your teams only."
    client.force_login(enterer)
    page = client.get(reverse("reports:report", args=["annual"]), {"period": YEAR})
    body = page.content.decode()
    assert "LST 004" in body
    assert "MIS 002" not in body
