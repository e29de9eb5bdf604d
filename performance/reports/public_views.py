"""The public transparency pages at /public/ (no login): published reports and their open data.

Everything here reads `PublishedReport` rows only — the frozen snapshot and the PDF stored at
publication — never live data, so nothing unpublished or corrected later can appear.
"""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from performance.common import cache, downloads
from performance.reports import exports, services
from performance.reports.data import Audience, Kind, period_slug
from performance.reports.models import PublishedReport


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = list(
        PublishedReport.objects.filter(status=PublishedReport.Status.PUBLISHED)
        .only("kind", "period", "period_start", "audience", "version", "published_at", "status")
        .order_by("-period_start", "kind", "audience")
    )
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.period, []).append(
            {"row": row, "title": Kind(row.kind).title, "committee": Audience(row.audience).label}
        )
    return render(request, "reports/public_index.html", {"groups": list(groups.items())})


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A published version as a web page. Its body depends only on the frozen snapshot, the
    version's status and its sibling versions, so it is rendered once per state of those and
    kept (the snapshot, megabytes of JSON at county scale, is not even read on a repeat)."""
    row = get_object_or_404(PublishedReport.objects.defer("snapshot"), pk=pk)
    siblings = list(
        PublishedReport.objects.filter(kind=row.kind, period=row.period, audience=row.audience)
        .only("version", "status")
        .order_by("version")
    )
    others = [s for s in siblings if s.pk != row.pk]
    latest = siblings[-1] if siblings and siblings[-1].pk != row.pk else None
    state = ",".join(f"{s.pk}:{s.status}" for s in siblings)
    key = f"public-report:{row.pk}:{row.sha256}:{row.status}:{state}"

    def body() -> tuple[str, dict]:
        frozen = services.frozen_report(row)
        context = exports.context(
            frozen,
            services.published_stamp(row),
            for_print=False,
            public=True,
            published=row,
            other_versions=others,
            latest=latest,
        )
        html = render_to_string(Kind(row.kind).template + "#report-body", context)
        return html, {"report": {"title": frozen.title, "committee": frozen.committee}}

    html, page = cache.cached(key, [], body)
    return render(
        request,
        "reports/public_report.html",
        {**page, "public": True, "body_html": mark_safe(html)},  # rendered by our own template
    )


def _name(row: PublishedReport, ext: str) -> str:
    return f"{row.kind}-{period_slug(row.period)}-{row.audience}-v{row.version}.{ext}"


@require_GET
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF exactly as published: frozen, never rebuilt. Its SHA-256 is its ETag and its
    publication time its Last-Modified, so a browser revalidates (304) and a PDF viewer fetches
    byte ranges (206)."""
    row = get_object_or_404(PublishedReport.objects.defer("snapshot"), pk=pk)
    return downloads.file_response(
        request,
        Path(row.pdf.path),
        content_type="application/pdf",
        filename=_name(row, "pdf"),
        etag=row.sha256,
        last_modified=row.published_at,
    )


@require_GET
def open_data_csv(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(PublishedReport, pk=pk)
    response = HttpResponse(
        exports.open_data_csv(services.frozen_report(row)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_name(row, "csv")}"'
    return response


@require_GET
def open_data_json(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(PublishedReport, pk=pk)
    body = exports.open_data_json(services.frozen_report(row), services.open_data_meta(row))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_name(row, "json")}"'
    return response
