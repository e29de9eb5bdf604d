"""Celery interfaces of the reports app: ids in, a service does the work."""

from __future__ import annotations

from celery import shared_task

from performance.reports import services


@shared_task(acks_late=True, ignore_result=True)
def build_report_pdf(job_id: int) -> None:
    """Build one queued PDF. Safe to run any number of times: only a queued job is claimed."""
    services.run_job(job_id)
