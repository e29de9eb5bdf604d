"""Issue 19: Cabinet's quarterly report is a summary (decisions as sentences naming real action
plans, a status chart per priority, the Red KPIs as compact rows), and every report kind ends
with a glossary page drawn from the help glossary."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from performance.help.glossary import TERMS
from performance.indicators import selectors as performance_selectors
from performance.models import ActionPlan, Indicator
from performance.reports import exports, glossary, selectors, services
from performance.reports.data import Audience, Kind, parse_period
from tests.reports.conftest import cells, pdf_text, workbook
from tests.reports.test_exports import PERIODS, build

pytestmark = pytest.mark.django_db


def section(report, section_id):
    return next(s for s in report.sections if s.id == section_id)


def test_decisions_are_sentences_that_agree_the_red_kpis_real_action_plan(council):
    items = section(build(Kind.QUARTERLY, Audience.CABINET), "decisions").items
    assert items, "no decisions"
    assert all(item.startswith("Cabinet is asked to ") and item.endswith(".") for item in items)
    assert items[0] == (
        "Cabinet is asked to note that 2 of the 6 indicators reported for 2025/26 Q3 are Red "
        "and 1 Amber: all are key performance indicators, named under “Red key performance "
        "indicators”."
    )
    agree = [item for item in items if "agree" in item]
    assert agree == [
        "Cabinet is asked to agree the action plan “Recover the recycling rate” for WAS 001 "
        "Household waste recycled, opened on 15 October 2025 by Pat Okafor."
    ]
    # No bare list of codes, and no plan asked for that exists.
    assert not any(re.fullmatch(r"[A-Z]{3} \d{3}(, [A-Z]{3} \d{3})*\.?", item) for item in items)
    # MON 010 is Red with no plan: Cabinet asks for one, and agrees nothing for it.
    assert items[-1] == (
        "Cabinet is asked to request action plans, for its next meeting, for the Red key "
        "performance indicator that has none yet: MON 010 Missed bins per 100,000 collections."
    )


def test_cabinet_is_never_asked_to_agree_a_plan_that_does_not_exist(council):
    ActionPlan.objects.filter(indicator=council.red).update(status=ActionPlan.Status.CLOSED)
    report = build(Kind.QUARTERLY, Audience.CABINET)
    items = section(report, "decisions").items
    assert not any("agree" in item for item in items)
    assert items[-1] == (
        "Cabinet is asked to request action plans, for its next meeting, for the 2 Red key "
        "performance indicators that have none yet: MON 010 Missed bins per 100,000 "
        "collections; WAS 001 Household waste recycled."
    )
    rows = next(t for t in report.tables if t.id == "red-kpis-table").rows
    assert [(row["indicator"], row["plan"], row["owner"]) for row in rows] == [
        ("MON 010", "No action plan yet", ""),
        ("WAS 001", "No action plan yet", ""),
    ]


def test_an_older_plan_is_one_to_note_progress_on_not_to_agree_again(council):
    ActionPlan.objects.filter(indicator=council.red).update(opened_on=dt.date(2025, 3, 3))
    items = section(build(Kind.QUARTERLY, Audience.CABINET), "decisions").items
    assert not any("agree" in item for item in items)
    assert any(
        "note progress on the action plan “Recover the recycling rate” for WAS 001" in item
        and "open since 3 March 2025" in item
        for item in items
    )


def test_cabinet_lists_red_kpis_as_rows_naming_their_plan_not_as_cards(council):
    report = build(Kind.QUARTERLY, Audience.CABINET)
    assert not any(s.spotlights for s in report.sections)
    table = section(report, "red-kpis").tables[0]
    assert [row["indicator"] for row in table.rows] == ["MON 010", "WAS 001"]
    row = table.rows[1]
    assert (row["plan"], row["owner"], row["opened"]) == (
        "Recover the recycling rate",
        "Pat Okafor",
        "15 Oct 2025",
    )
    # Amber and the outcome tables are left to the MT report; the workbook keeps the outcomes.
    shown = [s.id for s in report.shown_sections]
    assert shown == ["summary", "decisions", "priorities", "red-kpis", "risks"]
    assert {t.id for t in report.tables} >= {"outcome-1-1", "outcome-1-2", "outcome-2-1"}


def test_a_red_service_indicator_is_counted_but_not_listed_as_a_kpi(council):
    Indicator.objects.filter(pk__in=[council.red.pk, council.monthly.pk]).update(
        kind=Indicator.Kind.SPI
    )
    report = build(Kind.QUARTERLY, Audience.CABINET)
    # WAS 001 is on an outcome, so still reported; MON 010, an SPI on no outcome, is not.
    assert section(report, "red-kpis").tables[0].rows == []
    note = section(report, "decisions").items[0]
    assert "1 of the 5 indicators reported for 2025/26 Q3 is Red" in note
    assert "none of the Red is a key performance indicator" in note
    assert not any("agree" in item for item in section(report, "decisions").items)


def test_each_priority_has_a_status_chart_with_a_text_alternative(council):
    report = build(Kind.QUARTERLY, Audience.CABINET)
    charts = section(report, "priorities").charts
    assert [c.id for c in charts] == ["chart-priority-1", "chart-priority-2"]
    first = charts[0]
    assert first.alt.startswith("Priority 1: Safe, clean and green, indicators by status")
    assert "Red: 1" in first.alt
    assert "Amber: 1" in first.alt
    assert "No data: 1" in first.alt
    html = exports.html(report, services.draft_stamp())
    for chart in charts:
        assert f'alt="{chart.alt}"' in html
    # The text promises only what the report shows: no cards, so no promise of their charts.
    assert "with their chart" not in html
    assert "chart of each priority" in html
    assert "for Management Team" in html  # where the detail is


def test_the_cabinet_pdf_names_the_plan_and_points_to_the_mt_report(council):
    text = pdf_text(exports.pdf(build(Kind.QUARTERLY, Audience.CABINET), services.draft_stamp()))
    squashed = text.replace(" ", "")
    assert "RecovertherecyclingrateforWAS001" in squashed.replace("“", "").replace("”", "")
    assert "PatOkafor" in squashed
    assert "forManagementTeam" in squashed
    assert "Glossary" in text


def test_the_glossary_names_only_terms_of_the_help_glossary():
    names = {term for term, _meaning, _source in TERMS}
    assert set(glossary.FORMS) <= names
    assert set(glossary.ONLY_FORMS) <= names
    assert set(glossary.ALWAYS) <= names
    assert {term for family in glossary.FAMILIES for term in family} <= names
    assert [t.term for t in glossary.all_terms()] == [term for term, _m, _s in TERMS]


def test_a_report_that_uses_spc_explains_every_spc_term(council):
    terms = {t.term for t in glossary.used_terms(build(Kind.QUARTERLY, Audience.MT))}
    assert {
        "Statistical process control (SPC)",
        "Common cause variation",
        "Special cause variation",
        "Process limits",
        "Assurance (SPC)",
        "RAG",
        "Direction of Travel (DoT)",
    } <= terms
    assert "Quartile" not in terms  # the quarterly report has no quartiles
    assert "VFM" not in terms


@pytest.mark.parametrize("kind", list(Kind))
def test_every_report_kind_ends_with_a_glossary_page(council, kind, client):
    report = build(kind)
    terms = glossary.used_terms(report)
    meaning = {t.term: t.meaning for t in terms}["RAG"]
    printed = exports.html(report, services.draft_stamp())
    assert printed.index('id="glossary"') > printed.index('id="about"')
    assert 'href="#glossary"' in printed
    assert meaning in printed
    text = pdf_text(exports.pdf(report, services.draft_stamp()))
    assert "Glossary" in text.split("About this report")[-1]
    # The web page has it too, with a link to the full glossary.
    client.force_login(council.officer)
    page = client.get(f"/reports/{kind.value}/", {"period": PERIODS.get(kind, "2025/26 Q3")})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="glossary"' in body
    assert 'href="/help/glossary/"' in body


def test_cabinets_workbook_keeps_every_indicator_of_a_long_outcome(council, monkeypatch):
    monkeypatch.setattr(selectors.quarterly, "FULL_LIST_MAX", 0)
    report = build(Kind.QUARTERLY, Audience.CABINET)
    outcome = next(t for t in report.tables if t.id == "outcome-2-1")
    assert [row["indicator"] for row in outcome.rows] == ["HOU 003"]  # Green, still listed
    assert not any(s.id.startswith("priority-") for s in report.shown_sections)
    book = workbook(exports.xlsx(report, services.draft_stamp()))
    assert "HOU 003" in cells(book["Outcome 2.1"])
    assert "Red KPIs" in book.sheetnames


def test_the_cabinet_pdf_of_the_council_scale_demo_is_under_ten_pages():
    """The demo at council scale (150 indicators, 4 priorities, 83 risks): Cabinet's summary
    must stay under ten pages (it was 26 before issue 19)."""
    call_command("seed_demo", "--scale", "council", stdout=io.StringIO())
    period = parse_period(Kind.QUARTERLY, str(performance_selectors.latest_reporting_period()))
    report = selectors.build(Kind.QUARTERLY, period=period, audience=Audience.CABINET)
    assert any(t.rows for t in report.tables if t.id == "red-kpis-table")
    data = exports.pdf(report, services.draft_stamp())
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert pages < 10, pages


def test_a_cabinet_snapshot_published_before_the_summary_keeps_its_own_purpose(council):
    report = build(Kind.QUARTERLY, Audience.CABINET)
    report.sections = [s for s in report.sections if s.id != "red-kpis"]
    html = exports.html(report, services.draft_stamp())
    assert "chart of each priority" not in html
    assert "to ask Cabinet for the decisions set out below" in html
