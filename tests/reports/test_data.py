"""The pure parts of reports: argument parsing, cells, and the snapshot round trip."""

from __future__ import annotations

import subprocess
import sys

import pytest

from performance.reports.data import (
    Audience,
    BadArgument,
    Column,
    Kind,
    Report,
    Section,
    Spotlight,
    Table,
    cell_text,
    parse_audience,
    parse_kind,
    parse_period,
    period_from_slug,
    period_slug,
)


def test_every_kind_of_the_spec_is_known():
    assert [k.value for k in Kind] == [
        "quarterly",
        "monthly",
        "complaints",
        "strategic-actions",
        "data-quality",
        "reach-the-summit",
        "benchmarking",
        "risk",
        "annual",
    ]
    assert [a.value for a in Audience] == ["mt", "cabinet", "scrutiny"]


@pytest.mark.parametrize(
    ("call", "field", "words"),
    [
        (lambda: parse_kind("yearly"), "kind", "yearly"),
        (lambda: parse_audience("council"), "audience", "council"),
        (lambda: parse_period(Kind.QUARTERLY, "2025-26 Q1"), "period", "2025-26 Q1"),
        (lambda: parse_period(Kind.QUARTERLY, "2025-07"), "period", "2025-07"),
        (lambda: parse_period(Kind.MONTHLY, "2025/26 Q1"), "period", "2025/26 Q1"),
        (lambda: parse_period(Kind.STRATEGIC_ACTIONS, "2025/26 Q1"), "period", "Q2"),
        (lambda: parse_period(Kind.ANNUAL, "2025/26 Q4"), "period", "a financial year"),
        (lambda: parse_period(Kind.ANNUAL, "2025-26"), "period", "2025-26"),
    ],
)
def test_bad_arguments_name_the_field_and_the_text(call, field, words):
    with pytest.raises(BadArgument) as caught:
        call()
    assert caught.value.field == field
    assert words in str(caught.value)


def test_audience_defaults_to_management_team():
    assert parse_audience(None) is Audience.MT
    assert parse_audience(" Cabinet ") is Audience.CABINET


def test_period_slugs_round_trip():
    assert period_slug("2025/26 Q3") == "2025-26-q3"
    assert period_from_slug("2025-26-q3") == "2025/26 Q3"
    assert period_from_slug("2025-07") == "2025-07"


def test_cells_read_as_words_and_rounded_numbers():
    row = {"status": "red", "dot": "improving", "value": "95.456", "unit": "percent", "decimals": 1}
    assert cell_text(Column("status", "Status", "status"), row) == "Red"
    assert cell_text(Column("dot", "Direction", "direction"), row) == "Improving"
    assert cell_text(Column("value", "Value", "value"), row) == "95.5%"
    assert cell_text(Column("missing", "Value", "value"), row) == "–"


def test_a_report_survives_the_snapshot_round_trip_exactly():
    report = Report(
        kind="quarterly",
        audience="cabinet",
        period="2025/26 Q3",
        title="Quarterly performance report 2025/26 Q3",
        committee="Cabinet",
        council="Demo Borough Council",
        generated_at="2026-01-12T10:00+00:00",
        sections=[
            Section(
                id="summary",
                title="Summary",
                tables=[Table("t", "T", [Column("value", "Value", "value")], [{"value": "1.25"}])],
                spotlights=[
                    Spotlight(
                        indicator_id=1,
                        code="WAS 001",
                        title="Recycling",
                        team="Waste",
                        status="red",
                        value="38.0%",
                        target="45.0%",
                        dot_previous="deteriorating",
                        dot_year="deteriorating",
                    )
                ],
            )
        ],
        open_data=Table("open-data", "Open", [Column("indicator", "Code")], [{"indicator": "X"}]),
    )
    again = Report.from_json(report.to_json())
    assert again == report
    assert again.sections[0].tables[0].columns[0].kind == "value"


def test_the_data_module_imports_no_django():
    code = (
        "import sys; import performance.reports.data; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
