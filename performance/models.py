"""Organisation, people's places in it, the strategic plan skeleton, collection rounds and audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Directorate(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A service area scored in Reach the Summit and the unit of data permissions."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="teams")
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_teams",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """Where a person works: the scope of their role (an enterer of team A sees only team A)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class StrategicPlan(models.Model):
    """The four-year Strategic Plan (SPEC §2); the medium-term financial strategy note sits on it."""

    title = models.CharField(max_length=200)
    first_year = models.PositiveSmallIntegerField(
        help_text="Calendar year the first financial year starts, e.g. 2024 for 2024/25."
    )
    vision = models.TextField()
    community_strategy = models.TextField(blank=True)
    financial_strategy = models.TextField("medium-term financial strategy", blank=True)

    class Meta:
        ordering = ["-first_year"]
        constraints = [models.UniqueConstraint(fields=["first_year"], name="one_plan_per_start")]

    def __str__(self) -> str:
        return f"{self.title} {self.years}"

    @property
    def years(self) -> str:
        last = self.first_year + 4
        return f"{self.first_year}–{last % 100:02d}"


class Priority(models.Model):
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="priorities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="priority_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Outcome(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)

    class Meta:
        ordering = ["priority", "number"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="outcome_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.priority.number}.{self.number} {self.title}"


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


class AuditEvent(models.Model):
    """Who changed what, when, from what, to what, and why (SPEC §1). Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail still names a person whose account was removed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=250)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]}")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only and cannot be deleted.")
