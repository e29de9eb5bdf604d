"""Reach the Summit (SPEC §6, §7): scorecards, complaints, improvements and frozen league tables."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from reach_summit import calculations

YEAR_VALIDATOR = RegexValidator(r"^\d{4}/\d{2}$", "Write the financial year like 2024/25.")
QUARTER_VALIDATOR = RegexValidator(r"^\d{4}/\d{2} Q[1-4]$", "Write the quarter like 2024/25 Q1.")

SCORED_PERSPECTIVES = ("customer", "financial", "process")


class Scorecard(models.Model):
    """A team's three scored indicators for one financial year; learning is its service plan."""

    team = models.ForeignKey("performance.Team", on_delete=models.CASCADE, related_name="+")
    year = models.CharField("financial year", max_length=7, validators=[YEAR_VALIDATOR])
    customer = models.ForeignKey(
        "performance.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    financial = models.ForeignKey(
        "performance.Indicator", on_delete=models.PROTECT, related_name="+"
    )
    process = models.ForeignKey("performance.Indicator", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="one_scorecard_per_team_year")
        ]

    def __str__(self) -> str:
        return f"Scorecard of {self.team} for {self.year}"

    def clean(self) -> None:
        """One indicator per perspective, of that perspective, owned by the team, with a target
        polarity (a data-only indicator has no level to score)."""
        errors: dict[str, str] = {}
        for name in SCORED_PERSPECTIVES:
            indicator = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if indicator is None:
                continue
            if indicator.perspective != name:
                errors[name] = (
                    f"{indicator.code} is a {indicator.get_perspective_display().lower()} "
                    f"indicator; choose a {name} one."
                )
            elif self.team_id and indicator.team_id != self.team_id:
                errors[name] = (
                    f"{indicator.code} belongs to another team; choose one of this team's."
                )
            elif indicator.polarity == "none":
                errors[name] = f"{indicator.code} is data only (no target), so it cannot be scored."
        if errors:
            raise ValidationError(errors)


class ComplaintTimescale(models.Model):
    """Working days to respond at a stage; stages without a row use SPEC §6's defaults."""

    stage = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    working_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["stage"]

    def __str__(self) -> str:
        return f"Stage {self.stage}: {self.working_days} working days"


class Complaint(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    team = models.ForeignKey("performance.Team", on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    received = models.DateField()
    due = models.DateField(help_text="Computed from the stage's timescale in working days.")
    responded = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["received", "reference"]
        indexes = [
            models.Index(fields=["due"], name="complaint_due_idx"),
            models.Index(fields=["received"], name="complaint_received_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responded__isnull=True)
                | models.Q(responded__gte=models.F("received")),
                name="complaint_responded_after_received",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class Improvement(models.Model):
    """A service improvement a performance officer approved for a team in a quarter."""

    team = models.ForeignKey("performance.Team", on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField(max_length=10, validators=[QUARTER_VALIDATOR])
    quarter_start = models.DateField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    points = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=calculations.DEFAULT_IMPROVEMENT_POINTS,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter_start", "team__name", "id"]
        indexes = [models.Index(fields=["quarter", "team"], name="improvement_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.team} {self.quarter}: {self.title}"


class Snapshot(models.Model):
    """A quarter's league table frozen when its window closed (or recomputed, audited)."""

    quarter = models.CharField(max_length=10, unique=True, validators=[QUARTER_VALIDATOR])
    quarter_start = models.DateField(db_index=True)
    frozen_at = models.DateTimeField()
    top_decided_by = models.CharField(max_length=20)
    recomputations = models.PositiveIntegerField(default=0)
    last_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-quarter_start"]

    def __str__(self) -> str:
        return f"League table {self.quarter}"


class SnapshotRow(models.Model):
    """One team's frozen row: everything needed to show and explain it later, unchanged."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    team = models.ForeignKey(
        "performance.Team", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    team_name = models.CharField(max_length=120)
    team_slug = models.CharField(max_length=120)
    position = models.PositiveIntegerField(help_text="Order in the table (names break ties).")
    rank = models.PositiveIntegerField()
    joint = models.BooleanField(default=False)
    customer = models.CharField(max_length=10)
    financial = models.CharField(max_length=10)
    process = models.CharField(max_length=10)
    learning = models.CharField(max_length=10)
    improvements = models.DecimalField(max_digits=7, decimal_places=2)
    late_complaints = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=8, decimal_places=2)
    award = models.CharField(max_length=10, blank=True)
    explanation = models.JSONField(default=dict, help_text="Score lines and average position.")

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "team_slug"], name="one_row_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.quarter} {self.rank}. {self.team_name}"
