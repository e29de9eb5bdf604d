"""Download my returns as a workbook (SPEC §5): one row per due item, with its definition,
target and last value; everything is locked except the value, numerator, denominator and comment
cells, which carry data validation.
"""

from __future__ import annotations

import io
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from performance.collection import due, rules
from performance.collection.excel.layout import COLUMNS, LETTER, SHEET
from performance.common import spreadsheets
from performance.models import Indicator


def _plain(number: Decimal | None):
    if number is None:
        return None
    normal = number.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted row numbers: [2, 3, 4, 7] → [(2, 4), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def build_workbook(items: list[due.DueItem]) -> bytes:
    """The workbook of `items` as .xlsx bytes (no queries: items carry what is shown).

    Written in openpyxl's write-only mode, row by row to the file, with the entry cells' style
    registered once and copied: styling 40,000 cells one attribute at a time made a 10,000-row
    workbook slow. A write-only sheet writes its columns and panes before its first row, so
    those come first; protection and data validations are written at the end.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for name, width in {
        "indicator": 12,
        "title": 40,
        "period": 12,
        "team": 24,
        "unit": 12,
        "definition": 50,
        "status": 12,
        "comment": 50,
        "forecast comment": 50,
        "last period": 12,
    }.items():
        sheet.column_dimensions[LETTER[name]].width = width
    sheet.column_dimensions[LETTER["key"]].hidden = True
    sheet.column_dimensions[LETTER["version"]].hidden = True
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False

    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # The entry cells' style (unlocked, yellow), registered once and copied to each entry cell.
    probe = WriteOnlyCell(sheet)
    probe.protection = Protection(locked=False)
    probe.fill = PatternFill("solid", fgColor="FFF7BF")
    entry_style = probe._style

    def entry(value) -> WriteOnlyCell:
        cell = spreadsheets.put(WriteOnlyCell(sheet), value)  # a comment "=…" stays text
        cell._style = copy(entry_style)
        return cell

    validations = {
        "percent": DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            errorTitle="Percentage",
            error="Enter a percentage between 0 and 100.",
        ),
        "count": DataValidation(
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            errorTitle="Count",
            error="Enter a whole number, 0 or more.",
        ),
        "positive": DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            errorTitle="Number",
            error="Enter a number, 0 or more.",
        ),
        "any": DataValidation(
            type="decimal",
            operator="between",
            formula1="-999999999999",
            formula2="999999999999",
            errorTitle="Number",
            error="Enter a number.",
        ),
        "comment": DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(rules.MAX_COMMENT),
            errorTitle="Comment",
            error=f"Keep the comment to {rules.MAX_COMMENT} characters.",
        ),
    }
    for kind in ("percent", "count", "positive", "any"):
        copy_of = validations[kind]
        validations["forecast " + kind] = DataValidation(
            type="decimal" if kind == "count" else copy_of.type,
            operator=copy_of.operator,
            formula1=copy_of.formula1,
            formula2=copy_of.formula2,
            errorTitle="Forecast",
            error="A forecast of the year-end outturn: " + (copy_of.error or "").lower(),
        )
    for validation in validations.values():
        validation.showErrorMessage = True
        sheet.data_validations.append(validation)
    # Rows per validation, added as ranges of consecutive rows at the end: adding cell by cell
    # makes openpyxl re-merge its range list every time (quadratic on a 10,000-row workbook).
    rows_of: dict[str, list[int]] = {name: [] for name in validations}
    for number, item in enumerate(items, start=2):
        indicator, value = item.indicator, item.value
        last = item.last_value
        shown = [
            _plain(value.value) if value and not rules.is_ratio(indicator) else None,
            _plain(value.numerator) if value else None,
            _plain(value.denominator) if value else None,
            value.comment if value else None,
        ]
        # The year-end forecast (issue 20): yellow only where a return may carry one.
        forecast = [
            _plain(value.forecast) if value else None,
            value.forecast_comment if value else None,
        ]
        asks = item.editable and rules.asks_forecast(indicator)
        sheet.append(
            spreadsheets.row(
                sheet,
                [
                    item.key,
                    indicator.code,
                    indicator.title,
                    item.period,
                    indicator.team.name if indicator.team else "",
                    indicator.get_unit_display(),
                    indicator.decimals,
                    _plain(item.target),
                    last[0] if last else None,
                    _plain(last[1]) if last else None,
                    indicator.definition,
                    item.status_label,
                    value.version if value else 0,
                    *([entry(cell) for cell in shown] if item.editable else shown),
                    *([entry(cell) for cell in forecast] if asks else forecast),
                ],
            )
        )
        if not item.editable:
            continue
        if indicator.unit == Indicator.Unit.PERCENT:
            kind = "percent"
        elif indicator.unit == Indicator.Unit.NUMBER and indicator.decimals == 0:
            kind = "count"
        elif indicator.unit == Indicator.Unit.DAYS:
            kind = "positive"
        else:
            kind = "any"
        rows_of[kind].append(number)
        rows_of["comment"].append(number)
        if asks:
            rows_of["forecast " + kind].append(number)
    for kind, numbers in rows_of.items():
        for first, last in _runs(numbers):
            if kind == "comment":
                validations["comment"].add(f"{LETTER['comment']}{first}:{LETTER['comment']}{last}")
            elif kind.startswith("forecast "):
                validations[kind].add(f"{LETTER['forecast']}{first}:{LETTER['forecast']}{last}")
            else:
                validations[kind].add(f"{LETTER['value']}{first}:{LETTER['value']}{last}")
    for first, last in _runs(sorted(rows_of["comment"])):
        validations["positive"].add(f"{LETTER['numerator']}{first}:{LETTER['denominator']}{last}")

    # The header row marked as such (issue 22): a defined table over the rows (the upload reads
    # cells by sheet name and position, which a table leaves as they are), printed on every page.
    spreadsheets.define_table(sheet, header_row=1, headers=COLUMNS, rows=len(items))
    sheet.print_title_rows = "1:1"

    guide = book.create_sheet("Guidance")
    guide.column_dimensions["A"].width = 110
    guide.protection.sheet = True
    wrap = Alignment(wrap_text=True)
    for number, line in enumerate(
        [
            "How to fill in your returns",
            "",
            "Fill in the yellow cells only: value (or numerator and denominator for a ratio), and a performance comment.",
            "A performance comment is required when a value is Amber or Red against its target, or a special-cause signal.",
            "Forecast (optional, monthly and quarterly indicators): what you expect the whole financial year's figure to be, with a forecast comment saying why.",
            "Percentages are 0 to 100. Counts are whole numbers. Do not add, remove, rename or reorder columns or rows.",
            "Leave a row's yellow cells empty to skip it. Upload the file on the My returns page.",
            "The whole file is checked before anything is saved: if any row has a problem, nothing is saved and every problem is listed by row and cell.",
            "",
            "Sheets in this workbook",
            f"{SHEET}: one row per return due, with its definition, target and last value; the yellow cells are yours to fill in.",
            "Guidance: this page.",
        ],
        start=1,
    ):
        cell = WriteOnlyCell(guide, value=line or None)
        if number == 1:
            cell.font = Font(bold=True, size=14)
        elif line == "Sheets in this workbook":
            cell.font = Font(bold=True, size=12)
        else:
            cell.alignment = wrap
        guide.append([cell])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
