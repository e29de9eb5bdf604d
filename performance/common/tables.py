"""Reading import files (SPEC §11, §12): .csv and .xlsx files as checked tables of text cells.

`read_table` reads a file and checks its header; `CellErrors` collects every problem of a file,
each naming its row and column as written ("Row 7, column target 2024/25 Q1: 'abc' is not a
number"), to be raised together as one `ImportRejected`; the `*_cell` helpers read one cell.
Rows are numbered as a spreadsheet shows them: the header is row 1. The indicator import
(`performance.indicators.imports`) and the value import (`performance.collection.imports`) share
them.

Reading policy:
- `.csv` must be UTF-8 (a byte-order mark is accepted, as Excel's "CSV UTF-8" writes one);
  `.xlsx` is read from its first worksheet, formulas by their cached values.
- Header names are matched ignoring case and surrounding or repeated spaces, in any order.
  Missing, unexpected and repeated columns are errors, named together.
- Blank rows are skipped (but still counted, so row numbers match the spreadsheet).
- Numbers: plain decimals, optionally with thousands separators ("1,234.5"); no %, no exponent,
  at most 6 decimal places (what the database keeps). An Excel number cell is read with the 15
  significant digits Excel shows, so 0.1 + 0.2 is 0.3, not 0.30000000000000004.
- An Excel date cell on the 1st of a month is read as that month ("2024-07"), because Excel
  turns a typed 2024-07 into a date; any other date is read as YYYY-MM-DD (not a period).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from performance.core import periods
from performance.core.periods import Frequency

SUFFIXES = (".csv", ".xlsx")
MAX_DECIMALS = 6
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


class ImportRejected(Exception):
    """The file was refused as a whole; `errors` lists every problem found, row by row."""

    def __init__(self, errors: Sequence[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its spreadsheet row number and its cells by canonical column name."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True, slots=True)
class Table:
    """A file's rows; `headers` maps each canonical column name to the header as written."""

    name: str
    headers: dict[str, str]
    rows: tuple[Row, ...]


# --- reading a file -------------------------------------------------------------------------------


def read_file(path: str | Path) -> tuple[str, list[list[str]]]:
    """(file name, rows of cell text) of a .csv or .xlsx file; the header is rows[0].

    Raises `ImportRejected` for a missing, empty, unreadable or non-UTF-8 file or another type.
    """
    path = Path(path)
    name = path.name
    if path.suffix.lower() not in SUFFIXES:
        raise ImportRejected([f"{name} is not a .csv or .xlsx file."])
    if not path.exists():
        raise ImportRejected([f"{path} does not exist."])
    if not path.is_file():
        raise ImportRejected([f"{path} is not a file."])
    if path.stat().st_size == 0:
        raise ImportRejected([f"{name} is empty."])
    rows = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path)
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise ImportRejected([f"{name} is empty."])
    return name, rows


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(
            [
                f"{path.name} is not UTF-8 text (line {line} has a byte UTF-8 cannot read). "
                "Save it as “CSV UTF-8 (comma delimited)” and try again."
            ]
        ) from None
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise ImportRejected([f"{path.name} is not a readable CSV file: {error}."]) from None


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl  # noqa: PLC0415 (heavy; only an .xlsx file needs it)

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise ImportRejected([f"{path.name} is not a readable Excel workbook (.xlsx)."]) from None
    try:
        if not workbook.worksheets:
            raise ImportRejected([f"{path.name} has no worksheet."])
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # What Excel shows: 15 significant digits, so binary noise does not reach the database.
        return format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        has_time = isinstance(value, dt.datetime) and value.time() != dt.time(0)
        if day.day == 1 and not has_time:
            return f"{day:%Y-%m}"
        return day.isoformat()
    return str(value)


def _canonical(header: str) -> str:
    return " ".join(header.split()).lower()


