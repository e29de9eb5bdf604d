"""Risk management (SPEC §14): registers of risks, their controls, actions, reviews and alerts.

Scores are stored as likelihood and impact (1–5 each); the score, rating, appetite and direction
are worked out by `performance.core.risks` from them, never stored twice. The matrix labels, the
rating bands and the key-risk-indicator bookkeeping live in one `RiskSettings` row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from performance.core import risks as rules
from performance.models.collection import CollectionRound
from performance.models.indicators import Indicator, Value
from performance.models.organisation import Directorate, Team
from performance.models.plans import Action, ActionPlan, Activity, Outcome, Priority
from performance.models.visibility import RiskQuerySet

POINT = [MinValueValidator(rules.MIN_POINT), MaxValueValidator(rules.MAX_POINT)]


def _labels(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()


class RiskSettings(models.Model):
    """The council's matrix (labels and bands) and the state of the alert check: one row."""

    likelihood_labels = models.JSONField(default=list, blank=True)
    impact_labels = models.JSONField(default=list, blank=True)
    low_max = models.PositiveSmallIntegerField(default=rules.DEFAULT_BANDS.low_max)
    medium_max = models.PositiveSmallIntegerField(default=rules.DEFAULT_BANDS.medium_max)
    high_max = models.PositiveSmallIntegerField(default=rules.DEFAULT_BANDS.high_max)
    # The "indicators" generation the key-risk-indicator alerts were last worked out under, what
    # each linked indicator's latest activated value was then (indicator id → [value id,
    # version, target, alert reason]) so a pass works out again only the indicators whose
    # figures moved, and when a pass last worked out every one (change points, tolerances).
    kri_checked_token = models.CharField(max_length=100, blank=True)
    kri_seen = models.JSONField(default=dict, blank=True)
    kri_full_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "risk matrix"
        verbose_name_plural = "risk matrix"

    def __str__(self) -> str:
        return "Risk matrix"

    @classmethod
    def load(cls) -> RiskSettings:
        return cls.objects.get_or_create(pk=1)[0]

    @property
    def matrix(self) -> rules.Matrix:
        likelihood = _labels(self.likelihood_labels)
        impact = _labels(self.impact_labels)
        return rules.Matrix(
            likelihood_labels=likelihood
            if len(likelihood) == rules.MAX_POINT
            else rules.DEFAULT_LIKELIHOOD_LABELS,
            impact_labels=impact if len(impact) == rules.MAX_POINT else rules.DEFAULT_IMPACT_LABELS,
            bands=rules.Bands(self.low_max, self.medium_max, self.high_max),
        )


class RiskCategory(models.Model):
    """A kind of risk (financial, operational, …) with the council's appetite for it."""

    name = models.CharField(max_length=80, unique=True)
    appetite = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_SCORE)],
        help_text="The highest current score (1–25) the council accepts; empty: none set.",
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "risk categories"

    def __str__(self) -> str:
        return self.name


