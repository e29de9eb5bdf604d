"""The transactional outbox: Celery work recorded in the same transaction as the data it follows.

A request that changes data and wants a task run writes an `OutboxMessage` row in its own
transaction (`performance.common.outbox.enqueue`). The row is published to the broker after the commit;
if the broker (Redis) is down, the row stays and the relay (`relay_outbox`, by beat every minute
or by hand) publishes it once the broker is back. Nothing queued while Redis is away is lost,
and nothing is published for a transaction that rolled back.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    task_name = models.CharField(max_length=200, help_text="Dotted name of a Celery task.")
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The relay reads only the rows still waiting: a small partial index, however
            # many published rows accumulate.
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(published_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        state = "published" if self.published_at else "waiting"
        return f"{self.task_name} #{self.pk} ({state})"

    @property
    def celery_task_id(self) -> str:
        """Stable task id, so a task published twice (at-least-once) can be recognised."""
        return f"outbox-{self.pk}"
