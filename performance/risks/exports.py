"""The `risk_register` rows as CSV and JSON (SPEC §12): the command and the API write the same.

CSV: every text a person typed (reference, title, category, owner, linked codes) goes through
`spreadsheets.csv_text`, so a title starting with "=" is shown, never run (issue 14); scores are
whole numbers. JSON: scores and appetite are numbers (appetite null when none is set), the rest
strings, exactly the CSV's texts.
"""

from __future__ import annotations

import csv
import io
import json

from performance.common import spreadsheets
from performance.core.risks import Register
from performance.risks.selectors import REGISTER_COLUMNS

REGISTERS = tuple(Register)
NUMBER_COLUMNS = frozenset({"inherent_score", "current_score", "target_score", "appetite"})
TEXT_COLUMNS = frozenset({"reference", "title", "category", "owner", "linked_indicators"})


def as_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {
            column: spreadsheets.csv_text(text) if column in TEXT_COLUMNS else text
            for column, text in row.items()
        }
        for row in rows
    )
    return buffer.getvalue()


def as_objects(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """The rows with numbers as numbers (`appetite` None when empty)."""
    return [
        {
            column: (int(text) if text else None) if column in NUMBER_COLUMNS else text
            for column, text in row.items()
        }
        for row in rows
    ]


def as_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(as_objects(rows), indent=2, ensure_ascii=False) + "\n"
