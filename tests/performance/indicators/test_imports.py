"""import_indicators, import_values and indicator_status (SPEC §11, §12), end to end.

The round trip uses ten of Hart District Council's published 2014/15 KPIs (tests/performance/
data/README.md); the expected statuses below were worked by hand with the rules of SPEC §4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from performance.indicators import imports
from performance.models import AuditEvent, Indicator, Target, Value
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
INDICATORS = DATA / "hart_indicators.csv"
VALUES = DATA / "hart_values.csv"
STATUS_COLUMNS = [
    "indicator",
    "period",
    "value",
    "target",
    "shortfall_pct",
    "status",
    "dot_previous",
    "dot_year",
    "variation",
    "assurance",
    "forecast",
]


def row(code, period, value, target, shortfall, status, dot_previous, dot_year="none", forecast=""):
    cells = [
        *(code, period, value, target, shortfall, status, dot_previous, dot_year),
        *("none", "none", forecast),
    ]
    return dict(zip(STATUS_COLUMNS, cells, strict=True))


# Worked by hand. Shortfall = (target − actual) / |target| × 100 (higher is better) or
# (actual − target) / |target| × 100 (lower), on values rounded to the indicator's decimals;
# T = 10% unless the file says otherwise (IT01: 5%). Too few points for SPC: variation and
# assurance are none. No 2013/14 values but Q4, so there is no same-period-last-year comparison.
EXPECTED_Q2 = [
    # (90 − 95.5) / 90 = −6.11% → Green; 95.5 < 95.9 last quarter → deteriorating.
    row("CS01", "2014/15 Q2", "95.5", "90.0", "-6.11", "green", "deteriorating"),
    # (80 − 77.4) / 80 = 3.25%, under 10% → Amber (Hart: Amber).
    row("CS02a", "2014/15 Q2", "77.4", "80.0", "3.25", "amber", "deteriorating"),
    # Exactly on target: shortfall 0 → Green (Hart: Amber, its own rounding).
    row("FI06", "2014/15 Q2", "97.0", "97.0", "0.00", "green", "deteriorating"),
    # Lower is better: (11 − 15) / 15 = −26.67% → Green; 11 again → stable.
    row("HS01", "2014/15 Q2", "11", "15", "-26.67", "green", "stable"),
    # A target but no value, and the window closed in 2014 → No data.
    row("IA01", "2014/15 Q2", "", "47.5", "", "no_data", "none"),
    # (60 − 79.3) / 60 = −32.17% → Green; up from 42.5 → improving.
    row("IT01", "2014/15 Q2", "79.3", "60.0", "-32.17", "green", "improving"),
    # Target 0, 28 days behind: no relative shortfall, below target → Red.
    row("LS05", "2014/15 Q2", "-28", "0", "", "red", "stable"),
    # (70 − 57.1) / 70 = 18.43% ≥ 10% → Red (Hart: Red).
    row("PS01", "2014/15 Q2", "57.1", "70.0", "18.43", "red", "deteriorating"),
    # Lower is better: (9.05 − 8) / 8 = 13.125% → 13.13 (half up) ≥ 10% → Red (Hart: Red).
    row("RB08", "2014/15 Q2", "9.05", "8.00", "13.13", "red", "stable"),
    # Data only: no target, no status, no direction.
    row("SNH03", "2014/15 Q2", "376", "", "", "none", "none"),
]
EXPECTED_Q1 = [
    # (90 − 95.9) / 90 = −6.56% → Green; up from 95.3 in 2013/14 Q4 → improving.
    row("CS01", "2014/15 Q1", "95.9", "90.0", "-6.56", "green", "improving"),
    # (80 − 78.5) / 80 = 1.875% → 1.88, Amber (Hart: Amber).
    row("CS02a", "2014/15 Q1", "78.5", "80.0", "1.88", "amber", "none"),
    row("FI06", "2014/15 Q1", "97.4", "97.0", "-0.41", "green", "none"),
    # A baseline is not a value: no previous-period comparison.
    row("HS01", "2014/15 Q1", "11", "15", "-26.67", "green", "none"),
    # (23.8 − 14) / 23.8 = 41.18% → Red (Hart: Red).
    row("IA01", "2014/15 Q1", "14.0", "23.8", "41.18", "red", "none"),
    # (60 − 42.5) / 60 = 29.17% ≥ 5% → Red (Hart showed Amber; the source flags it).
    row("IT01", "2014/15 Q1", "42.5", "60.0", "29.17", "red", "none"),
    row("LS05", "2014/15 Q1", "-28", "0", "", "red", "none"),
    # (70 − 63.6) / 70 = 9.14% < 10% → Amber (Hart: Amber); down from 75.2 → deteriorating.
    row("PS01", "2014/15 Q1", "63.6", "70.0", "9.14", "amber", "deteriorating"),
    # Lower is better, up from 4.23 → deteriorating.
    row("RB08", "2014/15 Q1", "9.05", "8.00", "13.13", "red", "deteriorating"),
    row("SNH03", "2014/15 Q1", "376", "", "", "none", "none"),
]


@pytest.fixture
def teams():
    return {
        name: TeamFactory(name=name, slug=slug)
        for name, slug in [
            ("Customer Services", "customer-services"),
            ("Planning", "planning"),
            ("Revenues and Benefits", "revenues-and-benefits"),
        ]
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def status_csv(period: str) -> list[dict[str, str]]:
    text = run("indicator_status", "--period", period, "--format", "csv")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == STATUS_COLUMNS
    return list(reader)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def to_xlsx(source: Path, target: Path) -> Path:
    """The CSV as an Excel workbook, numbers as number cells (as a person would type them)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number, cells in enumerate(read_csv(source)):
        out = []
        for cell in cells:
            try:
                out.append(cell if number == 0 else float(cell) if "." in cell else int(cell))
            except ValueError:
                out.append(cell or None)
        sheet.append(out)
    workbook.save(target)
    return target


