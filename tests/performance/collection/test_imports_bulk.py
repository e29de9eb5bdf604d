"""import_values at size: validated in a fixed number of queries, written in bulk (issue 9).

The bulk write must leave exactly what the old one-row-at-a-time path left: the same values,
statuses and versions, and the same audit events (actor, action, before and after, reason), in
the order of the file's rows. `_row_by_row` below is that old path, kept here as the reference.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dataquality.models import RejectedEntry
from performance.collection import imports
from performance.common import audit, cache
from performance.core import periods
from performance.models import AuditEvent, Generation, Indicator, Value
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HISTORY = ["2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4"]
NEW = ["2020/21 Q1", "2020/21 Q2", "2020/21 Q3", "2020/21 Q4", "2021/22 Q1", "2021/22 Q2"]
# Rows of 50 and of 500 must run under the same bound: a fixed number of queries, not one a row.
QUERY_BOUND = 30


def _indicators(count: int) -> list[Indicator]:
    team = TeamFactory()
    return Indicator.objects.bulk_create(
        Indicator(
            code=f"BK{n:03}",
            title=f"Bulk indicator {n}",
            kind="KPI",
            perspective="process",
            aspect="delivery",
            polarity="higher",
            unit="percent" if n % 2 else "number",
            decimals=1,
            frequency="quarterly",
            aggregation="mean",
            team=team,
        )
        for n in range(count)
    )


def _history(indicators: list[Indicator]) -> None:
    """Four activated quarters each, and one value returned for correction."""
    now = timezone.now()
    Value.objects.bulk_create(
        Value(
            indicator=indicator,
            period=text,
            period_start=periods.parse(text).start,
            value=Decimal(50 + step),
            comment="history",
            source="ledger",
            status=Value.Status.RETURNED if (n, step) == (1, 3) else Value.Status.ACTIVATED,
            return_reason="check it" if (n, step) == (1, 3) else "",
            entered_at=now,
            version=2 if step == 0 else 1,
        )
        for n, indicator in enumerate(indicators)
        for step, text in enumerate(HISTORY)
    )


def _rows(indicators: list[Indicator], count: int) -> list[list[str]]:
    """`count` rows: history quarters replaced or repeated unchanged, then new quarters; some
    without a comment (checked against history as outliers), some with a new source, some
    with a numerator and denominator."""
    rows: list[list[str]] = []
    for period in [*HISTORY, *NEW]:
        for n, indicator in enumerate(indicators):
            step = len(rows)
            if period in HISTORY:
                same = step % 3 == 0
                value = str(50 + HISTORY.index(period)) if same else f"{51 + step % 3}.5"
                comment = "history" if same else ("" if step % 5 == 0 else "Revised figure")
                source = "ledger" if same or step % 2 else "ledger v2"
            else:
                value = f"{50 + step % 4}.{step % 10}"
                comment = "" if step % 4 == 0 else f"Row {step} comment"
                source = "" if n % 2 else "return"
            # Every third row with a numerator and denominator (decimals and blanks to write)
            # that give its value (× 100 for a percentage).
            whole = "100" if indicator.unit == "percent" else "1"
            pair = [value, whole] if step % 3 == 1 else ["", ""]
            rows.append([indicator.code, period, value, comment, source, *pair])
            if len(rows) == count:
                return rows
    raise AssertionError("not enough indicators for the rows asked for")


def _file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["indicator", "period", "value", "comment", "source", "numerator", "denominator"]
        )
        writer.writerows(rows)
    return path


def _row_by_row(items, *, actor, reason: str) -> imports.ValueImport:
    """The write path before issue 9: one save and one audit event a row (the reference)."""
    items = list(items)
    result = imports.ValueImport()
    now = timezone.now()
    person = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    existing = {
        (value.indicator_id, value.period): value
        for value in Value.objects.filter(
            indicator__in={item.indicator.id for item in items},
            period__in={str(item.period) for item in items},
        )
    }
    fields = imports._VALUE_AUDIT_FIELDS
    with transaction.atomic():
        for item in items:
            wanted = {**item.fields, "status": Value.Status.ACTIVATED}
            value = existing.get((item.indicator.id, str(item.period)))
            if value is None:
                value = Value.objects.create(
                    indicator=item.indicator,
                    period=str(item.period),
                    period_start=item.period.start,
                    entered_by=person,
                    entered_at=now,
                    submitted_at=now,
                    activated_by=person,
                    activated_at=now,
                    **wanted,
                )
                changes = {
                    name: [None, after] for name, after in audit.snapshot(value, fields).items()
                }
                audit.record(
                    actor=actor, instance=value, action="import", changes=changes, reason=reason
                )
                result.created += 1
                continue
            before = audit.snapshot(value, fields)
            for name, new in wanted.items():
                setattr(value, name, new)
            changes = audit.diff(before, audit.snapshot(value, fields))
            if not changes:
                result.unchanged += 1
                continue
            value.period_start = item.period.start
            value.entered_by, value.entered_at, value.submitted_at = person, now, now
            value.activated_by, value.activated_at = person, now
            value.return_reason = ""
            value.version += 1
            value.save()
            audit.record(
                actor=actor, instance=value, action="import", changes=changes, reason=reason
            )
            result.replaced += 1
    return result


def _outcome(since: int):
    """Values and the audit events after id `since`, without ids and write times (which differ
    between two runs), events in the order written and naming their value by code and period."""
    values = []
    key_of = {}
    for row in Value.objects.order_by("indicator__code", "period").values():
        key_of[str(row["id"])] = (row["indicator_id"], row["period"])
        stamps = {row["entered_at"], row["submitted_at"], row["activated_at"]}
        if row["activated_at"] is not None:
            # One import writes one time on all three.
            assert len(stamps) == 1
        values.append(
            {
                name: value
                for name, value in row.items()
                if name not in {"id", "entered_at", "submitted_at", "activated_at"}
            }
        )
    events = [
        {
            "actor": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "content_type": event.content_type_id,
            "object": key_of[event.object_id],
            "object_repr": event.object_repr,
            "changes": event.changes,
            "reason": event.reason,
        }
        for event in AuditEvent.objects.filter(id__gt=since).order_by("id")
    ]
    return values, events


class _Undo(Exception):
    pass


def _rolled_back(run):
    """`run()`'s result and outcome, then the database as it was."""
    since = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        with transaction.atomic():
            result = run()
            outcome = _outcome(since)
            raise _Undo
    except _Undo:
        pass
    return result, outcome


