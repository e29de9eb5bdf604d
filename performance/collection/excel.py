"""Bulk returns as an Excel workbook (SPEC §5): download my due items, upload them filled.

Download: one row per due item with its definition, target and last value; everything is locked
except the value, numerator, denominator and comment cells, which carry data validation.

Upload policy, in order, each refusal a clear message and nothing written:
1. the file: an `.xlsx` name (`.xlsm` refused: no macros), at most `MAX_BYTES`, a real zip
   whose members expand to at most `MAX_UNCOMPRESSED` in total with no member compressed more
   than `MAX_RATIO` times (zip bombs), holding a workbook and no VBA project;
2. the sheet `Returns` and its header row exactly as downloaded;
3. every row, with the same rules as the My returns form (`collection.clean_entry` and the
   comment rule of `collection.judge`), errors naming the row and the cell;
4. only when every row passes, all rows are saved in one transaction (all or nothing); a value
   changed by someone since the download refuses the whole upload.
Rows whose entry cells are all empty are skipped; rows unchanged from what is stored are skipped.
"""

from __future__ import annotations

import io
import zipfile
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from performance.collection import services as collection
from performance.common import audit, hooks
from performance.core import periods
from performance.indicators import selectors
from performance.models import AuditEvent, Indicator, Value

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
MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
MAX_ROWS = 20000
MAX_ERRORS_SHOWN = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadRefused(Exception):
    """The file as a whole is refused (size, type, zip bomb, sheet, header)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellError:
    row: int
    cell: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, cell {self.cell}: {self.message}"


@dataclass
class ImportResult:
    saved: int = 0
    skipped: int = 0
    submitted: bool = False
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- download ---------------------------------------------------------------------------------


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


def build_workbook(items: list[collection.DueItem]) -> bytes:
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
        cell = WriteOnlyCell(sheet, value=value)
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
            formula1=str(collection.MAX_COMMENT),
            errorTitle="Comment",
            error=f"Keep the comment to {collection.MAX_COMMENT} characters.",
        ),
    }
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
            _plain(value.value) if value and not collection.is_ratio(indicator) else None,
            _plain(value.numerator) if value else None,
            _plain(value.denominator) if value else None,
            value.comment if value else None,
        ]
        sheet.append(
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
            ]
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
    for kind, numbers in rows_of.items():
        for first, last in _runs(numbers):
            if kind == "comment":
                validations["comment"].add(f"{LETTER['comment']}{first}:{LETTER['comment']}{last}")
            else:
                validations[kind].add(f"{LETTER['value']}{first}:{LETTER['value']}{last}")
    for first, last in _runs(sorted(rows_of["comment"])):
        validations["positive"].add(f"{LETTER['numerator']}{first}:{LETTER['denominator']}{last}")

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
            "Percentages are 0 to 100. Counts are whole numbers. Do not add, remove, rename or reorder columns or rows.",
            "Leave a row's yellow cells empty to skip it. Upload the file on the My returns page.",
            "The whole file is checked before anything is saved: if any row has a problem, nothing is saved and every problem is listed by row and cell.",
        ],
        start=1,
    ):
        cell = WriteOnlyCell(guide, value=line or None)
        if number == 1:
            cell.font = Font(bold=True, size=14)
        else:
            cell.alignment = wrap
        guide.append([cell])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- upload -----------------------------------------------------------------------------------


def check_file(name: str, data: bytes) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook."""
    lower = (name or "").lower()
    if lower.endswith(".xlsm"):
        raise UploadRefused(
            "Macro-enabled workbooks (.xlsm) are not accepted. Save the file as an Excel "
            "Workbook (.xlsx) without macros and upload it again."
        )
    if not lower.endswith(".xlsx"):
        raise UploadRefused(
            "The file must be an Excel workbook (.xlsx): download your returns, fill them in "
            "and upload the same file."
        )
    if len(data) > MAX_BYTES:
        raise UploadRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the largest file accepted is "
            f"{MAX_BYTES // 1024 // 1024} MB."
        )
    if not data:
        raise UploadRefused("The file is empty.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused(
            "The file is not an Excel workbook, even though its name ends in .xlsx. "
            "Upload the workbook downloaded from My returns."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise UploadRefused("The workbook has too many parts to be a returns workbook.")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if total > MAX_UNCOMPRESSED or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO):
            raise UploadRefused(
                "The workbook expands to far more data than a returns workbook holds "
                "(a compressed-file bomb?), so it was refused."
            )
    names = {member.filename for member in members}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused(
            "The workbook contains macros, which are not accepted. Save it as an Excel "
            "Workbook (.xlsx) without macros."
        )
    if "xl/workbook.xml" not in names:
        raise UploadRefused(
            "The file is a zip archive but not an Excel workbook. Upload the workbook "
            "downloaded from My returns."
        )


