"""import_risks → risk_register (SPEC §11, §12): the round trip with hand-worked rows, and bad
files refused whole with their row and column named."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from performance.models import AuditEvent, Risk, RiskCategory
from performance.risks import imports
from tests.factories import IndicatorFactory, TargetFactory, UserFactory, ValueFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,title,register,category,owner,cause,event,consequence,inherent_likelihood,"
    "inherent_impact,current_likelihood,current_impact,target_likelihood,target_impact,"
    "linked_indicators,review"
)


@pytest.fixture
def world():
    financial = RiskCategory.objects.get(name="Financial")
    financial.appetite = 12
    financial.save()
    cyber = RiskCategory.objects.get(name="Information and cyber security")
    cyber.appetite = 8
    cyber.save()
    UserFactory(username="cfo", email="Chief.Finance@maidstone.example")
    UserFactory(username="ict.head")
    homeless = IndicatorFactory(code="HOU 01", polarity="lower", unit="number", decimals=0)
    IndicatorFactory(code="ICT 02")
    return {"homeless": homeless}


def write(tmp_path, lines, name="risks.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


ROWS = [
    # Financial: current 4×4 = 16 > appetite 12; inherent 5×5 = 25; target 3×3 = 9.
    "CR01,Financial resilience,corporate,financial,CFO,Funding falls,Budget gap not closed,"
    "Services cut,5,5,4,4,3,3,,2025-01-10",
    # Cyber: current 2×4 = 8 = appetite 8 (not above); linked to ICT 02 and HOU 01 (sorted).
    "SR07,Cyber attack,service,Information and cyber security,ict.head,Phishing,Systems down,"
    "No services,4,5,2,4,1,4,ICT 02; HOU 01,2025-01-10",
]


def register(*args):
    out = io.StringIO()
    call_command("risk_register", *args, stdout=out)
    return out.getvalue()


def test_import_then_register_gives_the_hand_worked_rows(world, tmp_path):
    out = io.StringIO()
    call_command("import_risks", str(write(tmp_path, ROWS)), stdout=out)
    assert "2 risks created, 0 updated, 0 unchanged" in out.getvalue()
    rows = list(csv.DictReader(io.StringIO(register())))
    assert rows == [
        {
            "reference": "CR01",
            "title": "Financial resilience",
            "register": "corporate",
            "category": "Financial",
            "owner": "cfo",
            "inherent_score": "25",
            "current_score": "16",
            "target_score": "9",
            "rating": "very_high",
            "appetite": "12",
            "above_appetite": "yes",
            "direction": "none",
            "review_due": "2025-01-10",
            "linked_indicators": "",
            "kri_alert": "no",
        },
        {
            "reference": "SR07",
            "title": "Cyber attack",
            "register": "service",
            "category": "Information and cyber security",
            "owner": "ict.head",
            "inherent_score": "20",
            "current_score": "8",
            "target_score": "4",
            "rating": "medium",
            "appetite": "8",
            "above_appetite": "no",
            "direction": "none",
            "review_due": "2025-01-10",
            "linked_indicators": "HOU 01;ICT 02",
            "kri_alert": "no",
        },
    ]
    assert AuditEvent.objects.filter(action="create", object_repr__startswith="CR01").exists()
    only = json.loads(register("--register", "service", "--format", "json"))
    assert [row["reference"] for row in only] == ["SR07"]
    assert only[0]["current_score"] == 8
    assert only[0]["appetite"] == 8


def test_reimport_updates_and_the_direction_follows_the_current_score(world, tmp_path):
    call_command("import_risks", str(write(tmp_path, ROWS)), stdout=io.StringIO())
    changed = ROWS[0].replace(",4,4,3,3,", ",3,4,3,3,")  # current 16 → 12
    out = io.StringIO()
    call_command("import_risks", str(write(tmp_path, [changed, ROWS[1]])), stdout=out)
    assert "0 risks created, 1 updated, 1 unchanged" in out.getvalue()
    row = next(csv.DictReader(io.StringIO(register())))
    assert row["current_score"] == "12"
    assert row["direction"] == "improving"
    assert row["above_appetite"] == "no"  # 12 is at the appetite, not above it


def test_a_red_linked_indicator_shows_kri_alert(world, tmp_path):
    TargetFactory(indicator=world["homeless"], period="2024/25 Q1", value=100)
    ValueFactory(indicator=world["homeless"], period="2024/25 Q1", value=140)  # lower is better
    call_command("import_risks", str(write(tmp_path, ROWS)), stdout=io.StringIO())
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(register()))}
    assert rows["SR07"]["kri_alert"] == "yes"
    assert rows["CR01"]["kri_alert"] == "no"


def test_xlsx_is_read_like_csv(world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "CR01",
            "Financial resilience",
            "Corporate",
            "Financial",
            "cfo",
            "",
            "",
            "",
            5,
            5,
            4,
            4,
            3,
            3,
            "",
            dt.date(2025, 1, 10),
        ]
    )
    path = tmp_path / "risks.xlsx"
    book.save(path)
    call_command("import_risks", str(path), stdout=io.StringIO())
    risk = Risk.objects.get(reference="CR01")
    assert (risk.current_score, risk.register, risk.review_due) == (
        16,
        "corporate",
        dt.date(2025, 1, 10),
    )


def test_a_bad_file_is_refused_whole_naming_rows_and_columns(world, tmp_path):
    bad = [
        ROWS[0],
        "SR08,Waste contract,department,Financial,nobody,,,,6,5,4,4,3,3,NOPE 1,10/01/2025",
        "CR01,Duplicate,corporate,Finance,cfo,,,,5,5,4,4,3,x,,",
    ]
    with pytest.raises(CommandError) as error:
        call_command("import_risks", str(write(tmp_path, bad)), stdout=io.StringIO())
    message = str(error.value)
    assert "nothing was imported" in message
    for expected in (
        "Row 3, column register: 'department' is not a register",
        "Row 3, column owner: no active person has the username or email 'nobody'",
        "Row 3, column inherent_likelihood: '6' is not a whole number from 1 to 5",
        "Row 3, column linked_indicators: no indicator has the code 'NOPE 1'",
        "Row 3, column review: '10/01/2025' is not a date written YYYY-MM-DD",
        "Row 4, column reference: 'CR01' is already in row 2",
        "Row 4, column category: no risk category is called 'Finance'",
        "Row 4, column target_impact: 'x' is not a whole number from 1 to 5",
    ):
        assert expected in message
    assert not Risk.objects.exists()


def test_a_missing_column_is_named(world, tmp_path):
    path = tmp_path / "risks.csv"
    path.write_text("reference,title\nCR01,Financial\n", encoding="utf-8")
    with pytest.raises(imports.ImportRejected) as error:
        imports.import_risks(path=path)
    assert "missing columns: register, category, owner" in str(error.value)
    assert not Risk.objects.exists()


def test_register_csv_neutralises_a_formula_title(world, tmp_path):
    evil = ROWS[0].replace("Financial resilience", "=HYPERLINK(1)")
    call_command("import_risks", str(write(tmp_path, [evil])), stdout=io.StringIO())
    row = next(csv.DictReader(io.StringIO(register())))
    assert row["title"] == "'=HYPERLINK(1)"
