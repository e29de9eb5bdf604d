"""Celery interfaces of the reports app: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task

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
        raise self.retry(countdown=int(services.PUBLISH_STALE_AFTER.total_seconds()) + 30)