def state():
    """Everything an import may write, to show a rejected file changed nothing."""
    return (
        list(Indicator.objects.order_by("code").values()),
        list(Target.objects.order_by("indicator__code", "period").values()),
        list(Value.objects.order_by("indicator__code", "period").values()),
        AuditEvent.objects.count(),
    )


# --- the round trip ---------------------------------------------------------------------------


def test_round_trip_from_csv_gives_the_statuses_worked_by_hand(teams):
    out = run("import_indicators", str(INDICATORS))
    assert "10 created" in out
    assert "targets: 18 created" in out
    out = run("import_values", str(VALUES))
    assert "22 created" in out

    assert status_csv("2014/15 Q2") == EXPECTED_Q2
    assert status_csv("2014/15 Q1") == EXPECTED_Q1


def test_round_trip_from_xlsx_gives_the_same_rows(teams, tmp_path):
    run("import_indicators", str(to_xlsx(INDICATORS, tmp_path / "indicators.xlsx")))
    run("import_values", str(to_xlsx(VALUES, tmp_path / "values.xlsx")))
    assert status_csv("2014/15 Q2") == EXPECTED_Q2
    assert status_csv("2014/15 Q1") == EXPECTED_Q1


def test_imported_indicators_carry_every_column(teams):
    run("import_indicators", str(INDICATORS))
    hs01 = Indicator.objects.get(code="HS01")
    assert (hs01.kind, hs01.perspective, hs01.aspect) == ("SPI", "customer", "delivery")
    assert (hs01.polarity, hs01.unit, hs01.decimals) == ("lower", "days", 0)
    assert (hs01.frequency, hs01.aggregation) == ("quarterly", "mean")
    assert hs01.baseline == Decimal(14)
    assert hs01.baseline_period == "2013/14 Q4"
    assert hs01.team is None
    assert hs01.tolerance is None
    assert Indicator.objects.get(code="IT01").tolerance == Decimal(5)
    # Teams by name, by slug and by name in another case.
    assert Indicator.objects.get(code="CS01").team == teams["Customer Services"]
    assert Indicator.objects.get(code="CS02a").team == teams["Customer Services"]
    assert Indicator.objects.get(code="PS01").team == teams["Planning"]
    target = Target.objects.get(indicator__code="IA01", period="2014/15 Q2")
    assert target.value == Decimal("47.5")
    assert target.period_start == dt.date(2014, 7, 1)
    assert not Target.objects.filter(indicator__code="SNH03").exists()
    created = AuditEvent.objects.filter(action="create")
    assert created.count() == 10 + 18


