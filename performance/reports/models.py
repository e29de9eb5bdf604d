"""Published reports (frozen, public) and PDF jobs (large PDFs built by a Celery task)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from performance.reports.data import Audience, Kind


class PublishedReport(models.Model):
    """One published version of a report: its data frozen as JSON and its PDF as printed.

    Public pages read only this row (never live data), so a correction made after publication
    changes nothing here; publishing the same report again makes a new version.
    """

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded by a later version"

    kind = models.CharField(max_length=20, choices=Kind.choices())
    period = models.CharField(max_length=12, help_text="Written form: 2024/25 Q1 or 2024-07.")
    period_start = models.DateField()
    audience = models.CharField(max_length=10, choices=Audience.choices())
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_by_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True, help_text="Why this version was published.")
    snapshot = models.JSONField(help_text="The report's data exactly as published.")
    pdf = models.FileField(upload_to="reports/", max_length=200)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the PDF file.")

    class Meta:
        ordering = ["-period_start", "kind", "audience", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "audience", "version"], name="one_report_version"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="published_report_idx"),
        ]

    def __str__(self) -> str:
        return f"{Kind(self.kind).title} {self.period} ({Audience(self.audience).label}) v{self.version}"


class ReportJob(models.Model):
    """Work a worker does for one person, with its progress: a draft PDF (`file`), or a
    publication (`published`, the version it made; at most one, however often the task runs)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    class Purpose(models.TextChoices):
        PDF = "pdf", "Draft PDF"
        PUBLISH = "publish", "Publication"

    kind = models.CharField(max_length=20, choices=Kind.choices())
    period = models.CharField(max_length=12)
    audience = models.CharField(max_length=10, choices=Audience.choices())
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    stage = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/jobs/", max_length=200, blank=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.PDF)
    note = models.TextField(blank=True, help_text="A publication's reason, for the record.")
    published = models.ForeignKey(
        PublishedReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        what = "publication" if self.purpose == self.Purpose.PUBLISH else "PDF"
        return f"{Kind(self.kind).title} {self.period} {what} for {self.requested_by}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
