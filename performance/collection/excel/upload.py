"""Upload my returns filled in (SPEC §5): every row checked, then all saved or none.

Policy, in order, each refusal a clear message and nothing written:
1. the file: an `.xlsx` name (`.xlsm` refused: no macros), at most `MAX_BYTES`, a real zip
   whose members expand to at most `MAX_UNCOMPRESSED` in total with no member compressed more
   than `MAX_RATIO` times (zip bombs), holding a workbook and no VBA project;
2. the sheet `Returns` and its header row exactly as downloaded;
3. every row, with the same rules as the My returns form (`rules.clean_entry` and the
   comment rule of `rules.judge`), errors naming the row and the cell;
4. only when every row passes, all rows are saved in one transaction (all or nothing); a value
   changed by someone since the download refuses the whole upload.
Rows whose entry cells are all empty are skipped; rows unchanged from what is stored are skipped.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from performance.collection import due, rules
from performance.collection import services as collection
from performance.collection.excel.layout import (
    COLUMNS,
    ENTRY,
    FIELD,
    LETTER,
    SHEET,
    WITHOUT_FORECAST,
)
from performance.common import audit, cache, hooks
from performance.core import periods
from performance.indicators import selectors
from performance.models import AuditEvent, Value

# A cell the workbook does not have, whose stored value is kept (the forecast of an older
# download).
KEEP = object()
MAX_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 2000
MAX_ROWS = 20000
MAX_ERRORS_SHOWN = 200


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
    if names == WITHOUT_FORECAST:
        # Downloaded before the forecast cells: each row keeps the forecast stored (issue 20).
        width = len(WITHOUT_FORECAST)
        rows = ((*row[:width], *[None] * (width - len(row[:width])), KEEP, KEEP) for row in rows)
        names = COLUMNS
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
            item.key: item for item in due.due_items(due.open_rounds(), enterer=user, history=0)
        }
        return _import(user=user, rows=rows, items=items, submit=submit)
    finally:
        book.close()


def save_rows(*, user, rows: list[dict[str, object]], submit: bool, source: str) -> ImportResult:
    """The upload's checks and all-or-nothing save for rows that come from elsewhere (the API).

    Each row names `indicator` (code), `period` (as written in the due list), `version` (0 for a
    value not yet started) and any of the entry cells; row numbers in errors are 1-based
    positions in `rows`. `source` is the audit trail's reason for new values.
    """
    if submit:
        try:
            hooks.one(hooks.BEFORE_SUBMIT)(user, "Enterer")
        except collection.Refused as error:
            raise UploadRefused(error.message) from None
    due_items = due.due_items(due.open_rounds(), enterer=user, history=0)
    items = {item.key: item for item in due_items}
    keys = {(item.indicator.code, item.period): item.key for item in due_items}

    def cell(row: dict[str, object], column: str) -> object:
        if column == "key":
            return keys.get((str(row.get("indicator")), str(row.get("period"))), "-")
        name = FIELD.get(column, column)
        if name in ("forecast", "forecast_comment") and name not in row:
            # A row that does not mention the forecast keeps the one stored (issue 20).
            item = items.get(str(keys.get((str(row.get("indicator")), str(row.get("period"))))))
            stored = getattr(item.value, name, None) if item and item.value else None
            return stored.normalize() if hasattr(stored, "normalize") else stored
        return row.get(name)

    cells = [tuple(cell(row, column) for column in COLUMNS) for row in rows]
    return _import(
        user=user, rows=cells, items=items, submit=submit, channel="api", source=source, first=1
    )


def _import(
    *,
    user,
    rows,
    items: dict[str, due.DueItem],
    submit: bool,
    channel: str = "excel",
    source: str = "Excel upload",
    first: int = 2,
) -> ImportResult:
    result = ImportResult(submitted=submit)
    parsed: list[tuple[int, due.DueItem, dict, int]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first):
        if number - first + 1 > MAX_ROWS:
            raise UploadRefused(f"The workbook has more than {MAX_ROWS} rows.")
        cells = dict(zip(COLUMNS, list(row) + [None] * (len(COLUMNS) - len(row)), strict=False))
        if all(cells[c] in (None, "", KEEP) for c in COLUMNS):
            continue
        raw = {FIELD[c]: cells[c] for c in ENTRY}
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
        if all(raw[FIELD[c]] in (None, "", KEEP) for c in ENTRY):
            result.skipped += 1
            continue
        for name in ("forecast", "forecast_comment"):
            if raw[name] is KEEP:
                stored = getattr(item.value, name) if item.value is not None else None
                raw[name] = stored.normalize() if isinstance(stored, Decimal) else stored
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
    indicator_rules = hooks.one(hooks.ENTRY_RULES)(
        {item.indicator.id: item.indicator for _, item, _, _ in parsed}.values()
    )

    to_save: list[tuple[int, due.DueItem, rules.Entry, int]] = []
    for number, item, raw, version in parsed:
        entry, errors = rules.clean_entry(
            item.indicator, raw, submit=submit, rules=indicator_rules.get(item.indicator.id)
        )
        stored = item.value
        unchanged = stored is not None and (
            stored.value == entry.value
            and stored.numerator == entry.numerator
            and stored.denominator == entry.denominator
            and stored.comment == entry.comment
            and stored.forecast == entry.forecast
            and stored.forecast_comment == entry.forecast_comment
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
            stale = (
                f"{item.indicator.code} {item.period} is at version {current} (changed by "
                f"{who}); send that version to replace it"
                if channel == "api"
                else f"{item.indicator.code} {item.period} was changed by {who} after you "
                "downloaded the workbook; download it again"
            )
            result.errors.append(CellError(number, f"{LETTER['version']}{number}", stale))
            continue
        if submit and not errors:
            rules.check_outliers(
                item.indicator,
                item.period,
                entry,
                errors,
                data.get(item.indicator.id),
                rules=indicator_rules.get(item.indicator.id),
            )
        if submit and not errors:
            rules.check_comment(
                entry,
                rules.judge(item.indicator, item.period, entry, data.get(item.indicator.id)),
                errors,
            )
        if errors:
            hooks.one(hooks.ENTRY_REJECTED)(
                indicator=item.indicator,
                period=item.period,
                errors=errors,
                channel=channel,
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
            _save(user=user, rows=to_save, submit=submit, result=result, source=source)
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


def _save(*, user, rows, submit: bool, result: ImportResult, source: str) -> None:
    """Write validated rows: values not yet started in bulk, started ones one by one (locked)."""
    now = timezone.now()
    status = Value.Status.SUBMITTED if submit else Value.Status.DRAFT
    fresh: list[Value] = []
    # Values already started are locked in ascending id order, as a bulk activation locks them,
    # so an upload and a manager's bulk action over the same values never deadlock.
    for number, item, entry, version in sorted(
        rows, key=lambda row: row[1].value.pk if row[1].value is not None else 0
    ):
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
                forecast=entry.forecast,
                forecast_comment=entry.forecast_comment,
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
    fields = collection.CREATED
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
                reason=audit.with_channel(source + (", submitted" if submit else "")),
            )
            for value in created
        ],
        batch_size=500,
    )
    # bulk_create sends no signal: without this, pages cached from the values (the dashboard,
    # the data quality board) would not show an upload of new values until something else moved.
    # Only these indicators' figures are recomputed (their stamps; the audit events are theirs).
    cache.touch_indicators({value.indicator_id for value in created}, "indicators", "dataquality")
