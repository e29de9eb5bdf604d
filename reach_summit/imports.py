"""Reading a complaints file (.csv or .xlsx): every row checked, errors named by row and column.

Columns (header row, any order, case-insensitive): `reference, team, stage, received` and the
optional `responded`. `team` is the team's name or slug; dates are `YYYY-MM-DD` or
`DD/MM/YYYY` (or real Excel dates); `stage` defaults to 1 when empty. Extra columns are an
error. The caller imports nothing unless there are no errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from performance.models import Team
from reach_summit import selectors
from reach_summit.services import ComplaintInput

REQUIRED = ["reference", "team", "stage", "received"]
OPTIONAL = ["responded"]
MAX_ROWS = 20_000


@dataclass
class ImportResult:
    items: list[ComplaintInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _rows(filename: str, content: bytes) -> list[list[object]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook  # noqa: PLC0415 (heavy; only for an .xlsx upload)

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a broken file
            raise ValueError(f"{filename} is not a readable Excel workbook ({error}).") from None
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"{filename} is not UTF-8 text; save it as CSV UTF-8.") from None
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise ValueError(f"{filename}: choose a .csv or .xlsx file.")


def parse_date(value: object) -> dt.date:
    """A date from a cell or a form: a date, a datetime, 2024-07-31 or 31/07/2024."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write 2024-07-31 or 31/07/2024)")


def _blank(value: object) -> bool:
    return value is None or str(value).strip() == ""


def read_complaints(filename: str, content: bytes) -> ImportResult:
    result = ImportResult()
    try:
        rows = _rows(filename, content)
    except ValueError as error:
        result.errors.append(str(error))
        return result
    rows = [r for r in rows if any(not _blank(v) for v in r)]
    if not rows:
        result.errors.append("The file is empty: it needs a header row and at least one complaint.")
        return result
    header = [str(v or "").strip().lower() for v in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    extra = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing:
        result.errors.append(f"Header row: missing column(s) {', '.join(missing)}.")
    if extra:
        result.errors.append(
            f"Header row: unknown column(s) {', '.join(repr(c) for c in extra)}; "
            f"expected {', '.join(REQUIRED + OPTIONAL)}."
        )
    if len(header) != len(set(header)):
        result.errors.append("Header row: a column appears twice.")
    if result.errors:
        return result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append(f"The file has more than {MAX_ROWS} complaints; split it.")
        return result

    teams = {}
    for team in Team.objects.only("id", "name", "slug"):
        teams[team.name.casefold()] = team
        teams[team.slug.casefold()] = team
    scales = selectors.timescales_in_force()
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = dict(zip(header, [*raw, *[None] * (len(header) - len(raw))], strict=False))
        problems = []
        reference = str(cells["reference"] or "").strip()
        if not reference:
            problems.append("reference: required")
        elif len(reference) > 40:
            problems.append("reference: at most 40 characters")
        elif reference in seen:
            problems.append(f"reference: {reference} is already on row {seen[reference]}")
        else:
            seen[reference] = number
        team_text = str(cells["team"] or "").strip()
        team = teams.get(team_text.casefold())
        if team is None:
            problems.append(
                f"team: no team called {team_text!r}" if team_text else "team: required"
            )
        stage = 1
        if not _blank(cells["stage"]):
            try:
                stage = int(str(cells["stage"]).strip().removesuffix(".0"))
            except ValueError:
                problems.append(f"stage: {cells['stage']!r} is not a whole number")
        if stage not in scales:
            problems.append(
                f"stage: no timescale for stage {stage} (stages {', '.join(map(str, scales))})"
            )
        received = responded = None
        if _blank(cells["received"]):
            problems.append("received: required")
        else:
            try:
                received = parse_date(cells["received"])
            except ValueError as error:
                problems.append(f"received: {error}")
        if not _blank(cells.get("responded")):
            try:
                responded = parse_date(cells["responded"])
            except ValueError as error:
                problems.append(f"responded: {error}")
        if received and responded and responded < received:
            problems.append("responded: before the date received")
        if problems:
            result.errors.extend(f"Row {number}: {p}." for p in problems)
            continue
        result.items.append(ComplaintInput(reference, team, stage, received, responded))
    if result.errors:
        result.items = []
    return result
