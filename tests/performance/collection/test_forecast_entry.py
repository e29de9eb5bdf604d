"""The year-end forecast entered with a return (issue 20): the form, its checks, the round trip."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError
from django.urls import reverse

from performance.collection import rules
from performance.models import AuditEvent, Indicator, Target, Value
from tests.performance.collection.test_collection import build_world, enter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]
LABEL = "Forecast of the year-end outturn"


@pytest.fixture
def world():
    world = build_world()
    indicator = world.indicators["WAS 001"]
    Target.objects.create(
        indicator=indicator, period="2025/26", period_start=dt.date(2025, 4, 1), value=95
    )
    return world


def item_url(world, code):
    indicator = world.indicators[code]
    return reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])


def test_the_form_asks_for_a_forecast_only_where_there_is_an_annual_target(client, world):
    client.force_login(world.users["enterer_a"])
    body = client.get(reverse("performance:my-returns")).content.decode()
    key = f"{world.quarterly.pk}-{world.indicators['WAS 001'].pk}"
    assert f'id="item-{key}-forecast"' in body
    assert "against the annual target of 95" in body
    assert "2025/26" in body
    other = f"{world.quarterly.pk}-{world.indicators['GEN 001'].pk}"  # a quarter's target only
    assert f'id="item-{other}-forecast"' not in body


def test_a_forecast_saved_with_the_form_comes_back_and_is_audited(client, world):
    client.force_login(world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {
            "value": "96",
            "comment": "",
            "forecast": "93.5",
            "forecast_comment": "Winter crews short",
            "version": "0",
            "action": "save",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    value = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert value.forecast == Decimal("93.5")
    assert value.forecast_comment == "Winter crews short"
    body = client.get(reverse("performance:my-returns")).content.decode()
    assert 'value="93.5"' in body
    assert "Winter crews short</textarea>" in body
    event = AuditEvent.objects.filter(object_id=str(value.pk)).latest("pk")
    assert "forecast" in str(event.changes)


def test_a_bad_forecast_is_refused_naming_the_field(client, world):
    client.force_login(world.users["enterer_a"])
    response = client.post(
        item_url(world, "WAS 001"),
        {"value": "96", "forecast": "lots", "version": "0", "action": "save"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f"{LABEL} must be a number" in body
    key = f"{world.quarterly.pk}-{world.indicators['WAS 001'].pk}"
    assert f'href="#item-{key}-forecast"' in body
    assert not Value.objects.exists()


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("WAS 001", {"forecast": "101"}, f"{LABEL} must be a percentage from 0 to 100"),
        ("WAS 002", {"forecast": "-3"}, f"{LABEL} must not be negative"),
        ("WAS 001", {"forecast_comment": "Why"}, "that the forecast comment explains"),
        ("ANN 001", {"forecast": "50"}, "only for monthly and quarterly indicators"),
    ],
)
def test_forecast_rules_name_the_field(world, code, raw, message):
    _, errors = rules.clean_entry(world.indicators.get(code) or _annual(), raw, submit=False)
    assert message in errors["forecast"]


def _annual():
    return Indicator.objects.get(code="ANN 001")


def test_an_entry_without_a_forecast_clears_an_old_one(world):
    enter(world, "WAS 001", "96", forecast="90")
    assert Value.objects.get().forecast == Decimal(90)
    enter(world, "WAS 001", "96")
    assert Value.objects.get().forecast is None


def test_submitting_keeps_the_forecast(world):
    value = enter(world, "WAS 001", "96", submit=True, forecast="97", forecast_comment="On track")
    assert (value.forecast, value.forecast_comment) == (Decimal(97), "On track")


# --- import_values ------------------------------------------------------------------------------


def _import(tmp_path, text):
    from django.core.management import call_command

    path = tmp_path / "values.csv"
    path.write_text(text)
    call_command("import_values", str(path), stdout=io.StringIO())


def test_import_values_takes_a_forecast_and_its_comment(world, tmp_path):
    _import(
        tmp_path,
        "indicator,period,value,comment,forecast,forecast_comment\n"
        "WAS 001,2025/26 Q1,96,,94.5,Agency staff from October\n"
        "GEN 001,2025/26 Q1,50,,,\n",
    )
    was = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert (was.forecast, was.forecast_comment) == (Decimal("94.5"), "Agency staff from October")
    assert Value.objects.get(indicator=world.indicators["GEN 001"]).forecast is None
    # A file without the columns leaves the forecast alone.
    _import(tmp_path, "indicator,period,value\nWAS 001,2025/26 Q1,97\n")
    was.refresh_from_db()
    assert (was.value, was.forecast) == (Decimal(97), Decimal("94.5"))


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("forecast", "WAS 001,2025/26 Q1,96,abc", "column forecast: forecast of the year-end"),
        ("forecast", "WAS 001,2025/26 Q1,96,120", "from 0 to 100"),
        ("forecast_comment", "WAS 001,2025/26 Q1,96,Why", "column forecast: enter the forecast"),
        ("forecast_year", "WAS 001,2025/26 Q1,96,1", "forecast_year"),
    ],
)
def test_import_values_refuses_a_bad_forecast_naming_row_and_column(
    world, tmp_path, header, row, message
):
    from performance.collection.imports import ImportRejected

    with pytest.raises((ImportRejected, CommandError)) as refused:
        _import(tmp_path, f"indicator,period,value,{header}\n{row}\n")
    assert message in str(refused.value)
    assert not Value.objects.exists()


# --- the Excel return ---------------------------------------------------------------------------


def test_the_excel_return_round_trips_a_forecast(client, world):
    from openpyxl import load_workbook

    from performance.collection import excel
    from tests.performance.collection.test_excel import download, fill, upload

    enter(world, "WAS 002", "9", forecast="8.5", forecast_comment="New rota")
    data = download(client, world.users["enterer_a"])
    sheet = load_workbook(io.BytesIO(data))[excel.SHEET]
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["forecast", "forecast comment"]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    assert rows["WAS 002"][header.index("forecast")].value == 8.5
    assert rows["WAS 002"][header.index("forecast comment")].value == "New rota"
    assert rows["WAS 001"][header.index("forecast")].protection.locked is False
    filled = fill(
        data,
        {
            "WAS 001": {"value": 96, "forecast": 93, "forecast comment": "Dip in winter"},
            "GEN 001": {"value": 55},
        },
    )
    response = upload(client, filled, mode="draft")
    assert response.status_code in (200, 302)
    was = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert (was.forecast, was.forecast_comment) == (Decimal(93), "Dip in winter")
    assert Value.objects.get(indicator=world.indicators["GEN 001"]).forecast is None
    # And back out again as entered.
    again = load_workbook(io.BytesIO(download(client, world.users["enterer_a"])))[excel.SHEET]
    rows = {r[1].value: r for r in again.iter_rows(min_row=2)}
    assert rows["WAS 001"][header.index("forecast")].value == 93


def test_an_excel_forecast_error_names_the_cell(client, world):
    from performance.collection import excel
    from tests.performance.collection.test_excel import download, fill, upload

    data = fill(
        download(client, world.users["enterer_a"]),
        {"WAS 001": {"value": 96, "forecast": "soon"}},
    )
    body = upload(client, data, mode="draft").content.decode()
    letter = excel.LETTER["forecast"]
    assert f'<td class="govuk-table__cell">{letter}' in body
    assert "Forecast of the year-end outturn must be a number" in body
    assert not Value.objects.filter(indicator=world.indicators["WAS 001"]).exists()


def test_a_workbook_downloaded_before_the_forecast_columns_is_still_accepted(client, world):
    from openpyxl import load_workbook

    from performance.collection import excel
    from tests.performance.collection.test_excel import download, upload

    enter(world, "WAS 001", "95", forecast="90", forecast_comment="Kept")
    book = load_workbook(io.BytesIO(download(client, world.users["enterer_a"])))
    sheet = book[excel.SHEET]
    for table in list(sheet.tables):
        del sheet.tables[table]
    sheet.delete_cols(len(excel.COLUMNS) - 1, 2)
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("indicator")].value == "WAS 001":
            row[header.index("value")].value = 96
    out = io.BytesIO()
    book.save(out)
    upload(client, out.getvalue(), mode="draft")
    value = Value.objects.get(indicator=world.indicators["WAS 001"])
    assert value.value == Decimal(96)
    assert (value.forecast, value.forecast_comment) == (Decimal(90), "Kept")  # not cleared
