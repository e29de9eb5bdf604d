"""Signed figures (issue 18): a net change or a % change below zero passes the entry rules when
the indicator allows negative values, and is refused naming the field when it does not, on the
form, the Excel upload and `import_values` alike."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal as D

import pytest
import time_machine

from dataquality import services
from dataquality.validation import Candidate, Rules, setting_problems, validate
from performance.collection import excel, imports
from performance.common import hooks
from performance.models import Value
from tests.dataquality.fixtures import sign_everyone
from tests.dataquality.test_integration import _three_messages
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.collection.test_excel import download, fill

LONDON = zoneinfo.ZoneInfo("Europe/London")


# --- the pure rules -----------------------------------------------------------------------------


def _problems(rules: Rules, value: str) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in validate(rules, Candidate(value=D(value)), submit=False)]


@pytest.mark.parametrize(
    ("rules", "value", "refused"),
    [
        (Rules(unit="number", decimals=0), "-120", "Value is a count and must not be negative"),
        (Rules(unit="percent", decimals=1), "-3.5", "must be between 0 and 100"),
        (Rules(unit="days", decimals=0, polarity="lower"), "-2", "must not be negative"),
        (
            Rules(unit="percent", decimals=1, allow_over_100=True),
            "-3.5",
            "Value is a percentage and must not be negative",
        ),
    ],
)
def test_a_negative_value_is_refused_unless_allowed_and_passes_when_it_is(rules, value, refused):
    (problem,) = _problems(rules, value)
    assert problem[0] == "value"
    assert refused in problem[1]
    allowed = Rules(**{**{f: getattr(rules, f) for f in rules.__slots__}, "allow_negative": True})
    assert _problems(allowed, value) == []


def test_allowing_negatives_keeps_the_other_rules():
    change = Rules(unit="percent", decimals=1, allow_negative=True)
    assert _problems(change, "100.5") == [
        ("value", "Value is a percentage and must be 100 or less")
    ]
    homes = Rules(unit="number", decimals=0, allow_negative=True, minimum=D(-500))
    assert _problems(homes, "-12.5") == [("value", "Value is a count and must be a whole number")]
    assert _problems(homes, "-501") == [("value", "Value must be at least -500 for this indicator")]


@pytest.mark.parametrize(
    ("rules", "said_no", "fields"),
    [
        (Rules(unit="number", decimals=0, minimum=D(-5)), False, ["minimum"]),
        (Rules(unit="number", decimals=0, minimum=D(-5), allow_negative=True), False, []),
        (Rules(unit="number", decimals=2, minimum=D(-5)), False, []),
        (Rules(unit="number", decimals=2, minimum=D(-5)), True, ["minimum"]),
        (Rules(unit="number", decimals=2, minimum=D(5), maximum=D(1)), False, ["maximum"]),
        (Rules(unit="percent", decimals=1, maximum=D(120)), False, ["maximum"]),
        (Rules(unit="percent", decimals=1, maximum=D(120), allow_over_100=True), False, []),
    ],
)
def test_contradictory_settings_name_the_setting(rules, said_no, fields):
    problems = setting_problems(rules, said_no_to_negative=said_no)
    assert [p.field for p in problems] == fields


# --- the form, the Excel upload and import_values -------------------------------------------------


@pytest.fixture
def world(db):
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        yield build_world()


def _allow_negative(indicator, **more):
    changed = hooks.one(hooks.SET_INDICATOR_SETTINGS)(
        indicator=indicator, settings={"allow_negative": True, **more}, actor=None
    )
    assert changed


@pytest.mark.parametrize(
    ("code", "figure", "message"),
    [
        ("HOU 001", "-12", "Value is a count and must not be negative"),
        ("WAS 001", "-3.5", "Value is a percentage and must be between 0 and 100"),
    ],
)
def test_a_negative_figure_is_refused_by_default_on_every_path(
    client, world, tmp_path, signed_policy, code, figure, message
):
    sign_everyone()
    assert _three_messages(client, world, tmp_path, code, figure) == (message, message, message)


@pytest.mark.parametrize(("code", "figure"), [("HOU 001", "-12"), ("WAS 001", "-3.5")])
def test_a_negative_figure_passes_the_form_when_the_indicator_allows_it(
    world, signed_policy, code, figure
):
    sign_everyone()
    indicator = world.indicators[code]
    _allow_negative(indicator)
    assert services.problems_for(indicator, "2025/26 Q1", value=D(figure)) == {}
    person = indicator.enterers.order_by("username").first()
    submitted = enter(world, code, figure, submit=True, comment="Net loss.", user=person.username)
    assert submitted.status == "submitted"
    assert submitted.value == D(figure)


@pytest.mark.parametrize(("code", "figure"), [("HOU 001", "-12"), ("WAS 001", "-3.5")])
def test_a_negative_figure_passes_the_excel_upload_when_the_indicator_allows_it(
    client, world, signed_policy, code, figure
):
    sign_everyone()
    indicator = world.indicators[code]
    _allow_negative(indicator)
    person = indicator.enterers.order_by("username").first()
    data = fill(download(client, person), {code: {"value": figure, "comment": "Net loss."}})
    result = excel.import_workbook(user=person, name="r.xlsx", data=data, submit=True)
    assert result.errors == []
    assert result.saved == 1
    assert Value.objects.get(indicator=indicator).value == D(figure)


@pytest.mark.parametrize(("code", "figure"), [("HOU 001", "-12"), ("WAS 001", "-3.5")])
def test_a_negative_figure_passes_import_values_when_the_indicator_allows_it(
    world, tmp_path, code, figure
):
    indicator = world.indicators[code]
    _allow_negative(indicator)
    path = tmp_path / "values.csv"
    path.write_text(f"indicator,period,value,comment\n{code},2024/25 Q4,{figure},Net loss.\n")
    assert imports.import_values(path=path).created == 1
    assert Value.objects.get(indicator=indicator).value == D(figure)


def test_import_values_still_refuses_below_the_minimum_naming_the_column(world, tmp_path):
    indicator = world.indicators["HOU 001"]
    _allow_negative(indicator, minimum=D(-10))
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value\nHOU 001,2024/25 Q4,-12\n")
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_values(path=path)
    assert rejected.value.errors == [
        "Row 2, column value: Value must be at least -10 for this indicator"
    ]
