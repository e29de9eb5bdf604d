"""Issue 19: publishing goes through a confirmation page that shows what becomes public (people's
names included), a publish POST without the confirmation publishes nothing, and readers who are
not performance officers land on the latest published version, the live draft a link away."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import TestCase
from django.urls import reverse
from django.utils.http import urlencode

from performance.reports.models import PublishedReport, ReportJob
from tests.reports.council import PERIOD

pytestmark = pytest.mark.django_db

TARGET = {"kind": "quarterly", "period": PERIOD, "audience": "cabinet"}
REPORT_URL = f"/reports/quarterly/?{urlencode({'period': PERIOD, 'audience': 'cabinet'})}"


def confirm_url() -> str:
    return f"{reverse('reports:publish-confirm')}?{urlencode(TARGET)}"


def post_publish(client, user, **extra):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the outbox relays; the job runs
        return client.post(reverse("reports:publish"), {**TARGET, **extra})


def test_the_report_page_offers_a_link_to_the_confirmation_page_not_a_publish_form(client, council):
    client.force_login(council.officer)
    page = client.get(REPORT_URL).content.decode()
    assert f'href="{confirm_url().replace("&", "&amp;")}"' in page
    assert reverse("reports:publish") + '"' not in page  # no form posts to publish from here


def test_the_confirmation_page_lists_what_and_who_becomes_public(client, council):
    client.force_login(council.officer)
    response = client.get(confirm_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check what will become public" in page
    assert "Quarterly performance report" in page
    assert PERIOD in page
    assert "Cabinet" in page
    # The action plan is owned by Pat Okafor: the page names him and where (Cabinet's summary
    # names each Red KPI's plan owner in a column of its own, issue 19).
    assert "Pat Okafor" in page
    assert "Plan owner in Red key performance indicators" in page
    assert "it cannot be unpublished" in page
    assert 'name="confirm" value="yes"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'href="{REPORT_URL.replace("&", "&amp;")}">Cancel</a>' in page
    assert not PublishedReport.objects.exists()  # looking publishes nothing


def test_only_an_officer_sees_the_confirmation_page(client, council):
    for user in (council.member, council.enterer):
        client.force_login(user)
        assert client.get(confirm_url()).status_code == 403


def test_a_publish_post_without_confirmation_publishes_nothing_and_says_why(client, council):
    before = PublishedReport.objects.count()
    response = post_publish(client, council.officer)
    assert PublishedReport.objects.count() == before == 0
    assert not ReportJob.objects.exists()
    assert response.status_code == 302
    assert response.url == confirm_url()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Not published: confirm" in m for m in said), said
    # A confirmation of anything but "yes" is refused the same way.
    post_publish(client, council.officer, confirm="no")
    assert PublishedReport.objects.count() == 0


def test_a_confirmed_publish_runs_the_job_and_publishes(client, council):
    response = post_publish(client, council.officer, confirm="yes", note="February Cabinet")
    row = PublishedReport.objects.get()
    job = ReportJob.objects.get(purpose=ReportJob.Purpose.PUBLISH)
    assert response.url == reverse("reports:job", args=[job.pk])
    assert (job.status, job.published, row.note) == ("done", row, "February Cabinet")


def test_a_member_lands_on_the_published_version_with_a_link_to_the_draft(client, council):
    post_publish(client, council.officer, confirm="yes")
    row = PublishedReport.objects.get()
    client.force_login(council.member)
    page = client.get(REPORT_URL).content.decode()
    assert "PUBLISHED v1" in page
    assert "DRAFT" not in page
    assert "See the live draft (not published)" in page
    assert reverse("public:pdf", args=[row.pk]) in page

    draft = client.get(REPORT_URL + "&draft=1").content.decode()
    assert "DRAFT" in draft
    assert "This is the live draft (not published)" in draft
    assert "See the published version 1" in draft


def test_a_member_sees_the_draft_when_nothing_is_published(client, council):
    client.force_login(council.member)
    page = client.get(REPORT_URL).content.decode()
    assert "DRAFT" in page
    assert "See the live draft" not in page


def test_an_officer_lands_on_the_draft_with_a_link_to_the_published_version(client, council):
    post_publish(client, council.officer, confirm="yes")
    row = PublishedReport.objects.get()
    page = client.get(REPORT_URL).content.decode()
    assert "DRAFT" in page
    assert "See the published version 1" in page
    assert reverse("public:report", args=[row.pk]) in page
    assert "Publish version 2" in page


def test_team_staff_keep_their_teams_draft_with_a_link_to_the_published_version(client, council):
    """An enterer's report is narrowed to their teams: they stay on it (never a whole-council
    page by default), with a link to the published version on the public pages."""
    post_publish(client, council.officer, confirm="yes")
    row = PublishedReport.objects.get()
    client.force_login(council.enterer)
    page = client.get(REPORT_URL).content.decode()
    assert "DRAFT" in page
    assert "Showing the indicators of your teams only." in page
    assert "See the published version 1" in page
    assert reverse("public:report", args=[row.pk]) in page
