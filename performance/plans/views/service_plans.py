"""Service plan pages: the plans of a financial year under their Heads of Service, one plan with
its objectives, activities, milestones and progress per month, and recording an activity's
monthly progress (its owner and the people who work in the service)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common import access
from performance.core import periods
from performance.models import Activity, ServicePlan
from performance.plans import forms as plan_forms
from performance.plans import selectors
from performance.plans.services import record_activity_progress
from performance.plans.views import shared


@require_GET
@login_required
def service_plan_list(request: HttpRequest) -> HttpResponse:
    """Service plans of one financial year, grouped under their Head of Service."""
    today = shared._today()
    years = selectors.service_plan_years(user=request.user)
    year = str(periods.current_financial_year(today))
    asked = request.GET.get("year")
    errors = []
    if asked:
        if asked in years:
            year = asked
        else:
            errors = [
                ("year", f"Select a financial year that has service plans: {asked!r} has none")
            ]
    elif years and year not in years:
        year = years[0]
    context = {
        "years": years,
        "year": year,
        "groups": selectors.service_plan_groups(user=request.user, year=year, today=today),
        "errors": errors,
    }
    return render(request, "performance/plans/service_plan_list.html", context)


def _service_plan_context(request, plan: ServicePlan, *, saved: str = "") -> dict:
    """Objectives, activities, milestones, monthly progress and the plan's progress per month."""
    today = shared._today()
    objectives, monthly = selectors.service_plan_progress(plan, user=request.user, today=today)
    return {
        "plan": plan,
        "objectives": objectives,
        "monthly": monthly,
        "today": today,
        "saved": saved,
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def service_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.service_plan_for(
        request.user, pk, related=["service__head_of_service", "service__directorate"]
    )
    context = _service_plan_context(request, plan)
    return shared.render_page(
        request, "performance/plans/service_plan_detail.html", "plan-body", context
    )


def _progress_form(activity: Activity, months: list[periods.Period], today, data=None, month=None):
    choices = [str(m) for m in months]
    unmet = [
        (m.pk, f"{m.title} (due {m.due_on:%-d %B %Y})")
        for m in activity.milestones.all()
        if m.met_on is None
    ]
    # Ids unique per activity: several activities' forms can be open on the plan page at once.
    auto_id = f"a{activity.pk}-%s"
    if data is not None:
        return plan_forms.ActivityProgressForm(
            data, months=choices, milestones=unmet, auto_id=auto_id
        )
    completed = [m for m in months if m.end < today]
    default = (
        month
        if month in choices
        else (str(completed[-1]) if completed else (choices[-1] if choices else None))
    )
    initial: dict = {"month": default}
    existing = next((p for p in activity.progress.all() if p.month == default), None)
    if existing:
        initial.update(
            percent_complete=existing.percent_complete,
            rag=existing.rag,
            comment=existing.comment,
        )
    return plan_forms.ActivityProgressForm(
        initial=initial, months=choices, milestones=unmet, auto_id=auto_id
    )


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def activity_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an activity's monthly progress: % complete, RAG, comment and milestones met."""
    activity = get_object_or_404(
        Activity.objects.select_related("objective__plan", "outcome").prefetch_related(
            "milestones", "progress"
        ),
        pk=pk,
    )
    plan = access.service_plan_for(
        request.user,
        activity.objective.plan_id,
        related=["service__head_of_service", "service__directorate"],
    )
    works = access.works_in_service(request.user, plan)
    if not access.can_record_progress(request.user, activity, works_in_service=works):
        raise PermissionDenied("Only the activity's owner or the service's people record progress.")
    today = shared._today()
    months = selectors.plan_months(plan, today)
    template = "performance/plans/activity_progress.html"
    if request.method == "POST":
        form = _progress_form(activity, months, today, data=request.POST)
        if form.is_valid():
            record_activity_progress(
                actor=request.user, activity=activity, data=form.cleaned_data, today=today
            )
            note = f"Progress for {form.cleaned_data['month']} recorded for “{activity.title}”."
            if request.htmx:
                context = _service_plan_context(request, plan, saved=note)
                return render(
                    request, "performance/plans/service_plan_detail.html#plan-body", context
                )
            messages.success(request, note)
            detail = reverse("performance:service-plan-detail", args=[plan.pk])
            return redirect(f"{detail}#activity-{activity.pk}")
    else:
        form = _progress_form(activity, months, today, month=request.GET.get("month"))
    context = {
        "plan": plan,
        "activity": activity,
        "form": form,
        "errors": shared.error_items(form),
        "months": months,
    }
    if request.htmx:
        response = render(request, f"{template}#progress-form", context)
        if request.method == "POST":
            # The form's target is the whole plan body; errors go back into the form only.
            response["HX-Retarget"] = f"#activity-{activity.pk}-form"
            response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, template, context)
