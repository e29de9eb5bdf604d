"""Action plans asked for (issue 20): the list of requests raised by activated values, with
filters, and the head's answer "No plan needed" (a reason and a review date). Opening a plan
answers a request through the plan form (`action_plan_create?request=<id>`).

Requests are read for the teams a person reads (`Team.objects.readable_by`); they are answered
by those who may open a plan for the team (`requests.can_answer`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.common import access
from performance.models import ActionPlanRequest, Team
from performance.plans import forms as plan_forms
from performance.plans import requests
from performance.plans.views import shared


def _readable(user) -> QuerySet[ActionPlanRequest]:
    return ActionPlanRequest.objects.filter(team__in=Team.objects.readable_by(user))


@require_GET
@login_required
def plan_request_list(request: HttpRequest) -> HttpResponse:
    """Requests for action plans, newest first, filtered by status, reason and team."""
    rows = _readable(request.user).select_related("indicator", "team", "plan", "decided_by")
    status = request.GET.get("status", "")
    if status in ActionPlanRequest.Status.values:
        rows = rows.filter(status=status)
    reason = request.GET.get("reason", "")
    if reason in ActionPlanRequest.Reason.values:
        rows = rows.filter(reason=reason)
    teams = list(Team.objects.readable_by(request.user).order_by("name").values_list("id", "name"))
    team = request.GET.get("team", "")
    if team.isdigit() and int(team) in {pk for pk, _ in teams}:
        rows = rows.filter(team_id=int(team))
    else:
        team = ""
    page = Paginator(rows.order_by("-raised_at", "id"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ActionPlanRequest.Status.choices,
        "reason": reason,
        "reasons": ActionPlanRequest.Reason.choices,
        "team": team,
        "teams": teams,
        "query": urlencode(
            {k: v for k, v in {"status": status, "reason": reason, "team": team}.items() if v}
        ),
    }
    return render(request, "performance/plans/plan_request_list.html", context)


def request_for(user, pk: int) -> ActionPlanRequest:
    """The request `pk` if `user` reads its team (else 404)."""
    found = _readable(user).select_related("indicator", "team").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@login_required
def plan_request_no_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that no plan is needed: a reason and a review date in the future. Audited."""
    asked = request_for(request.user, pk)
    if not requests.can_answer(request.user, asked):
        raise PermissionDenied(
            "Only the team's head, its service manager or a performance officer answers this."
        )
    if asked.status != ActionPlanRequest.Status.REQUESTED:
        messages.info(request, f"This request is already answered: {asked.get_status_display()}.")
        return redirect("performance:plan-request-list")
    today = shared._today()
    data = request.POST if request.method == "POST" else None
    form = plan_forms.NoPlanForm(data, today=today)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                requests.decide_no_plan(
                    actor=request.user,
                    request_id=asked.pk,
                    reason=form.cleaned_data["reason"],
                    review_on=form.cleaned_data["review_on"],
                )
            except requests.RequestError as error:
                messages.info(request, error.message)
                return redirect("performance:plan-request-list")
            messages.success(
                request,
                f"Recorded: no action plan for {asked.indicator.code}, to be reviewed on "
                f"{form.cleaned_data['review_on']:%-d %B %Y}.",
            )
            return redirect("home")
        errors = shared.error_items(form)
    context = {
        "asked": asked,
        "title": requests.describe(asked),
        "form": form,
        "errors": errors,
        "indicator_url": reverse("performance:indicator-detail", args=[asked.indicator_id]),
    }
    return render(request, "performance/plans/plan_request_no_plan.html", context)


@require_POST
@login_required
def action_plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open plan whose indicator has recovered for two periods running (one click on
    the plan page; audited)."""
    plan = access.action_plan_for(
        request.user,
        pk,
        to="edit",
        related=["team"],
        denied="Only the plan's owner, the team's head or a performance officer closes it.",
    )
    try:
        requests.close_recovered_plan(actor=request.user, plan_id=plan.pk)
    except requests.RequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Action plan “{plan.title}” closed.")
    return redirect("performance:action-plan-detail", pk=plan.pk)
