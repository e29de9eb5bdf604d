"""Imports of indicator definitions, targets and values from .csv and .xlsx files (SPEC §11, §12).

Services: `import_indicators(path=...)` and `import_values(path=...)`. Each reads the whole file,
validates every row against the model's choices and the period rules, and only then writes,
inside one transaction with the audit trail. Any error anywhere rejects the whole file: nothing
is half-imported. Errors are collected, not stopped at the first, and raised together as one
`ImportRejected` whose `errors` name the row and the column ("Row 7, column target 2024/25 Q1:
'abc' is not a number"). Rows are numbered as a spreadsheet shows them: the header is row 1.
`import_values` validates with look-ups read in bulk and writes values and their audit events
in bulk: a fixed number of queries per `BATCH` rows, not a few per row (issue 9).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from performance.common import audit, cache, hooks
from performance.core import periods
from performance.core.periods import Frequency
from performance.indicators import selectors
from performance.models import AuditEvent, Indicator, Target, Team, Value

SUFFIXES = (".csv", ".xlsx")

INDICATOR_COLUMNS = (
    "code",
    "title",
    "kind",
    "perspective",
    "aspect",
    "polarity",
    "unit",
    "decimals",
    "frequency",
    "aggregation",
    "team",
    "tolerance",
    "baseline",
    "baseline_period",
)
VALUE_COLUMNS = ("indicator", "period", "value")
VALUE_OPTIONAL_COLUMNS = ("numerator", "denominator", "comment", "source")

# Enumerated columns of import_indicators and the model choices they must match.
CHOICES: dict[str, type[Any]] = {
    "kind": Indicator.Kind,
    "perspective": Indicator.Perspective,
    "aspect": Indicator.Aspect,
    "polarity": Indicator.PolarityChoice,
    "unit": Indicator.Unit,
    "frequency": Indicator.FrequencyChoice,
    "aggregation": Indicator.AggregationChoice,
}
REQUIRED_INDICATOR_CELLS = ("code", "title", *CHOICES)

MAX_DECIMALS = 6
# Rows per bulk insert or update: a fixed number of queries per this many rows (SQLite's bound
# on query parameters makes Django split further there).
BATCH = 1000
_TARGET_RE = re.compile(r"target\s+(.*)", re.IGNORECASE)
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_FREQUENCY_ORDER = {Frequency.MONTHLY: 0, Frequency.QUARTERLY: 1, Frequency.ANNUAL: 2}


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


@dataclass(slots=True)
class IndicatorImport:
    """What `import_indicators` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    targets_created: int = 0
    targets_updated: int = 0

    @property
    def indicators(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(slots=True)
class ValueImport:
    """What `import_values` did."""

    created: int = 0
    replaced: int = 0
    unchanged: int = 0

    @property
    def values(self) -> int:
        return self.created + self.replaced + self.unchanged


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


def _a(kind: Frequency) -> str:
    return f"an {kind.value}" if kind is Frequency.ANNUAL else f"a {kind.value}"


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
class _Errors:
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


def _number(
    errors: _Errors,
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


def _text(errors: _Errors, row: Row, column: str, *, max_length: int, required: bool) -> str:
    text = row.get(column)
    if required and not text:
        errors.add(row, column, "a value is required.")
    elif len(text) > max_length:
        errors.add(row, column, f"{len(text)} characters; at most {max_length} are allowed.")
    return text


def _choice(errors: _Errors, row: Row, column: str, *, required: bool) -> str | None:
    text = row.get(column)
    if not text:
        if required:
            errors.add(row, column, "a value is required.")
        return None
    options = CHOICES[column].values
    for option in options:
        if option.lower() == text.lower():
            return option
    errors.add(row, column, f"{text!r} is not one of {', '.join(options)}.")
    return None


def _period(errors: _Errors, row: Row, column: str, text: str) -> periods.Period | None:
    try:
        return periods.parse(text)
    except periods.PeriodError as error:
        errors.add(row, column, f"{error}.")
        return None


# --- import_indicators ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _IndicatorRow:
    row: Row
    fields: dict[str, Any]
    targets: tuple[tuple[periods.Period, Decimal, str], ...]  # (period, value, column)


def import_indicators(*, path: str | Path, actor=None) -> IndicatorImport:
    """Create or update indicators and upsert their targets from `path` (SPEC §12).

    An existing code is updated (audited field by field), a new one created (audited as a
    creation). Empty optional cells mean the default: no team, 0 decimals, the default 10%
    tolerance, no baseline. An empty target cell leaves that period's target as it is.
    All or nothing: raises `ImportRejected` listing every error, and then writes nothing.
    """
    table = read_table(path, required=INDICATOR_COLUMNS, extra=_TARGET_RE)
    errors = _Errors(table)
    target_periods = _target_columns(table, errors)
    errors.raise_if_any()

    teams_by_key: dict[str, Team] = {}
    for team in Team.objects.all():
        teams_by_key[team.name.casefold()] = team
        teams_by_key.setdefault(team.slug.casefold(), team)

    parsed: list[_IndicatorRow] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        item = _indicator_row(errors, row, teams_by_key, target_periods)
        code = row.get("code")
        if code:
            if code in first_row_of:
                errors.add(row, "code", f"{code!r} is already defined in row {first_row_of[code]}.")
            else:
                first_row_of[code] = row.number
        if item is not None:
            parsed.append(item)
    errors.raise_if_any()
    return _write_indicators(parsed, actor=actor, reason=f"Imported from {table.name}")


def _target_columns(table: Table, errors: _Errors) -> dict[str, periods.Period]:
    result = {}
    seen: dict[str, str] = {}
    for column, written in table.headers.items():
        if not column.startswith("target "):
            continue
        text = written.split(None, 1)[1] if len(written.split(None, 1)) == 2 else ""
        try:
            period = periods.parse(text)
        except periods.PeriodError as error:
            errors.messages.append(f"Header row, column {written}: {error}.")
            continue
        if str(period) in seen:
            errors.messages.append(
                f"Header row, column {written}: the same period as column {seen[str(period)]}."
            )
            continue
        seen[str(period)] = written
        result[column] = period
    return result


def _indicator_row(
    errors: _Errors,
    row: Row,
    teams_by_key: dict[str, Team],
    target_periods: dict[str, periods.Period],
) -> _IndicatorRow | None:
    before = len(errors.messages)
    fields: dict[str, Any] = {
        "title": _text(errors, row, "title", max_length=250, required=True),
    }
    _text(errors, row, "code", max_length=20, required=True)
    for column in CHOICES:
        fields[column] = _choice(errors, row, column, required=True)

    decimals = _number(errors, row, "decimals", places=0, minimum=Decimal(0))
    if decimals is not None and decimals > MAX_DECIMALS:
        errors.add(row, "decimals", f"{row.get('decimals')!r} must be from 0 to {MAX_DECIMALS}.")
    fields["decimals"] = int(decimals) if decimals is not None else 0

    team_text = row.get("team")
    team = teams_by_key.get(team_text.casefold()) if team_text else None
    if team_text and team is None:
        errors.add(row, "team", f"no team is called {team_text!r} (by name or slug).")
    fields["team"] = team

    fields["tolerance"] = _number(errors, row, "tolerance", places=2, digits=6, minimum=Decimal(0))
    fields["baseline"] = _number(errors, row, "baseline")
    baseline_period = row.get("baseline_period")
    parsed_baseline = (
        _period(errors, row, "baseline_period", baseline_period) if baseline_period else None
    )
    fields["baseline_period"] = str(parsed_baseline) if parsed_baseline else ""

    frequency = fields["frequency"]
    data_only = fields["polarity"] == Indicator.PolarityChoice.NONE
    targets = []
    for column, period in target_periods.items():
        if not row.get(column):
            continue
        value = _number(errors, row, column)
        if data_only:
            errors.add(row, column, "a data-only indicator (polarity none) has no targets.")
            continue
        if (
            frequency is not None
            and _FREQUENCY_ORDER[period.kind] < _FREQUENCY_ORDER[Frequency(frequency)]
        ):
            errors.add(
                row,
                column,
                f"{period} is {_a(period.kind)} period, finer than this {frequency} indicator.",
            )
            continue
        if value is not None:
            targets.append((period, value, column))
    if len(errors.messages) > before:
        return None
    return _IndicatorRow(row=row, fields=fields, targets=tuple(targets))


_INDICATOR_AUDIT_FIELDS = ["code", *INDICATOR_COLUMNS[1:]]
_TARGET_AUDIT_FIELDS = ["indicator", "period", "period_start", "value"]


@transaction.atomic
def _write_indicators(items: Iterable[_IndicatorRow], *, actor, reason: str) -> IndicatorImport:
    items = list(items)
    result = IndicatorImport()
    existing = Indicator.objects.in_bulk(
        [item.row.get("code") for item in items], field_name="code"
    )
    targets_of: dict[tuple[int, str], Target] = {
        (target.indicator_id, target.period): target
        for target in Target.objects.filter(indicator__in=list(existing.values()))
    }
    for item in items:
        code = item.row.get("code")
        indicator = existing.get(code)
        if indicator is None:
            indicator = Indicator.objects.create(code=code, **item.fields)
            audit.created(
                actor=actor, instance=indicator, fields=_INDICATOR_AUDIT_FIELDS, reason=reason
            )
            result.created += 1
        elif audit.update(actor=actor, instance=indicator, reason=reason, **item.fields):
            result.updated += 1
        else:
            result.unchanged += 1
        for period, value, _column in item.targets:
            target = targets_of.get((indicator.id, str(period)))
            if target is None:
                target = Target.objects.create(
                    indicator=indicator, period=str(period), period_start=period.start, value=value
                )
                audit.created(
                    actor=actor, instance=target, fields=_TARGET_AUDIT_FIELDS, reason=reason
                )
                result.targets_created += 1
            elif audit.update(actor=actor, instance=target, reason=reason, value=value):
                result.targets_updated += 1
    return result


# --- import_values --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ValueRow:
    row: Row
    indicator: Indicator
    period: periods.Period
    fields: dict[str, Any]


_VALUE_AUDIT_FIELDS = ["value", "numerator", "denominator", "comment", "source", "status"]


def import_values(*, path: str | Path, actor=None) -> ValueImport:
    """Load values from `path`, activated on import and audited as an import (SPEC §11, §12).

    Each row's period must be of its indicator's own frequency. An existing value for the same
    indicator and period is replaced (audited with before and after); an optional column the file
    does not have leaves that field as it was; a row that changes nothing is left alone. All or nothing: raises `ImportRejected` listing every error, writing nothing.
    """
    table = read_table(path, required=VALUE_COLUMNS, optional=VALUE_OPTIONAL_COLUMNS)
    errors = _Errors(table)
    codes = {row.get("indicator") for row in table.rows if row.get("indicator")}
    indicators = Indicator.objects.in_bulk(list(codes), field_name="code")

    parsed: list[_ValueRow] = []
    first_row_of: dict[tuple[int, str], int] = {}
    for row in table.rows:
        item = _value_row(errors, row, indicators)
        if item is None:
            continue
        key = (item.indicator.id, str(item.period))
        if key in first_row_of:
            errors.add(
                row,
                None,
                f"{item.indicator.code} {item.period} is already given in row {first_row_of[key]}.",
            )
            continue
        first_row_of[key] = row.number
        parsed.append(item)
    _check_quality(errors, parsed, actor=actor)
    errors.raise_if_any()
    return _write_values(parsed, actor=actor, reason=f"Imported from {table.name}")


def _check_quality(errors: _Errors, items: list[_ValueRow], *, actor) -> None:
    """Data quality's rules (SPEC §9), the same as the form's and the Excel upload's; refused
    rows are recorded for the dashboard. History is read in bulk (a fixed number of queries)."""
    if not items:
        return
    # Only a row without a comment is checked against its history (the outlier rule), so only
    # those rows' indicators have their history read; any other row passes data=None, which
    # `problems_for` never reads for a row with a comment.
    needing = [item for item in items if not (item.fields.get("comment") or "").strip()]
    history = (
        selectors.indicator_data(
            {item.indicator.id for item in needing}, until=max(item.period.end for item in items)
        )
        if needing
        else {}
    )
    rules = hooks.one(hooks.ENTRY_RULES)({item.indicator for item in items})
    problems = hooks.one(hooks.ENTRY_PROBLEMS)
    refused: list[tuple[Indicator, periods.Period, dict[str, str], dict[str, str]]] = []
    for item in items:
        found = problems(
            item.indicator,
            str(item.period),
            value=item.fields["value"],
            numerator=item.fields.get("numerator"),
            denominator=item.fields.get("denominator"),
            comment=item.fields.get("comment") or "",
            source=item.fields.get("source") or "",
            submit=True,
            data=history.get(item.indicator.id),
            rules=rules[item.indicator.id],
        )
        for column, message in found.items():
            errors.add(item.row, column, message)
        if found:
            refused.append((item.indicator, item.period, found, item.row.cells))
    # Kept even though the file is rejected: the dashboard counts them.
    if refused:
        hooks.one(hooks.ENTRIES_REJECTED_IN_BULK)(refused, actor=actor)


def _value_row(errors: _Errors, row: Row, indicators: dict[str, Indicator]) -> _ValueRow | None:
    before = len(errors.messages)
    code = row.get("indicator")
    indicator = indicators.get(code) if code else None
    if not code:
        errors.add(row, "indicator", "a value is required.")
    elif indicator is None:
        errors.add(row, "indicator", f"no indicator has the code {code!r}.")
    period = None
    period_text = row.get("period")
    if not period_text:
        errors.add(row, "period", "a value is required.")
    else:
        period = _period(errors, row, "period", period_text)
        if period is not None and indicator is not None and period.kind != indicator.frequency:
            errors.add(
                row,
                "period",
                f"{period} is {_a(period.kind)} period but {indicator.code} is "
                f"{indicator.frequency}.",
            )
    if not row.get("value"):
        errors.add(row, "value", "a value is required.")
    fields: dict[str, Any] = {"value": _number(errors, row, "value")}
    # An optional column the file does not have leaves that field of an existing value alone.
    present = errors.table.headers
    for column in ("numerator", "denominator"):
        if column in present:
            fields[column] = _number(errors, row, column)
    if "comment" in present:
        fields["comment"] = row.get("comment")
    if "source" in present:
        fields["source"] = _text(errors, row, "source", max_length=250, required=False)
    given = [column for column in ("numerator", "denominator") if row.get(column)]
    if len(given) == 1:
        missing = "denominator" if given == ["numerator"] else "numerator"
        errors.add(row, missing, f"a {missing} is required with a {given[0]}.")
    if len(errors.messages) > before:
        return None
    if indicator is None or period is None:  # pragma: no cover - an error was added above
        return None
    return _ValueRow(row=row, indicator=indicator, period=period, fields=fields)


# Fields an import may change on an existing value (what `_write_values` sets), for bulk_update.
_VALUE_UPDATE_FIELDS = [
    *_VALUE_AUDIT_FIELDS,
    "period_start",
    "entered_by",
    "entered_at",
    "submitted_at",
    "activated_by",
    "activated_at",
    "return_reason",
    "version",
]


@transaction.atomic
def _write_values(items: Iterable[_ValueRow], *, actor, reason: str) -> ValueImport:
    """Write validated rows in bulk: new values by bulk_create, replaced ones by
    `_update_values`, one `import` audit event each (as `audit.record` writes it), a fixed
    number of queries per `BATCH` rows, in one transaction with the cache generations bumped
    (bulk writes send no signals). Existing rows are locked while they are replaced."""
    items = list(items)
    result = ValueImport()
    if not items:
        return result
    now = timezone.now()
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    person = actor if is_person else None
    texts = [str(item.period) for item in items]
    existing: dict[tuple[int, str], Value] = {
        (value.indicator_id, value.period): value
        for value in Value.objects.select_for_update().filter(
            indicator__in={item.indicator.id for item in items}, period__in=set(texts)
        )
    }
    fresh: list[Value] = []
    replaced: list[Value] = []
    # (value, changes) in file order, so the audit events come out in the order of the rows.
    audited: list[tuple[Value, dict[str, list[Any]]]] = []
    for item, period in zip(items, texts, strict=True):
        wanted = {**item.fields, "status": Value.Status.ACTIVATED}
        value = existing.get((item.indicator.id, period))
        if value is None:
            value = Value(
                indicator=item.indicator,
                period=period,
                period_start=item.period.start,
                entered_by=person,
                entered_at=now,
                submitted_at=now,
                activated_by=person,
                activated_at=now,
                **wanted,
            )
            changes = {name: [None, after] for name, after in _snapshot(value).items()}
            fresh.append(value)
            audited.append((value, changes))
            result.created += 1
            continue
        value.indicator = item.indicator  # the same row, already loaded: str(value) needs it
        before = _snapshot(value)
        for name, new in wanted.items():
            setattr(value, name, new)
        changes = audit.diff(before, _snapshot(value))
        if not changes:
            result.unchanged += 1
            continue
        value.period_start = item.period.start
        value.entered_by, value.entered_at, value.submitted_at = person, now, now
        value.activated_by, value.activated_at = person, now
        value.return_reason = ""
        value.version += 1
        replaced.append(value)
        audited.append((value, changes))
        result.replaced += 1
    if fresh:
        _insert_values(fresh)
    if replaced:
        _update_values(replaced)
    if not audited:
        return result
    content_type = ContentType.objects.get_for_model(Value, for_concrete_model=False)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=person,
                actor_name=actor.get_username() if is_person else "system",
                action="import",
                content_type=content_type,
                object_id=str(value.pk),
                object_repr=str(value)[:250],
                changes=changes or {},
                reason=reason,
            )
            for value, changes in audited
        ],
        batch_size=BATCH,
    )
    cache.bump("indicators", "dataquality")
    return result