def test_imported_values_are_activated_and_audited_as_an_import(teams):
    run("import_indicators", str(INDICATORS))
    run("import_values", str(VALUES))
    value = Value.objects.get(indicator__code="RB08", period="2014/15 Q2")
    assert value.status == Value.Status.ACTIVATED
    assert value.value == Decimal("9.05")
    assert value.period_start == dt.date(2014, 7, 1)
    assert value.activated_at is not None
    assert value.source == "Hart tiles snapshot B"
    events = AuditEvent.objects.filter(action="import")
    assert events.count() == 22
    event = events.get(object_id=str(value.pk))
    assert event.changes["value"] == [None, "9.050000"]
    assert event.changes["status"] == [None, "activated"]
    assert event.actor_name == "system"
    assert event.reason == "Imported from hart_values.csv"


def test_json_output_parses_and_has_the_same_rows(teams):
    run("import_indicators", str(INDICATORS))
    run("import_values", str(VALUES))
    rows = json.loads(
        run("indicator_status", "--period", "2014/15 Q2", "--format", "json"),
        parse_float=Decimal,
        parse_int=Decimal,
    )
    assert [list(item) for item in rows] == [STATUS_COLUMNS] * len(EXPECTED_Q2)
    as_text = [
        {key: "" if cell is None else str(cell) for key, cell in item.items()} for item in rows
    ]
    assert as_text == EXPECTED_Q2
    # Numbers are JSON numbers, missing ones null.
    cs01 = rows[0]
    assert cs01["value"] == Decimal("95.5")
    ia01 = next(item for item in rows if item["indicator"] == "IA01")
    assert ia01["value"] is None
    assert ia01["status"] == "no_data"


def test_csv_is_the_default_format(teams):
    run("import_indicators", str(INDICATORS))
    assert run("indicator_status", "--period", "2014/15 Q2").splitlines()[0] == ",".join(
        STATUS_COLUMNS
    )


def test_a_period_without_values_or_targets_prints_only_the_header(teams):
    run("import_indicators", str(INDICATORS))
    assert status_csv("2015/16 Q1") == []
    assert json.loads(run("indicator_status", "--period", "2015/16 Q1", "--format", "json")) == []


@pytest.mark.parametrize("period", ["2014/15 Q5", "2014-13", "Q1", ""])
def test_indicator_status_refuses_a_bad_period(period):
    with pytest.raises(CommandError, match="--period"):
        run("indicator_status", "--period", period)


def test_indicator_status_reads_all_history_in_a_fixed_number_of_queries(
    teams, django_assert_max_num_queries
):
    run("import_indicators", str(INDICATORS))
    run("import_values", str(VALUES))
    # 4 for the statuses, 3 for the year-end forecasts (settings, values, targets; issue 20).
    with django_assert_max_num_queries(7):
        status_csv("2014/15 Q2")


# --- re-importing -----------------------------------------------------------------------------


