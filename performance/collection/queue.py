"""The activation queue (SPEC §5): the submitted values a data manager may activate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery

from performance.collection.rules import Judgement
from performance.models import Target, Value


@dataclass
class QueueRow:
    value: Value
    target: Decimal | None
    previous: list[tuple[str, Decimal]]
    judgement: Judgement | None = None


def activation_queue(user, *, value_ids: Iterable[int] | None = None) -> list[QueueRow]:
    """Submitted values the person may activate, oldest submission first, with context.

    Two queries whatever the length: the values with their targets, and the history; the level
    of each row is computed from the loaded history (no SPC here: the review page shows it).
    """
    qs = Value.objects.manageable_by(user).filter(status=Value.Status.SUBMITTED)
    if value_ids is not None:
        qs = qs.filter(pk__in=list(value_ids))
    target = Target.objects.filter(
        indicator_id=OuterRef("indicator_id"), period=OuterRef("period")
    ).values("value")[:1]
    rows = list(
        qs.select_related("indicator", "indicator__team", "entered_by", "changed_by")
        .annotate(period_target=Subquery(target))
        .order_by("submitted_at", "indicator__code")
    )
    if not rows:
        return []
    ids = {row.indicator_id for row in rows}
    earliest = min(row.period_start for row in rows)
    history: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    for i, p, start, v in (
        Value.objects.filter(
            indicator_id__in=ids,
            status=Value.Status.ACTIVATED,
            value__isnull=False,
            period_start__gte=dt.date(earliest.year - 2, 1, 1),
        )
        .order_by("-period_start")
        .values_list("indicator_id", "period", "period_start", "value")
    ):
        history[i].append((start, p, v))
    result = []
    for value in rows:
        previous = [
            (p, v) for start, p, v in history[value.indicator_id] if start < value.period_start
        ][:4]
        target = value.period_target
        result.append(QueueRow(value=value, target=target, previous=previous))
    return result
