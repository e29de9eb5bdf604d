"""Open data publishes a derived figure at the indicator's decimal places and an entered one
exactly as entered, with the same digits in the CSV and the JSON (issue 14, docs/open-data.md).

The council of tests/reports/council.py, plus two monthly ratio KPIs (first-time resolution,
1 and 2 decimal places) whose 2025/26 Q3 is 100/100, 100/100 and 395/400: the quarter is
595 ÷ 600 × 100 = 99.1666…, which open data printed as 99.16666666666666666666666667.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.core import periods
from performance.models import Indicator, Target, Value
from performance.reports import exports, selectors, services
from performance.reports.data import DERIVED, Audience, Kind, parse_period
from tests.reports.council import MONTH, PERIOD

pytestmark = pytest.mark.django_db

# (month, numerator, denominator, target)
RATIO_MONTHS = [
    ("2025-10", 100, 100, 98),
    ("2025-11", 100, 100, 99),
    ("2025-12", 395, 400, 99),
]


def ratio_indicator(code: str, title: str, decimals: int, team) -> Indicator:
    indicator = Indicator.objects.create(
        code=code,
        title=title,
        kind=Indicator.Kind.KPI,
        perspective=Indicator.Perspective.CUSTOMER,
        aspect=Indicator.Aspect.DELIVERY,
        polarity="higher",
        unit=Indicator.Unit.PERCENT,
        decimals=decimals,
        frequency="monthly",
        aggregation="ratio",
        team=team,
    )
    for month, numerator, denominator, target in RATIO_MONTHS:
        start = periods.parse(month).start
        Target.objects.create(
            indicator=indicator, period=month, period_start=start, value=Decimal(target)
        )
        Value.objects.create(
            indicator=indicator,
            period=month,
            period_start=start,
            # As the entry form stores it: numerator ÷ denominator × 100 to six places.
            value=(Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.000001")),
            numerator=Decimal(numerator),
            denominator=Decimal(denominator),
            status=Value.Status.ACTIVATED,
        )
    return indicator


@pytest.fixture
def ratios(council):
    return (
        ratio_indicator("RAT 011", "Enquiries resolved first time", 1, council.waste),
        # A title that starts like a formula: the text is neutralised, the numbers are not.
        ratio_indicator("RAT 021", "=Repairs fixed first time", 2, council.housing),
    )


def publish(council, kind: Kind = Kind.QUARTERLY, period: str = PERIOD):
    return services.publish(
        actor=council.officer,
        kind=kind,
        period=parse_period(kind, period),
        audience=Audience.MT,
    )


def open_data(client, row) -> tuple[str, dict[str, dict], dict[str, dict]]:
    """(raw CSV text, CSV rows by code, JSON rows by code) of a published report, read with
    exact decimals (a JSON number is parsed as a Decimal, never through a float)."""
    text = client.get(reverse("public:csv", args=[row.pk])).content.decode()
    by_code = {r["indicator"]: r for r in csv.DictReader(io.StringIO(text))}
    response = client.get(reverse("public:json", args=[row.pk]))
    document = json.loads(response.content, parse_float=Decimal)
    return text, by_code, {r["indicator"]: r for r in document["rows"]}


def test_a_derived_quarter_is_published_at_the_indicators_decimals(client, council, ratios):
    _, csv_rows, json_rows = open_data(client, publish(council))
    assert csv_rows["RAT 021"]["value"] == "99.17"  # 595/600 × 100 at 2 places
    assert csv_rows["RAT 011"]["value"] == "99.2"  # … and at 1 place
    assert json_rows["RAT 021"]["value"] == Decimal("99.17")
    assert json_rows["RAT 011"]["value"] == Decimal("99.2")
    # The quarter's target is worked out from the months' (98, 99, 99: 98.666…) and rounded too.
    assert (csv_rows["RAT 021"]["target"], csv_rows["RAT 011"]["target"]) == ("98.67", "98.7")
    assert (json_rows["RAT 021"]["target"], json_rows["RAT 011"]["target"]) == (
        Decimal("98.67"),
        Decimal("98.7"),
    )
    # A mean of months (MON 010: 62, 65, 70 → 65.666…) at its 0 places, as the report shows it.
    assert (csv_rows["MON 010"]["value"], json_rows["MON 010"]["value"]) == ("66", 66)


def test_a_months_ratio_is_derived_from_its_numerator_and_denominator(client, council, ratios):
    _, csv_rows, json_rows = open_data(client, publish(council, Kind.MONTHLY, MONTH))
    # 395/400 × 100 = 98.75: half-up to 98.8 at 1 place (SPEC §4), kept at 2 places.
    assert (csv_rows["RAT 011"]["value"], csv_rows["RAT 021"]["value"]) == ("98.8", "98.75")
    assert (json_rows["RAT 011"]["value"], json_rows["RAT 021"]["value"]) == (
        Decimal("98.8"),
        Decimal("98.75"),
    )


def test_an_entered_value_keeps_its_entered_digits(client, council):
    # At 1 decimal place, but entered with more: open data publishes what was entered.
    Value.objects.filter(indicator=council.red, period=PERIOD).update(value=Decimal("38.25"))
    spend = Indicator.objects.create(
        code="FIN 040",
        title="Capital programme spend",
        kind=Indicator.Kind.KPI,
        perspective=Indicator.Perspective.FINANCIAL,
        aspect=Indicator.Aspect.DELIVERY,
        polarity="none",
        unit=Indicator.Unit.CURRENCY,
        decimals=0,
        frequency="quarterly",
        aggregation="sum",
        team=council.waste,
    )
    Value.objects.create(
        indicator=spend,
        period=PERIOD,
        period_start=periods.parse(PERIOD).start,
        value=Decimal("4817250.5"),
        status=Value.Status.ACTIVATED,
    )
    _, csv_rows, json_rows = open_data(client, publish(council))
    # The JSON's digits as written (parsed exactly): 45, not the float's 45.0.
    published = {
        code: [(csv_rows[code][key], str(json_rows[code][key])) for key in ("value", "target")]
        for code in ("WAS 001", "CLN 002", "FIN 040")
    }
    assert published == {
        "WAS 001": [("38.25", "38.25"), ("45", "45")],  # stored as 45.000000
        "CLN 002": [("5.3", "5.3"), ("5", "5")],
        "FIN 040": [("4817250.5", "4817250.5"), ("", "None")],  # £, 0 places: not 4817251
    }


def test_numbers_stay_numbers_in_the_csv_and_the_json(client, council, ratios):
    text, _, json_rows = open_data(client, publish(council))
    line = next(line for line in text.splitlines() if line.startswith("RAT 021,"))
    # The title is text and neutralised; value, target, decimals and the negative shortfall
    # ((98.67 − 99.17) ÷ 98.67 × 100 = −0.51 → −0.5) are bare numbers a spreadsheet can add up.
    assert line == (
        "RAT 021,'=Repairs fixed first time,Housing and Homelessness,2025/26 Q3,"
        "99.17,98.67,percent,2,-0.5,green,none,none,none,none"
    )
    row = json_rows["RAT 021"]
    assert (row["value"], row["target"], row["decimals"], row["shortfall_pct"]) == (
        Decimal("99.17"),
        Decimal("98.67"),
        2,
        Decimal("-0.5"),
    )
    assert isinstance(row["value"], Decimal)
    assert isinstance(row["decimals"], int)


def test_a_snapshot_published_before_the_fix_is_published_rounded(client, council, ratios):
    """A version published before rows named their derived figures holds the long quotient:
    more decimal places than any entry has, so it is published at the indicator's decimals."""
    row = publish(council)
    for each in row.snapshot["open_data"]["rows"]:
        each.pop(DERIVED)
        if each["indicator"] == "RAT 021":
            each["value"] = "99.16666666666666666666666667"
            each["target"] = "98.66666666666666666666666667"
    row.save(update_fields=["snapshot"])
    _, csv_rows, json_rows = open_data(client, row)
    assert (csv_rows["RAT 021"]["value"], csv_rows["RAT 021"]["target"]) == ("99.17", "98.67")
    assert json_rows["RAT 021"]["value"] == Decimal("99.17")
    assert csv_rows["WAS 001"]["value"] == "38"


