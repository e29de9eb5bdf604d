"""Celery interfaces of the reports app: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from performance.reports import services


@shared_task(acks_late=True, ignore_result=True)
def build_report_pdf(job_id: int) -> None:
    """Build one queued PDF. Safe to run any number of times: only a queued job is claimed."""
    services.run_job(job_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=3)
def publish_report(self, job_id: int) -> None:
    """Publish one queued publication job. Safe to run any number of times: the job publishes
    at most one version. Redelivered after a killed worker while the job still looks claimed,
    it waits for the claim to go stale and tries again."""
    if services.run_publication(job_id) is services.Run.BUSY:
        raise self.retry(countdown=retry_in())


def retry_in() -> int:
    """Seconds before a busy publication is tried again: once its claim has gone stale, but never
    past the broker's visibility timeout. Redis hands a retry still waiting then to a worker
    again (issue 21: with several workers, a second copy, then a third); a retry that comes
    early finds the claim still fresh and waits once more."""
    wanted = int(services.PUBLISH_STALE_AFTER.total_seconds()) + 30
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    return min(wanted, int(visibility) - 60) if visibility else wanted
