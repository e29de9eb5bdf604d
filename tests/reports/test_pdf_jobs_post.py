"""Background PDF builds (issue 14, security item 5): a GET never queues a job; a POST (with its
CSRF token) does; the same PDF asked for again joins the job still queued; one person has at
most REPORT_JOBS_PER_PERSON jobs in flight, and a job lost long ago no longer counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from performance.models.outbox import OutboxMessage
from performance.reports import services
from performance.reports.data import Kind
from performance.reports.models import ReportJob
from tests.reports.council import MONTH, PERIOD

pytestmark = pytest.mark.django_db

PDF_URL = reverse("reports:pdf", args=[Kind.QUARTERLY.value])


@pytest.fixture
def large(settings):
    """Every report counts as large: its PDF is built in the background."""
    settings.REPORTS_SYNC_PDF_MAX_SIZE = 0
    settings.REPORT_JOBS_PER_PERSON = 3


def test_a_get_of_a_large_pdf_offers_a_button_and_queues_nothing(client, council, large):
    client.force_login(council.member)
    response = client.get(PDF_URL, {"period": PERIOD, "audience": "cabinet"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form method="post"' in page
    assert "Build the PDF" in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="audience" value="cabinet"' in page
    assert not ReportJob.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_background_on_a_get_queues_nothing_either(client, council):
    client.force_login(council.member)
    response = client.get(PDF_URL, {"period": PERIOD, "background": "1"})
    assert response.status_code == 200
    assert "Build the PDF" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_post_queues_one_job_through_the_outbox(client, council, large):
    client.force_login(council.member)
    response = client.post(PDF_URL, {"period": PERIOD, "audience": "cabinet"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:job", args=[job.pk])
    assert (job.kind, job.period, job.audience, job.status) == (
        "quarterly",
        PERIOD,
        "cabinet",
        ReportJob.Status.QUEUED,
    )
    assert job.requested_by == council.member
    assert OutboxMessage.objects.count() == 1


def test_a_second_post_for_the_same_pdf_joins_the_queued_job(client, council, large):
    client.force_login(council.member)
    first = client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    second = client.post(PDF_URL, {"period": PERIOD, "audience": "mt"}, follow=True)
    job = ReportJob.objects.get()
    assert first.url == reverse("reports:job", args=[job.pk])
    assert second.redirect_chain[-1][0] == reverse("reports:job", args=[job.pk])
    assert "You asked for this PDF already" in second.content.decode()
    assert OutboxMessage.objects.count() == 1


def test_a_different_audience_or_person_or_a_running_job_is_not_joined(client, council, large):
    client.force_login(council.member)
    client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    client.post(PDF_URL, {"period": PERIOD, "audience": "cabinet"})
    assert ReportJob.objects.count() == 2
    # Another reader's job is theirs alone (their PDF shows the teams they may see).
    client.force_login(council.officer)
    client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    assert ReportJob.objects.filter(requested_by=council.officer).count() == 1
    # A job already running may have read the figures before a change: a new one is queued.
    ReportJob.objects.filter(requested_by=council.officer).update(status=ReportJob.Status.RUNNING)
    client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    assert ReportJob.objects.filter(requested_by=council.officer).count() == 2


def test_one_person_may_have_three_jobs_in_flight_and_the_fourth_is_refused(client, council, large):
    client.force_login(council.member)
    for audience in ("mt", "cabinet", "scrutiny"):
        assert client.post(PDF_URL, {"period": PERIOD, "audience": audience}).status_code == 302
    monthly = reverse("reports:pdf", args=[Kind.MONTHLY.value])
    response = client.post(monthly, {"period": MONTH, "audience": "mt"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "the most one person may have at once (3)" in page
    assert "Wait for one to finish" in page
    assert ReportJob.objects.count() == 3
    assert not ReportJob.objects.filter(kind="monthly").exists()
    assert OutboxMessage.objects.count() == 3
    # Asking again for one already queued still joins it: no new work, so no refusal.
    again = client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    assert again.status_code == 302
    # Someone else is not held back by the member's jobs.
    client.force_login(council.officer)
    assert client.post(monthly, {"period": MONTH, "audience": "mt"}).status_code == 302


def test_finished_and_long_lost_jobs_do_not_count_against_the_limit(client, council, large):
    client.force_login(council.member)
    for audience in ("mt", "cabinet", "scrutiny"):
        client.post(PDF_URL, {"period": PERIOD, "audience": audience})
    jobs = list(ReportJob.objects.order_by("pk"))
    ReportJob.objects.filter(pk=jobs[0].pk).update(status=ReportJob.Status.DONE)
    ReportJob.objects.filter(pk=jobs[1].pk).update(status=ReportJob.Status.FAILED)
    # Stuck "running" since long ago: its worker is gone, it must not block the person forever.
    ReportJob.objects.filter(pk=jobs[2].pk).update(
        status=ReportJob.Status.RUNNING,
        created_at=timezone.now() - services.PDF_JOB_IN_FLIGHT_FOR - dt.timedelta(minutes=1),
    )
    monthly = reverse("reports:pdf", args=[Kind.MONTHLY.value])
    for month in (MONTH, "2025-11", "2025-10"):
        assert client.post(monthly, {"period": month, "audience": "mt"}).status_code == 302
    assert ReportJob.objects.count() == 6
    assert client.post(monthly, {"period": "2025-09"}).status_code == 429


def test_the_limit_is_a_setting(client, council, large, settings):
    settings.REPORT_JOBS_PER_PERSON = 1
    client.force_login(council.member)
    assert client.post(PDF_URL, {"period": PERIOD, "audience": "mt"}).status_code == 302
    response = client.post(PDF_URL, {"period": PERIOD, "audience": "cabinet"})
    assert response.status_code == 429
    assert "(1)" in response.content.decode()


def test_a_post_needs_the_csrf_token_the_button_carries(council, large):
    client = Client(enforce_csrf_checks=True)
    client.force_login(council.member)
    page = client.get(PDF_URL, {"period": PERIOD, "audience": "mt"})
    refused = client.post(PDF_URL, {"period": PERIOD, "audience": "mt"})
    assert refused.status_code == 403
    assert not ReportJob.objects.exists()
    token = str(page.context["csrf_token"])
    response = client.post(
        PDF_URL, {"period": PERIOD, "audience": "mt", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert ReportJob.objects.count() == 1


def test_a_bad_period_in_the_post_is_named_and_queues_nothing(client, council, large):
    client.force_login(council.member)
    response = client.post(PDF_URL, {"period": "2025/26 Q9", "audience": "mt"})
    assert response.status_code == 400
    assert "2025/26 Q9" in response.content.decode()
    assert not ReportJob.objects.exists()
