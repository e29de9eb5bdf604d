"""Data quality pages (SPEC §9): the six-feature dashboard, the policy, signing, signatures and
evidence. Thin views: parse, call a selector or service, render the page or its fragment."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html_join
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from dataquality import selectors, services
from dataquality.forms import EvidenceForm, PolicyForm, SignForm
from dataquality.models import Evidence, PolicyVersion, Statement
from performance.common import access, cache
from performance.common.forms import error_summary
from performance.core import periods
from performance.indicators import selectors as performance_selectors
from performance.models import Team, Value

# Records listed under a number of the dashboard: a council-wide number can stand for
# thousands; beyond this many the page asks for a team instead of growing by megabytes.
DRILL_LIMIT = 500
# Team rows listed at once on the board by team. A bigger board (a council's hundreds of teams)
# shows a row per directorate first, and the rows of one directorate's teams on request:
# what an officer reads first, in a page of kilobytes rather than half a megabyte.
TEAMS_LISTED = 30


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    period_text = request.GET.get("period", "").strip()
    default = performance_selectors.latest_reporting_period()
    period = default
    if period_text:
        try:
            period = periods.parse(period_text)
        except periods.PeriodError as error:
            errors["period"] = f"Period: {error}"
    teams = list(Team.objects.readable_by(request.user).only("pk", "name").order_by("name"))
    team_ids = [t.pk for t in teams]
    team_id = _int(request.GET.get("team"))
    if team_id and team_id not in team_ids:
        raise Http404("No such team.")
    indicator_id = _int(request.GET.get("indicator"))
    # The indicator list is the chosen team's: a council's thousands of indicators in one
    # select would be unusable, and heavy. Without a team, only an indicator already chosen.
    options = []
    if team_id or indicator_id:
        options = list(
            selectors.scope_indicators(
                team_ids=team_ids, team_id=team_id, indicator_id=None if team_id else indicator_id
            )
            .select_related(None)
            .only("pk", "code", "title")
        )
    if indicator_id and indicator_id not in {i.pk for i in options}:
        raise Http404("No such indicator.")
    board = selectors.dashboard(
        team_ids=team_ids, period=period, team_id=team_id, indicator_id=indicator_id
    )
    labels = {key: (feature, label) for key, feature, label in selectors.MEASURES}
    measure = request.GET.get("measure", "")
    measure = measure if measure in labels else ""
    row_key = request.GET.get("row", "") or None
    row = board.find_row(row_key)
    # The directorate whose team rows are listed (`directorate`, or the one holding the team
    # row drilled into); every team row when there are few, or one directorate only.
    listed = board.by != "team" or len(board.rows) <= TEAMS_LISTED or len(board.groups) < 2
    opened = None
    directorate_id = _int(request.GET.get("directorate"))
    if directorate_id and not listed:
        opened = next((g for g in board.groups if g.row.key == f"d{directorate_id}"), None)
        if opened is None:
            raise Http404("No such directorate.")
    if opened is None and row is not None and row.team is not None and not listed:
        opened = board.group_of(row.key)
    filters = {
        "period": period_text if errors else str(period),
        "team": team_id or "",
        "indicator": indicator_id or "",
    }

    # Of the indicators behind a drill-down into refused entries, returns or corrections,
    # those whose drafts the reader may see: only theirs show the text (issue 14). One query.
    drafts_of = selectors.drafts_shown(request.user, board, measure, row_key)

    def render_board() -> str:
        drill = None
        if measure:
            records = selectors.drill_down(board, measure, row_key, drafts_of=drafts_of)
            drill = {
                "measure": measure,
                "feature": labels[measure][0],
                "label": labels[measure][1],
                "row": row,
                "records": records[:DRILL_LIMIT],
                "total": len(records),
                "limit": DRILL_LIMIT,
                "withheld": sum(1 for record in records if record.get("withheld")),
            }
        base = "?" + urlencode(filters)
        return render_to_string(
            "dataquality/dashboard.html#dq-board",
            {
                "board": board,
                "filters": filters,
                "base_query": base,
                "query": f"{base}&directorate={opened.row.directorate.pk}"
                if opened and opened.row.directorate
                else base,
                "measures": selectors.MEASURES,
                "drill": drill,
                "listed": listed,
                "opened": opened,
            },
        )

    if errors:
        board_html = render_board()
    else:
        # The board's markup depends only on the cached board and on what is asked of it
        # (an unknown row key shows an empty drill-down, whatever the key): keep it with it.
        which = row.key if row else ("all" if row_key == "all" else "-" if row_key else "")
        shown = opened.row.key if opened else ""
        # The drill-down's text depends on whose drafts the reader sees: kept per such set.
        texts = ",".join(map(str, sorted(drafts_of))).encode()
        drafts_key = hashlib.blake2b(texts, digest_size=12).hexdigest() if drafts_of else ""
        board_html = cache.cached(
            f"{board.key}|html|{measure}|{which}|{shown}|{drafts_key}",
            selectors.CACHED_ON,
            render_board,
        )
        if request.htmx:
            return HttpResponse(board_html)
    context = {
        "board": board,
        "board_html": board_html,
        "teams": teams,
        # A council's hundreds of teams as options, joined in Python: through the template each
        # option cost three context lookups and a localised number (a third of the board's
        # render, issue 21's first view after a change).
        "team_options": format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((t.pk, " selected" if t.pk == team_id else "", t.name) for t in teams),
        ),
        "indicator_options": options,
        "filters": filters,
        "errors": errors,
        "policy": services.current_policy(),
        "officer": access.is_performance_officer(request.user),
    }
    return render(request, "dataquality/dashboard.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def policy(request: HttpRequest) -> HttpResponse:
    officer = access.is_performance_officer(request.user)
    form = None
    if request.method == "POST":
        if not officer:
            raise PermissionDenied("Only performance officers publish the data quality policy.")
        form = PolicyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.publish_policy(
                    actor=request.user,
                    title=data["title"],
                    text=data["text"],
                    effective_on=data["effective_on"],
                    review_due_on=data["review_due_on"],
                    summary=data["summary"],
                    document=data.get("document"),
                )
            except services.DataQualityError as error:
                form.add_error(
                    error.field if error.field in form.fields else "document", error.message
                )
            else:
                messages.success(
                    request,
                    f"Published version {version.number}; everyone signs it from "
                    f"{version.effective_on:%-d %B %Y}.",
                )
                return redirect("dataquality:policy")
    elif officer:
        form = PolicyForm()
    current = services.current_policy()
    versions = list(PolicyVersion.objects.select_related("published_by").order_by("-number"))
    upcoming = [v for v in versions if current is None or v.number > current.number]
    return render(
        request,
        "dataquality/policy.html",
        {
            "current": current,
            "versions": versions,
            "upcoming": upcoming,
            "form": form,
            "errors": error_summary(form),
            "officer": officer,
            "review_overdue": current is not None and current.review_due_on <= timezone.localdate(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@login_required
def policy_document(request: HttpRequest, number: int) -> FileResponse:
    version = get_object_or_404(PolicyVersion, number=number)
    if not version.document:
        raise Http404("This version has no document.")
    return _attachment(version.document, version.document_name, "application/octet-stream")


@require_http_methods(["GET", "POST"])
@login_required
def sign(request: HttpRequest) -> HttpResponse:
    current = services.current_policy()
    needed = services.roles_needed(request.user)
    form = SignForm()
    if request.method == "POST":
        if current is None:
            raise Http404("No data quality policy is in effect.")
        form = SignForm(request.POST)
        if form.is_valid():
            role = form.cleaned_data["role"]
            if role not in needed:
                raise PermissionDenied("You do not hold that role.")
            services.sign(user=request.user, role=role, policy=current)
            messages.success(
                request,
                f"You signed the data quality statement for version {current.number} as a "
                f"{services.ROLE_WORDS[role][0]}.",
            )
            after = request.POST.get("next", "")
            return redirect(after if _safe(after) else "dataquality:sign")
    signed = {}
    if current is not None:
        signed = {s.role: s for s in Statement.objects.filter(person=request.user, policy=current)}
    roles = [
        {
            "role": role,
            "word": services.ROLE_WORDS[role][0],
            "action": services.ROLE_WORDS[role][1],
            "statement": signed.get(role),
        }
        for role in needed
    ]
    return render(
        request,
        "dataquality/sign.html",
        {
            "current": current,
            "roles": roles,
            "form": form,
            "errors": error_summary(form),
            "next": request.GET.get("next", "") if _safe(request.GET.get("next", "")) else "",
            "officer": access.is_performance_officer(request.user),
        },
        status=400 if form.errors else 200,
    )


def _safe(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


@require_GET
@login_required
def signatures(request: HttpRequest) -> HttpResponse:
    if not access.is_performance_officer(request.user):
        raise PermissionDenied("Only performance officers see who has signed.")
    current = services.current_policy()
    rows = selectors.signatures(current)
    show = request.GET.get("show", "all")
    shown = [r for r in rows if not r.complete] if show == "unsigned" else rows
    return render(
        request,
        "dataquality/signatures.html",
        {
            "current": current,
            "rows": shown,
            "show": show,
            "total": len(rows),
            "unsigned": sum(1 for r in rows if not r.complete),
            "officer": True,
        },
    )


def _value_or_404(user, value_id: int) -> Value:
    return access.value_for(user, value_id, to="evidence", related=["indicator", "indicator__team"])


@require_http_methods(["GET", "POST"])
@login_required
def evidence_upload(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _value_or_404(request.user, value_id)
    may_upload = access.can_see_team_data(request.user, value)
    form = EvidenceForm()
    if request.method == "POST":
        if not may_upload:
            raise PermissionDenied("You may not attach evidence to this value.")
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                evidence = services.upload_evidence(
                    user=request.user,
                    value=value,
                    upload=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
            except services.DataQualityError as error:
                form.add_error(error.field if error.field in form.fields else "file", error.message)
            else:
                messages.success(request, f"Attached {evidence.original_name}.")
                return redirect("dataquality:evidence-upload", value_id=value.pk)
    files = list(value.evidence.select_related("uploaded_by"))
    return render(
        request,
        "dataquality/evidence.html",
        {
            "value": value,
            "files": files,
            "form": form,
            "errors": error_summary(form),
            "may_upload": may_upload,
            # A value not yet activated shows its figure only to those who may see drafts.
            "figure_shown": value.status == Value.Status.ACTIVATED
            or access.can_see_drafts(request.user, value.indicator),
            "max_mb": services.MAX_EVIDENCE_BYTES // 1024 // 1024,
        },
        status=400 if form.errors else 200,
    )


def _attachment(file_field, name: str, content_type: str) -> FileResponse:
    response = FileResponse(
        file_field.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        Evidence.objects.readable_by(request.user).select_related(
            "value", "value__indicator", "value__indicator__team"
        ),
        pk=pk,
    )
    try:
        return _attachment(evidence.file, evidence.original_name, evidence.content_type)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
