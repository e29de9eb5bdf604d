"""Pages of Reach the Summit: thin function views (parse → selector/service → render).

Reading: the league table, explanations, histories, awards and the complaints report are
staff-wide (the scheme is a notice-board competition and shows only activated values), so
every signed-in person reads them. Changing: scorecards, improvements, complaint imports and
recomputation are for performance officers only (403 for anyone else).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common import access, cache
from performance.common.forms import error_summary
from performance.core import periods
from performance.core.periods import PeriodError
from performance.models import Team
from reach_summit import charts, exports, forms, imports, selectors, services
from reach_summit.calculations import Perspective, format_points
from reach_summit.models import Complaint, Improvement, Scorecard

PERSPECTIVES = [
    Perspective.CUSTOMER,
    Perspective.FINANCIAL,
    Perspective.PROCESS,
    Perspective.LEARNING,
]
COLUMNS = [
    ("rank", "Rank", True),
    ("team", "Team", False),
    ("customer", "Customer", False),
    ("financial", "Financial", False),
    ("process", "Process", False),
    ("learning", "Learning", False),
    ("improvements", "Improve\u00adments", True),
    ("late_complaints", "Late complaints", True),
    ("score", "Score", True),
]


def _require_officer(user) -> None:
    if not access.is_performance_officer(user):
        raise PermissionDenied("Only a performance officer can do this.")


def _quarter(request: HttpRequest):
    """(period, error) from ?quarter=, defaulting to the quarter most recently requested."""
    text = request.GET.get("quarter", "").strip()
    if not text:
        return selectors.default_quarter(), None
    try:
        return selectors.parse_quarter(text), None
    except PeriodError:
        return None, f"“{text}” is not a quarter: choose one from the list, like 2024/25 Q1"


def _bad_quarter(request: HttpRequest, error: str) -> HttpResponse:
    return render(request, "reach_summit/bad_request.html", {"error": error}, status=400)


def _indicator_url(indicator_id) -> str:
    try:
        return reverse("performance:indicator-detail", args=[indicator_id])
    except NoReverseMatch:
        return ""


def _sort_links(period, sort: str, descending: bool):
    base = reverse("reach_summit:league-table")
    quarter = selectors.quarter_slug(period)
    links = []
    for key, label, numeric in COLUMNS:
        current = key == sort
        # The first click on a score-like column shows the best first.
        next_desc = not descending if current else key in ("score", "improvements")
        order = "desc" if next_desc else "asc"
        links.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": f"{base}?quarter={quarter}&sort={key}&order={order}",
                "aria_sort": ("descending" if descending else "ascending") if current else "",
            }
        )
    return links


@dataclass(frozen=True)
class LeaguePage:
    """What the league table page shows besides its frame: the table fragment and the quarters
    of the picker, rendered once per table, sort and audience and then served from the cache."""

    html: str
    choices: list[tuple[str, str]]


def _level_cell(cells: dict, level, pending: bool) -> str:
    """The level badge markup (partials/level.html), rendered once per kind rather than per
    cell: 250 teams × 4 perspectives would otherwise be a thousand template includes."""
    key = (level, pending)
    if key not in cells:
        cells[key] = render_to_string(
            "reach_summit/partials/level.html", {"level": level, "pending": pending}
        )
    return cells[key]


def _league_page(table, sort: str, descending: bool, officer: bool) -> LeaguePage:
    period = table.period
    quarter = selectors.quarter_slug(period)
    team_url = reverse("reach_summit:team-score", args=["__team__"])
    cells: dict = {}
    awards: dict = {}
    rows = []
    for row in selectors.sort_rows(table.rows, sort, descending):
        if row.award not in awards:
            awards[row.award] = render_to_string(
                "reach_summit/partials/award.html", {"award": row.award}
            )
        # Numbers as text here: the template's localisation of 1,000 numbers is most of its time.
        rows.append(
            {
                "row": row,
                "rank": str(row.rank),
                "url": team_url.replace("__team__", row.team_slug),
                "levels": [_level_cell(cells, level, pending) for _, level, pending in row.levels],
                "improvements": format_points(row.improvements),
                "late": str(row.late_complaints),
                "score": format_points(row.score),
                "award": awards[row.award],
            }
        )
    context = {
        "period": period,
        "quarter": quarter,
        "table": table,
        # Issue 19: the frozen note gives the window's own close date beside the freeze date.
        "window_closed_on": period.window_close(settings.COLLECTION_WINDOW_DAYS),
        "rows": rows,
        "columns": _sort_links(period, sort, descending),
        "sort": sort,
        "is_officer": officer,
    }
    return LeaguePage(
        html=render_to_string("reach_summit/league_table.html#league-table", context),
        choices=[(selectors.quarter_slug(q), str(q)) for q in selectors.quarter_choices()],
    )


@require_GET
@login_required
@vary_on_headers("HX-Request")
def league_table(request: HttpRequest) -> HttpResponse:
    """The table fragment is cached per table (see selectors.league_table), sort and audience:
    a hit costs one or two queries and no template work per row."""
    period, error = _quarter(request)
    if error:
        return _bad_quarter(request, error)
    sort = request.GET.get("sort", "rank")
    if sort not in selectors.SORT_KEYS:
        sort = "rank"
    descending = request.GET.get("order") == "desc"
    officer = access.is_performance_officer(request.user)
    table = selectors.league_table(period)
    # Keyed by the table's own token (no generations to read): it goes stale with the table.
    page = cache.cached(
        f"reach_summit:page:{table.token}:{sort}:{int(descending)}:{int(officer)}",
        (),
        lambda: _league_page(table, sort, descending, officer),
    )
    if request.htmx:
        return HttpResponse(page.html)
    context = {
        "period": period,
        "quarter": selectors.quarter_slug(period),
        "choices": page.choices,
        "league_table": page.html,
    }
    return render(request, "reach_summit/league_table.html", context)


@require_GET
@login_required
def team_score(request: HttpRequest, team: str) -> HttpResponse:
    team_obj = get_object_or_404(Team, slug=team)
    period, error = _quarter(request)
    if error:
        return _bad_quarter(request, error)
    table = selectors.league_table(period)
    row = table.row_for(team_obj.slug)
    if row is None:
        raise Http404(f"{team_obj.name} is not in the {period} table.")
    lines = []
    for line in row.lines:
        entry = dict(line)
        source = entry.get("source") or {}
        if source.get("indicator_id"):
            entry["indicator_url"] = _indicator_url(source["indicator_id"])
        lines.append(entry)
    improvements = {
        i.pk: i
        for i in Improvement.objects.filter(
            pk__in=[entry.get("improvement_id") for entry in lines if entry.get("improvement_id")]
        ).select_related("approved_by")
    }
    for entry in lines:
        entry["improvement"] = improvements.get(entry.get("improvement_id"))
    context = {
        "team": team_obj,
        "period": period,
        "quarter": selectors.quarter_slug(period),
        "table": table,
        "row": row,
        "levels": [entry for entry in lines if entry["kind"] == "level"],
        "improvements": [entry for entry in lines if entry["kind"] == "improvement"],
        "late": [entry for entry in lines if entry["kind"] == "late_complaint"],
        "of": len(table.rows),
        "positions_text": ", ".join(
            str(p) if p is not None else "not ranked" for p in row.explanation.get("positions", [])
        ),
    }
    return render(request, "reach_summit/team_score.html", context)


@require_GET
@login_required
def team_history(request: HttpRequest, team: str) -> HttpResponse:
    team_obj = get_object_or_404(Team, slug=team)
    history = selectors.team_history(team_obj)
    chart = charts.position_chart([(h.quarter, h.rank, h.of, h.award.value) for h in history])
    context = {
        "team": team_obj,
        "history": history,
        "chart": chart,
        "awards": [h for h in history if h.award.value],
        "quarter_slugs": {
            h.quarter: selectors.quarter_slug(periods.parse(h.quarter)) for h in history
        },
    }
    return render(request, "reach_summit/team_history.html", context)


@require_GET
@login_required
def awards(request: HttpRequest) -> HttpResponse:
    history = selectors.awards_history()
    return render(request, "reach_summit/awards.html", {"history": history})


@require_GET
@login_required
def complaints_report(request: HttpRequest) -> HttpResponse:
    period, error = _quarter(request)
    if error:
        return _bad_quarter(request, error)
    report = selectors.complaints_report(period)
    trend = []
    previous = None
    for quarter, counts in report.trend:
        direction = ""
        before = previous.percent_on_time if previous is not None else None
        now = counts.percent_on_time
        if before is not None and now is not None:
            direction = (
                "improving" if now > before else "deteriorating" if now < before else "stable"
            )
        trend.append({"quarter": quarter, "counts": counts, "direction": direction})
        previous = counts
    context = {
        "period": period,
        "quarter": selectors.quarter_slug(period),
        "report": report,
        "trend": trend,
        "choices": [(selectors.quarter_slug(q), str(q)) for q in selectors.quarter_choices()],
        "is_officer": access.is_performance_officer(request.user),
    }
    return render(request, "reach_summit/complaints_report.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def complaints_import(request: HttpRequest) -> HttpResponse:
    _require_officer(request.user)
    form = forms.ComplaintImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.read_complaints(upload.name, upload.read())
        if result.errors:
            row_errors = result.errors
        else:
            try:
                created, updated = services.import_complaints(
                    actor=request.user, items=result.items
                )
            except ValidationError as error:
                row_errors = [str(m) for m in error.messages]
            else:
                messages.success(
                    request, f"Imported {created} new and updated {updated} complaints."
                )
                return redirect("reach_summit:complaints-report")
    status = 400 if request.method == "POST" and (form.errors or row_errors) else 200
    return render(
        request,
        "reach_summit/complaints_import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "errors": error_summary(form) + [("id_file", error) for error in row_errors],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def complaint_record(request: HttpRequest) -> HttpResponse:
    """Record one complaint, or update one by its reference (usually its response date)."""
    _require_officer(request.user)
    stages = sorted(selectors.timescales_in_force().items())
    initial: dict = {}
    wanted = request.GET.get("reference", "").strip()[:40]
    existing = Complaint.objects.filter(reference=wanted).first() if wanted else None
    if existing is not None:
        initial = {
            "reference": existing.reference,
            "team": existing.team_id,
            "stage": existing.stage,
            "received": f"{existing.received:%d/%m/%Y}",
            "responded": f"{existing.responded:%d/%m/%Y}" if existing.responded else "",
        }
    form = forms.ComplaintForm(request.POST or None, initial=initial, stages=stages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        known = Complaint.objects.filter(reference=data["reference"]).exists()
        item = services.ComplaintInput(
            reference=data["reference"],
            team=data["team"],
            stage=data["stage"],
            received=data["received"],
            responded=data["responded"],
        )
        try:
            complaint = services.record_complaint(
                actor=request.user, item=item, reason=data["reason"].strip()
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            verb = "Updated" if known else "Recorded"
            messages.success(
                request,
                f"{verb} complaint {complaint.reference}: response due "
                f"{complaint.due:%-d %B %Y}"
                + (f", responded {complaint.responded:%-d %B %Y}." if complaint.responded else "."),
            )
            return redirect("reach_summit:complaints-report")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "reach_summit/complaint_record.html",
        {"form": form, "errors": error_summary(form), "existing": existing},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def improvements(request: HttpRequest) -> HttpResponse:
    is_officer = access.is_performance_officer(request.user)
    if request.method == "POST":
        _require_officer(request.user)
    period, error = _quarter(request)
    if error:
        return _bad_quarter(request, error)
    form = forms.ImprovementForm(request.POST or None, initial={"quarter": str(period)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            improvement = services.approve_improvement(
                actor=request.user,
                team=data["team"],
                quarter=data["quarter"],
                title=data["title"],
                description=data["description"],
                points=data["points"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(
                request,
                f"Improvement approved for {improvement.team.name} in {improvement.quarter} "
                f"(+{improvement.points.normalize()}).",
            )
            return redirect(
                f"{reverse('reach_summit:improvements')}?quarter="
                f"{selectors.quarter_slug(data['quarter'])}"
            )
    listed = Improvement.objects.filter(quarter=str(period)).select_related("team", "approved_by")
    return render(
        request,
        "reach_summit/improvements.html",
        {
            "period": period,
            "quarter": selectors.quarter_slug(period),
            "form": form,
            "errors": error_summary(form),
            "improvements": listed,
            "is_officer": is_officer,
            "choices": [(selectors.quarter_slug(q), str(q)) for q in selectors.quarter_choices()],
        },
        status=400 if form.errors else 200,
    )


def _year(request: HttpRequest, text: str | None = None):
    text = (text or request.GET.get("year") or "").strip().replace("-", "/")
    if not text:
        return periods.financial_year_of(timezone.localdate())
    try:
        return periods.parse(text, kind=periods.Frequency.ANNUAL)
    except PeriodError:
        raise Http404(f"“{text}” is not a financial year like 2024/25.") from None


@require_GET
@login_required
def scorecards(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    cards = {
        c.team_id: c
        for c in Scorecard.objects.filter(year=str(year)).select_related(
            "customer", "financial", "process"
        )
    }
    teams = [(team, cards.get(team.id)) for team in Team.objects.filter(active=True)]
    years = [year.shift(-1), year, year.shift(1)]
    return render(
        request,
        "reach_summit/scorecards.html",
        {
            "year": year,
            "year_slug": str(year).replace("/", "-"),
            "years": [(str(y).replace("/", "-"), str(y)) for y in years],
            "teams": teams,
            "is_officer": access.is_performance_officer(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def scorecard_edit(request: HttpRequest, team: str, year: str) -> HttpResponse:
    team_obj = get_object_or_404(Team, slug=team)
    period = _year(request, year)
    _require_officer(request.user)
    card = Scorecard.objects.filter(team=team_obj, year=str(period)).first()
    initial = {}
    if card:
        initial = {n: getattr(card, f"{n}_id") for n in ("customer", "financial", "process")}
    form = forms.ScorecardForm(request.POST or None, team=team_obj, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scorecard(
                actor=request.user, team=team_obj, year=str(period), indicators=form.cleaned_data
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Scorecard of {team_obj.name} for {period} saved.")
            return redirect(f"{reverse('reach_summit:scorecards')}?year={year}")
    return render(
        request,
        "reach_summit/scorecard_edit.html",
        {
            "team": team_obj,
            "year": period,
            "year_slug": year,
            "form": form,
            "errors": error_summary(form),
            "card": card,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def recompute(request: HttpRequest) -> HttpResponse:
    _require_officer(request.user)
    period, error = _quarter(request)
    if error:
        return _bad_quarter(request, error)
    table = selectors.frozen_table(period)
    if table is None:
        raise Http404(f"The {period} table has not been frozen yet.")
    form = forms.RecomputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.recompute_quarter(
                period, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            changed = len(result.changes)
            messages.success(
                request,
                f"The {period} table was recomputed: {changed} team{'s' if changed != 1 else ''} "
                "changed. The change is in the audit trail.",
            )
            return redirect(
                f"{reverse('reach_summit:league-table')}?quarter={selectors.quarter_slug(period)}"
            )
    return render(
        request,
        "reach_summit/recompute.html",
        {
            "period": period,
            "quarter": selectors.quarter_slug(period),
            "table": table,
            "form": form,
            "errors": error_summary(form),
        },
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------------- exports


def _export_table(request: HttpRequest):
    period, error = _quarter(request)
    if error:
        return None, _bad_quarter(request, error)
    return selectors.league_table(period), None


def _filename(table, ext: str) -> str:
    return f"reach-the-summit-{selectors.quarter_slug(table.period)}.{ext}"


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    table, bad = _export_table(request)
    if bad:
        return bad
    response = HttpResponse(
        exports.as_xlsx(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "xlsx")}"'
    return response


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    table, bad = _export_table(request)
    if bad:
        return bad
    response = HttpResponse(exports.as_csv(table.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "csv")}"'
    return response


@require_GET
@login_required
def poster(request: HttpRequest) -> HttpResponse:
    table, bad = _export_table(request)
    if bad:
        return bad
    response = HttpResponse(exports.poster_pdf(table), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(table, "pdf")}"'
    return response


@require_GET
@login_required
def newsletter(request: HttpRequest) -> HttpResponse:
    table, bad = _export_table(request)
    if bad:
        return bad
    return HttpResponse(exports.newsletter(table), content_type="text/plain; charset=utf-8")
