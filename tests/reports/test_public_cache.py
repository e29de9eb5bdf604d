"""The public report page renders a published version's body once and keeps it, and shows a
new state (superseded, a newer version) on the very next request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.reports import services
from performance.reports.data import Audience, Kind, parse_period
from tests.reports.council import PERIOD

pytestmark = pytest.mark.django_db


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def publish(council, note=""):
    return services.publish(
        actor=council.officer,
        kind=Kind.QUARTERLY,
        period=parse_period(Kind.QUARTERLY, PERIOD),
        audience=Audience.CABINET,
        note=note,
    )


def test_a_repeat_view_neither_reads_the_snapshot_nor_renders_the_body(
    client, council, monkeypatch, django_assert_max_num_queries
):
    row = publish(council)
    url = reverse("public:report", args=[row.pk])
    first = client.get(url)
    assert first.status_code == 200
    calls = []
    real = services.frozen_report
    monkeypatch.setattr(services, "frozen_report", lambda r: calls.append(r) or real(r))
    with django_assert_max_num_queries(3):
        second = client.get(url)
    assert calls == []
    body = main_of(first.content.decode())
    assert main_of(second.content.decode()) == body
    assert "Open data (CSV)" in body
    assert row.sha256[:10] in body


def test_publishing_a_new_version_shows_on_the_old_page_at_once(client, council):
    first = publish(council)
    url = reverse("public:report", args=[first.pk])
    assert "has been superseded" not in client.get(url).content.decode()
    second = publish(council, note="Recycling figure corrected")
    page = client.get(url).content.decode()
    assert "has been superseded" in page
    assert reverse("public:report", args=[second.pk]) in page
