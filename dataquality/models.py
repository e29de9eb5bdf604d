"""Data quality (SPEC §9): the policy, signed statements, validation settings, rejected entries
and evidence ("working papers")."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from performance.models import Value


class PolicyVersion(models.Model):
    """One version of the data quality policy. The current version is the newest one in effect."""

    number = models.PositiveIntegerField(unique=True, help_text="Version number: 1, 2, 3…")
    title = models.CharField(max_length=200, default="Data quality policy")
    text = models.TextField(blank=True, help_text="The policy text (or attach a document).")
    document = models.FileField(upload_to="policy/", blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    effective_on = models.DateField(help_text="From this day signing it is required.")
    review_due_on = models.DateField(help_text="Annual review date.")
    summary = models.CharField(
        "what changed", max_length=500, blank=True, help_text="What changed from the last version."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_due_on__gt=models.F("effective_on")),
                name="policy_review_after_effective",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"


class Statement(models.Model):
    """A person's signed data quality statement for one policy version, in one role."""

    class Role(models.TextChoices):
        MANAGER = "Manager", "Data manager"
        ENTERER = "Enterer", "Data enterer"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dq_statements"
    )
    policy = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="statements")
    role = models.CharField(max_length=10, choices=Role.choices)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "policy", "role"], name="one_statement_per_person_version_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} signed version {self.policy.number} as {self.role}"


class ReviewReminder(models.Model):
    """The claim that makes the review reminder idempotent: one email per version and person."""

    policy = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, default="due")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "person", "kind"], name="one_review_reminder_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Review reminder for version {self.policy_id} to {self.person_id}"


class ValidationRule(models.Model):
    """Per-indicator validation settings beyond the unit's own rules (SPEC §9)."""

    indicator = models.OneToOneField(
        "performance.Indicator", on_delete=models.CASCADE, related_name="dq_rule"
    )
    minimum = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    maximum = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    allow_over_100 = models.BooleanField(
        "percent may exceed 100", default=False, help_text="For growth rates and similar."
    )
    allow_negative = models.BooleanField(
        "may be negative",
        default=False,
        help_text="For net changes and % changes: lifts the unit's 'not below 0' rule.",
    )
    whole_numbers = models.BooleanField(
        "whole numbers only", default=False, help_text="Counts with no decimal places always are."
    )
    numerator_not_above_denominator = models.BooleanField(
        "numerator ≤ denominator", default=False, help_text="Percentages always are."
    )
    change_threshold = models.DecimalField(
        "outlier change threshold (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="A change larger than this vs the previous period needs a comment.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum__isnull=True)
                | models.Q(maximum__isnull=True)
                | models.Q(minimum__lte=models.F("maximum")),
                name="rule_min_not_above_max",
            )
        ]

    def __str__(self) -> str:
        return f"Validation rule of {self.indicator_id}"


class RejectedEntry(models.Model):
    """An entry refused by validation: the record behind the dashboard's validity feature."""

    class Channel(models.TextChoices):
        FORM = "form", "Form"
        EXCEL = "excel", "Excel upload"
        IMPORT = "import", "Import command"
        API = "api", "API"

    indicator = models.ForeignKey(
        "performance.Indicator", on_delete=models.CASCADE, related_name="rejected_entries"
    )
    period = models.CharField(max_length=12)
    period_start = models.DateField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    field = models.CharField(max_length=20)
    rule = models.CharField(max_length=30)
    message = models.CharField(max_length=500)
    raw = models.CharField(max_length=100, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["period", "indicator"], name="rejected_period_idx")]

    def __str__(self) -> str:
        return f"Rejected {self.period}: {self.message}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # The caller already generated `filename`; kept under MEDIA_ROOT/evidence/, never served as
    # static media: downloads go through a view that checks access.
    return f"evidence/{filename}"


class EvidenceQuerySet(models.QuerySet):
    def readable_by(self, user) -> EvidenceQuerySet:
        """Working papers a person may see: those of values whose team data they see
        (`Value.objects.team_data_visible_to`, the access gate of SPEC §1)."""
        return self.filter(value__in=Value.objects.team_data_visible_to(user).values("id"))


class Evidence(models.Model):
    """A working paper behind a value, stored under a generated name outside the web root."""

    value = models.ForeignKey(
        "performance.Value", on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=250, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
