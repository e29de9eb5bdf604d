"""Read a benchmarking table from CSV or Excel the way LG Inform and GOV.UK publish them.

No database here: bytes in, `Row`s out. A published table often has a title and notes above
the header row, so the header is the first row (within the first 20) that names the columns we
need; rows above it are ignored. Header names are matched without regard to case, spaces,
underscores or hyphens, and the usual publishers' names are accepted as aliases
(`ONS code`, `Area code`, `Area name`, `Financial year`, `Time period`…). Columns we do not
know are ignored, because published tables carry extra ones (tier, notes).

Row numbers are the spreadsheet's own (the header row of a plain CSV is row 1), so a message
"row 7" points at the row the officer sees in Excel.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

ALIASES: dict[str, tuple[str, ...]] = {
    "authority_code": (
        "authoritycode",
        "onscode",
        "gsscode",
        "areacode",
        "lacode",
        "localauthoritycode",
        "code",
        "ecode",
    ),
    "authority_name": (
        "authorityname",
        "authority",
        "areaname",
        "area",
        "localauthority",
        "localauthorityname",
        "laname",
        "name",
    ),
    "authority_type": ("authoritytype", "type", "tier", "authoritytier"),
    "period": ("period", "financialyear", "year", "timeperiod", "periodlabel"),
    "value": ("value", "figure", "data"),
}

# How published tables write "no figure": the authority is left without a value for the period.
NOT_AVAILABLE = {"", "..", ".", "-", "–", ":", "x", "[x]", "[c]", "[z]", "[u]", "n/a", "na"}

MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 20


class TableError(ValueError):
    """The file as a whole cannot be read (not CSV/Excel, no header row, too big)."""


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    cells: dict[str, str]


def _key(text: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(text or "")).lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(name: str, content: bytes) -> list[list[str]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        import openpyxl  # noqa: PLC0415 (heavy; loaded only for an .xlsx upload)

        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a broken file
            raise TableError(f"{name} is not a readable Excel .xlsx workbook ({error}).") from error
        sheet = book.worksheets[0]
        rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    raise TableError(f"{name} is not a .csv or .xlsx file.")


def read_table(
    name: str, content: bytes, *, required: Sequence[str], optional: Iterable[str] = ()
) -> list[Row]:
    """Rows of the table as {column: text}, for the `required` and `optional` columns.

    `required` may contain "authority" to mean authority_code or authority_name (either will do).
    Blank rows are skipped. Raises TableError naming what is missing.
    """
    raw = _raw_rows(name, content)
    if len(raw) > MAX_ROWS:
        raise TableError(f"{name} has more than {MAX_ROWS:,} rows.")
    wanted = [*required, *optional]
    columns = {c for c in wanted if c != "authority"}
    if "authority" in wanted:
        columns |= {"authority_code", "authority_name"}
    for index, header in enumerate(raw[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, title in enumerate(header):
            key = _key(title)
            for column in columns:
                if column not in found and (key == _key(column) or key in ALIASES.get(column, ())):
                    found[column] = position
                    break
        if _has_required(found, required):
            return _rows(raw, index, found)
    names = ", ".join(
        c if c != "authority" else "authority_code or authority_name" for c in required
    )
    raise TableError(f"{name} has no header row with the columns {names}.")


def _has_required(found: dict[str, int], required: Sequence[str]) -> bool:
    for column in required:
        if column == "authority":
            if "authority_code" not in found and "authority_name" not in found:
                return False
        elif column not in found:
            return False
    return True


def _rows(raw: list[list[str]], header_index: int, found: dict[str, int]) -> list[Row]:
    rows = []
    for offset, cells in enumerate(raw[header_index + 1 :], start=header_index + 2):
        if not any(cells):
            continue
        rows.append(
            Row(
                offset,
                {
                    column: cells[position] if position < len(cells) else ""
                    for column, position in found.items()
                },
            )
        )
    return rows


def parse_number(text: str) -> Decimal | None:
    """A published figure: `49.6`, `49.6%`, `1,234.5`, `£12.30`; None for "not available".

    Raises ValueError for anything else (text in a number, infinity, NaN).
    """
    cleaned = text.strip()
    if cleaned.lower() in NOT_AVAILABLE:
        return None
    cleaned = cleaned.replace(",", "").replace("£", "").removesuffix("%").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return number