def test_reimporting_updates_an_indicator_and_its_targets_with_an_audit_trail(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    rows = read_csv(INDICATORS)
    header = rows[0]
    cs01 = rows[1]
    cs01[header.index("title")] = "Call handling quality"
    cs01[header.index("tolerance")] = "7.5"
    cs01[header.index("team")] = ""
    cs01[header.index("target 2014/15 Q2")] = "92"
    cs01[header.index("target 2014/15 Q1")] = ""  # empty: the Q1 target stays as it is
    out = run("import_indicators", str(write_csv(tmp_path / "again.csv", [header, cs01, rows[2]])))
    assert "0 created, 1 updated, 1 unchanged" in out
    assert "targets: 0 created, 1 updated" in out

    indicator = Indicator.objects.get(code="CS01")
    assert indicator.title == "Call handling quality"
    assert indicator.tolerance == Decimal("7.5")
    assert indicator.team is None
    assert indicator.targets.get(period="2014/15 Q1").value == Decimal(90)
    target = indicator.targets.get(period="2014/15 Q2")
    assert target.value == Decimal(92)

    update = AuditEvent.objects.get(action="update", object_id=str(indicator.pk))
    assert update.changes == {
        "title": [
            "Quality of Customer Service Call Handling - % score from monitoring sample",
            "Call handling quality",
        ],
        "team": [teams["Customer Services"].pk, None],
        "tolerance": [None, "7.50"],
    }
    target_update = AuditEvent.objects.get(action="update", object_id=str(target.pk))
    assert target_update.changes == {"value": ["90.000000", "92.000000"]}
    assert Indicator.objects.count() == 10


def test_reimporting_a_value_replaces_it_with_before_and_after(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    run("import_values", str(VALUES))
    value = Value.objects.get(indicator__code="PS01", period="2014/15 Q2")
    value.status = Value.Status.RETURNED
    value.save()
    again = write_csv(
        tmp_path / "fix.csv",
        [
            ["period", "indicator", "value", "comment"],
            ["2014/15 Q2", "PS01", "58.3", "Two late decisions reclassified"],
            ["2014/15 Q1", "PS01", "63.6", ""],  # the same as before: left alone
        ],
    )
    out = run("import_values", str(again))
    assert "0 created, 1 replaced, 1 unchanged" in out
    value.refresh_from_db()
    assert value.value == Decimal("58.3")
    assert value.status == Value.Status.ACTIVATED
    assert value.comment == "Two late decisions reclassified"
    assert value.version == 2
    assert Value.objects.filter(indicator__code="PS01").count() == 3
    event = AuditEvent.objects.filter(action="import", object_id=str(value.pk)).first()
    assert event.changes["value"] == ["57.100000", "58.300000"]
    assert event.changes["status"] == ["returned", "activated"]
    assert "source" not in event.changes  # no source column: the source is kept
    assert value.source == "Hart tiles snapshot B"
    assert status_csv("2014/15 Q2")[7]["value"] == "58.3"


# --- malformed files are rejected whole -------------------------------------------------------


def _indicator_file(tmp_path, edit) -> Path:
    rows = read_csv(INDICATORS)
    edit(rows)
    return write_csv(tmp_path / "indicators.csv", rows)


def _set(row: int, column: str, text: str):
    def edit(rows):
        rows[row - 1][rows[0].index(column)] = text

    return edit


def _rename(old: str, new: str):
    def edit(rows):
        rows[0][rows[0].index(old)] = new

    return edit


def _add_column(name: str, text: str = ""):
    def edit(rows):
        rows[0].append(name)
        for each in rows[1:]:
            each.append(text)

    return edit


def _drop_column(name: str):
    def edit(rows):
        index = rows[0].index(name)
        for each in rows:
            del each[index]

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_column("aspect"), "Header row: missing column: aspect."),
        (_rename("polarity", "direction"), "missing column: polarity"),
        (_add_column("owner"), "Header row: unexpected column: owner"),
        (_rename("target 2014/15 Q2", "target 2014/15 Q5"), "column target 2014/15 Q5:"),
        (_rename("target 2014/15 Q2", "target 2014/15 q1"), "appears more than once"),
        (
            _set(3, "target 2014/15 Q2", "abc"),
            "Row 3, column target 2014/15 Q2: 'abc' is not a number.",
        ),
        (_set(4, "decimals", "one"), "Row 4, column decimals: 'one' is not a number."),
        (_set(4, "decimals", "7"), "Row 4, column decimals: '7' must be from 0 to 6."),
        (_set(4, "decimals", "1.5"), "Row 4, column decimals: '1.5' is not a whole number."),
        (_set(5, "tolerance", "-1"), "Row 5, column tolerance: '-1' must be 0 or more."),
        (_set(5, "baseline", "95%"), "Row 5, column baseline: '95%' is not a number (write it"),
        (_set(5, "baseline_period", "2013/2014"), "Row 5, column baseline_period: '2013/2014'"),
        (_set(6, "team", "Parks"), "Row 6, column team: no team is called 'Parks'"),
        (_set(7, "kind", "KPIs"), "Row 7, column kind: 'KPIs' is not one of KPI, SPI, statutory."),
        (
            _set(7, "polarity", "up"),
            "Row 7, column polarity: 'up' is not one of higher, lower, none.",
        ),
        (_set(8, "aggregation", ""), "Row 8, column aggregation: a value is required."),
        (_set(8, "title", ""), "Row 8, column title: a value is required."),
        (_set(9, "code", "CS01"), "Row 9, column code: 'CS01' is already defined in row 2."),
        (_set(11, "target 2014/15 Q1", "5"), "Row 11, column target 2014/15 Q1: a data-only"),
        (
            _add_column("target 2014-05", "80"),
            "Row 2, column target 2014-05: 2014-05 is a monthly period, finer than this quarterly indicator.",
        ),
    ],
)
def test_a_malformed_indicator_file_is_rejected_whole(teams, tmp_path, edit, message):
    run("import_indicators", str(INDICATORS))
    # Every good row would change something, so a partial import would show.
    rows = read_csv(INDICATORS)
    for each in rows[1:]:
        each[1] = each[1] + " (revised)"
    path = write_csv(tmp_path / "base.csv", rows)
    edit(rows)
    path = write_csv(path, rows)
    before = state()
    with pytest.raises(CommandError) as raised:
        run("import_indicators", str(path))
    assert message in str(raised.value)
    assert "was rejected and nothing was imported" in str(raised.value)
    assert state() == before