def _snapshot(value: Value) -> dict[str, Any]:
    """`audit.snapshot(value, _VALUE_AUDIT_FIELDS)` without its per-field meta look-ups (these
    fields are plain columns, their attribute names their field names)."""
    return {name: audit._plain(getattr(value, name)) for name in _VALUE_AUDIT_FIELDS}


def _update_values(values: list[Value]) -> None:
    """Save `_VALUE_UPDATE_FIELDS` of `values` (rows locked by the caller), `BATCH` rows a query.

    On PostgreSQL one `UPDATE … FROM unnest(arrays)` per batch: Django's bulk_update builds a
    CASE WHEN per field per row, seconds of CPU for thousands of rows. Elsewhere bulk_update.
    """
    if connection.vendor != "postgresql":
        Value.objects.bulk_update(values, _VALUE_UPDATE_FIELDS, batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    fields = [Value._meta.get_field(name) for name in _VALUE_UPDATE_FIELDS]
    key = Value._meta.pk
    columns = [key, *fields]
    sql = "UPDATE {table} SET {sets} FROM (SELECT {unnest}) AS new WHERE {table}.{id} = new.{id}"
    sql = sql.format(
        table=quote(Value._meta.db_table),
        id=quote(key.column),
        sets=", ".join(f"{quote(f.column)} = new.{quote(f.column)}" for f in fields),
        unnest=", ".join(
            f"unnest(%s::{f.cast_db_type(connection)}[]) AS {quote(f.column)}" for f in columns
        ),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            batch = values[start : start + BATCH]
            cursor.execute(
                sql,
                [
                    [f.get_db_prep_save(getattr(v, f.attname), connection) for v in batch]
                    for f in columns
                ],
            )


def _insert_values(values: list[Value]) -> None:
    """bulk_create `values`, making sure each has its primary key (for its audit event)."""
    Value.objects.bulk_create(values, batch_size=BATCH)
    if all(value.pk is not None for value in values):
        return
    ids = {  # pragma: no cover - a backend that returns no ids from a bulk insert
        (indicator_id, period): pk
        for pk, indicator_id, period in Value.objects.filter(
            indicator_id__in={value.indicator_id for value in values},
            period__in={value.period for value in values},
        ).values_list("pk", "indicator_id", "period")
    }
    for value in values:  # pragma: no cover
        value.pk = ids[(value.indicator_id, value.period)]
