"""Publishing off the request: a job, a worker that publishes exactly once, all or nothing,
the demo's published report and a cheap public page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from performance.models.outbox import OutboxMessage
from performance.reports import demo, exports, services, tasks
from performance.reports.data import Audience, Kind, parse_period
from performance.reports.models import PublishedReport, ReportJob
from tests.reports.council import PERIOD

pytestmark = pytest.mark.django_db

TASK = "performance.reports.tasks.publish_report"


def ask_to_publish(client, user, **extra):
    client.force_login(user)
    return client.post(
        reverse("reports:publish"),
        {"kind": "quarterly", "period": PERIOD, "audience": "cabinet", "confirm": "yes", **extra},
    )


def queued_job(council, note: str = "") -> ReportJob:
    return ReportJob.objects.create(
        purpose=ReportJob.Purpose.PUBLISH,
        kind=Kind.QUARTERLY.value,
        period=PERIOD,
        audience=Audience.CABINET.value,
        requested_by=council.officer,
        note=note,
    )


def pdf_files(settings) -> list[Path]:
    return sorted(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


class Refused:
    """A PDF renderer that must not be called."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise AssertionError("the PDF was laid out")


def test_publishing_returns_at_once_and_leaves_the_pdf_to_a_worker(client, council, monkeypatch):
    refused = Refused()
    monkeypatch.setattr(exports, "pdf", refused)
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        response = ask_to_publish(client, council.officer, note="Quarter end")
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:job", args=[job.pk])
    assert refused.calls == 0
    assert not PublishedReport.objects.exists()
    assert (job.purpose, job.status, job.note) == ("publish", "queued", "Quarter end")
    # Through the outbox: the message is a row of the same transaction, relayed after commit.
    message = OutboxMessage.objects.get(task_name=TASK)
    assert message.kwargs == {"job_id": job.pk}
    assert callbacks

    monkeypatch.undo()
    for callback in callbacks:
        callback()  # the relay publishes; the eager worker runs the task
    job.refresh_from_db()
    row = PublishedReport.objects.get()
    assert (job.status, job.published, job.progress) == ("done", row, 100)
    assert row.note == "Quarter end"
    assert row.pdf.read().startswith(b"%PDF-")


def test_the_job_page_polls_until_the_report_is_published(client, council):
    with TestCase.captureOnCommitCallbacks(execute=False):
        ask_to_publish(client, council.officer)
    job = ReportJob.objects.get()
    url = reverse("reports:job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "Publishing the report" in page
    assert f'hx-get="{url}"' in page
    assert 'aria-live="polite"' in page
    assert "<script>" not in page  # strict CSP: htmx attributes only
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"')

    services.run_publication(job.pk)
    row = PublishedReport.objects.get()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in fragment  # finished: polling stops
    assert "Published" in fragment
    assert reverse("public:report", args=[row.pk]) in fragment
    # Another person's job is not theirs to watch.
    client.force_login(council.member)
    assert client.get(url).status_code == 404


def test_a_second_run_of_the_same_job_publishes_nothing(council, settings):
    job = queued_job(council)
    assert services.run_publication(job.pk) is services.Run.DONE
    first = PublishedReport.objects.get()
    files = pdf_files(settings)
    assert services.run_publication(job.pk) is services.Run.NOTHING
    tasks.publish_report.apply(kwargs={"job_id": job.pk}).get()  # the task redelivered
    assert list(PublishedReport.objects.all()) == [first]
    assert first.version == 1
    assert pdf_files(settings) == files


def test_two_runs_that_both_claimed_the_job_publish_one_version(council, settings):
    """A slow worker taken for dead: its run and the re-claimed one both reach `publish`."""
    job = queued_job(council)
    arguments = {
        "actor": council.officer,
        "kind": Kind.QUARTERLY,
        "period": parse_period(Kind.QUARTERLY, PERIOD),
        "audience": Audience.CABINET,
        "job_id": job.pk,
    }
    first = services.publish(**arguments)
    second = services.publish(**arguments)
    assert second == first
    assert PublishedReport.objects.count() == 1
    assert len(pdf_files(settings)) == 1


def test_a_job_claimed_by_a_killed_worker_is_published_once_its_claim_goes_stale(council):
    job = queued_job(council)
    ReportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    assert services.run_publication(job.pk) is services.Run.BUSY
    assert not PublishedReport.objects.exists()
    stale = timezone.now() - services.PUBLISH_STALE_AFTER - dt.timedelta(minutes=1)
    ReportJob.objects.filter(pk=job.pk).update(started_at=stale)
    assert services.run_publication(job.pk) is services.Run.DONE
    assert PublishedReport.objects.get().version == 1


def test_a_failure_leaves_no_row_and_no_file(client, council, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "created", broken)
    job = queued_job(council)
    assert services.run_publication(job.pk) is services.Run.DONE
    job.refresh_from_db()
    assert job.status == "failed"
    assert "audit log unavailable" in job.error
    assert job.published is None
    assert not PublishedReport.objects.exists()
    assert pdf_files(settings) == []
    client.force_login(council.officer)
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "The report could not be published" in page
    assert "Nothing was published" in page


def test_a_draft_pdf_job_is_not_taken_for_a_publication(council):
    job = queued_job(council)
    ReportJob.objects.filter(pk=job.pk).update(purpose=ReportJob.Purpose.PDF)
    assert services.run_publication(job.pk) is services.Run.NOTHING
    assert not PublishedReport.objects.exists()


def test_the_demo_publishes_the_latest_quarters_report_for_cabinet(council):
    lines: list[str] = []

    class Context:
        users = {"performance": council.officer}
        log = staticmethod(lines.append)

    demo.seed(Context())
    row = PublishedReport.objects.get()
    assert (row.kind, row.audience, row.version, row.status) == (
        "quarterly",
        "cabinet",
        1,
        "published",
    )
    assert row.published_by == council.officer
    assert row.pdf.read().startswith(b"%PDF-")
    assert len(lines) == 1
    assert lines[0].startswith("Reports: published the quarterly performance report")


def test_the_public_report_page_reads_the_snapshot_in_few_queries(
    client, council, monkeypatch, django_assert_max_num_queries
):
    row = services.publish(
        actor=council.officer,
        kind=Kind.QUARTERLY,
        period=parse_period(Kind.QUARTERLY, PERIOD),
        audience=Audience.MT,
    )
    refused = Refused()
    monkeypatch.setattr(exports, "pdf", refused)
    client.logout()
    with django_assert_max_num_queries(25):
        response = client.get(reverse("public:report", args=[row.pk]))
    assert response.status_code == 200
    assert refused.calls == 0
    page = response.content.decode()
    assert "WAS 001" in page
    assert "PUBLISHED v1" in page
