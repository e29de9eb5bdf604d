"""Action plan pages: the plans a person reads, one plan at any of its versions, opening a plan
for a team (optionally from one of its indicators) and revising it as a new version.

Plans are read through `ActionPlan.objects.readable_by(user)` and `access.action_plan_for`; they
are opened for the teams of `Team.objects.plans_openable_by(user)` and revised by the owner, the
team's head or a performance officer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from performance.common import access
from performance.common.display import url_or_none
from performance.models import ActionPlan, Team
from performance.plans import forms as plan_forms
from performance.plans import requests, selectors
from performance.plans.badges import badge
from performance.plans.services import open_action_plan, revise_action_plan
from performance.plans.views import requests as plan_request_views
from performance.plans.views import shared


@require_GET
@login_required
def action_plan_list(request: HttpRequest) -> HttpResponse:
    plans = (
        ActionPlan.objects.readable_by(request.user)
        .select_related("team", "indicator", "owner")
        .annotate(current_version=Max("versions__number"))
        .order_by("status", "-opened_on", "id")
    )
    status = request.GET.get("status", "")
    if status in ActionPlan.Status.values:
        plans = plans.filter(status=status)
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ActionPlan.Status.choices,
        "can_create": Team.objects.plans_openable_by(request.user).exists(),
    }
    return render(request, "performance/plans/action_plan_list.html", context)


@require_GET
@login_required
def action_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.action_plan_for(
        request.user, pk, related=["team", "indicator", "owner", "team__head_of_service"]
    )
    versions = list(plan.versions.select_related("created_by").order_by("-number"))
    if not versions:
        raise Http404
    asked = request.GET.get("version")
    if asked:
        version = next((v for v in versions if str(v.number) == asked), None)
        if version is None:
            raise Http404
    else:
        version = versions[0]
    actions = [
        (a, badge(a.status), [line for line in a.milestones.splitlines() if line.strip()])
        for a in version.actions.select_related("owner").order_by("due_on", "id")
    ]
    context = {
        "plan": plan,
        "version": version,
        "latest": versions[0],
        "versions": versions,
        "actions": actions,
        "can_edit": access.can_edit_action_plan(request.user, plan),
        # Open plans whose indicator has recovered two periods running are suggested for closing.
        "recovered": requests.recovery_readings([plan]).get(plan.pk)
        if plan.status == ActionPlan.Status.OPEN and plan.indicator_id
        else None,
        "indicator_url": url_or_none("performance:indicator-detail", plan.indicator_id)
        if plan.indicator_id
        else None,
    }
    return render(request, "performance/plans/action_plan_detail.html", context)


def _action_formset(data, *, initial, owners, prefix="actions"):
    return plan_forms.ActionFormSet(
        data, initial=initial, prefix=prefix, form_kwargs={"owners": owners}
    )


@require_http_methods(["GET", "POST"])
@login_required
def action_plan_create(request: HttpRequest) -> HttpResponse:
    """Open an action plan for a team, optionally from one of its indicators."""
    teams = list(
        Team.objects.plans_openable_by(request.user).order_by("name").values_list("id", "name")
    )
    if not teams:
        raise PermissionDenied(
            "Only a Head of Service, a service manager or a performance officer opens action plans."
        )
    source = request.POST if request.method == "POST" else request.GET
    indicator = None
    initial: dict = {"owner": request.user.pk, "opened_on": shared._today().isoformat()}
    asked = None
    if source.get("request"):
        # Opened from a request (issue 20): its indicator, team and reason come prefilled.
        if not str(source["request"]).isdigit():
            raise Http404
        asked = plan_request_views.request_for(request.user, int(source["request"]))
        source = source.copy()
        source["indicator"] = str(asked.indicator_id)
        initial["reason"] = (
            f"{asked.indicator.code} was {asked.get_reason_display().lower()} in {asked.period}."
        )
    if source.get("indicator"):
        if not str(source["indicator"]).isdigit():
            raise Http404
        indicator = access.indicator_for(request.user, int(source["indicator"]), related=["team"])
        initial["team"] = indicator.team_id
        initial["title"] = f"Improving {indicator.code} {indicator.title}"[:250]
    elif source.get("team", "").isdigit():
        initial["team"] = int(source["team"])
    owners = selectors.people()
    data = request.POST if request.method == "POST" else None
    form = plan_forms.ActionPlanForm(data, initial=initial, teams=teams, owners=owners)
    formset = _action_formset(data, initial=None, owners=owners)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if (
            form_ok
            and indicator is not None
            and indicator.team_id not in (None, form.cleaned_data["team"])
        ):
            form.add_error(
                "team", f"{indicator.code} belongs to {indicator.team.name}: choose that team"
            )
            form_ok = False
        if form_ok and formset_ok:
            plan = open_action_plan(
                actor=request.user,
                data=form.cleaned_data,
                indicator=indicator,
                rows=formset.kept_rows(),
            )
            messages.success(request, f"Action plan “{plan.title}” opened.")
            return redirect("performance:action-plan-detail", pk=plan.pk)
        errors = shared.error_items(form) + shared.formset_error_items(formset)
    context = {
        "form": form,
        "formset": formset,
        "errors": errors,
        "indicator": indicator,
        "asked": asked,
        "mode": "create",
    }
    return render(request, "performance/plans/action_plan_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def action_plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of the plan's actions, starting from copies of the current ones."""
    plan = access.action_plan_for(
        request.user,
        pk,
        to="edit",
        related=["team", "indicator", "owner", "team__head_of_service"],
        denied="Only the plan's owner, the team's head or a performance officer revises it.",
    )
    current = plan.versions.order_by("-number").first()
    if current is None:
        raise Http404
    copies = list(current.actions.order_by("due_on", "id"))
    owners = selectors.people({a.owner_id for a in copies})
    initial = [
        {
            "description": a.description,
            "owner": a.owner_id,
            "due_on": a.due_on.isoformat(),
            "status": a.status,
            "milestones": a.milestones,
            "progress_note": a.progress_note,
        }
        for a in copies
    ]
    data = request.POST if request.method == "POST" else None
    form = plan_forms.RevisionForm(data, initial={"status": plan.status})
    formset = _action_formset(data, initial=initial, owners=owners)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok:
            version = revise_action_plan(
                actor=request.user,
                plan=plan,
                note=form.cleaned_data["note"],
                status=form.cleaned_data["status"],
                rows=formset.kept_rows(),
            )
            messages.success(request, f"Version {version.number} of “{plan.title}” saved.")
            return redirect("performance:action-plan-detail", pk=plan.pk)
        errors = shared.error_items(form) + shared.formset_error_items(formset)
    context = {
        "plan": plan,
        "current": current,
        "form": form,
        "formset": formset,
        "errors": errors,
        "mode": "revise",
    }
    return render(request, "performance/plans/action_plan_form.html", context)