def test_every_error_of_a_file_is_reported_together(teams, tmp_path):
    path = _indicator_file(
        tmp_path,
        lambda rows: (
            _set(2, "unit", "percentage")(rows),
            _set(5, "frequency", "weekly")(rows),
            _set(9, "target 2014/15 Q1", "seventy")(rows),
        ),
    )
    with pytest.raises(imports.ImportRejected) as raised:
        imports.import_indicators(path=path)
    assert raised.value.errors == [
        "Row 2, column unit: 'percentage' is not one of percent, number, currency, days, ratio.",
        "Row 5, column frequency: 'weekly' is not one of monthly, quarterly, annual.",
        "Row 9, column target 2014/15 Q1: 'seventy' is not a number.",
    ]
    assert Indicator.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def _values_file(tmp_path, rows) -> Path:
    return write_csv(tmp_path / "values.csv", [["indicator", "period", "value"], *rows])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["CS01", "2014/15 Q3", "96"], ["XX99", "2014/15 Q3", "1"]],
            "Row 4, column indicator: no indicator has the code 'XX99'.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15 Q9", "1"]],
            "Row 4, column period: '2014/15 Q9' is not a period",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014-10", "1"]],
            "Row 4, column period: 2014-10 is a monthly period but CS01 is quarterly.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15", "1"]],
            "Row 4, column period: 2014/15 is an annual period but CS01 is quarterly.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15 Q4", "n/a"]],
            "Row 4, column value: 'n/a' is not a number.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15 Q4", ""]],
            "Row 4, column value: a value is required.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15 q3", "97"]],
            "Row 4: CS01 2014/15 Q3 is already given in row 3.",
        ),
        (
            [["CS01", "2014/15 Q3", "96"], ["CS01", "2014/15 Q4", "1.1234567"]],
            "Row 4, column value: '1.1234567' has more than 6 decimal places.",
        ),
        ([["CS01", "2014/15 Q3", "96", "extra"]], "Row 3: 4 cells but the header has 3 columns"),
    ],
)
def test_a_malformed_values_file_is_rejected_whole(teams, tmp_path, rows, message):
    run("import_indicators", str(INDICATORS))
    run("import_values", str(VALUES))
    # Row 2 would replace an existing value and row 3 add one, were anything written.
    path = _values_file(tmp_path, [["CS01", "2014/15 Q2", "12"], *rows])
    before = state()
    with pytest.raises(CommandError) as raised:
        run("import_values", str(path))
    assert message in str(raised.value)
    assert state() == before


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["indicator", "period"], "Header row: missing column: value."),
        (["indicator", "period", "value", "target"], "Header row: unexpected column: target"),
        (
            ["indicator", "period", "value", "", "comment"],
            "Header row, column 4: the column has no name.",
        ),
        (["indicator", "Period", "value", "period"], "column 'period' appears more than once"),
    ],
)
def test_a_values_file_with_a_wrong_header_is_rejected(teams, tmp_path, header, message):
    run("import_indicators", str(INDICATORS))
    path = write_csv(
        tmp_path / "values.csv", [header, ["CS01", "2014/15 Q2", "95", "x"][: len(header)]]
    )
    before = state()
    with pytest.raises(CommandError, match="nothing was imported") as raised:
        run("import_values", str(path))
    assert message in str(raised.value)
    assert state() == before


