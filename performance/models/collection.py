"""Data collection rounds (SPEC §5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CollectionRound(models.Model):
    """One data request of SPEC §5: what is asked for, for which period, open from when to when."""

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", "KPIs and SPIs (quarterly)"
        MONTHLY = "monthly", "Monthly indicators and service-plan progress"
        STRATEGIC_ACTIONS = "strategic_actions", "Strategic actions (bi-annual)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(
        max_length=12, help_text="Written form: 2024/25 Q1, 2024-07 or 2024/25 H1."
    )
    opens_on = models.DateField()
    closes_on = models.DateField(
        help_text="Last day of the window; it closes at the end of this day."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period"], name="one_round_per_kind_period"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class SentReminder(models.Model):
    """One email of the collection cycle to one person (SPEC §5), claimed before it is sent.

    The row is the idempotency key: `(person, kind, event_date)` is unique, so however often beat
    fires or a worker retries, a person gets each day's email of a kind once. All rounds whose
    event falls on the same day share one email (the request-day digest covers the monthly and
    the quarterly round opening on 1 July). `claimed_at` set and `sent_at` empty means a worker
    is sending it or died doing so: the claim lapses after a lease and a retry sends it then.
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "Request-day digest"
        CHASER = "chaser", "Day-7 chaser"
        MANAGER_DIGEST = "manager_digest", "Day-9 data manager digest"
        OVERDUE = "overdue", "Overdue summary after close"
        # Sent when a performance officer presses "Send a chaser now" (issue 19): its own kind, so
        # it neither blocks nor is blocked by the day-7 chaser of the same day.
        MANUAL_CHASER = "manual_chaser", "Chaser sent by a performance officer"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event_date = models.DateField(help_text="The day of the cycle this email belongs to.")
    rounds = models.ManyToManyField(CollectionRound, blank=True, related_name="reminders")
    items = models.JSONField(default=list, help_text="What the email listed, for the record.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-event_date", "kind", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "event_date"], name="one_reminder_per_person_kind_day"
            )
        ]
        indexes = [models.Index(fields=["event_date", "kind"], name="reminder_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} for {self.event_date}"
