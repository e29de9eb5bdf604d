"""Indicators, their targets and their values (SPEC §3, §4)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from performance.core.calculations import Aggregation, Polarity
from performance.core.periods import Frequency
from performance.models.visibility import IndicatorQuerySet, ValueQuerySet


class Indicator(models.Model):
    class Kind(models.TextChoices):
        KPI = "KPI", "Key performance indicator"
        SPI = "SPI", "Service performance indicator"
        STATUTORY = "statutory", "Statutory"

    class Perspective(models.TextChoices):
        FINANCIAL = "financial", "Financial"
        CUSTOMER = "customer", "Customer"
        PROCESS = "process", "Business process"
        LEARNING = "learning", "Learning and growth"

    class Aspect(models.TextChoices):
        STRATEGIC = "strategic", "Strategic objectives"
        DELIVERY = "delivery", "Service delivery outcomes"
        QUALITY = "quality", "Quality"
        COST = "cost", "Cost and efficiency"
        ACCESS = "access", "Fair access"

    class PolarityChoice(models.TextChoices):
        HIGHER = Polarity.HIGHER.value, "Higher is better"
        LOWER = Polarity.LOWER.value, "Lower is better"
        NONE = Polarity.NONE.value, "Data only (no target)"

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage"
        NUMBER = "number", "Number"
        CURRENCY = "currency", "Currency (£)"
        DAYS = "days", "Days"
        RATIO = "ratio", "Ratio"

    class FrequencyChoice(models.TextChoices):
        MONTHLY = Frequency.MONTHLY.value, "Monthly"
        QUARTERLY = Frequency.QUARTERLY.value, "Quarterly"
        ANNUAL = Frequency.ANNUAL.value, "Annual"

    class AggregationChoice(models.TextChoices):
        SUM = Aggregation.SUM.value, "Sum (cumulative)"
        LAST = Aggregation.LAST.value, "Last (snapshot at period end)"
        MEAN = Aggregation.MEAN.value, "Mean"
        RATIO = Aggregation.RATIO.value, "Ratio (Σ numerators ÷ Σ denominators)"

    class VfmRole(models.TextChoices):
        NONE = "", "Not used for value for money"
        INPUT = "input", "Input (cost)"
        OUTPUT = "output", "Output"

    code = models.CharField(max_length=20, unique=True, help_text="e.g. WAS 001")
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    perspective = models.CharField(max_length=10, choices=Perspective.choices)
    aspect = models.CharField(max_length=10, choices=Aspect.choices)
    polarity = models.CharField(max_length=6, choices=PolarityChoice.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(6)])
    frequency = models.CharField(max_length=10, choices=FrequencyChoice.choices)
    aggregation = models.CharField(max_length=6, choices=AggregationChoice.choices)
    year_to_date = models.BooleanField(
        default=False,
        help_text="The figure builds up from 1 April and starts again each year (e.g. tonnes "
        "collected so far this year). SPC and the change on the previous period do not apply; "
        "it is compared with the same period last year.",
    )
    definition = models.TextField(blank=True)
    guidance = models.TextField("calculation guidance", blank=True)
    data_source = models.CharField(max_length=250, blank=True)
    third_party_partner = models.CharField(
        max_length=150, blank=True, help_text="The partner who supplies the data, if a third party."
    )
    team = models.ForeignKey(
        "performance.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        help_text="Owner team; empty for an unassigned indicator.",
    )
    enterers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="entered_indicators"
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_indicators"
    )
    outcomes = models.ManyToManyField("performance.Outcome", blank=True, related_name="indicators")
    baseline = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    baseline_period = models.CharField(max_length=12, blank=True)
    tolerance = models.DecimalField(
        "amber tolerance (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Shortfall at which Amber becomes Red; empty means the default 10%.",
    )
    vfm_role = models.CharField(
        "value for money", max_length=6, choices=VfmRole.choices, blank=True, default=""
    )
    active = models.BooleanField(default=True)
    reviewed_on = models.DateField(
        null=True, blank=True, help_text="When the definition was last reviewed (data quality)."
    )
    corporate_health = models.BooleanField(
        "corporate health indicator",
        default=False,
        help_text="How the council itself is run (sickness absence, staff turnover, complaints, "
        "FOI response times, invoices paid on time): rolled up on the dashboard and reported in "
        "a section of their own.",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["team", "active"], name="indicator_team_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def effective_tolerance(self) -> Decimal:
        return self.tolerance if self.tolerance is not None else Decimal(10)

    @property
    def is_third_party(self) -> bool:
        return bool(self.third_party_partner)


class SmartFields(models.Model):
    """The SMART record every target keeps (SPEC §3)."""

    outcome = models.ForeignKey(
        "performance.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Specific: the objective or outcome the target serves.",
    )
    achievable_evidence = models.TextField(
        blank=True, help_text="Achievable: the baseline, trend or benchmark quartile behind it."
    )
    benchmark_quartile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    realistic = models.BooleanField(default=False, help_text="Realistic: agreed as reachable.")
    realism_note = models.TextField(blank=True)

    class Meta:
        abstract = True


class Target(SmartFields):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(max_length=12)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="one_target_per_period")
        ]
        # The targets of one period for every indicator (the statuses of lists and dashboards).
        indexes = [models.Index(fields=["period"], name="target_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"


class LongTermTarget(SmartFields):
    """Where we want to be in three to five years (the handbook's long-term targets)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="long_term_targets"
    )
    value = models.DecimalField(max_digits=18, decimal_places=6)
    by_year = models.CharField(max_length=7, help_text="Financial year, e.g. 2028/29.")

    class Meta:
        ordering = ["indicator", "by_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "by_year"], name="one_long_term_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} by {self.by_year}: {self.value}"