def built_csv(kind: Kind) -> dict[str, dict]:
    """The open-data CSV rows of a report as it would be published now, by first cell."""
    report = selectors.build(kind, period=parse_period(kind, PERIOD), audience=Audience.MT)
    rows = list(csv.DictReader(io.StringIO(exports.open_data_csv(report))))
    return {next(iter(row.values())): row for row in rows}


def test_a_shortfall_on_a_half_rounds_up(council):
    # COR 004 (higher is better): 70.2 against 80 falls short by 9.8 ÷ 80 × 100 = 12.25 %,
    # published half-up at 1 place as the report rounds (SPEC §4), not the even 12.2.
    Value.objects.filter(indicator__code="COR 004", period=PERIOD).update(value=Decimal("70.2"))
    row = built_csv(Kind.QUARTERLY)["COR 004"]
    assert (row["value"], row["target"], row["shortfall_pct"]) == ("70.2", "80", "12.3")


def test_the_benchmark_median_is_derived_and_our_value_is_as_imported(council):
    # Group values 41.5 (ours), 50.2, 44.0, 39.9: the median is (41.5 + 44.0) ÷ 2 = 42.75.
    row = built_csv(Kind.BENCHMARKING)["Household waste recycled (benchmark)"]
    assert (row["value"], row["median"]) == ("41.5", "42.8")