class Risk(models.Model):
    class Register(models.TextChoices):
        CORPORATE = rules.Register.CORPORATE.value, "Corporate"
        DIRECTORATE = rules.Register.DIRECTORATE.value, "Directorate"
        SERVICE = rules.Register.SERVICE.value, "Service"
        PROJECT = rules.Register.PROJECT.value, "Project"
        PARTNERSHIP = rules.Register.PARTNERSHIP.value, "Partnership"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=250)
    register = models.CharField(max_length=12, choices=Register.choices)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risks",
        help_text="The team whose register holds it (service risks); empty: council-wide.",
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.SET_NULL, null=True, blank=True, related_name="risks"
    )
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    consequence = models.TextField(blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=POINT)
    inherent_impact = models.PositiveSmallIntegerField(validators=POINT)
    current_likelihood = models.PositiveSmallIntegerField(validators=POINT)
    current_impact = models.PositiveSmallIntegerField(validators=POINT)
    target_likelihood = models.PositiveSmallIntegerField(validators=POINT)
    target_impact = models.PositiveSmallIntegerField(validators=POINT)
    # The current score before the latest review (None until a review changes anything).
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    review_due = models.DateField(null=True, blank=True)
    confidential = models.BooleanField(
        default=False,
        help_text="Seen only by its owner, the team's Head of Service and service managers, "
        "and performance officers.",
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="risks")
    outcomes = models.ManyToManyField(Outcome, blank=True, related_name="risks")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="risks")
    action_plans = models.ManyToManyField(ActionPlan, blank=True, related_name="risks")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(inherent_likelihood__range=(1, 5))
                & Q(inherent_impact__range=(1, 5))
                & Q(current_likelihood__range=(1, 5))
                & Q(current_impact__range=(1, 5))
                & Q(target_likelihood__range=(1, 5))
                & Q(target_impact__range=(1, 5)),
                name="risk_points_1_to_5",
            )
        ]
        indexes = [models.Index(fields=["status", "register"], name="risk_register_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def inherent_score(self) -> int:
        return rules.score(self.inherent_likelihood, self.inherent_impact)

    @property
    def current_score(self) -> int:
        return rules.score(self.current_likelihood, self.current_impact)

    @property
    def target_score(self) -> int:
        return rules.score(self.target_likelihood, self.target_impact)


class RiskControl(models.Model):
    """Something in place that lowers a risk, and how well it works."""

    class Effectiveness(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        PARTIAL = "partial", "Partially effective"
        INEFFECTIVE = "ineffective", "Not effective"
        NOT_ASSESSED = "not_assessed", "Not yet assessed"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    description = models.CharField(max_length=300)
    effectiveness = models.CharField(
        max_length=12, choices=Effectiveness.choices, default=Effectiveness.NOT_ASSESSED
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class RiskAction(models.Model):
    """A mitigating action. It can be the risk's own (description, owner, due date, progress)
    or a link to a service-plan activity or an action-plan action, whose own fields are then
    read, never copied."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True)
    progress = models.CharField(
        max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_actions"
    )
    plan_action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="risk_actions"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(activity__isnull=False) & Q(plan_action__isnull=False)),
                name="risk_action_one_link",
            )
        ]

    def __str__(self) -> str:
        return self.description or f"Linked action {self.pk}"


class RiskReview(models.Model):
    """One review by the owner: the new current scores, controls' effectiveness, a comment."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    period = models.CharField(
        max_length=12, help_text="The quarter the review counts for (2024/25 Q3)."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    likelihood = models.PositiveSmallIntegerField(validators=POINT)
    impact = models.PositiveSmallIntegerField(validators=POINT)
    previous_likelihood = models.PositiveSmallIntegerField(validators=POINT)
    previous_impact = models.PositiveSmallIntegerField(validators=POINT)
    comment = models.TextField()
    # [{"control": id, "description": str, "effectiveness": code}] as the owner left them.
    controls = models.JSONField(default=list, blank=True)
    rounds = models.ManyToManyField(CollectionRound, blank=True, related_name="risk_reviews")

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["risk", "period"], name="risk_review_period_idx")]

    def __str__(self) -> str:
        return f"Review of {self.risk.reference} for {self.period}"

    @property
    def score(self) -> int:
        return rules.score(self.likelihood, self.impact)

    @property
    def previous_score(self) -> int:
        return rules.score(self.previous_likelihood, self.previous_impact)


class RiskEscalation(models.Model):
    """A risk above appetite asks to move one register up; a performance officer confirms (the
    register changes) or declines, with a reason either way."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a performance officer"
        CONFIRMED = "confirmed", "Escalated"
        DECLINED = "declined", "Not escalated"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="escalations")
    from_register = models.CharField(max_length=12, choices=Risk.Register.choices)
    to_register = models.CharField(max_length=12, choices=Risk.Register.choices)
    score = models.PositiveSmallIntegerField()
    appetite = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk"],
                condition=Q(status="pending"),
                name="one_pending_escalation_per_risk",
            )
        ]

    def __str__(self) -> str:
        return f"Escalation of {self.risk.reference} to {self.get_to_register_display()}"


class RiskAlert(models.Model):
    """A key risk indicator alert: a linked indicator's latest activated value is Red or carries
    a concerning SPC signal. One open row per (risk, indicator): it follows the indicator's
    latest value while that keeps alerting (the owner is asked for a review once, when it is
    raised, not each quarter or day), and is resolved when the latest activated value no longer
    alerts; a later alert is a new row and a new request."""

    class Reason(models.TextChoices):
        RED = "red", "Red"
        CONCERNING = "concerning", "Special cause: concerning"
        BOTH = "both", "Red, with a concerning special cause"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="alerts")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    value = models.ForeignKey(Value, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=12)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "indicator"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_alert_per_risk_indicator",
            )
        ]
        indexes = [models.Index(fields=["risk", "resolved_at"], name="risk_alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.risk.reference}: {self.indicator.code} {self.period} {self.reason}"