def _rows(data: bytes):
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UploadRefused(
            "The workbook could not be read. Save it again in Excel as .xlsx and retry."
        ) from None
    if SHEET not in book.sheetnames:
        raise UploadRefused(
            f"The workbook has no sheet called “{SHEET}” (it has: "
            f"{', '.join(book.sheetnames)}). Upload the workbook downloaded from My returns."
        )
    sheet = book[SHEET]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise UploadRefused(f"The sheet “{SHEET}” is empty.")
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    while names and names[-1] == "":
        names.pop()
    if names != COLUMNS:
        missing = [c for c in COLUMNS if c not in names]
        extra = [n for n in names if n not in COLUMNS]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected {', '.join(extra)}")
        if not detail:
            detail.append("the columns are in a different order")
        raise UploadRefused(
            f"The header row of “{SHEET}” is not as downloaded ({'; '.join(detail)}). "
            "Download your returns again and copy your figures in."
        )
    return book, rows


def import_workbook(*, user, name: str, data: bytes, submit: bool) -> ImportResult:
    """Validate every row, then save them all or none (see the module docstring)."""
    check_file(name, data)
    if submit:
        try:
            hooks.one(hooks.BEFORE_SUBMIT)(user, "Enterer")
        except collection.Refused as error:
            raise UploadRefused(error.message) from None
    book, rows = _rows(data)
    try:
        items = {
            item.key: item
            for item in collection.due_items(collection.open_rounds(), enterer=user, history=0)
        }
        return _import(user=user, rows=rows, items=items, submit=submit)
    finally:
        book.close()


