"""Celery interface of the council workbook: a token in, `jobs.run` does the work."""

from __future__ import annotations

from celery import shared_task

from performance.council import jobs


@shared_task(acks_late=True, ignore_result=True)
def import_workbook(token: str, actor_id: int | None = None) -> None:
    """Import one queued council workbook. Safe to run any number of times: only a queued
    workbook is claimed."""
    jobs.run(token=token, actor_id=actor_id)
