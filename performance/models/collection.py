"""Data collection rounds (SPEC §5)."""

from __future__ import annotations

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
