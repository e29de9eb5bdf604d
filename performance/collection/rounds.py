"""Opening collection rounds (SPEC §5): the period a request date asks for, and its round, once.

What a round asks for and its state are read in `due`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from performance.common import audit
from performance.core import periods
from performance.models import CollectionRound


def period_requested_on(*, kind: str, request_date: dt.date) -> periods.Period:
    """The period a request on `request_date` asks for: the one just ended (SPEC §5).

    Strategic actions are asked for on 1 October and 1 April and are labelled with the quarter
    that ends the half-year (2024/25 Q2, 2024/25 Q4), so every round uses the spec's forms.
    """
    day_before = request_date - dt.timedelta(days=1)
    if kind == CollectionRound.Kind.MONTHLY:
        return periods.containing(day_before, periods.Frequency.MONTHLY)
    quarter = periods.containing(day_before, periods.Frequency.QUARTERLY)
    if kind == CollectionRound.Kind.STRATEGIC_ACTIONS and quarter.quarter_number not in (2, 4):
        raise ValueError(
            f"Strategic actions are requested on 1 April and 1 October, not {request_date}."
        )
    return quarter


def open_round(*, kind: str, request_date: dt.date | None = None) -> tuple[CollectionRound, bool]:
    """Open the collection round requested on `request_date` (default: today in London).

    Idempotent: a second call for the same kind and period returns the existing round and
    `False`, however many times beat fires.
    """
    if kind not in CollectionRound.Kind.values:
        raise ValueError(f"Unknown collection round kind {kind!r}.")
    request_date = request_date or timezone.localdate()
    period = period_requested_on(kind=kind, request_date=request_date)
    existing = CollectionRound.objects.filter(kind=kind, period=str(period)).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            round_ = CollectionRound.objects.create(
                kind=kind,
                period=str(period),
                opens_on=request_date,
                closes_on=periods.window_close(request_date, settings.COLLECTION_WINDOW_DAYS),
            )
            audit.created(
                actor=None, instance=round_, fields=["kind", "period", "opens_on", "closes_on"]
            )
    except IntegrityError:
        # Another worker opened it between our read and our insert.
        return CollectionRound.objects.get(kind=kind, period=str(period)), False
    return round_, True
