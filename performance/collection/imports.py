"""Import of indicator values from .csv and .xlsx files (SPEC §11, §12): activated on import.

`import_values(path=...)` reads the whole file (`performance.common.tables`), validates every row
(its indicator, its period of the indicator's own frequency, its numbers and data quality's
rules, SPEC §9), and only then writes, inside one transaction with the audit trail. Any error
anywhere rejects the whole file, raised as one `ImportRejected` naming every row and column.
Validation uses look-ups read in bulk and the writes of values and their audit events are bulk:
a fixed number of queries per `BATCH` rows, not a few per row (issue 9).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from performance.collection import rules
from performance.common import activations, audit, cache, hooks
from performance.common.tables import (
    CellErrors,
    Row,
    a_or_an,
    number_cell,
    period_cell,
    read_table,
    text_cell,
)

# Re-exported: what callers of this import catch (`imports.ImportRejected`).
from performance.common.tables import ImportRejected as ImportRejected
from performance.core import periods
from performance.indicators import selectors
from performance.models import AuditEvent, Indicator, Value

VALUE_COLUMNS = ("indicator", "period", "value")
# `forecast` is the officer's forecast of the year-end outturn (SPEC §12), and
# `forecast_comment` why (issue 20: what the return form takes, so a file can carry it too).
VALUE_OPTIONAL_COLUMNS = (
    "numerator",
    "denominator",
    "comment",
    "source",
    "forecast",
    "forecast_comment",
)
# Rows per bulk insert or update: a fixed number of queries per this many rows (SQLite's bound
# on query parameters makes Django split further there).
BATCH = 1000


@dataclass(slots=True)
class ValueImport:
    """What `import_values` did."""

    created: int = 0
    replaced: int = 0
    unchanged: int = 0

    @property
    def values(self) -> int:
        return self.created + self.replaced + self.unchanged


@dataclass(frozen=True, slots=True)
class _ValueRow:
    row: Row
    indicator: Indicator
    period: periods.Period
    fields: dict[str, Any]


_VALUE_AUDIT_FIELDS = [
    "value",
    "numerator",
    "denominator",
    "comment",
    "source",
    "forecast",
    "forecast_comment",
    "status",
]


def import_values(*, path: str | Path, actor=None) -> ValueImport:
    """Load values from `path`, activated on import and audited as an import (SPEC §11, §12).

    Each row's period must be of its indicator's own frequency. An existing value for the same
    indicator and period is replaced (audited with before and after); an optional column the file
    does not have leaves that field as it was; a row that changes nothing is left alone. All or nothing: raises `ImportRejected` listing every error, writing nothing.
    """
    table = read_table(path, required=VALUE_COLUMNS, optional=VALUE_OPTIONAL_COLUMNS)
    errors = CellErrors(table)
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


def _check_quality(errors: CellErrors, items: list[_ValueRow], *, actor) -> None:
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


def _value_row(errors: CellErrors, row: Row, indicators: dict[str, Indicator]) -> _ValueRow | None:
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
        period = period_cell(errors, row, "period", period_text)
        if period is not None and indicator is not None and period.kind != indicator.frequency:
            errors.add(
                row,
                "period",
                f"{period} is {a_or_an(period.kind)} period but {indicator.code} is "
                f"{indicator.frequency}.",
            )
    if not row.get("value"):
        errors.add(row, "value", "a value is required.")
    fields: dict[str, Any] = {"value": number_cell(errors, row, "value")}
    # An optional column the file does not have leaves that field of an existing value alone.
    present = errors.table.headers
    for column in ("numerator", "denominator"):
        if column in present:
            fields[column] = number_cell(errors, row, column)
    if "comment" in present:
        fields["comment"] = row.get("comment")
    if "source" in present:
        fields["source"] = text_cell(errors, row, "source", max_length=250, required=False)
    if indicator is not None and ("forecast" in present or "forecast_comment" in present):
        problems: dict[str, str] = {}
        forecast, comment = rules.clean_forecast(
            indicator,
            {"forecast": row.get("forecast"), "forecast_comment": row.get("forecast_comment")},
            problems,
        )
        for column, message in problems.items():
            errors.add(row, column, message[0].lower() + message[1:] + ".")
        if "forecast" in present:
            fields["forecast"] = forecast
        if "forecast_comment" in present:
            fields["forecast_comment"] = comment
    given = [column for column in ("numerator", "denominator") if row.get(column)]
    if len(given) == 1:
        missing = "denominator" if given == ["numerator"] else "numerator"
        errors.add(row, missing, f"a {missing} is required with a {given[0]}.")
    if indicator is not None and len(errors.messages) == before:
        _check_ratio(errors, row, indicator, fields)
    if len(errors.messages) > before:
        return None
    if indicator is None or period is None:  # pragma: no cover - an error was added above
        return None
    return _ValueRow(row=row, indicator=indicator, period=period, fields=fields)


def _check_ratio(
    errors: CellErrors, row: Row, indicator: Indicator, fields: dict[str, Any]
) -> None:
    """A value given with its numerator and denominator must be their ratio, as on the entry
    form (`rules.ratio_of` at the indicator's decimals); else the row names both columns."""
    value, numerator, denominator = (
        fields.get(name) for name in ("value", "numerator", "denominator")
    )
    if value is None or numerator is None or denominator is None or denominator == 0:
        return  # a zero denominator is data quality's to refuse (`_check_quality`)
    computed = rules.ratio_of(indicator, numerator, denominator)
    if not rules.matches_ratio(indicator, value, computed):
        headers = errors.table.headers
        errors.add(
            row,
            "value",
            f"{row.get('value')} does not match {headers.get('numerator', 'numerator')} ÷ "
            f"{headers.get('denominator', 'denominator')} ({computed.normalize()}).",
        )


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
    activations.announce(value.indicator_id for value, _ in audited)
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
