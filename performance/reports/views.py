"""Staff pages of the committee reports: thin function views (parse → selector/service → render).

Every signed-in person may read reports; indicator reports are narrowed to the teams a reader
may see (officers and members see every team). Publishing is for performance officers (403 for
anyone else). A PDF job belongs to the person who asked for it (404 for anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from performance.common import access, downloads
from performance.core import periods
from performance.indicators import selectors as performance_selectors
from performance.reports import exports, pdf_store, selectors, services
from performance.reports.data import (
    Audience,
    BadArgument,
    Kind,
    parse_audience,
    parse_kind,
    parse_period,
    period_slug,
)
from performance.reports.models import PublishedReport, ReportJob

PERIOD_HINTS = {
    Kind.MONTHLY: "A month, like 2025-07",
    Kind.STRATEGIC_ACTIONS: "Q2 or Q4 of a financial year, like 2025/26 Q2",
    Kind.ANNUAL: "A financial year, like 2025/26",
}
ANY_PERIOD_HINT = (
    "A quarter, like 2025/26 Q1 (a month like 2025-07 for the monthly report, a financial year "
    "like 2025/26 for the annual report)"
)


def default_period(kind: Kind, *, today=None) -> periods.Period:
    """The period a report opens on: the one most recently collected."""
    quarter = performance_selectors.latest_reporting_period(today=today)
    if kind is Kind.MONTHLY:
        return _last_month(today)
    if kind is Kind.STRATEGIC_ACTIONS:
        while quarter.quarter_number not in (2, 4):
            quarter = quarter.previous()
    if kind is Kind.ANNUAL:
        # The latest year whose Q4 has been collected: the year the report is published for.
        year = quarter.financial_year
        return year if quarter.quarter_number == 4 else year.previous()
    return quarter


def _last_month(today=None) -> periods.Period:
    return periods.month_of(today or timezone.localdate()).previous()


def _picker(kind: Kind | None, picked: dict, errors: dict, *, action: str, htmx: bool) -> dict:
    return {
        "picker_action": action,
        "htmx_picker": htmx,
        "kind_choices": Kind.choices() if kind is None else None,
        "audience_choices": Audience.choices(),
        "period_hint": PERIOD_HINTS.get(kind, ANY_PERIOD_HINT)
        if kind is not None
        else ANY_PERIOD_HINT,
        "picked": picked,
        "errors": errors,
    }


def _choice(kind: Kind, params):
    """(period, audience, picked, errors) from `params` (the query string, or a form's POST)."""
    picked = {
        "kind": kind.value,
        "period": params.get("period", "").strip(),
        "audience": params.get("audience", "").strip() or Audience.MT.value,
    }
    errors = {}
    period = audience = None
    if picked["period"]:
        try:
            period = parse_period(kind, picked["period"])
        except BadArgument as error:
            errors["period"] = str(error)
    else:
        period = default_period(kind)
        picked["period"] = str(period)
    try:
        audience = parse_audience(picked["audience"])
    except BadArgument as error:
        errors["audience"] = str(error)
    return period, audience, picked, errors


def _kind_or_404(text: str) -> Kind:
    try:
        return parse_kind(text)
    except BadArgument as error:
        raise Http404(str(error)) from None


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    rows = list(
        PublishedReport.objects.filter(status=PublishedReport.Status.PUBLISHED).order_by(
            "-published_at"
        )[:20]
    )
    kinds = [
        {
            "kind": kind,
            "url": reverse("reports:report", args=[kind.value]),
            "period": default_period(kind),
        }
        for kind in Kind
    ]
    context = {
        "kinds": kinds,
        "published": rows,
        "is_officer": access.is_performance_officer(request.user),
        **_picker(
            None,
            {"kind": "", "period": "", "audience": "mt"},
            {},
            action=reverse("reports:show"),
            htmx=False,
        ),
    }
    return render(request, "reports/index.html", context)


@require_GET
@login_required
def show(request: HttpRequest) -> HttpResponse:
    """The index's picker: check the choice, then go to the report's own page."""
    picked = {key: request.GET.get(key, "").strip() for key in ("kind", "period", "audience")}
    errors = {}
    kind = None
    try:
        kind = parse_kind(picked["kind"])
    except BadArgument as error:
        errors["kind"] = str(error)
    if kind is not None and picked["period"]:
        try:
            parse_period(kind, picked["period"])
        except BadArgument as error:
            errors["period"] = str(error)
    try:
        parse_audience(picked["audience"])
    except BadArgument as error:
        errors["audience"] = str(error)
    if errors:
        context = {
            "kinds": [],
            "published": [],
            **_picker(None, picked, errors, action=reverse("reports:show"), htmx=False),
        }
        return render(request, "reports/index.html", context, status=400)
    query = urlencode({k: v for k, v in picked.items() if k != "kind" and v})
    return redirect(f"{reverse('reports:report', args=[kind.value])}?{query}")


def _report_context(request, kind: Kind, period, audience, report) -> dict:
    query = urlencode({"period": str(period), "audience": audience.value})
    return {
        "pdf_url": f"{reverse('reports:pdf', args=[kind.value])}?{query}",
        "xlsx_url": f"{reverse('reports:xlsx', args=[kind.value])}?{query}",
        "versions": list(
            PublishedReport.objects.filter(
                kind=kind.value, period=str(period), audience=audience.value
            ).order_by("version")
        ),
        "is_officer": access.is_performance_officer(request.user),
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def report(request: HttpRequest, kind: str) -> HttpResponse:
    kind_ = _kind_or_404(kind)
    period, audience, picked, errors = _choice(kind_, request.GET)
    picker = _picker(kind_, picked, errors, action=request.path, htmx=True)
    if errors:
        return render(request, "reports/choose.html", {"kind": kind_, **picker}, status=400)
    extra = _report_context(request, kind_, period, audience, None)
    query = {"period": str(period), "audience": audience.value}
    latest = next(
        (v for v in reversed(extra["versions"]) if v.status == PublishedReport.Status.PUBLISHED),
        None,
    )
    # Issue 19: a reader of the whole council who is not a performance officer (a member) lands
    # on the latest published version when there is one; the live draft is a marked link away
    # (`draft=1`). Officers, who publish, and team staff, whose reports are narrowed to their
    # teams, land on the draft with a link to the published version.
    team_ids = selectors.reader_team_ids(request.user)
    lands_on_published = team_ids is None and not extra["is_officer"]
    if latest is not None and lands_on_published and not request.GET.get("draft"):
        context = exports.context(
            services.frozen_report(latest),
            services.published_stamp(latest),
            for_print=False,
            **picker,
            **extra,
            showing_published=latest,
            draft_url=f"{request.path}?{urlencode({**query, 'draft': '1'})}",
        )
    else:
        built = selectors.build(
            kind_,
            period=period,
            audience=audience,
            team_ids=team_ids,
            reader=request.user,
        )
        context = exports.context(
            built,
            services.draft_stamp(),
            for_print=False,
            links=True,
            **picker,
            **extra,
            latest_published=latest,
            published_here=lands_on_published,
            publish_url=_publish_confirm_url(kind_, period, audience),
        )
    template = kind_.template
    if request.htmx:
        template += "#report-body"
    return render(request, template, context)


def _parsed_or_400(request, kind: str, params=None):
    kind_ = _kind_or_404(kind)
    period, audience, picked, errors = _choice(kind_, request.GET if params is None else params)
    if errors:
        picker = _picker(
            kind_, picked, errors, action=reverse("reports:report", args=[kind_.value]), htmx=False
        )
        return (
            kind_,
            None,
            None,
            render(request, "reports/choose.html", {"kind": kind_, **picker}, status=400),
        )
    return kind_, period, audience, None


def _filename(kind: Kind, period, audience: Audience, ext: str) -> str:
    return f"{kind.value}-{period_slug(str(period))}-{audience.value}.{ext}"


@require_http_methods(["GET", "POST"])
@login_required
def report_pdf(request: HttpRequest, kind: str) -> HttpResponse:
    """GET: the PDF now when it is small; when it is large (or `background` is asked for), a page
    whose button POSTs here. POST: queue a background build (or join the same one still queued)
    and go to its progress page; a GET never queues anything."""
    if request.method == "POST":
        return _queue_pdf(request, kind)
    kind_, period, audience, problem = _parsed_or_400(request, kind)
    if problem:
        return problem
    if request.GET.get("background"):
        return _build_page(request, kind_, period, audience)
    # Issue 21: built once per state of its data and reader's scope, then served from storage.
    key = pdf_store.key_for(kind=kind_, period=period, audience=audience, user=request.user)
    stored = pdf_store.find(key)
    if stored is None:
        built = selectors.build(
            kind_,
            period=period,
            audience=audience,
            team_ids=selectors.reader_team_ids(request.user),
            reader=request.user,
        )
        if built.size > services.sync_pdf_max_size():
            return _build_page(request, kind_, period, audience)
        stored = pdf_store.store(key, exports.pdf(built, services.draft_stamp()))
    return downloads.file_response(
        request,
        stored,
        content_type="application/pdf",
        filename=_filename(kind_, period, audience, "pdf"),
        etag=key.etag,
        in_memory_up_to=downloads.IN_MEMORY,
    )


def _build_page(
    request, kind: Kind, period, audience: Audience, refused=None, status: int = 200
) -> HttpResponse:
    query = urlencode({"period": str(period), "audience": audience.value})
    context = {
        "kind": kind,
        "period": period,
        "audience": audience,
        "report_url": f"{reverse('reports:report', args=[kind.value])}?{query}",
        "refused": refused,
    }
    return render(request, "reports/pdf_build.html", context, status=status)


def _queue_pdf(request: HttpRequest, kind: str) -> HttpResponse:
    kind_, period, audience, problem = _parsed_or_400(request, kind, request.POST)
    if problem:
        return problem
    try:
        job_, created = services.request_pdf(
            user=request.user, kind=kind_, period=period, audience=audience
        )
    except services.TooManyPdfJobs as refused:
        # 429 Too Many Requests: the page says why, names the limit and links the jobs.
        return _build_page(request, kind_, period, audience, refused=refused, status=429)
    if not created:
        messages.info(request, "You asked for this PDF already: it is the one being built below.")
    return redirect("reports:job", pk=job_.pk)


@require_GET
@login_required
def report_xlsx(request: HttpRequest, kind: str) -> HttpResponse:
    kind_, period, audience, problem = _parsed_or_400(request, kind)
    if problem:
        return problem
    built = selectors.build(
        kind_,
        period=period,
        audience=audience,
        team_ids=selectors.reader_team_ids(request.user),
        reader=request.user,
    )
    response = HttpResponse(
        exports.xlsx(built, services.draft_stamp()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(kind_, period, audience, "xlsx")}"'
    )
    return response


def _publish_target(params):
    """(kind, period, audience) of a publication from `params`; BadArgument names the field."""
    kind = parse_kind(params.get("kind", ""))
    return (
        kind,
        parse_period(kind, params.get("period", "")),
        parse_audience(params.get("audience")),
    )


def _publish_confirm_url(kind: Kind, period, audience: Audience) -> str:
    query = urlencode({"kind": kind.value, "period": str(period), "audience": audience.value})
    return f"{reverse('reports:publish-confirm')}?{query}"


@require_GET
@login_required
def publish_confirm(request: HttpRequest) -> HttpResponse:
    """What will become public, asked once more (issue 19): the report, its size and every
    person it names; its form POSTs to `publish` with `confirm=yes`."""
    if not access.is_performance_officer(request.user):
        raise PermissionDenied("Only a performance officer can publish a report.")
    try:
        kind, period, audience = _publish_target(request.GET)
    except BadArgument as error:
        messages.error(request, f"Not published: {error}")
        return redirect("reports:index")
    # All teams, as published (and without confidential risks: public).
    built = selectors.build(kind, period=period, audience=audience, public=True)
    indicators = {row.get("indicator") for row in built.open_data.rows} - {None, ""}
    versions = PublishedReport.objects.filter(
        kind=kind.value, period=str(period), audience=audience.value
    ).order_by("version")
    query = urlencode({"period": str(period), "audience": audience.value})
    context = {
        "kind": kind,
        "period": period,
        "audience": audience,
        "report": built,
        "sections": len(built.shown_sections),
        "indicators": len(indicators),
        "open_data_rows": len(built.open_data.rows),
        "people": services.people_named(built),
        "comments": services.comments_count(built),
        "versions": list(versions),
        "next_version": len(versions) + 1,
        "report_url": f"{reverse('reports:report', args=[kind.value])}?{query}",
    }
    return render(request, "reports/publish_confirm.html", context)


@require_POST
@login_required
def publish(request: HttpRequest) -> HttpResponse:
    if not access.is_performance_officer(request.user):
        raise PermissionDenied("Only a performance officer can publish a report.")
    try:
        kind, period, audience = _publish_target(request.POST)
    except BadArgument as error:
        messages.error(request, f"Not published: {error}")
        return redirect("reports:index")
    if request.POST.get("confirm") != "yes":
        # Publishing cannot be undone: it is asked once more, on the confirmation page.
        messages.error(
            request,
            "Not published: confirm on this page that the report may become public, "
            "then press Publish.",
        )
        return redirect(_publish_confirm_url(kind, period, audience))
    # Laying out a county's report takes minutes: a worker publishes it, this page follows it.
    job_ = services.request_publication(
        user=request.user,
        kind=kind,
        period=period,
        audience=audience,
        note=request.POST.get("note", ""),
    )
    return redirect("reports:job", pk=job_.pk)


def _own_job(request, pk: int) -> ReportJob:
    return get_object_or_404(
        ReportJob.objects.select_related("published"), pk=pk, requested_by=request.user
    )


@require_GET
@login_required
@vary_on_headers("HX-Request")
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job_ = _own_job(request, pk)
    template = "reports/job.html"
    if request.htmx:
        template += "#job-status"
    return render(
        request,
        template,
        {"job": job_, "kind": Kind(job_.kind), "audience": Audience(job_.audience)},
    )


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    job_ = _own_job(request, pk)
    if job_.status != ReportJob.Status.DONE or not job_.file:
        return redirect("reports:job", pk=job_.pk)
    return FileResponse(
        job_.file.open("rb"),
        content_type="application/pdf",
        filename=f"{job_.kind}-{period_slug(job_.period)}-{job_.audience}.pdf",
    )
