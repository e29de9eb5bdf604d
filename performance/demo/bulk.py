"""Writing the demo's many rows fast: `BATCH` rows per INSERT, and `fast_insert` for the
largest tables (targets, values, milestones, monthly progress)."""

from __future__ import annotations

from django.db import connection, models
from django.utils import timezone

BATCH = 2000  # rows per INSERT; Django splits further if the database needs it


def fast_insert(model: type[models.Model], names: tuple[str, ...], rows: list[tuple]) -> int:
    """INSERT `rows` (tuples in the order of `names`, by attname) in batches; return the count.

    Why not `bulk_create`: at the `stress` scale there are a third of a million targets and
    values, and building a model instance and compiling every field of every row costs minutes.
    This writes the same columns through the same database adapters: every concrete field not
    in `names` gets its model default (a field added later with a default keeps working), and
    aware datetimes are adapted as Django adapts them (UTC text on SQLite, as-is on PostgreSQL).
    """
    if not rows:
        return 0
    ops = connection.ops
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    unknown = set(names) - set(fields)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
    now = timezone.now()
    rest = [f for name, f in fields.items() if name not in names]
    tail = tuple(
        f.get_db_prep_save(
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_default(),
            connection,
        )
        for f in rest
    )
    moments = [i for i, name in enumerate(names) if isinstance(fields[name], models.DateTimeField)]
    columns = [fields[name].column for name in names] + [f.column for f in rest]
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} "
        f"({', '.join(ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )

    def adapted(row: tuple) -> tuple:
        if moments:
            cells = list(row)
            for i in moments:
                cells[i] = ops.adapt_datetimefield_value(cells[i])
            row = tuple(cells)
        return row + tail

    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [adapted(row) for row in rows[start : start + BATCH]])
    return len(rows)
