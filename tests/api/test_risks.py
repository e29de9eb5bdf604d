"""GET /api/v1/risks (SPEC §15, issue 17): the `risk_register` rows with the command's texts and
digits, paged, as CSV, for the risks the token's person reads (tests/reports/risk_council.py)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from performance.models import Risk
from performance.risks.selectors import REGISTER_COLUMNS
from tests.api.conftest import Api, exact, token_for
from tests.reports.risk_council import TODAY, at, make_risks

pytestmark = pytest.mark.django_db

OPEN = ["CR01", "CR02", "DR01", "SR01", "SR02"]


@pytest.fixture
def risks(db):
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield make_risks()


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("risk_register", *args, stdout=out)
    return out.getvalue()


def api_for(person) -> Api:
    return Api(token_for(person.username))


def test_the_rows_are_the_commands_rows_with_the_same_numbers_and_texts(risks):
    rows = api_for(risks.officer).walk("/api/v1/risks")
    assert rows == json.loads(command("--format", "json"))
    assert [row["reference"] for row in rows] == OPEN
    cr01 = rows[0]
    assert cr01 == {
        "reference": "CR01",
        "title": "Funding gap in 2026/27",
        "register": "corporate",
        "category": "Financial",
        "owner": "owner",
        "inherent_score": 25,
        "current_score": 16,
        "target_score": 2,
        "rating": "very_high",
        "appetite": 12,
        "above_appetite": "yes",
        "direction": "deteriorating",
        "review_due": "2026-01-10",
        "linked_indicators": "",
        "kri_alert": "no",
    }
    by_ref = {row["reference"]: row for row in rows}
    assert by_ref["DR01"]["appetite"] is None
    assert by_ref["CR02"]["kri_alert"] == "yes"
    assert by_ref["CR02"]["linked_indicators"] == "KRI 001"


def test_csv_is_the_commands_csv(risks):
    response = api_for(risks.officer).get("/api/v1/risks", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode() == command("--format", "csv")


def test_a_formula_looking_title_is_text_in_the_csv_as_in_the_command(risks):
    Risk.objects.filter(reference="CR01").update(title="=SUM(A1:A9)")
    response = api_for(risks.officer).get("/api/v1/risks", {"format": "csv"})
    assert response.content.decode() == command("--format", "csv")
    cells = list(csv.reader(io.StringIO(response.content.decode())))
    assert cells[1][1] != "=SUM(A1:A9)"


def test_register_narrows_as_the_command_does(risks):
    api = api_for(risks.officer)
    rows = api.walk("/api/v1/risks", {"register": "corporate"})
    assert [row["reference"] for row in rows] == ["CR01", "CR02"]
    assert rows == json.loads(command("--register", "corporate", "--format", "json"))
    csv_text = api.get("/api/v1/risks", {"register": "service", "format": "csv"}).content
    assert csv_text.decode() == command("--register", "service", "--format", "csv")


def test_pages_follow_next_in_reference_order(risks):
    api = api_for(risks.officer)
    first = exact(api.get("/api/v1/risks", {"page_size": 2}))
    assert [row["reference"] for row in first["results"]] == ["CR01", "CR02"]
    assert "page=2" in first["next"]
    assert [row["reference"] for row in api.walk("/api/v1/risks", {"page_size": 2})] == OPEN
    last = exact(api.get("/api/v1/risks", {"page_size": 2, "page": 3}))
    assert [row["reference"] for row in last["results"]] == ["SR02"]
    assert last["next"] is None
    csv_page = api.get("/api/v1/risks", {"page_size": 2, "format": "csv"})
    assert len(csv_page.content.decode().splitlines()) == 3
    assert "page=2" in csv_page["Link"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", OPEN),
        ("member", ["CR01", "CR02", "DR01", "SR01"]),  # no confidential risk
        ("staff", ["CR01", "CR02", "DR01", "SR01"]),  # their team's, not the confidential one
        ("other_staff", ["CR01", "CR02", "DR01"]),  # council-wide risks only
        ("owner", OPEN),  # owns the confidential one
    ],
)
def test_each_person_reads_only_what_the_register_pages_let_them(risks, who, expected):
    rows = api_for(getattr(risks, who)).walk("/api/v1/risks")
    assert [row["reference"] for row in rows] == expected
    person = getattr(risks, who)
    readable = Risk.objects.readable_by(person).filter(status="open").order_by("reference")
    assert [row["reference"] for row in rows] == [risk.reference for risk in readable]


def test_without_a_good_token_the_answer_is_401(risks):
    assert Api(None).get("/api/v1/risks").status_code == 401
    assert Api("not-a-token").get("/api/v1/risks").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"register": "council"}, "register"),
        ({"register": ""}, "register"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "x"}, "page"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(risks, params, field):
    response = api_for(risks.officer).get("/api/v1/risks", params)
    assert response.status_code == 400
    assert field in exact(response)


def test_the_root_and_the_schema_describe_risks(risks):
    api = api_for(risks.officer)
    assert exact(api.get("/api/v1/"))["endpoints"]["risks"].endswith("/api/v1/risks")
    schema = exact(api.get("/api/v1/schema", {"format": "json"}))
    operation = schema["paths"]["/api/v1/risks"]["get"]
    names = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(names) >= {"register", "page", "page_size", "format"}
    assert set(names["register"]["schema"]["enum"]) == {
        "corporate",
        "directorate",
        "service",
        "project",
        "partnership",
    }
    row = schema["components"]["schemas"]["RiskRow"]
    assert tuple(row["properties"]) == REGISTER_COLUMNS
    assert set(operation["responses"]) >= {"200", "400", "401"}
