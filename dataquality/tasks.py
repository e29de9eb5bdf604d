"""Celery interfaces of data quality: thin, ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from dataquality import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def remind_policy_review() -> int:
    """Daily: email the performance officers once when the policy's annual review is due."""
    return services.remind_policy_review()
