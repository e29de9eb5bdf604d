"""The returns sheet both the download and the upload know: its name and columns, in order.

The upload refuses a header row that is not exactly `COLUMNS`; only the `ENTRY` cells are read.
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
]
ENTRY = ["value", "numerator", "denominator", "comment"]
LETTER = {name: get_column_letter(index) for index, name in enumerate(COLUMNS, start=1)}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
