"""Celery tasks of risk management: interfaces only, the work is in `risks.alerts`."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.db import OperationalError

from performance.common import outbox  # noqa: F401 (outbox registers its relay task)
from performance.risks import alerts, services


@shared_task(
    name="performance.risks.tasks.send_kri_alert",
    acks_late=True,
    autoretry_for=(OperationalError, smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_kri_alert(alert_id: int) -> bool:
    """Ask the risk's owner for a review now. Safe to run any number of times: sent once."""
    return alerts.send_alert(alert_id)


@shared_task(
    name="performance.risks.tasks.check_kri_alerts",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def check_kri_alerts() -> dict:
    """Bring the key risk indicator alerts up to date (beat, every few minutes; cheap when no
    indicator figure changed)."""
    report = services.sync_kri_alerts()
    return {"checked": report.checked, "raised": len(report.raised), "resolved": report.resolved}
