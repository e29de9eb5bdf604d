"""Writes of the reports app: publication (frozen, versioned, audited) and PDF jobs."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import models as auth
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from performance.common import audit, outbox
from performance.core.periods import Period
from performance.reports import exports, pdf_store, selectors
from performance.reports.data import Audience, Kind, Report, parse_period, period_slug
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


# Table columns whose cells are people's names (the report's selectors write them with
# `selectors.common._person`), and how the confirmation page describes each.
PERSON_COLUMNS = {"owner": "Owner"}
_PLAN_OWNER = re.compile(r"owner (?P<name>.+)$")


def people_named(report: Report) -> dict[str, list[str]]:
    """Every person's name the report will show (pages, PDF, open data, workbook), each with
    where it appears: the publish confirmation page lists them (issue 19). Free-text comments
    are not read here; the page counts them instead."""
    found: dict[str, set[str]] = {}

    def note(name: Any, where: str) -> None:
        text = str(name or "").strip()
        if text:
            found.setdefault(text, set()).add(where)

    tables = [*report.tables, report.open_data]
    for table in tables:
        for column in table.columns:
            if column.key in PERSON_COLUMNS:
                where = f"{column.label} in {table.caption or 'the open data'}"
                for row in table.rows:
                    note(row.get(column.key), where)
    for section in report.sections:
        for spotlight in section.spotlights:
            owner = _PLAN_OWNER.search(spotlight.plan_status)
            if owner:
                note(owner["name"], f"Owner of the action plan for {spotlight.code}")
            for action in spotlight.actions:
                note(action.owner, f"Owner of an action for {spotlight.code}")
    return {name: sorted(found[name]) for name in sorted(found)}


def comments_count(report: Report) -> int:
    """Performance comments the report prints as written (they may name people)."""
    return sum(1 for s in report.sections for spot in s.spotlights if spot.comment.strip())


def frozen_report(row: PublishedReport) -> Report:
    """The report exactly as published, from its snapshot (never from live data)."""
    return Report.from_json(row.snapshot)


def open_data_meta(row: PublishedReport) -> dict[str, Any]:
    return {
        "version": row.version,
        "status": row.status,
        "published_at": timezone.localtime(row.published_at).isoformat(timespec="seconds"),
        "pdf_sha256": row.sha256,
    }


# --- publication --------------------------------------------------------------------------------

# A publication job still "running" this long after it was claimed lost its worker (killed,
# redeployed): it may be claimed again. A county-scale report takes a few minutes at most.
PUBLISH_STALE_AFTER = dt.timedelta(minutes=20)


class _AlreadyPublished(Exception):
    """The job made its version in an earlier run: this run must publish nothing."""


def _next_version(
    kind: Kind, period: Period, audience: Audience, *, lock: bool
) -> tuple[int, PublishedReport | None]:
    query = PublishedReport.objects.filter(
        kind=kind.value, period=str(period), audience=audience.value
    ).order_by("-version")
    if lock:
        query = query.select_for_update()
    latest = query.first()
    return (latest.version + 1 if latest else 1), latest


def publish(
    *,
    actor: auth.User | None,
    kind: Kind,
    period: Period,
    audience: Audience,
    note: str = "",
    job_id: int | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> PublishedReport:
    """Freeze the report as it is now and publish it as the next version (SPEC §10).

    The figures are gathered and the PDF laid out first, outside any transaction (minutes at
    county scale: no lock is held meanwhile). Then one short transaction numbers the version,
    stores the PDF, writes the row with its snapshot, supersedes earlier versions and audits it
    all. All or nothing: if that transaction fails, the PDF file is removed. With `job_id` the
    job is locked and marked done in the same transaction, so a job publishes at most one
    version however often its task runs (a later run gets the version the first one made).
    Call it outside the caller's transaction (as the task and the demo do): a rollback of an
    enclosing transaction after this returns would leave the file behind.
    """
    tell = progress or (lambda _percent, _stage: None)
    signed_in = getattr(actor, "is_authenticated", False)
    note = note.strip()[:500]
    tell(10, "Freezing the figures")
    # Public at /public/: never a confidential risk, whatever the audience.
    report = selectors.build(kind, period=period, audience=audience, public=True)
    version, _ = _next_version(kind, period, audience, lock=False)
    row = PublishedReport(
        kind=kind.value,
        period=str(period),
        period_start=period.start,
        audience=audience.value,
        version=version,
        published_at=timezone.now(),
        published_by=actor if signed_in else None,
        # signed_in: actor is a user, not None.
        published_by_name=actor.get_username() if signed_in else "system",  # type: ignore[union-attr]
        note=note,
        snapshot=report.to_json(),
    )
    tell(20, "Figures frozen")
    data = exports.pdf(report, published_stamp(row), progress=tell)
    saved = ""
    try:
        with transaction.atomic():
            if job_id is not None:
                job = ReportJob.objects.select_for_update().get(pk=job_id)
                if job.published_id is not None or job.status == ReportJob.Status.DONE:
                    raise _AlreadyPublished
            tell(95, "Saving the published version")
            row.version, latest = _next_version(kind, period, audience, lock=True)
            if row.version != version:
                # Someone published this report meanwhile: stamp the right version number.
                data = exports.pdf(report, published_stamp(row))
            row.sha256 = hashlib.sha256(data).hexdigest()
            name = f"{kind.value}-{period_slug(str(period))}-{audience.value}-v{row.version}.pdf"
            row.pdf.save(name, ContentFile(data), save=False)
            saved = row.pdf.name
            row.save()
            reason = note or (
                f"Re-publication: version {row.version} replaces version {latest.version}"
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
                    reason=f"Superseded by version {row.version}",
                    status=PublishedReport.Status.SUPERSEDED,
                )
            if job_id is not None:
                ReportJob.objects.filter(pk=job_id).update(
                    status=ReportJob.Status.DONE,
                    published=row,
                    progress=100,
                    stage="Published",
                    finished_at=timezone.now(),
                )
    except _AlreadyPublished:
        log.info("Publication job %s had already published: nothing done", job_id)
        # Raised only for a job (job_id is set) that has already published its version.
        return ReportJob.objects.select_related("published").get(pk=job_id).published  # type: ignore[misc, return-value]
    except BaseException:
        if saved:
            row.pdf.storage.delete(saved)
        raise
    return row


def request_publication(
    *, user: auth.User, kind: Kind, period: Period, audience: Audience, note: str = ""
) -> ReportJob:
    """Record a publication for a worker (see `run_publication`); nothing is built here.

    The job and its outbox message commit together, so a broker outage delays the publication
    but never loses it.
    """
    with transaction.atomic():
        job = ReportJob.objects.create(
            purpose=ReportJob.Purpose.PUBLISH,
            kind=kind.value,
            period=str(period),
            audience=audience.value,
            requested_by=user,
            note=note.strip()[:500],
            stage="Waiting for a worker",
        )
        outbox.enqueue("performance.reports.tasks.publish_report", job_id=job.pk)
    return job


class Run(StrEnum):
    DONE = "done"  # this call did the work (published, or failed and said why)
    NOTHING = "nothing"  # finished already, or not a publication job
    BUSY = "busy"  # another worker claimed it recently: try again later


def run_publication(job_id: int) -> Run:
    """Publish a queued publication job. Safe to run any number of times.

    The job is claimed with a conditional UPDATE (queued, or running but abandoned for longer
    than PUBLISH_STALE_AFTER by a killed worker); `publish` then checks the job under a row lock
    in its own transaction, so even two runs that both claimed it publish one version.
    """
    now = timezone.now()
    claimed = (
        ReportJob.objects.filter(pk=job_id, purpose=ReportJob.Purpose.PUBLISH)
        .filter(
            Q(status=ReportJob.Status.QUEUED)
            | Q(status=ReportJob.Status.RUNNING, started_at__lt=now - PUBLISH_STALE_AFTER)
        )
        .update(
            status=ReportJob.Status.RUNNING,
            started_at=now,
            progress=5,
            stage="Starting",
        )
    )
    if not claimed:
        running = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).exists()
        return Run.BUSY if running else Run.NOTHING
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)

    try:
        kind = Kind(job.kind)
        publish(
            actor=job.requested_by,
            kind=kind,
            period=parse_period(kind, job.period),
            audience=Audience(job.audience),
            note=job.note,
            job_id=job_id,
            progress=_progress(job_id),
        )
    except Exception as error:
        log.exception("Publication job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.RUNNING).update(
            status=ReportJob.Status.FAILED,
            stage="Failed",
            error=str(error)[:1000],
            finished_at=timezone.now(),
        )
    return Run.DONE


# --- PDF jobs -----------------------------------------------------------------------------------


# One person may have at most this many PDF jobs in flight (REPORT_JOBS_PER_PERSON): the single
# worker also sends reminders and publishes, so nobody may queue builds without limit.
REPORT_JOBS_PER_PERSON = 3
# A PDF job still queued or running this long after it was asked for is presumed lost (a killed
# worker, a dropped message): it no longer counts against the limit, nor is it joined.
PDF_JOB_IN_FLIGHT_FOR = dt.timedelta(minutes=30)


def report_jobs_per_person() -> int:
    return getattr(settings, "REPORT_JOBS_PER_PERSON", REPORT_JOBS_PER_PERSON)


class TooManyPdfJobs(Exception):
    """The person already has `limit` PDF jobs in flight: nothing was queued."""

    def __init__(self, limit: int, jobs: list[ReportJob]) -> None:
        self.limit = limit
        self.jobs = jobs
        super().__init__(
            f"You already have {len(jobs)} PDFs being built, the most one person may have at "
            f"once ({limit}). Wait for one to finish, then try again."
        )


def pdf_jobs_in_flight(user: auth.User) -> list[ReportJob]:
    """`user`'s PDF jobs queued or running, asked for within PDF_JOB_IN_FLIGHT_FOR."""
    return list(
        ReportJob.objects.filter(
            requested_by=user,
            purpose=ReportJob.Purpose.PDF,
            status__in=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING),
            created_at__gte=timezone.now() - PDF_JOB_IN_FLIGHT_FOR,
        )
    )


