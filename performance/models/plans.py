"""The golden thread (SPEC §2): strategic plan, priorities, outcomes, service plans, actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from performance.models.visibility import ActionPlanQuerySet, ServicePlanQuerySet


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


class MeasureOfSuccess(models.Model):
    """How the plan says an outcome will be judged: an indicator, an action, or words."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="measures")
    description = models.CharField(max_length=300)
    indicator = models.ForeignKey(
        "performance.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )

    class Meta:
        ordering = ["outcome", "id"]
        verbose_name_plural = "measures of success"

    def __str__(self) -> str:
        return self.description


class ServicePlan(models.Model):
    """One per service per financial year (SPEC §2), grouped under its Head of Service."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    service = models.ForeignKey(
        "performance.Service", on_delete=models.PROTECT, related_name="plans"
    )
    year = models.CharField("financial year", max_length=7, help_text="Written 2024/25.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)

    objects = ServicePlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "service__name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "year"], name="one_service_plan_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.service} service plan {self.year}"


class ServicePlanObjective(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="service_objectives"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="objective_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Activity(models.Model):
    """A service-plan activity; it serves a strategic outcome and carries monthly progress."""

    objective = models.ForeignKey(
        ServicePlanObjective, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(max_length=250)
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="activities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )

    class Meta:
        ordering = ["objective", "id"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """A dated step of an activity; a plan's monthly progress is the share met of those due."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=250)
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ActivityProgress(models.Model):
    """Monthly progress of one activity: % complete, RAG and a comment (SPEC §2)."""

    class Rag(models.TextChoices):
        GREEN = "green", "Green – on track"
        AMBER = "amber", "Amber – at risk"
        RED = "red", "Red – off track"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress")
    month = models.CharField(max_length=7, help_text="Written 2024-07.")
    percent_complete = models.PositiveSmallIntegerField()
    rag = models.CharField(max_length=5, choices=Rag.choices)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "month"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "month"], name="one_progress_per_month"),
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100), name="percent_complete_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.month}: {self.percent_complete}%"


class IndividualObjective(models.Model):
    """An objective set at appraisal, linked to the service-plan activity it serves."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="individual_objectives"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="individual_objectives"
    )
    year = models.CharField("financial year", max_length=7)
    title = models.CharField(max_length=250)

    class Meta:
        ordering = ["year", "person", "id"]

    def __str__(self) -> str:
        return self.title


class StrategicAction(models.Model):
    """An action of the Strategic Plan, updated bi-annually (1 October and 1 April)."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=250)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="strategic_actions",
    )
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["outcome", "id"]

    def __str__(self) -> str:
        return self.title


class StrategicActionUpdate(models.Model):
    class Status(models.TextChoices):
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"

    action = models.ForeignKey(StrategicAction, on_delete=models.CASCADE, related_name="updates")
    period = models.CharField(
        max_length=12, help_text="The half-year's last quarter: 2025/26 Q2 or 2025/26 Q4."
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    percent_complete = models.PositiveSmallIntegerField()
    progress = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "period"]
        constraints = [
            models.UniqueConstraint(fields=["action", "period"], name="one_update_per_half_year")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.period}"


class ActionPlan(models.Model):
    """Opened when performance is not improving (an indicator Red, or worse two periods running).

    Revising keeps the old actions: each revision is a new ActionPlanVersion.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    indicator = models.ForeignKey(
        "performance.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
    )
    team = models.ForeignKey(
        "performance.Team", on_delete=models.PROTECT, related_name="action_plans"
    )
    title = models.CharField(max_length=250)
    reason = models.TextField(help_text="Why the plan was opened: the performance it responds to.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_plans"
    )
    opened_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "id"]

    def __str__(self) -> str:
        return self.title


class ActionPlanRequest(models.Model):
    """An indicator that asks for an action plan (SPEC §2): Red, or deteriorating two periods running.

    Raised when an activated value makes it so and the indicator has no open plan; the head of
    its team answers by opening a plan or by recording why none is needed (with a review date).
    One request waits at a time per indicator.
    """

    class Reason(models.TextChoices):
        RED = "red", "Red"
        DETERIORATING = "deteriorating", "Deteriorating two periods running"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Plan requested"
        OPENED = "opened", "Plan open"
        NO_PLAN = "no_plan", "No plan"

    indicator = models.ForeignKey(
        "performance.Indicator", on_delete=models.CASCADE, related_name="plan_requests"
    )
    team = models.ForeignKey(
        "performance.Team", on_delete=models.CASCADE, related_name="plan_requests"
    )
    period = models.CharField(max_length=12, help_text="The period whose value raised it.")
    reason = models.CharField(max_length=14, choices=Reason.choices)
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    no_plan_reason = models.TextField("why no plan is needed", blank=True)
    review_on = models.DateField(
        null=True, blank=True, help_text="When a decision of no plan is looked at again."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=models.Q(status="requested"),
                name="one_waiting_plan_request",
            )
        ]
        indexes = [models.Index(fields=["team", "status"], name="plan_request_team_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}: {self.get_status_display()}"


class ActionPlanVersion(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What changed in this revision.")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Action(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        OVERDUE = "overdue", "Overdue"

    version = models.ForeignKey(ActionPlanVersion, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    milestones = models.TextField(blank=True, help_text="One milestone a line.")
    progress_note = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "due_on", "id"]

    def __str__(self) -> str:
        return self.description
