"""Draft PDFs built once per state of their data and served from storage (issue 21); published
PDFs served as frozen files with validators, conditional requests and byte ranges."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.urls import reverse

from performance.models import Value
from performance.reports import exports, pdf_store, services
from performance.reports.data import Audience, Kind, parse_period
from performance.reports.models import ReportJob
from tests.reports.conftest import pdf_text
from tests.reports.council import MONTH, PERIOD
from tests.reports.risk_council import PERIOD as RISK_PERIOD
from tests.reports.risk_council import TODAY, at, make_risks

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """Every PDF laid out by WeasyPrint, counted."""
    calls: list[str] = []
    real = exports.pdf

    def counted(report, stamp, **kwargs):
        calls.append(report.kind)
        return real(report, stamp, **kwargs)

    monkeypatch.setattr(exports, "pdf", counted)
    return calls


def pdf_url(kind: Kind) -> str:
    return reverse("reports:pdf", args=[kind.value])


def stored_files() -> list:
    return sorted(pdf_store.folder().glob("*.pdf"))


def test_the_same_pdf_is_served_from_storage_without_a_rebuild(client, council, builds):
    client.force_login(council.member)
    first = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    second = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    assert first.status_code == second.status_code == 200
    assert builds == ["monthly"]  # laid out once
    assert first.content == second.content
    assert "MON 010" in pdf_text(second.content)
    assert second["ETag"] == first["ETag"]
    assert [path.read_bytes() for path in stored_files()] == [first.content]


def test_a_changed_value_makes_the_next_request_build_again(client, council, builds):
    client.force_login(council.member)
    first = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    value = Value.objects.filter(status=Value.Status.ACTIVATED).first()
    value.comment = "Corrected after the count"
    value.save(update_fields=["comment"])  # bumps the "indicators" generation
    second = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    assert builds == ["monthly", "monthly"]
    assert second["ETag"] != first["ETag"]
    # The earlier state's file is gone: one file per report and reader scope.
    assert [path.read_bytes() for path in stored_files()] == [second.content]
    client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    assert len(builds) == 2


def test_a_draft_pdf_answers_conditional_and_range_requests(client, council):
    client.force_login(council.member)
    whole = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    etag = whole["ETag"]
    assert whole["Accept-Ranges"] == "bytes"
    assert (
        client.get(pdf_url(Kind.MONTHLY), {"period": MONTH}, HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    part = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH}, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == whole.content[:100]
    assert part["Content-Range"] == f"bytes 0-99/{len(whole.content)}"


def test_a_member_never_gets_the_pdf_built_for_someone_who_reads_more(client, council, builds):
    # The officer's Management Team PDF and the member's are the same report here, but the
    # member's key differs (roles), so the member's copy is built for the member.
    client.force_login(council.officer)
    officer = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    client.force_login(council.enterer)  # reads the housing team only
    enterer = client.get(pdf_url(Kind.MONTHLY), {"period": MONTH})
    assert builds == ["monthly", "monthly"]
    assert officer["ETag"] != enterer["ETag"]
    assert "Showing the indicators of your teams only" in pdf_text(enterer.content)
    assert "Showing the indicators of your teams only" not in pdf_text(officer.content)
    # A different audience is a different PDF, even for the same reader.
    client.get(pdf_url(Kind.MONTHLY), {"period": MONTH, "audience": "cabinet"})
    assert len(builds) == 3


def test_a_confidential_risk_never_reaches_a_member_from_storage(client, builds):
    with time_machine.travel(at(TODAY), tick=False):
        risks = make_risks()
    with time_machine.travel(at(TODAY, 12), tick=False):
        client.force_login(risks.officer)
        params = {"period": RISK_PERIOD, "audience": "mt"}
        officer = client.get(pdf_url(Kind.RISK), params)
        assert "Tribunal" in pdf_text(officer.content)
        for reader in (risks.member, risks.staff):
            client.force_login(reader)
            theirs = client.get(pdf_url(Kind.RISK), params)
            assert "Tribunal" not in pdf_text(theirs.content)
        # The owner reads their own confidential risk: a copy of their own.
        client.force_login(risks.owner)
        assert "Tribunal" in pdf_text(client.get(pdf_url(Kind.RISK), params).content)
    assert builds == ["risk"] * 4


def test_a_background_build_is_kept_for_the_next_request(
    client, council, settings, builds, django_capture_on_commit_callbacks
):
    settings.REPORTS_SYNC_PDF_MAX_SIZE = 5
    client.force_login(council.member)
    assert (
        "Build the PDF" in client.get(pdf_url(Kind.QUARTERLY), {"period": PERIOD}).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pdf_url(Kind.QUARTERLY), {"period": PERIOD})
    assert ReportJob.objects.get().status == ReportJob.Status.DONE
    served = client.get(pdf_url(Kind.QUARTERLY), {"period": PERIOD})
    assert served["Content-Type"] == "application/pdf"
    assert "WAS 001" in pdf_text(served.content)
    assert builds == ["quarterly"]  # the worker's build, served again


def test_stored_pdfs_are_bounded(council, settings):
    settings.REPORTS_PDF_CACHE_KEEP = 2
    period = parse_period(Kind.MONTHLY, MONTH)
    for audience in (Audience.MT, Audience.CABINET, Audience.SCRUTINY):
        key = pdf_store.key_for(kind=Kind.MONTHLY, period=period, audience=audience, user=None)
        pdf_store.store(key, b"%PDF-1.7 " + audience.value.encode())
    assert len(stored_files()) == 2
    assert not list(pdf_store.folder().glob(".building-*"))


def test_a_published_pdf_is_a_frozen_file_with_validators_and_ranges(client, council, builds):
    row = services.publish(
        actor=council.officer,
        kind=Kind.MONTHLY,
        period=parse_period(Kind.MONTHLY, MONTH),
        audience=Audience.MT,
    )
    url = reverse("public:pdf", args=[row.pk])
    whole = client.get(url)
    assert whole.status_code == 200
    content = b"".join(whole.streaming_content)  # streamed from the file, as before
    assert hashlib.sha256(content).hexdigest() == row.sha256
    assert whole["ETag"] == f'"{row.sha256}"'
    assert "Last-Modified" in whole
    assert client.get(url, HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=whole["Last-Modified"]).status_code == 304
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206
    assert b"".join(tail.streaming_content) == content[-50:]
    # A client holding an older copy gets the whole file, not a piece of this one.
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"not-this-one"')
    assert stale.status_code == 200
    assert b"".join(stale.streaming_content) == content
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(content) + 10}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(content)}"
    assert builds == ["monthly"]  # published once, never rebuilt


def test_a_report_with_risks_is_built_once_after_a_change(client, council, settings, builds):
    # The quarterly report brings the key risk indicator alerts up to date before it reads them
    # (a write of the alert check's own state): that must not make its own file stale at once.
    settings.REPORTS_SYNC_PDF_MAX_SIZE = 10_000
    client.force_login(council.officer)
    client.get(pdf_url(Kind.QUARTERLY), {"period": PERIOD})
    value = Value.objects.filter(status=Value.Status.ACTIVATED).first()
    value.comment = "Corrected after the count"
    value.save(update_fields=["comment"])
    client.get(pdf_url(Kind.QUARTERLY), {"period": PERIOD})
    client.get(pdf_url(Kind.QUARTERLY), {"period": PERIOD})
    assert builds == ["quarterly", "quarterly"]
