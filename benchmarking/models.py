"""Benchmarking and value for money (SPEC §8): authorities, comparator groups, benchmark data,
benchmarking projects, the efficiency register and input/output pairs of indicators."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models

from benchmarking.calculations import SavingApproach
from performance.core.calculations import Polarity

# ONS/GSS codes: a letter for the nation, then eight digits (E07000110 is Maidstone).
GSS_CODE_PATTERN = r"^[EWSN]\d{8}$"
gss_code_validator = RegexValidator(
    GSS_CODE_PATTERN,
    "Enter an ONS/GSS code: a letter (E, W, S or N) and eight digits, like E07000110.",
)


class Authority(models.Model):
    class Type(models.TextChoices):
        SHIRE_DISTRICT = "shire_district", "Shire district"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan district"
        LONDON_BOROUGH = "london_borough", "London borough"
        COUNTY = "county", "County council"
        OTHER = "other", "Other"

    code = models.CharField(
        "ONS/GSS code", max_length=9, unique=True, validators=[gss_code_validator]
    )
    name = models.CharField(max_length=150)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ComparatorGroup(models.Model):
    class Kind(models.TextChoices):
        NEAREST_NEIGHBOURS = "nearest_neighbours", "CIPFA nearest neighbours"
        COUNTY_GROUP = "county_group", "County group"
        ALL_DISTRICTS = "all_districts", "All districts"
        CUSTOM = "custom", "Custom group"

    name = models.CharField(max_length=150, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Authority, blank=True, related_name="groups")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BenchmarkMeasure(models.Model):
    """A published measure the council is compared on, optionally mapped to one of its indicators."""

    class PolarityChoice(models.TextChoices):
        HIGHER = Polarity.HIGHER.value, "Higher is better"
        LOWER = Polarity.LOWER.value, "Lower is better"
        NONE = Polarity.NONE.value, "Data only (not judged)"

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage"
        NUMBER = "number", "Number"
        CURRENCY = "currency", "Currency (£)"
        DAYS = "days", "Days"
        RATIO = "ratio", "Ratio"

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=250)
    polarity = models.CharField(
        max_length=6, choices=PolarityChoice.choices, default=PolarityChoice.HIGHER
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    decimals = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(6)])
    source = models.CharField(
        max_length=300, blank=True, help_text="Who publishes it, e.g. Defra ENV18 via LG Inform."
    )
    is_demo = models.BooleanField(
        "invented demo data", default=False, help_text="Shown with a 'demo data' label."
    )
    indicator = models.ForeignKey(
        "performance.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="benchmark_measures",
        help_text="The council's own indicator this measure corresponds to.",
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class BenchmarkValue(models.Model):
    measure = models.ForeignKey(BenchmarkMeasure, on_delete=models.CASCADE, related_name="values")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=12, help_text="2023/24, 2023/24 Q1 or 2023-07.")
    value = models.DecimalField(max_digits=18, decimal_places=6)

    class Meta:
        ordering = ["measure", "period", "authority"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "authority", "period"], name="one_benchmark_value"
            )
        ]
        indexes = [models.Index(fields=["measure", "period"], name="benchmark_period_idx")]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.authority.code} {self.period}: {self.value}"


class BenchmarkingProject(models.Model):
    """A benchmarking exercise with partners, run through the handbook's four steps."""

    class Type(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        PERFORMANCE = "performance", "Performance"
        PROCESS = "process", "Process"
        FUNCTIONAL = "functional", "Functional"

    class Partners(models.TextChoices):
        PRIMARY_COMPETITORS = "primary_competitors", "Primary competitors"
        INTERNAL = "internal", "Internal"
        HIGH_ACHIEVERS = "high_achievers", "High achievers"

    title = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=Type.choices)
    partner_kind = models.CharField("partners", max_length=20, choices=Partners.choices)
    partner_authorities = models.ManyToManyField(Authority, blank=True, related_name="projects")
    partners_note = models.TextField(
        "other partners", blank=True, help_text="Partners that are not councils, or teams."
    )
    purpose = models.TextField(blank=True)
    measure = models.ForeignKey(
        BenchmarkMeasure, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ProjectStep(models.Model):
    class Step(models.TextChoices):
        UNDERSTAND = "understand", "Understand"
        ANALYSE = "analyse", "Analyse"
        COMPARE = "compare", "Compare"
        IMPLEMENT = "implement", "Implement"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    ORDER = (Step.UNDERSTAND, Step.ANALYSE, Step.COMPARE, Step.IMPLEMENT)

    project = models.ForeignKey(BenchmarkingProject, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=10, choices=Step.choices)
    number = models.PositiveSmallIntegerField()
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "step"], name="one_project_step")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_step_display()}"


class EfficiencySaving(models.Model):
    """One row of the efficiency register."""

    class Approach(models.TextChoices):
        REDUCED_INPUTS = SavingApproach.REDUCED_INPUTS.value, "Reduced inputs"
        INCREASED_OUTPUTS = SavingApproach.INCREASED_OUTPUTS.value, "Increased outputs"
        INVEST_TO_SAVE = SavingApproach.INVEST_TO_SAVE.value, "Invest to save"

    description = models.CharField(max_length=250)
    year = models.CharField("financial year", max_length=7, help_text="Written 2024/25.")
    approach = models.CharField(max_length=20, choices=Approach.choices)
    cashable = models.BooleanField()
    amount = models.DecimalField("amount (£)", max_digits=14, decimal_places=2)
    team = models.ForeignKey(
        "performance.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "description", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.description}: £{self.amount}"


class VfmPair(models.Model):
    """An output indicator measured against an input (cost) indicator: efficiency = output ÷ input.

    `per` scales the ratio for reading ("tonnes per £1,000" has per = 1000).
    """

    title = models.CharField(max_length=200)
    output = models.ForeignKey(
        "performance.Indicator", on_delete=models.CASCADE, related_name="vfm_as_output"
    )
    input = models.ForeignKey(
        "performance.Indicator", on_delete=models.CASCADE, related_name="vfm_as_input"
    )
    per = models.DecimalField(max_digits=12, decimal_places=0, default=1)
    unit_label = models.CharField(
        max_length=100, blank=True, help_text="How the efficiency reads, e.g. 'tonnes per £1,000'."
    )
    decimals = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(6)])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["output", "input"], name="one_vfm_pair"),
            models.CheckConstraint(
                condition=~models.Q(output=models.F("input")), name="vfm_pair_distinct"
            ),
        ]

    def __str__(self) -> str:
        return self.title
