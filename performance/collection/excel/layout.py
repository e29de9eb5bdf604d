"""The returns sheet both the download and the upload know: its name and columns, in order.

The upload refuses a header row that is not exactly `COLUMNS` (or `WITHOUT_FORECAST`, as
downloaded before issue 20); only the `ENTRY` cells are read.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

SHEET = "Returns"
COLUMNS = [
    "key",
    "indicator",
    "title",
    "period",
    "team",
    "unit",
    "decimals",
    "target",
    "last period",
    "last value",
    "definition",
    "status",
    "version",
    "value",
    "numerator",
    "denominator",
    "comment",
    "forecast",
    "forecast comment",
]
# A workbook downloaded before the year-end forecast columns (issue 20) is still accepted.
WITHOUT_FORECAST = COLUMNS[:-2]
ENTRY = ["value", "numerator", "denominator", "comment", "forecast", "forecast comment"]
LETTER = {name: get_column_letter(index) for index, name in enumerate(COLUMNS, start=1)}
# The entry's field names (`rules.clean_entry`) for the cells whose header has a space.
FIELD = {name: name.replace(" ", "_") for name in ENTRY}
LETTER.update({FIELD[name]: LETTER[name] for name in ENTRY})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
