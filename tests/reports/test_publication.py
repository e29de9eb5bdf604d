"""Publication: officers only, frozen against later corrections, re-publication audited, and
nothing unpublished under /public/."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse

from performance.common import audit
from performance.models import AuditEvent
from performance.reports import services
from performance.reports.data import Audience, Kind, parse_period
from performance.reports.models import PublishedReport, ReportJob
from tests.reports.conftest import pdf_text
from tests.reports.council import PERIOD, UNPUBLISHED

pytestmark = pytest.mark.django_db


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def publish_as(client, user, audience="cabinet", **extra):
    """Ask to publish; the queued job's task runs (eagerly) once the request's work commits."""
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("reports:publish"),
            {
                "kind": "quarterly",
                "period": PERIOD,
                "audience": audience,
                "confirm": "yes",
                **extra,
            },
        )


def test_only_a_performance_officer_may_publish(client, council):
    for user in (council.member, council.enterer):
        assert publish_as(client, user).status_code == 403
    assert not PublishedReport.objects.exists()
    response = publish_as(client, council.officer)
    row = PublishedReport.objects.get()
    job = ReportJob.objects.get(purpose=ReportJob.Purpose.PUBLISH)
    assert response.status_code == 302
    assert response.url == reverse("reports:job", args=[job.pk])
    assert (job.status, job.published) == (ReportJob.Status.DONE, row)
    assert (row.kind, row.period, row.audience, row.version) == ("quarterly", PERIOD, "cabinet", 1)
    assert row.published_by == council.officer
    data = row.pdf.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == row.sha256
    assert "PUBLISHED v1" in pdf_text(data)


def test_a_bad_publication_request_publishes_nothing(client, council):
    response = publish_as(client, council.officer, audience="everyone")
    assert response.status_code == 302
    assert not PublishedReport.objects.exists()
    assert not ReportJob.objects.exists()


def test_public_pages_need_no_login_and_show_the_published_report(client, council):
    publish_as(client, council.officer)
    client.logout()
    row = PublishedReport.objects.get()
    index = client.get(reverse("public:index"))
    assert index.status_code == 200
    assert "Quarterly performance report" in index.content.decode()
    page = client.get(reverse("public:report", args=[row.pk])).content.decode()
    assert "WAS 001" in page
    assert "PUBLISHED v1" in page
    assert "Recover the recycling rate" in page  # Cabinet's summary names the action plan
    pdf = client.get(reverse("public:pdf", args=[row.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    csv_text = client.get(reverse("public:csv", args=[row.pk])).content.decode()
    assert csv_text.startswith("indicator,title,team,period,value,target")
    document = client.get(reverse("public:json", args=[row.pk])).json()
    assert document["report"]["version"] == 1
    assert document["report"]["pdf_sha256"] == row.sha256


def test_unpublished_values_never_appear_publicly(client, council):
    publish_as(client, council.officer, audience="mt")
    client.logout()
    row = PublishedReport.objects.get()
    urls = [
        reverse("public:index"),
        reverse("public:report", args=[row.pk]),
        reverse("public:csv", args=[row.pk]),
        reverse("public:json", args=[row.pk]),
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert str(UNPUBLISHED) not in body, url
        assert "nobody has approved" not in body, url
    assert str(UNPUBLISHED) not in pdf_text(row.pdf.read())
    rows = {r["indicator"]: r for r in client.get(urls[3]).json()["rows"]}
    assert rows["SEC 006"]["value"] is None
    assert rows["SEC 006"]["status"] == "no_data"


def test_a_report_published_before_a_correction_stays_as_published(client, council):
    publish_as(client, council.officer)
    row = PublishedReport.objects.get()
    client.logout()
    page_url = reverse("public:report", args=[row.pk])
    json_url = reverse("public:json", args=[row.pk])
    before_page = client.get(page_url).content.decode()
    before_json = client.get(json_url).json()
    before_pdf = row.pdf.read()

    audit.update(
        actor=council.officer,
        instance=council.red_value,
        reason="Weighbridge figures corrected",
        value=Decimal("44.4"),
        comment="Corrected after the weighbridge audit.",
    )

    after_page = client.get(page_url).content.decode()
    after_json = client.get(json_url).json()
    assert after_json == before_json
    assert "38.0%" in after_page
    assert "44.4%" not in after_page
    assert "Corrected after the weighbridge audit" not in after_page
    row.refresh_from_db()
    assert row.pdf.read() == before_pdf
    assert main_of(after_page) == main_of(before_page)


def test_republishing_makes_a_new_audited_version_and_supersedes_the_old(client, council):
    first = services.publish(
        actor=council.officer,
        kind=Kind.QUARTERLY,
        period=parse_period(Kind.QUARTERLY, PERIOD),
        audience=Audience.CABINET,
    )
    audit.update(actor=council.officer, instance=council.red_value, value=Decimal("44.4"))
    second = services.publish(
        actor=council.officer,
        kind=Kind.QUARTERLY,
        period=parse_period(Kind.QUARTERLY, PERIOD),
        audience=Audience.CABINET,
        note="Recycling figure corrected",
    )
    first.refresh_from_db()
    assert second.version == 2
    assert first.status == PublishedReport.Status.SUPERSEDED
    assert second.status == PublishedReport.Status.PUBLISHED
    created = AuditEvent.objects.get(object_id=str(second.pk), action="create")
    assert created.changes["version"] == [None, 2]
    assert created.reason == "Recycling figure corrected"
    assert created.actor == council.officer
    superseded = AuditEvent.objects.get(object_id=str(first.pk), action="update")
    assert superseded.changes["status"] == ["published", "superseded"]
    # Each version shows its own figures.
    first_rows = {r["indicator"]: r for r in first.snapshot["open_data"]["rows"]}
    second_rows = {r["indicator"]: r for r in second.snapshot["open_data"]["rows"]}
    assert first_rows["WAS 001"]["value"] == "38"
    assert second_rows["WAS 001"]["value"] == "44.4"
    # Only the current version is listed publicly; the old one says it was superseded.
    index = client.get(reverse("public:index")).content.decode()
    assert reverse("public:report", args=[second.pk]) in index
    assert reverse("public:report", args=[first.pk]) + '"' not in index
    old_page = client.get(reverse("public:report", args=[first.pk])).content.decode()
    assert "superseded" in old_page
    assert (
        json.loads(client.get(reverse("public:json", args=[first.pk])).content)["report"]["status"]
        == "superseded"
    )


def test_a_missing_published_report_is_404(client, db):
    assert client.get(reverse("public:report", args=[999])).status_code == 404
    assert client.get(reverse("public:json", args=[999])).status_code == 404