def request_pdf(
    *, user: auth.User, kind: Kind, period: Period, audience: Audience
) -> tuple[ReportJob, bool]:
    """Queue a PDF for `user`; a worker builds it (see `run_job`) once this transaction commits.

    Returns (job, created). The same PDF asked for again while its job is still queued joins
    that job: a queued job has read nothing yet, so it builds exactly what a new one would. Only
    the same person's job is joined (the PDF shows the teams its reader may see, and a job is
    opened by its owner alone). Raises TooManyPdfJobs, queuing nothing, when the person already
    has `report_jobs_per_person()` jobs in flight.
    """
    limit = report_jobs_per_person()
    with transaction.atomic():
        # One request per person at a time past this line: two quick clicks cannot both pass
        # the limit or both miss the job the other queued.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        in_flight = pdf_jobs_in_flight(user)
        for job in in_flight:
            if (job.kind, job.period, job.audience, job.status) == (
                kind.value,
                str(period),
                audience.value,
                ReportJob.Status.QUEUED,
            ):
                return job, False
        if len(in_flight) >= limit:
            raise TooManyPdfJobs(limit, in_flight)
        job = ReportJob.objects.create(
            kind=kind.value,
            period=str(period),
            audience=audience.value,
            requested_by=user,
            stage="Waiting for a worker",
        )
        # Through the outbox: a request made while the broker is down is kept and relayed later.
        outbox.enqueue("performance.reports.tasks.build_report_pdf", job_id=job.pk)
    return job, True


def _progress(job_id: int) -> Callable[[int, str], None]:
    def tell(percent: int, stage: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(progress=percent, stage=stage[:120])

    return tell


def run_job(job_id: int) -> bool:
    """Build a queued job's PDF. Idempotent: only a queued job is claimed, so a retried or
    duplicated task does nothing twice. Returns whether this call did the work."""
    claimed = ReportJob.objects.filter(
        pk=job_id, purpose=ReportJob.Purpose.PDF, status=ReportJob.Status.QUEUED
    ).update(
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
        period = parse_period(kind, job.period)
        audience = Audience(job.audience)
        # The key first: a change made while this builds leaves the file under old tokens.
        key = pdf_store.key_for(kind=kind, period=period, audience=audience, user=job.requested_by)
        report = selectors.build(
            kind,
            period=period,
            audience=audience,
            team_ids=selectors.reader_team_ids(job.requested_by),
            reader=job.requested_by,
        )
        tell(20, "Figures gathered")
        data = exports.pdf(report, draft_stamp(), progress=tell)
        # Kept for the next request of the same PDF by a reader of the same scope (issue 21).
        pdf_store.store(key, data)
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