@pytest.mark.parametrize("as_person", [False, True])
def test_a_large_import_writes_what_the_row_by_row_path_wrote(tmp_path, monkeypatch, as_person):
    indicators = _indicators(40)
    _history(indicators)
    actor = UserFactory() if as_person else None
    path = _file(tmp_path / "values.csv", _rows(indicators, 300))

    bulk, (values, events) = _rolled_back(lambda: imports.import_values(path=path, actor=actor))
    monkeypatch.setattr(imports, "_write_values", _row_by_row)
    old, (old_values, old_events) = _rolled_back(
        lambda: imports.import_values(path=path, actor=actor)
    )

    assert (bulk.created, bulk.replaced, bulk.unchanged) == (
        old.created,
        old.replaced,
        old.unchanged,
    )
    assert bulk.created == 140
    assert bulk.replaced > 50
    assert bulk.unchanged > 30
    assert values == old_values
    assert any(v["numerator"] is not None for v in values if v["period"] in HISTORY)
    assert events == old_events
    assert len(events) == bulk.created + bulk.replaced
    assert {event["actor_name"] for event in events} == {actor.username if actor else "system"}
    assert {event["reason"] for event in events} == {"Imported from values.csv"}
    returned = next(
        v for v in values if v["indicator_id"] == indicators[1].id and v["period"] == HISTORY[3]
    )
    assert (returned["status"], returned["return_reason"]) == (Value.Status.ACTIVATED, "")


def test_a_large_import_commits_activated_values_and_new_generations(tmp_path):
    indicators = _indicators(40)
    _history(indicators)
    cache.bump("indicators", "dataquality")
    before = dict(Generation.objects.values_list("name", "token"))
    path = _file(tmp_path / "values.csv", _rows(indicators, 300))

    result = imports.import_values(path=path)

    assert result.values == 300
    after = dict(Generation.objects.values_list("name", "token"))
    assert after["indicators"] != before["indicators"]
    assert after["dataquality"] != before["dataquality"]
    new = Value.objects.filter(period__in=NEW)
    assert new.count() == 140
    assert set(new.values_list("status", flat=True)) == {Value.Status.ACTIVATED}
    assert AuditEvent.objects.filter(action="import").count() == result.created + result.replaced
    value = Value.objects.get(indicator=indicators[0], period=NEW[0])
    event = AuditEvent.objects.get(action="import", object_id=str(value.pk))
    assert event.changes["value"] == [None, str(value.value)]
    assert event.object_repr == str(value)


def _state():
    return (
        list(Value.objects.order_by("id").values()),
        list(AuditEvent.objects.order_by("id").values_list("id", flat=True)),
    )


def test_a_bad_row_in_the_middle_leaves_the_database_unchanged(tmp_path):
    indicators = _indicators(40)
    _history(indicators)
    rows = _rows(indicators, 300)
    rows[148][2] = "abc"  # row 150 of the sheet: the header is row 1
    rows[199][0] = "NOPE1"  # row 201
    percent = next(
        n for n in range(220, 300) if Indicator.objects.get(code=rows[n][0]).unit == "percent"
    )
    rows[percent][2] = "150"  # a data quality rule: a percentage over 100
    path = _file(tmp_path / "values.csv", rows)
    before = _state()

    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_values(path=path)

    assert rejected.value.errors == [
        "Row 150, column value: 'abc' is not a number.",
        "Row 201, column indicator: no indicator has the code 'NOPE1'.",
        f"Row {percent + 2}, column value: Value is a percentage and must be between 0 and 100",
    ]
    assert _state() == before
    # The refused entry is kept for the data quality dashboard, as the form and upload keep theirs.
    entry = RejectedEntry.objects.get()
    assert (entry.indicator.code, entry.period, entry.channel, entry.field, entry.raw) == (
        rows[percent][0],
        rows[percent][1],
        "import",
        "value",
        "150",
    )
    assert entry.period_start == periods.parse(rows[percent][1]).start