def read_table(
    path: str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    extra: re.Pattern[str] | None = None,
) -> Table:
    """Read `path` and check its header: every `required` column, any of `optional`, and any
    column matching `extra` (the `target <period>` columns). Anything else is an error."""
    name, raw = read_file(path)
    header = [" ".join(cell.split()) for cell in raw[0]]
    while header and not header[-1]:
        header.pop()
    errors: list[str] = []
    headers: dict[str, str] = {}
    names: list[str] = []
    allowed = {*required, *optional}
    unexpected: list[str] = []
    for position, written in enumerate(header, start=1):
        canonical = _canonical(written)
        is_extra = extra is not None and extra.fullmatch(canonical) is not None
        names.append(canonical)
        if not written:
            errors.append(f"Header row, column {position}: the column has no name.")
        elif not is_extra and canonical not in allowed:
            unexpected.append(written)
        elif canonical in headers:
            errors.append(f"Header row: column {written!r} appears more than once.")
        else:
            headers[canonical] = written
    missing = [column for column in required if column not in headers]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        errors.append(f"Header row: missing column{plural}: {', '.join(missing)}.")
    if unexpected:
        plural = "s" if len(unexpected) > 1 else ""
        expected = ", ".join([*required, *optional, *(["target <period>"] if extra else [])])
        errors.append(
            f"Header row: unexpected column{plural}: {', '.join(unexpected)} "
            f"(the columns are {expected})."
        )
    if errors:
        raise ImportRejected(errors)
    rows: list[Row] = []
    for index, cells in enumerate(raw[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        overflow = [cell for cell in cells[len(names) :] if cell.strip()]
        if overflow:
            errors.append(
                f"Row {index}: {len(cells)} cells but the header has {len(names)} columns "
                f"(extra text {overflow[0]!r})."
            )
            continue
        padded = [*cells, *[""] * (len(names) - len(cells))]
        rows.append(Row(index, {names[i]: padded[i].strip() for i in range(len(names))}))
    if errors:
        raise ImportRejected(errors)
    if not rows:
        raise ImportRejected([f"{name} has a header but no data rows."])
    return Table(name=name, headers=headers, rows=tuple(rows))


# --- cell validation ------------------------------------------------------------------------------


@dataclass(slots=True)
class CellErrors:
    """Errors of one file, each naming its row and column as written in the header."""

    table: Table
    messages: list[str] = field(default_factory=list)

    def add(self, row: Row, column: str | None, message: str) -> None:
        if column is None:
            self.messages.append(f"Row {row.number}: {message}")
        else:
            written = self.table.headers.get(column, column)
            self.messages.append(f"Row {row.number}, column {written}: {message}")

    def raise_if_any(self) -> None:
        if self.messages:
            raise ImportRejected(self.messages)


def parse_number(text: str, *, places: int = MAX_DECIMALS) -> Decimal:
    """A decimal from cell text; `ValueError` with a message for anything else."""
    cleaned = text.strip()
    if _GROUPED_RE.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if cleaned.endswith("%") and _NUMBER_RE.fullmatch(cleaned[:-1].strip()):
        raise ValueError(f"{text!r} is not a number (write it without the % sign)")
    if not _NUMBER_RE.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not a number")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"{text!r} is not a number") from None
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > places and number != number.quantize(Decimal(1).scaleb(-places)):
        if places == 0:
            raise ValueError(f"{text!r} is not a whole number")
        raise ValueError(f"{text!r} has more than {places} decimal places")
    return number


def number_cell(
    errors: CellErrors,
    row: Row,
    column: str,
    *,
    places: int = MAX_DECIMALS,
    digits: int = 18,
    minimum: Decimal | None = None,
) -> Decimal | None:
    """The cell as a Decimal quantized to `places` (as the database keeps it), None when empty."""
    text = row.get(column)
    if not text:
        return None
    try:
        number = parse_number(text, places=places)
    except ValueError as error:
        errors.add(row, column, f"{error}.")
        return None
    if minimum is not None and number < minimum:
        errors.add(row, column, f"{text!r} must be {minimum} or more.")
        return None
    # Check the size before quantizing: a huge number would overflow the decimal context.
    if not number.is_zero() and number.adjusted() + 1 > digits - places:
        errors.add(row, column, f"{text!r} is too large.")
        return None
    quantized = number.quantize(Decimal(1).scaleb(-places))
    if len(quantized.as_tuple().digits) > digits:
        errors.add(row, column, f"{text!r} is too large.")
        return None
    return quantized


def text_cell(errors: CellErrors, row: Row, column: str, *, max_length: int, required: bool) -> str:
    text = row.get(column)
    if required and not text:
        errors.add(row, column, "a value is required.")
    elif len(text) > max_length:
        errors.add(row, column, f"{len(text)} characters; at most {max_length} are allowed.")
    return text


def date_cell(
    errors: CellErrors, row: Row, column: str, *, required: bool = False
) -> dt.date | None:
    """A date written YYYY-MM-DD (an Excel date cell reads so), or None when empty; an error
    naming the row and column otherwise (or when empty and `required`)."""
    text = row.get(column)
    if not text:
        if required:
            errors.add(row, column, "a value is required.")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(row, column, f"{text!r} is not a date written YYYY-MM-DD.")
        return None


def period_cell(errors: CellErrors, row: Row, column: str, text: str) -> periods.Period | None:
    try:
        return periods.parse(text)
    except periods.PeriodError as error:
        errors.add(row, column, f"{error}.")
        return None


def a_or_an(kind: Frequency) -> str:
    """A period kind with its article, for messages: "an annual", "a quarterly"."""
    return f"an {kind.value}" if kind is Frequency.ANNUAL else f"a {kind.value}"