class Value(models.Model):
    """One period's figure for an indicator, moving draft → submitted → activated (SPEC §5)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACTIVATED = "activated", "Activated"
        RETURNED = "returned", "Returned"
        NO_DATA = "no_data", "No data"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=12)
    period_start = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    numerator = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    comment = models.TextField("performance comment", blank=True)
    source = models.CharField(max_length=250, blank=True)
    # The officer's forecast of the financial year's outturn, made with this return (optional;
    # compared with the projection computed from the data and, after Q4, with the outturn).
    forecast = models.DecimalField(
        "forecast of the year-end outturn", max_digits=18, decimal_places=6, null=True, blank=True
    )
    forecast_comment = models.TextField("forecast comment", blank=True)
    is_proxy = models.BooleanField("proxy data", default=False)
    third_party_partner = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    # Who wrote the row last and when: named in the "changed by X at T, reload" message.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic lock: every write bumps it, and a write that read an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = ValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="one_value_per_period")
        ]
        indexes = [
            models.Index(fields=["indicator", "status", "period_start"], name="value_lookup_idx"),
            models.Index(fields=["period", "status"], name="value_period_idx"),
            # History windows of many indicators whatever the status (the live league table).
            models.Index(fields=["indicator", "period_start"], name="value_history_idx"),
            # Recent activations and returns (the notifications' count on the home page): a
            # few weeks of a county's values, not all of them.
            models.Index(fields=["activated_at"], name="value_activated_at_idx"),
            models.Index(fields=["returned_at"], name="value_returned_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"


class SpcChangePoint(models.Model):
    """A change point the performance officer records: SPC limits are rebased from `period`."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="change_points")
    period = models.CharField(max_length=12)
    note = models.CharField(max_length=250)

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="one_change_point_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} rebased at {self.period}"


class IndicatorComment(models.Model):
    """A reader's comment on an indicator (members and officers comment on performance)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comments")
    period = models.CharField(max_length=12, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Comment on {self.indicator.code}"
