"""Celery tasks of the collection cycle: interfaces only, the work is in services.

Task names keep their original `performance.tasks.*` form: beat schedules and queued messages
refer to tasks by name, so moving the module must not rename them.
"""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.db import OperationalError

from performance.collection import reminders
from performance.collection import rounds as services
from performance.common import outbox  # noqa: F401 (outbox registers its relay task)


@shared_task(
    name="performance.tasks.open_collection_round",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def open_collection_round(kind: str, request_date: str | None = None) -> dict:
    """Open the round requested today (or on `request_date`, ISO). Safe to run any number of times."""
    day = dt.date.fromisoformat(request_date) if request_date else None
    round_, created = services.open_round(kind=kind, request_date=day)
    return {"round": round_.pk, "period": round_.period, "created": created}


@shared_task(
    name="performance.tasks.run_collection_day",
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def run_collection_day(self, day: str | None = None) -> dict:
    """Everything the collection cycle needs on `day` (ISO; default today in London).

    Opens the rounds requested that day, records No data after a close, and sends the request
    digests, day-7 chasers, day-9 manager digests and overdue summaries. Safe to run any number
    of times and to retry after a crash: each person gets each day's email once. An email
    claimed by a worker that was killed is sent by a retry once the claim's lease has lapsed.
    """
    when = dt.date.fromisoformat(day) if day else None
    report = reminders.run_day(when)
    if report.held and not self.request.is_eager:
        raise self.retry(
            kwargs={"day": report.day.isoformat()},
            countdown=reminders.LEASE.total_seconds() + 1,
        )
    return report.as_dict()
