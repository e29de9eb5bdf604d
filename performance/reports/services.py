"""Writes of the reports app: publication (frozen, versioned, audited) and PDF jobs."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from performance import audit, outbox
from performance.periods import Period
from performance.reports import exports, selectors
from performance.reports.data import Audience, Kind, Report, period_slug
from performance.reports.models import PublishedReport, ReportJob

log = logging.getLogger(__name__)

# Reports bigger than this (table rows + 8 per spotlight) are built by a worker, not the request.
SYNC_PDF_MAX_SIZE = 400


def sync_pdf_max_size() -> int:
    return getattr(settings, "REPORTS_SYNC_PDF_MAX_SIZE", SYNC_PDF_MAX_SIZE)


def date_text(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def draft_stamp() -> exports.Stamp:
    return exports.Stamp(status="DRAFT", date=date_text(timezone.localdate()))


def published_stamp(row: PublishedReport) -> exports.Stamp:
    return exports.Stamp(
        status=f"PUBLISHED v{row.version}",
        date=date_text(timezone.localtime(row.published_at).date()),
        published=True,
    )


def frozen_report(row: PublishedReport) -> Report:
    """The report exactly as published, from its snapshot (never from live data)."""
    return Report.from_json(row.snapshot)


def open_data_meta(row: PublishedReport) -> dict:
    return {
        "version": row.version,
        "status": row.status,
        "published_at": timezone.localtime(row.published_at).isoformat(timespec="seconds"),
        "pdf_sha256": row.sha256,
    }


# --- publication --------------------------------------------------------------------------------


@transaction.atomic
def publish(
    *, actor, kind: Kind, period: Period, audience: Audience, note: str = ""
) -> PublishedReport:
    """Freeze the report as it is now and publish it as the next version (SPEC §10).

    The snapshot and the PDF are written with the row; earlier published versions of the same
    report become `superseded`. The publication and each supersession are audited. A failure
    anywhere leaves nothing behind (the PDF file is removed if the row is not saved).
    """
    latest = (
        PublishedReport.objects.select_for_update()
        .filter(kind=kind.value, period=str(period), audience=audience.value)
        .order_by("-version")
        .first()
    )
    version = latest.version + 1 if latest else 1
    report = selectors.build(kind, period=period, audience=audience)
    now = timezone.now()
    row = PublishedReport(
        kind=kind.value,
        period=str(period),
        period_start=period.start,
        audience=audience.value,
        version=version,
        published_at=now,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        published_by_name=actor.get_username()
        if getattr(actor, "is_authenticated", False)
        else "system",
        note=note.strip()[:500],
        snapshot=report.to_json(),
    )
    data = exports.pdf(report, published_stamp(row))
    row.sha256 = hashlib.sha256(data).hexdigest()
    name = f"{kind.value}-{period_slug(str(period))}-{audience.value}-v{version}.pdf"
    row.pdf.save(name, ContentFile(data), save=False)
    try:
        row.save()
        reason = note.strip() or (
            f"Re-publication: version {version} replaces version {latest.version}"
            if latest
            else "First publication"
        )
        audit.created(
            actor=actor,
            instance=row,
            fields=["kind", "period", "audience", "version", "status", "sha256"],
            reason=reason,
        )
        for earlier in PublishedReport.objects.filter(
            kind=kind.value,
            period=str(period),
            audience=audience.value,
            status=PublishedReport.Status.PUBLISHED,
        ).exclude(pk=row.pk):
            audit.update(
                actor=actor,
                instance=earlier,
                reason=f"Superseded by version {version}",
                status=PublishedReport.Status.SUPERSEDED,
            )
    except Exception:
        row.pdf.delete(save=False)
        raise
    return row


# --- PDF jobs -----------------------------------------------------------------------------------


def request_pdf(*, user, kind: Kind, period: Period, audience: Audience) -> ReportJob:
    """Queue a PDF for `user`; a worker builds it (see `run_job`) once this transaction commits."""

    job = ReportJob.objects.create(
        kind=kind.value,
        period=str(period),
        audience=audience.value,
        requested_by=user,
        stage="Waiting for a worker",
    )
    # Through the outbox: a request made while the broker is down is kept and relayed later.
    outbox.enqueue("performance.reports.tasks.build_report_pdf", job_id=job.pk)
    return job


def _progress(job_id: int):
    def tell(percent: int, stage: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(progress=percent, stage=stage[:120])

    return tell


def run_job(job_id: int) -> bool:
    """Build a queued job's PDF. Idempotent: only a queued job is claimed, so a retried or
    duplicated task does nothing twice. Returns whether this call did the work."""
    from performance.reports.data import parse_period

    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING,
        started_at=timezone.now(),
        progress=5,
        stage="Gathering the figures",
    )
    if not claimed:
        return False
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    tell = _progress(job_id)
    try:
        kind = Kind(job.kind)
        report = selectors.build(
            kind,
            period=parse_period(kind, job.period),
            audience=Audience(job.audience),
            team_ids=selectors.reader_team_ids(job.requested_by),
        )
        tell(20, "Figures gathered")
        data = exports.pdf(report, draft_stamp(), progress=tell)
        name = f"{kind.value}-{period_slug(job.period)}-{job.audience}-{job.pk}.pdf"
        job.file.save(name, ContentFile(data), save=False)
        ReportJob.objects.filter(pk=job_id).update(
            file=job.file.name,
            status=ReportJob.Status.DONE,
            progress=100,
            stage="Ready",
            finished_at=timezone.now(),
        )
    except Exception as error:
        log.exception("Report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED,
            stage="Failed",
            error=str(error)[:1000],
            finished_at=timezone.now(),
        )
    return True