def test_rejections_of_many_rows_are_recorded_in_one_insert(tmp_path):
    indicators = _indicators(40)
    rows = [
        [i.code, p, "150", "", "", "", ""] for p in NEW for i in indicators if i.unit == "percent"
    ]
    path = _file(tmp_path / "values.csv", rows)
    with CaptureQueriesContext(connection) as queries, pytest.raises(imports.ImportRejected):
        imports.import_values(path=path)
    assert RejectedEntry.objects.count() == len(rows) == 120
    inserts = [
        q for q in queries.captured_queries if 'INSERT INTO "dataquality_rejectedentry"' in q["sql"]
    ]
    assert len(inserts) <= -(-len(rows) // _batch(RejectedEntry))


def _batch(model) -> int:
    """Rows per insert this backend allows (SQLite caps the parameters of one query)."""
    limit = connection.features.max_query_params
    fields = len(model._meta.concrete_fields) - 1  # not the id
    return min(limit // fields, imports.BATCH) if limit else imports.BATCH


def _import_counting(
    tmp_path, name: str, indicators, count: int
) -> tuple[int, imports.ValueImport]:
    path = _file(tmp_path / name, _rows(indicators, count))
    with CaptureQueriesContext(connection) as queries:
        result = imports.import_values(path=path)
    return len(queries.captured_queries), result


def test_the_queries_of_an_import_do_not_grow_with_its_rows(
    tmp_path, django_assert_max_num_queries
):
    indicators = _indicators(60)
    _history(indicators)
    # Warm what only a first import pays for: the generation rows and the cached content type.
    cache.bump("indicators", "dataquality")
    ContentType.objects.get_for_model(Value)
    with django_assert_max_num_queries(QUERY_BOUND):
        small, result = _import_counting(tmp_path, "small.csv", indicators[:10], 50)
    assert result.values == 50
    assert result.created
    assert result.replaced
    with django_assert_max_num_queries(QUERY_BOUND):
        large, result = _import_counting(tmp_path, "large.csv", indicators[10:], 500)
    assert result.values == 500
    assert result.created > 200
    assert result.replaced > 100
    if connection.features.max_query_params is None:  # PostgreSQL: no split batches at all
        assert large == small


def test_an_import_of_an_existing_value_keeps_the_fields_the_file_lacks(tmp_path):
    indicators = _indicators(2)
    _history(indicators)
    path = tmp_path / "values.csv"
    path.write_text(f"indicator,period,value\n{indicators[0].code},{HISTORY[0]},57\n")
    result = imports.import_values(path=path)
    assert (result.created, result.replaced) == (0, 1)
    value = Value.objects.get(indicator=indicators[0], period=HISTORY[0])
    assert (value.value, value.comment, value.source, value.version) == (
        Decimal("57"),
        "history",
        "ledger",
        3,
    )
    assert value.activated_at is not None
    assert value.activated_at <= timezone.now()
    assert value.period_start == dt.date(2019, 4, 1)


@pytest.mark.parametrize(
    "comment",
    ['Said "no", {twice}\\ then NULL', "NULL", "Line one\nline two – £5, 10% ✓", ""],
)
def test_a_replaced_value_keeps_awkward_text_exactly(tmp_path, comment):
    indicators = _indicators(2)
    _history(indicators)
    rows = [
        [indicators[0].code, HISTORY[1], "52.5", comment, "NULL", "", ""],
        [indicators[1].code, HISTORY[2], "50", "plain", 'a "quoted" {source}', "1.5", "3"],
    ]
    result = imports.import_values(path=_file(tmp_path / "values.csv", rows))
    assert result.replaced == 2
    first = Value.objects.get(indicator=indicators[0], period=HISTORY[1])
    assert (first.comment, first.source, first.numerator) == (comment, "NULL", None)
    second = Value.objects.get(indicator=indicators[1], period=HISTORY[2])
    assert (second.source, second.numerator, second.denominator) == (
        'a "quoted" {source}',
        Decimal("1.5"),
        Decimal("3"),
    )


def test_a_value_that_contradicts_its_numerator_and_denominator_is_refused(tmp_path):
    indicator = _indicators(2)[1]  # a percentage, one decimal place
    rows = [[indicator.code, HISTORY[0], "1", "", "", "428", "626"]]
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_values(path=_file(tmp_path / "values.csv", rows))
    assert rejected.value.errors == [
        "Row 2, column value: 1 does not match numerator ÷ denominator (68.370607)."
    ]
    assert not Value.objects.exists()
    rows = [[indicator.code, HISTORY[0], "68.4", "", "", "428", "626"]]
    assert imports.import_values(path=_file(tmp_path / "values.csv", rows)).created == 1
    assert Value.objects.get().value == Decimal("68.4")
