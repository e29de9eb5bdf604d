"""The strategic plan pages: the plan as an expandable tree, the golden thread from any node, and
the strategic actions with their bi-annual updates. Every signed-in person reads them; a
strategic action is updated by its owner or a performance officer."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common import access
from performance.core import periods, plan_progress
from performance.indicators.presentation import readable_statuses
from performance.models import StrategicAction, StrategicPlan
from performance.plans import forms as plan_forms
from performance.plans import selectors
from performance.plans.services import save_action_update
from performance.plans.thread import THREAD_KINDS, build_thread, priority_tree, with_statuses
from performance.plans.views import shared


def _plan_years(plan: StrategicPlan) -> list[periods.Period]:
    return [periods.Period.for_year(plan.first_year + offset) for offset in range(4)]


@require_GET
@login_required
def strategic_plan(request: HttpRequest) -> HttpResponse:
    """The current Strategic Plan as an expandable tree, with one year's service-plan work."""
    plan = StrategicPlan.objects.order_by("-first_year").first()
    context: dict = {"plan": plan, "errors": []}
    if plan is None:
        return render(request, "performance/plans/strategic_plan.html", context)
    years = _plan_years(plan)
    current = periods.current_financial_year(shared._today())
    year = current if current in years else (years[0] if current < years[0] else years[-1])
    asked = request.GET.get("year")
    if asked:
        try:
            chosen = periods.parse(asked, kind=periods.Frequency.ANNUAL)
        except periods.PeriodError:
            chosen = None
        if chosen in years:
            year = chosen
        else:
            context["errors"] = [("year", f"Select one of the plan's years: {asked!r} is not one")]
    priorities = priority_tree(plan, str(year))
    today = shared._today()
    period = _status_period(year, today)
    if period is not None:
        with_statuses(
            priorities,
            {
                item.id: item.status_code
                for item in readable_statuses(request.user, period, today=today)
                if item.reports
            },
        )
    context.update(
        {
            "priorities": priorities,
            "status_period": period,
            "years": years,
            "year": year,
            "open": request.GET.get("open") == "all",
        }
    )
    return render(request, "performance/plans/strategic_plan.html", context)


def _status_period(year: periods.Period, today: dt.date) -> periods.Period | None:
    """The quarter whose statuses the plan shows for `year`: the latest requested quarter in
    it (Q4 for a past year); None for a year whose first quarter has not been requested."""
    latest = periods.quarter_of(today).previous()
    if year.contains(latest):
        return latest
    if year.end < today:
        return year.quarters()[-1]
    return None


@require_GET
@login_required
def golden_thread(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """One node's golden thread; below a priority or an outcome, one financial year's service
    plans (`?year=`, default the year in progress; `?year=all` every year)."""
    if kind not in THREAD_KINDS:
        raise Http404
    by_year = kind in ("priority", "outcome")
    context: dict = {"errors": [], "by_year": by_year}
    year: periods.Period | None = None
    if by_year:
        year = periods.current_financial_year(shared._today())
        asked = request.GET.get("year", "")
        if asked == "all":
            year = None
        elif asked:
            try:
                year = periods.parse(asked, kind=periods.Frequency.ANNUAL)
            except periods.PeriodError:
                context["errors"] = [
                    ("year", f"Select a financial year written like 2026/27: {asked!r} is not one")
                ]
    thread = build_thread(kind, pk, user=request.user, year=str(year) if year else None)
    if by_year:
        period = _status_period(year, shared._today()) if year else None
        if period is not None:
            statuses = {
                item.id: item.status_code
                for item in readable_statuses(request.user, period, today=shared._today())
                if item.reports
            }
            with_statuses(thread.down, statuses)
        context["years"] = _thread_years(thread)
    context.update({"thread": thread, "year": year, "status_period": period if by_year else None})
    return render(request, "performance/plans/golden_thread.html", context)


def _thread_years(thread) -> list[periods.Period]:
    """The four years of the Strategic Plan the thread climbs to (the vision node's plan)."""
    plan = StrategicPlan.objects.order_by("-first_year").first()
    return _plan_years(plan) if plan is not None else []


def _half_year(today: dt.date) -> dict:
    period = plan_progress.reporting_half_year(today, settings.COLLECTION_WINDOW_DAYS)
    first = period.shift(-1).start
    return {
        "period": period,
        "label": str(period),
        "first": first,
        "last": period.end,
        "due": period.request_date(),
    }


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def strategic_actions(request: HttpRequest) -> HttpResponse:
    """Strategic actions with their bi-annual updates; owners update the current half-year."""
    half = _half_year(shared._today())
    template = "performance/plans/strategic_actions.html"
    editing, form = None, None
    if request.method == "POST":
        raw = request.POST.get("action", "")
        if not raw.isdigit():
            raise Http404
        action = get_object_or_404(StrategicAction, pk=int(raw))
        if not access.can_update_action(request.user, action):
            raise PermissionDenied("Only the action's owner or a performance officer updates it.")
        form = plan_forms.StrategicActionUpdateForm(request.POST, auto_id=f"sa{action.pk}-%s")
        if form.is_valid():
            save_action_update(
                actor=request.user, action=action, period=half["label"], data=form.cleaned_data
            )
            note = f"Update for {half['label']} saved for “{action.title}”."
            if not request.htmx:
                messages.success(request, note)
                return redirect(f"{reverse('performance:strategic-actions')}#action-{action.pk}")
            row = selectors.strategic_action_rows(
                user=request.user, period=half["label"], only=action.pk
            )[0]
            return render(
                request, f"{template}#action-card", {"row": row, "half": half, "saved": note}
            )
        editing = action.pk
    elif request.GET.get("edit", "").isdigit():
        editing = int(request.GET["edit"])
    rows = selectors.strategic_action_rows(user=request.user, period=half["label"])
    if editing is not None:
        row = next((r for r in rows if r["action"].pk == editing), None)
        if row is None:
            rows = selectors.strategic_action_rows(
                user=request.user, period=half["label"], only=editing
            )
            row = rows[0] if rows else None
        if row is None:
            raise Http404
        if not row["can_update"]:
            raise PermissionDenied("Only the action's owner or a performance officer updates it.")
        if form is None:
            current = row["current"]
            initial = (
                {
                    "status": current.status,
                    "percent_complete": current.percent_complete,
                    "progress": current.progress,
                }
                if current
                else {}
            )
            form = plan_forms.StrategicActionUpdateForm(initial=initial, auto_id=f"sa{editing}-%s")
        row["form"] = form
        row["errors"] = shared.error_items(form)
        if request.htmx:
            return render(request, f"{template}#action-card", {"row": row, "half": half})
    groups: dict[int, dict] = {}
    for row in rows:
        priority = row["action"].outcome.priority
        groups.setdefault(priority.pk, {"priority": priority, "rows": []})["rows"].append(row)
    context = {
        "half": half,
        "groups": list(groups.values()),
        "errors": next((r.get("errors") for r in rows if r.get("errors")), []),
    }
    return render(request, template, context)
