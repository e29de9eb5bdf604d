"""Notifications (issue 19): when each person last read their list.

The notifications themselves are not stored: they are read from the records of what happened
(values returned or activated, key risk indicator alerts, reviews due in an open round, reports
published, escalations waiting), so no service has to remember to write one and none goes
missing (docs/decisions.md, "Home and notifications"). This marker is all that is stored: what
happened after it is unread.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationRead(models.Model):
    """The moment `person` last marked their notifications as read."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_read"
    )
    last_seen_at = models.DateTimeField()

    class Meta:
        verbose_name = "notifications read marker"

    def __str__(self) -> str:
        return f"{self.person_id} read up to {self.last_seen_at:%Y-%m-%d %H:%M}"
