"""Celery tasks of Reach the Summit: interfaces only, the work is in services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from reach_summit import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def freeze_closed_quarters(today: str | None = None) -> list[str]:
    """Freeze every quarter whose window has closed and that is not frozen yet (oldest first).

    Safe to run daily and any number of times: a frozen quarter is never changed here. `today`
    (ISO date) is for replays and tests; by default London's date now.
    """
    day = dt.date.fromisoformat(today) if today else None
    return services.freeze_closed_quarters(today=day)
