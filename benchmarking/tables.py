"""Read a benchmarking table from CSV or Excel the way LG Inform and GOV.UK publish them.

No database here: bytes in, `Row`s out. A published table often has a title and notes above
the header row, so the header is the first row (within the first 20) that names the columns we
need; rows above it are ignored. Header names are matched without regard to case, spaces,
underscores or hyphens, and the usual publishers' names are accepted as aliases
(`ONS code`, `Area code`, `Area name`, `Financial year`, `Time period`…). Columns we do not
know are ignored, because published tables carry extra ones (tier, notes).

Row numbers are the spreadsheet's own (the header row of a plain CSV is row 1), so a message
"row 7" points at the row the officer sees in Excel.

`read_benchmarks` takes the layouts published national tables come in (issue 18): one row per
authority and period with a value column, whatever the publisher calls it (Defra's
`pct_household_waste_reuse_recycling_composting`, read as the value because it is the one
column of figures we do not otherwise know), or one row per authority with one column per year
(`2019/20, 2020/21…`, as LG Inform's data tables and many ONS sheets give them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from performance.core import periods

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
        "neighbourcode",
        "neighbouronscode",
        "neighbourgsscode",
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
        "neighbourname",
    ),
    # A published nearest-neighbour table lists the neighbours of several focus authorities.
    "focus_code": ("focusonscode", "focusgsscode", "focusauthoritycode"),
    "focus_name": ("focusauthority", "focusauthorityname"),
    "authority_type": ("authoritytype", "type", "tier", "authoritytier"),
    "period": ("period", "financialyear", "year", "timeperiod", "periodlabel"),
    "value": ("value", "figure", "data"),
}

# How published tables write "no figure": the authority is left without a value for the period.
# `c` is ONS's "confidential", `z` "not applicable", `u` "low reliability"; `NA` is what R
# writes for a missing figure. "NaN" stays an error: it is a broken calculation, not a marker.
NOT_AVAILABLE = {
    "",
    "..",
    ".",
    "-",
    "–",
    "—",
    ":",
    "*",
    "x",
    "c",
    "z",
    "u",
    "[x]",
    "[c]",
    "[z]",
    "[u]",
    "[low]",
    "n/a",
    "na",
}

MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 20


class TableError(ValueError):
    """The file as a whole cannot be read (not CSV/Excel, no header row, too big)."""


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    cells: dict[str, str]
    column: str = ""  # in a wide table, the period column the value came from

    @property
    def where(self) -> str:
        """How a message names the row: "Row 7", or "Row 7, column 2020/21" in a wide table."""
        return f"Row {self.number}" + (f", column {self.column}" if self.column else "")


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


# --- published benchmark tables (issue 18) -------------------------------------------------------

_YEAR_SPAN = re.compile(r"(?:FY\s*)?(\d{4})\s*(?:/|-|–|\sto\s)\s*(\d{2}|\d{4})", re.IGNORECASE)
# Columns of published tables that are never the figure, though they may hold numbers.
_NOT_VALUES = {"rank", "note", "notes", "footnote", "flag", "region", "regioncode", "population"}


def period_text(text: str) -> str:
    """A financial year as Summit writes it (`2019/20`) from the ways tables publish it.

    `2019-20` (Defra), `2019/2020`, `2019-2020` and `2019 to 2020` (GOV.UK style) are the
    year from April 2019; only a span of one year is read so, because `2019-12` is a month.
    Anything else is returned as it came, for `periods.parse` to read or refuse.
    """
    cleaned = text.strip()
    match = _YEAR_SPAN.fullmatch(cleaned)
    if match:
        first, second = int(match[1]), match[2]
        following = first + 1
        if (len(second) == 4 and int(second) == following) or (
            len(second) == 2 and int(second) == following % 100
        ):
            return f"{first}/{following % 100:02d}"
    return cleaned


def _is_period(text: str) -> bool:
    if not re.match(r"^\s*(FY\s*)?\d{4}", text, re.IGNORECASE):
        return False
    try:
        periods.parse(period_text(text))
    except periods.PeriodError:
        return False
    return True


def _is_figure(text: str) -> bool:
    try:
        parse_number(text)
    except ValueError:
        return False
    return True


def read_benchmarks(name: str, content: bytes) -> list[Row]:
    """The rows of a published table as {authority_code, authority_name, period, value}.

    The header is the first row (within the first 20) that names an authority column and
    either a period column or columns headed by years. Long layout: the value is the column
    named `value` (or an alias), else the one other column whose every cell is a figure or a
    "not available" marker; none or several such columns is an error naming them. Wide
    layout: one Row per authority and year column, `column` naming the year as written.
    Raises TableError when no layout fits.
    """
    raw = _raw_rows(name, content)
    if len(raw) > MAX_ROWS:
        raise TableError(f"{name} has more than {MAX_ROWS:,} rows.")
    columns = ("authority_code", "authority_name", "authority_type", "period", "value")
    for index, header in enumerate(raw[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, title in enumerate(header):
            key = _key(title)
            for column in columns:
                if column not in found and (key == _key(column) or key in ALIASES.get(column, ())):
                    found[column] = position
                    break
        if "authority_code" not in found and "authority_name" not in found:
            continue
        if "period" in found:
            if "value" not in found:
                found["value"] = _value_column(name, raw, index, header, found)
            return _rows(raw, index, found)
        years = {
            position: title
            for position, title in enumerate(header)
            if position not in found.values() and _is_period(title)
        }
        if years:
            return _wide_rows(raw, index, found, years)
    raise TableError(
        f"{name} has no header row naming the authority (code or name) and either a period "
        "column or one column per year."
    )


def _value_column(
    name: str, raw: list[list[str]], index: int, header: list[str], found: dict[str, int]
) -> int:
    data = [cells for cells in raw[index + 1 :] if any(cells)]
    candidates = []
    for position, title in enumerate(header):
        if position in found.values() or not title or _key(title) in _NOT_VALUES:
            continue
        cells = [cells[position] if position < len(cells) else "" for cells in data]
        if any(cells) and all(_is_figure(cell) for cell in cells):
            candidates.append((position, title))
    if len(candidates) == 1:
        return candidates[0][0]
    if not candidates:
        raise TableError(f"{name} has a period column but no column of figures to import.")
    named = ", ".join(title for _, title in candidates)
    raise TableError(
        f"{name} has several columns of figures ({named}): rename the one to import 'value'."
    )


def _wide_rows(
    raw: list[list[str]], header_index: int, found: dict[str, int], years: dict[int, str]
) -> list[Row]:
    rows = []
    for offset, cells in enumerate(raw[header_index + 1 :], start=header_index + 2):
        if not any(cells):
            continue
        known = {
            column: cells[position] if position < len(cells) else ""
            for column, position in found.items()
        }
        for position, title in years.items():
            value = cells[position] if position < len(cells) else ""
            rows.append(Row(offset, {**known, "period": title, "value": value}, column=title))
    return rows
