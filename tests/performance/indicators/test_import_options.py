"""import_indicators' optional columns (SPEC §12, issue 18): an indicator's validation settings.

`year_to_date` is the indicator's own field; the others are data quality's validation rule,
which the entry rules read. A column that is absent leaves a setting alone; an empty cell is
the default; contradictions are refused naming the row and the column.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from dataquality.models import ValidationRule
from performance.indicators import imports
from performance.models import AuditEvent, Indicator

pytestmark = pytest.mark.django_db

HEADER = (
    "code,title,kind,perspective,aspect,polarity,unit,decimals,frequency,aggregation,team,"
    "tolerance,baseline,baseline_period"
)
OPTIONS = (
    "year_to_date,allow_negative,allow_over_100,whole_numbers,minimum,maximum,change_threshold"
)
HOMES = "HOU 010,Net additional homes,KPI,customer,delivery,higher,number,0,annual,sum,,,,"
CHANGE = (
    "ECO 002,% change in business rates base,KPI,financial,cost,higher,percent,1,annual,mean,,,,"
)
TONNES = "WAS 020,Tonnes recycled so far this year,KPI,process,delivery,higher,number,1,quarterly,sum,,,,"


def _import(tmp_path, *lines: str, header: str = f"{HEADER},{OPTIONS}"):
    path = tmp_path / "indicators.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return imports.import_indicators(path=path)


def _rejected(tmp_path, *lines: str, header: str = f"{HEADER},{OPTIONS}") -> list[str]:
    with pytest.raises(imports.ImportRejected) as rejected:
        _import(tmp_path, *lines, header=header)
    return rejected.value.errors


def test_the_settings_are_stored_where_the_entry_rules_read_them(tmp_path):
    result = _import(
        tmp_path,
        f"{HOMES},no,yes,,,-500,5000,50",
        f"{CHANGE},no,yes,yes,no,-100,,",
        f"{TONNES},yes,,,yes,0,,",
    )
    assert result.created == 3
    assert result.settings_changed == 3
    homes = ValidationRule.objects.get(indicator__code="HOU 010")
    assert (homes.allow_negative, homes.minimum, homes.maximum) == (True, -500, 5000)
    assert homes.change_threshold == Decimal(50)
    change = ValidationRule.objects.get(indicator__code="ECO 002")
    assert (change.allow_negative, change.allow_over_100, change.whole_numbers) == (
        True,
        True,
        False,
    )
    tonnes = Indicator.objects.get(code="WAS 020")
    assert tonnes.year_to_date is True
    assert tonnes.dq_rule.whole_numbers is True
    assert tonnes.dq_rule.minimum == 0
    assert Indicator.objects.get(code="HOU 010").year_to_date is False


def test_empty_cells_are_the_defaults_and_create_no_rule(tmp_path):
    _import(tmp_path, f"{HOMES},,,,,,,")
    assert not ValidationRule.objects.exists()
    assert Indicator.objects.get(code="HOU 010").year_to_date is False


def test_the_same_file_twice_changes_and_audits_nothing(tmp_path):
    _import(tmp_path, f"{HOMES},no,yes,,,-500,5000,50")
    events = AuditEvent.objects.count()
    result = _import(tmp_path, f"{HOMES},no,yes,,,-500,5000,50")
    assert (result.unchanged, result.settings_changed) == (1, 0)
    assert AuditEvent.objects.count() == events


def test_a_later_file_changes_a_setting_audited_and_an_empty_cell_restores_the_default(tmp_path):
    _import(tmp_path, f"{HOMES},no,yes,,,-500,5000,50")
    result = _import(tmp_path, f"{HOMES},no,yes,,,-800,,")
    assert result.settings_changed == 1
    rule = ValidationRule.objects.get()
    assert (rule.minimum, rule.maximum, rule.change_threshold) == (-800, None, None)
    assert AuditEvent.objects.filter(action="update", object_repr=str(rule)).exists()


def test_a_file_without_the_optional_columns_leaves_the_settings_alone(tmp_path):
    _import(tmp_path, f"{HOMES},no,yes,,,-500,5000,50")
    _import(tmp_path, HOMES, header=HEADER)
    rule = ValidationRule.objects.get()
    assert (rule.allow_negative, rule.minimum) == (True, -500)


def test_some_optional_columns_may_be_given_alone(tmp_path):
    result = _import(tmp_path, f"{HOMES},yes", header=f"{HEADER},allow_negative")
    assert result.created == 1
    assert ValidationRule.objects.get().allow_negative is True


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            f"{HOMES},no,no,,,-5,,",
            "Row 2, column minimum: minimum -5 is below 0 but negative values are not allowed "
            "(set allow_negative to yes).",
        ),
        (
            # A count refuses negatives even when allow_negative is left empty.
            f"{HOMES},no,,,,-5,,",
            "Row 2, column minimum: minimum -5 is below 0",
        ),
        (
            f"{HOMES},no,no,,,,-1,",
            "Row 2, column maximum: maximum -1 is below 0",
        ),
        (f"{HOMES},no,yes,,,10,5,", "Row 2, column maximum: maximum 5 is below minimum 10."),
        (
            f"{CHANGE},no,yes,no,,,150,",
            "Row 2, column maximum: maximum 150 is over 100% but allow_over_100 is not set.",
        ),
        (f"{HOMES},maybe,,,,,,", "Row 2, column year_to_date: 'maybe' is not yes or no."),
        (f"{HOMES},no,1,,,,,", "Row 2, column allow_negative: '1' is not yes or no."),
        (f"{HOMES},no,,,,ten,,", "Row 2, column minimum: 'ten' is not a number."),
        (f"{HOMES},no,,,,,,-5", "Row 2, column change_threshold: '-5' must be 0 or more."),
    ],
)
def test_contradictions_and_bad_cells_are_refused_naming_row_and_column(tmp_path, line, expected):
    errors = _rejected(tmp_path, f"{TONNES},yes,,,,,,", line)
    assert any(e.startswith(expected.replace("Row 2", "Row 3")) for e in errors), errors
    assert not Indicator.objects.exists()
    assert not ValidationRule.objects.exists()


def test_a_negative_minimum_of_a_decimal_number_needs_no_setting_unless_the_file_says_no(
    tmp_path,
):
    # Unit number with decimals: its unit allows negatives, so an empty allow_negative is fine…
    _import(tmp_path, f"{TONNES},no,,,,-3,,")
    assert ValidationRule.objects.get().minimum == -3
    # …but an explicit "no" with a negative minimum contradicts itself.
    errors = _rejected(tmp_path, f"{TONNES},no,no,,,-3,,")
    assert errors[0].startswith("Row 2, column minimum: minimum -3 is below 0")


def test_a_stored_setting_takes_part_in_the_check(tmp_path):
    _import(tmp_path, f"{HOMES},no,yes,,,-500,,")
    errors = _rejected(tmp_path, f"{HOMES},no", header=f"{HEADER},allow_negative")
    assert errors[0].startswith("Row 2, column minimum: minimum -500 is below 0")


def test_the_command_refuses_a_contradiction_with_a_non_zero_exit(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER},{OPTIONS}\n{HOMES},no,no,,,-5,,\n")
    with pytest.raises(CommandError, match="Row 2, column minimum"):
        call_command("import_indicators", str(path))
    assert not Indicator.objects.exists()


def test_the_cells_an_export_writes_read_back_unchanged(tmp_path):
    _import(
        tmp_path,
        f"{HOMES},no,yes,,,-500,5000,50",
        f"{CHANGE},no,yes,yes,no,-100,,",
        f"{TONNES},yes,,,yes,0,,",
    )
    indicators = list(Indicator.objects.order_by("code"))
    cells = imports.option_cells(indicators)
    homes = cells[Indicator.objects.get(code="HOU 010").pk]
    assert homes == {
        "year_to_date": "no",
        "allow_negative": "yes",
        "allow_over_100": "no",
        "whole_numbers": "no",
        "minimum": "-500",
        "maximum": "5000",
        "change_threshold": "50",
        "corporate_health": "no",
    }
    lines = {"HOU 010": HOMES, "ECO 002": CHANGE, "WAS 020": TONNES}
    again = [
        lines[i.code] + "," + ",".join(cells[i.pk][c] for c in OPTIONS.split(","))
        for i in indicators
    ]
    events = AuditEvent.objects.count()
    result = _import(tmp_path, *again)
    assert (result.unchanged, result.settings_changed) == (3, 0)
    assert AuditEvent.objects.count() == events
