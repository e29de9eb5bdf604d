"""Celery tasks of the performance app: interfaces only, the work is in services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from performance import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def open_collection_round(kind: str, request_date: str | None = None) -> dict:
    """Open the round requested today (or on `request_date`, ISO). Safe to run any number of times."""
    day = dt.date.fromisoformat(request_date) if request_date else None
    round_, created = services.open_round(kind=kind, request_date=day)
    return {"round": round_.pk, "period": round_.period, "created": created}