def _import(*, user, rows, items: dict[str, collection.DueItem], submit: bool) -> ImportResult:
    result = ImportResult(submitted=submit)
    parsed: list[tuple[int, collection.DueItem, dict, int]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise UploadRefused(f"The workbook has more than {MAX_ROWS} rows.")
        cells = dict(zip(COLUMNS, list(row) + [None] * (len(COLUMNS) - len(row)), strict=False))
        if all(cells[c] in (None, "") for c in COLUMNS):
            continue
        raw = {c: cells[c] for c in ENTRY}
        key = str(cells["key"] or "").strip()
        item = items.get(key)
        if item is None:
            result.errors.append(
                CellError(
                    number,
                    f"{LETTER['indicator']}{number}",
                    f"“{cells['indicator'] or key}” {cells['period'] or ''} is not one of your "
                    "due items in an open round",
                )
            )
            continue
        if key in seen:
            result.errors.append(
                CellError(number, f"{LETTER['key']}{number}", f"repeats row {seen[key]}")
            )
            continue
        seen[key] = number
        if all(raw[c] in (None, "") for c in ENTRY):
            result.skipped += 1
            continue
        try:
            version = int(cells["version"] or 0)
        except (TypeError, ValueError):
            result.errors.append(
                CellError(
                    number, f"{LETTER['version']}{number}", "version was changed; do not edit it"
                )
            )
            continue
        parsed.append((number, item, raw, version))

    # History for the comment rule, a fixed number of queries per 500 indicators.
    data: dict[int, object] = {}
    needed = [item.indicator.id for _, item, _, _ in parsed]
    if submit and needed:
        until = max(periods.parse(item.period).end for _, item, _, _ in parsed)
        for start in range(0, len(needed), 500):
            data.update(selectors.indicator_data(needed[start : start + 500], until=until))

    # Validation rules of every indicator in the upload: one query, not one or two per row.
    rules = hooks.one(hooks.ENTRY_RULES)(
        {item.indicator.id: item.indicator for _, item, _, _ in parsed}.values()
    )

    to_save: list[tuple[int, collection.DueItem, collection.Entry, int]] = []
    for number, item, raw, version in parsed:
        entry, errors = collection.clean_entry(
            item.indicator, raw, submit=submit, rules=rules.get(item.indicator.id)
        )
        stored = item.value
        unchanged = stored is not None and (
            stored.value == entry.value
            and stored.numerator == entry.numerator
            and stored.denominator == entry.denominator
            and stored.comment == entry.comment
        )
        if (
            not errors
            and unchanged
            and (
                stored.status == Value.Status.ACTIVATED
                or stored.status == (Value.Status.SUBMITTED if submit else Value.Status.DRAFT)
            )
        ):
            result.skipped += 1
            continue
        if not item.editable:
            result.errors.append(
                CellError(
                    number,
                    f"{LETTER['value']}{number}",
                    f"{item.indicator.code} {item.period} is activated and locked; ask its data "
                    "manager to re-open it",
                )
            )
            continue
        current = stored.version if stored else 0
        if version != current:
            who = stored.changed_by.get_full_name() if stored and stored.changed_by else "someone"
            result.errors.append(
                CellError(
                    number,
                    f"{LETTER['version']}{number}",
                    f"{item.indicator.code} {item.period} was changed by {who} after you "
                    "downloaded the workbook; download it again",
                )
            )
            continue
        if submit and not errors:
            collection.check_outliers(
                item.indicator,
                item.period,
                entry,
                errors,
                data.get(item.indicator.id),
                rules=rules.get(item.indicator.id),
            )
        if submit and not errors:
            collection.check_comment(
                entry,
                collection.judge(item.indicator, item.period, entry, data.get(item.indicator.id)),
                errors,
            )
        if errors:
            hooks.one(hooks.ENTRY_REJECTED)(
                indicator=item.indicator,
                period=item.period,
                errors=errors,
                channel="excel",
                person=user,
                raw=raw,
            )
        for name, message in errors.items():
            result.errors.append(CellError(number, f"{LETTER[name]}{number}", message))
        if not errors:
            to_save.append((number, item, entry, version))
    if result.errors:
        result.errors.sort(key=lambda e: (e.row, e.cell))
        return result
    try:
        with transaction.atomic():
            _save(user=user, rows=to_save, submit=submit, result=result)
    except (collection.CollectionError, IntegrityError):
        result.saved = 0
        if not result.errors:
            result.errors.append(
                CellError(
                    0,
                    "-",
                    "Someone entered one of these values while you were uploading; nothing was "
                    "saved. Download the workbook again.",
                )
            )
        return result
    result.saved = len(to_save)
    return result


def _save(*, user, rows, submit: bool, result: ImportResult) -> None:
    """Write validated rows: values not yet started in bulk, started ones one by one (locked)."""
    now = timezone.now()
    status = Value.Status.SUBMITTED if submit else Value.Status.DRAFT
    fresh: list[Value] = []
    for number, item, entry, version in rows:
        if item.value is not None:
            try:
                collection._store(
                    user=user,
                    indicator=item.indicator,
                    period=item.period,
                    entry=entry,
                    version=version,
                    submit=submit,
                )
            except collection.CollectionError as error:
                result.errors.append(
                    CellError(number, f"{LETTER['indicator']}{number}", error.message)
                )
                raise
            continue
        fresh.append(
            Value(
                indicator=item.indicator,
                period=item.period,
                period_start=periods.parse(item.period).start,
                value=entry.value,
                numerator=entry.numerator,
                denominator=entry.denominator,
                comment=entry.comment,
                status=status,
                entered_by=user,
                entered_at=now,
                submitted_at=now if submit else None,
                changed_by=user,
                changed_at=now,
            )
        )
    if not fresh:
        return
    created = Value.objects.bulk_create(fresh, batch_size=500)
    if any(value.pk is None for value in created):  # a backend that returns no ids
        keys = [(v.indicator_id, v.period) for v in created]
        ids = {
            (i, p): pk
            for pk, i, p in Value.objects.filter(
                indicator_id__in=[k[0] for k in keys], period__in={k[1] for k in keys}
            ).values_list("pk", "indicator_id", "period")
        }
        for value in created:
            value.pk = ids[(value.indicator_id, value.period)]
    content_type = ContentType.objects.get_for_model(Value)
    fields = ["value", "numerator", "denominator", "comment", "status"]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=user,
                actor_name=user.get_username(),
                action="create",
                content_type=content_type,
                object_id=str(value.pk),
                object_repr=str(value)[:250],
                changes={name: [None, v] for name, v in audit.snapshot(value, fields).items()},
                reason="Excel upload" + (", submitted" if submit else ""),
            )
            for value in created
        ],
        batch_size=500,
    )
