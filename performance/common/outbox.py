"""A small transactional outbox for Celery tasks (use `enqueue` instead of `.delay()`).

Why: `.delay()` inside a request talks to the broker there and then. With Redis down it blocks,
retries and finally raises, so the person's save fails (or, called on commit, the work is lost).
`enqueue` writes an `OutboxMessage` row in the caller's transaction instead, and publishes it
once that transaction commits. If publishing fails the row simply waits: the relay publishes it
when the broker answers again.

Delivery is at least once: a crash between publishing and marking the row published sends it
again on the next relay. Summit's tasks are idempotent (SPEC §5, STYLE "An idempotent task"), and
each message carries the stable task id `outbox-<pk>` so a duplicate is recognisable in logs.

Policy:
- a row is published at most once per relay pass: the relay claims rows with
  `select_for_update(skip_locked=True)`, so two relays (beat firing twice, a manual run beside
  it) never publish the same row at the same time on PostgreSQL;
- publishing never retries inside a request (`retry=False`): a refused connection costs
  milliseconds, not the broker's retry schedule;
- a task name that is not registered is an error at `enqueue` time, not a silent dead letter.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from dataclasses import dataclass

from celery import current_app, shared_task
from django.db import transaction
from django.utils import timezone

from performance.models.outbox import OutboxMessage

log = logging.getLogger(__name__)

# Rows published per relay pass; the beat entry runs every minute, so a backlog drains quickly
# without one pass holding row locks for long.
RELAY_BATCH = 500


@dataclass(frozen=True, slots=True)
class RelayReport:
    published: int
    failed: int
    waiting: int

    def as_dict(self) -> dict:
        return {"published": self.published, "failed": self.failed, "waiting": self.waiting}


def _task(task_name: str):
    """The registered Celery task called `task_name`, importing its module if need be.

    `current_app` is Summit's app (`config.celery`, loaded with the settings), reached without
    importing `config` from this lower layer. A task's name need not be its module's path (the
    collection tasks keep their old `performance.tasks.*` names), so when the module named by
    the task does not register it, every app's tasks are discovered as a worker would.
    """
    if task_name not in current_app.tasks:
        module, _, _ = task_name.rpartition(".")
        if module:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    try:
        return current_app.tasks[task_name]
    except KeyError:
        raise ValueError(f"No Celery task is registered as {task_name!r}.") from None


def enqueue(task_name: str, **kwargs) -> OutboxMessage:
    """Record `task_name(**kwargs)` in the current transaction; publish it after the commit.

    `kwargs` must be JSON-serialisable (ids and ISO dates, as tasks take). Outside a transaction
    (autocommit) the row is written at once and published straight away.
    """
    _task(task_name)  # refuse an unknown task now, while the caller can still see the error
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: publish_pending(ids=[message.pk]))
    return message


def _publish(message: OutboxMessage) -> None:
    task = _task(message.task_name)
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=message.kwargs, task_id=message.celery_task_id)
        return
    # One connection attempt, no back-off: the pooled default connection would retry for
    # seconds against a dead broker while the person waits for their page.
    with task.app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        task.apply_async(
            kwargs=message.kwargs,
            task_id=message.celery_task_id,
            connection=connection,
            retry=False,
        )


def publish_pending(*, ids: list[int] | None = None, limit: int = RELAY_BATCH) -> RelayReport:
    """Publish waiting rows (all, or only `ids`), oldest first; returns what happened.

    Each row is claimed under a row lock, published, then marked; a failure is recorded on the
    row (attempts, last error) and the row keeps waiting. Never raises for a broker failure.
    """
    published = failed = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            published_at__isnull=True
        )
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.order_by("id")[:limit]:
            try:
                _publish(message)
            except Exception as error:  # kombu/redis raise many types; any means "not sent"
                failed += 1
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                message.save(update_fields=["attempts", "last_error"])
                log.warning("Outbox %s not published yet: %s", message, message.last_error)
                if ids is None:
                    # The broker is down: the rest would fail the same way; try next pass.
                    break
                continue
            published += 1
            message.attempts += 1
            message.published_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "published_at", "last_error"])
    waiting = OutboxMessage.objects.filter(published_at__isnull=True).count()
    return RelayReport(published=published, failed=failed, waiting=waiting)


@shared_task(name="performance.outbox.relay_outbox", ignore_result=True)
def relay_outbox() -> dict:
    """Beat, every minute: publish what requests left behind while the broker was away."""
    return publish_pending().as_dict()