def test_a_numerator_needs_a_denominator(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    path = write_csv(
        tmp_path / "values.csv",
        [
            ["indicator", "period", "value", "numerator", "denominator"],
            ["CS01", "2014/15 Q3", "95", "19", ""],
        ],
    )
    with pytest.raises(CommandError, match="Row 2, column denominator: a denominator is required"):
        run("import_values", str(path))
    assert not Value.objects.exists()


def test_headers_ignore_case_spaces_and_order_and_accept_optional_columns(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    path = write_csv(
        tmp_path / "values.csv",
        [
            [" Source ", "VALUE", "Denominator", "numerator", "period", "Indicator", "comment"],
            ["survey", "95", "200", "190", "2014/15 Q3", "CS01", "Checked"],
            ["", "", "", "", "", "", ""],  # a blank row is skipped but still counted
            ["", "1,234", "", "", "2014/15 Q4", "SNH03", ""],
        ],
    )
    run("import_values", str(path))
    value = Value.objects.get(indicator__code="CS01", period="2014/15 Q3")
    assert (value.value, value.numerator, value.denominator) == (Decimal(95), 190, 200)
    assert (value.source, value.comment) == ("survey", "Checked")
    # A thousands separator is read (SNH03 is a count; a percent of 1,234 would be refused).
    assert Value.objects.get(indicator__code="SNH03", period="2014/15 Q4").value == Decimal("1234")


# --- files that cannot be read ----------------------------------------------------------------


@pytest.mark.parametrize("command", ["import_indicators", "import_values"])
def test_a_file_that_is_not_csv_or_xlsx_is_refused(tmp_path, command):
    path = tmp_path / "values.txt"
    path.write_text("indicator,period,value\n")
    with pytest.raises(CommandError, match=r"values.txt is not a .csv or .xlsx file"):
        run(command, str(path))


@pytest.mark.parametrize("command", ["import_indicators", "import_values"])
def test_a_missing_file_is_refused(tmp_path, command):
    with pytest.raises(CommandError, match="does not exist"):
        run(command, str(tmp_path / "nowhere.csv"))


@pytest.mark.parametrize("content", [b"", b"\n\n", b",,\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "values.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=r"values\.csv is empty"):
        run("import_values", str(path))


def test_a_header_without_rows_is_refused(tmp_path):
    path = write_csv(tmp_path / "values.csv", [["indicator", "period", "value"]])
    with pytest.raises(CommandError, match="has a header but no data rows"):
        run("import_values", str(path))


def test_a_csv_that_is_not_utf8_is_refused_with_the_line(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    path = tmp_path / "values.csv"
    path.write_bytes(
        "indicator,period,value,comment\nCS01,2014/15 Q3,95,Cost £5\n".encode("cp1252")
    )
    with pytest.raises(CommandError, match=r"not UTF-8 text \(line 2") as raised:
        run("import_values", str(path))
    assert "CSV UTF-8" in str(raised.value)
    assert not Value.objects.exists()


def test_a_utf8_bom_is_accepted(teams, tmp_path):
    run("import_indicators", str(INDICATORS))
    path = tmp_path / "values.csv"
    path.write_bytes(
        "indicator,period,value,comment\nCS01,2014/15 Q3,95,Cost £5\n".encode("utf-8-sig")
    )
    run("import_values", str(path))
    assert Value.objects.get().comment == "Cost £5"


def test_a_damaged_workbook_is_refused(tmp_path):
    path = tmp_path / "values.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError, match=r"not a readable Excel workbook"):
        run("import_values", str(path))


def test_a_workbook_reads_dates_as_months_and_floats_as_excel_shows_them(tmp_path):
    TeamFactory(name="Finance", slug="finance")
    indicators = [
        ["code", "title", "kind", "perspective", "aspect", "polarity", "unit", "decimals"],
        ["FIN 01", "Invoices paid in 30 days", "KPI", "financial", "cost", "higher", "percent", 1],
    ]
    indicators[0] += [
        "frequency",
        "aggregation",
        "team",
        "tolerance",
        "baseline",
        "baseline_period",
    ]
    indicators[1] += [
        "monthly",
        "mean",
        "finance",
        None,
        0.1 + 0.2,
        dt.date(2024, 3, 1),
    ]
    indicators[0] += ["target 2024-04", "target 2024/25 Q1"]
    indicators[1] += [95, 96.5]
    workbook = openpyxl.Workbook()
    for cells in indicators:
        workbook.active.append(cells)
    workbook.save(tmp_path / "indicators.xlsx")
    run("import_indicators", str(tmp_path / "indicators.xlsx"))
    indicator = Indicator.objects.get(code="FIN 01")
    assert indicator.baseline == Decimal("0.3")
    assert indicator.baseline_period == "2024-03"
    assert sorted(indicator.targets.values_list("period", flat=True)) == ["2024-04", "2024/25 Q1"]

    workbook = openpyxl.Workbook()
    workbook.active.append(["indicator", "period", "value"])
    workbook.active.append(["FIN 01", dt.date(2024, 4, 1), 94.2])
    workbook.active.append(["FIN 01", dt.date(2024, 5, 17), 94.2])
    workbook.save(tmp_path / "values.xlsx")
    with pytest.raises(CommandError, match=r"Row 3, column period: '2024-05-17' is not a period"):
        run("import_values", str(tmp_path / "values.xlsx"))


# --- statuses beyond the Hart figures ---------------------------------------------------------


def _define(tmp_path, *rows) -> None:
    header = [*read_csv(INDICATORS)[0][:14], "target 2023/24 Q1", "target 2023/24"]
    run("import_indicators", str(write_csv(tmp_path / "define.csv", [header, *rows])))


def _values(tmp_path, rows) -> None:
    run("import_values", str(_values_file(tmp_path, rows)))


def test_a_monthly_cumulative_indicator_is_summed_into_the_quarter(tmp_path):
    _define(
        tmp_path,
        [
            "HOU 1",
            "Homes delivered",
            "KPI",
            "customer",
            "delivery",
            "higher",
            "number",
            "0",
            "monthly",
            "sum",
            "",
            "",
            "",
            "",
            "60",
            "",
        ],
    )
    _values(
        tmp_path,
        [["HOU 1", "2023-04", "18"], ["HOU 1", "2023-05", "20"], ["HOU 1", "2023-06", "17"]],
    )
    (only,) = status_csv("2023/24 Q1")
    # 18 + 20 + 17 = 55 against 60: (60 − 55) / 60 = 8.33% → Amber.
    assert (only["value"], only["target"], only["shortfall_pct"], only["status"]) == (
        "55",
        "60",
        "8.33",
        "amber",
    )
    # A month of a monthly indicator is listed on its own; a quarterly one would not be.
    assert status_csv("2023-05")[0]["value"] == "20"


def test_spc_columns_read_twelve_or_more_points(tmp_path):
    _define(
        tmp_path,
        [
            "REV 1",
            "Council tax collected",
            "KPI",
            "financial",
            "cost",
            "higher",
            "percent",
            "1",
            "quarterly",
            "last",
            "",
            "",
            "",
            "",
            "90",
            "",
        ],
    )
    # Twelve calm quarters 2020/21 Q1 – 2022/23 Q4 around 96, then a jump well above the limits.
    quarters = [
        f"{year}/{(year + 1) % 100:02d} Q{q}" for year in (2020, 2021, 2022) for q in (1, 2, 3, 4)
    ]
    history = [
        ["REV 1", quarter, "96.5" if n % 2 else "95.5"] for n, quarter in enumerate(quarters)
    ]
    _values(tmp_path, [*history, ["REV 1", "2023/24 Q1", "99.9"]])
    (row_,) = status_csv("2023/24 Q1")
    # Mean (12 × 96 + 99.9) / 13 = 96.3; mean moving range (11 × 1 + 3.4) / 12 = 1.2; upper
    # limit 96.3 + 2.66 × 1.2 = 99.492: 99.9 is outside → special cause, higher is better →
    # improving. Target 90 is below the lower limit 93.108 → consistently passes.
    assert row_["variation"] == "improving"
    assert row_["assurance"] == "pass"
    assert row_["dot_year"] == "improving"  # 95.5 in 2022/23 Q1
    (earlier,) = status_csv("2022/23 Q4")
    assert earlier["variation"] == "common"
    assert earlier["assurance"] == "none"  # no target for that quarter
    (short,) = status_csv("2020/21 Q4")
    assert (short["variation"], short["dot_year"]) == ("none", "none")
    assert status_csv("2021/22 Q4")[0]["dot_year"] == "stable"
