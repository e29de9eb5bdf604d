"""Plan pages (SPEC §2): the strategic plan tree, the golden thread, service plans with monthly
progress, strategic actions with bi-annual updates, and action plans kept as versions.

Reads shape querysets into small dataclasses with a fixed number of queries (prefetches, never a
query per node); writes run inside `transaction.atomic` and record the audit trail.

Access: every signed-in person reads the strategic plan, the golden thread and the strategic
actions (it is a public-facing plan). Service plans: performance officers and members read all;
others the plans of services whose teams they belong to or head. Action plans: read with the
team (`access.teams_readable`), edited by the owner, the team's head or a performance officer.
Out of read scope → 404; an action the person may not do → 403.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common import access
from performance.common.display import person_name, url_or_none
from performance.common.forms import error_summary
from performance.core import periods, plan_progress
from performance.models import (
    Action,
    ActionPlan,
    Activity,
    ActivityProgress,
    Milestone,
    ServicePlan,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Team,
)
from performance.plans import forms as forms_plans
from performance.plans.services import (
    open_action_plan,
    record_activity_progress,
    revise_action_plan,
    save_action_update,
)
from performance.plans.thread import (
    THREAD_KINDS,
    build_thread,
    priority_tree,
)

# --- Status shown as icon + word ----------------------------------------------------------------

# value → (icon, word, css modifier); the icon is decorative, the word carries the meaning.
STATUS_DISPLAY: dict[str, tuple[str, str, str]] = {
    ActivityProgress.Rag.GREEN: ("✓", "Green", "green"),
    ActivityProgress.Rag.AMBER: ("!", "Amber", "amber"),
    ActivityProgress.Rag.RED: ("✕", "Red", "red"),
    StrategicActionUpdate.Status.ON_TRACK: ("✓", "On track", "green"),
    StrategicActionUpdate.Status.AT_RISK: ("!", "At risk", "amber"),
    StrategicActionUpdate.Status.OFF_TRACK: ("✕", "Off track", "red"),
    StrategicActionUpdate.Status.COMPLETE: ("★", "Complete", "done"),
    Action.Status.NOT_STARTED: ("○", "Not started", "grey"),
    Action.Status.IN_PROGRESS: ("◐", "In progress", "blue"),
    Action.Status.DONE: ("✓", "Done", "done"),
    Action.Status.OVERDUE: ("✕", "Overdue", "red"),
}


@dataclass(frozen=True)
class Badge:
    icon: str
    word: str
    modifier: str


def badge(value: str | None) -> Badge | None:
    if not value or value not in STATUS_DISPLAY:
        return None
    return Badge(*STATUS_DISPLAY[value])


# --- Small helpers --------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _error_items(form) -> list[tuple[str, str]]:
    """The error summary of a plan form: its messages say what is wrong without the label."""
    return error_summary(form, labels=False)


def _formset_error_items(formset, *, label: str = "Action") -> list[tuple[str, str]]:
    items = [("actions", str(error)) for error in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        items += error_summary(form, labels=False, prefix=f"{label} {number}: ")
    return items


def _render(request, template: str, fragment: str | None, context: dict, **kwargs) -> HttpResponse:
    if request.htmx and fragment:
        template = f"{template}#{fragment}"
    return render(request, template, context, **kwargs)


# --- Strategic plan tree and golden thread pages --------------------------------------------------


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
    current = periods.current_financial_year(_today())
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
    context.update(
        {
            "priorities": priorities,
            "years": years,
            "year": year,
            "open": request.GET.get("open") == "all",
        }
    )
    return render(request, "performance/plans/strategic_plan.html", context)


@require_GET
@login_required
def golden_thread(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in THREAD_KINDS:
        raise Http404
    thread = build_thread(kind, pk, user=request.user)
    return render(request, "performance/plans/golden_thread.html", {"thread": thread})


# --- Service plans --------------------------------------------------------------------------------


def _plan_months(plan: ServicePlan, today: dt.date) -> list[periods.Period]:
    """The months of the plan's financial year that have started, in order."""
    try:
        year = periods.parse(plan.year, kind=periods.Frequency.ANNUAL)
    except periods.PeriodError:
        return []
    return [month for month in year.months() if month.start <= today]


@require_GET
@login_required
def service_plan_list(request: HttpRequest) -> HttpResponse:
    """Service plans of one financial year, grouped under their Head of Service."""
    today = _today()
    readable = ServicePlan.objects.readable_by(request.user)
    years = sorted(
        set(
            ServicePlan.objects.filter(pk__in=readable.values("pk")).values_list("year", flat=True)
        ),
        reverse=True,
    )
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
    plans = list(
        readable.filter(year=year)
        .select_related("service__head_of_service", "service__directorate")
        .order_by("service__head_of_service__last_name", "service__name")
    )
    facts: dict[int, list[plan_progress.MilestoneFact]] = defaultdict(list)
    for plan_id, due_on, met_on in Milestone.objects.filter(
        activity__objective__plan__in=[p.pk for p in plans]
    ).values_list("activity__objective__plan_id", "due_on", "met_on"):
        facts[plan_id].append(plan_progress.MilestoneFact(due_on, met_on))
    groups: dict[str, list[dict]] = defaultdict(list)
    for plan in plans:
        months = _plan_months(plan, today)
        latest, to_date = None, False
        if months:
            cutoff = min(months[-1].end, today)
            to_date = cutoff < months[-1].end
            latest = (months[-1], plan_progress.month_summary(facts[plan.pk], cutoff))
        head = plan.service.head_of_service
        groups[person_name(head) if head else "No Head of Service assigned"].append(
            {"plan": plan, "latest": latest, "to_date": to_date}
        )
    context = {
        "years": years,
        "year": year,
        "groups": sorted(groups.items()),
        "errors": errors,
    }
    return render(request, "performance/plans/service_plan_list.html", context)


def _service_plan_context(request, plan: ServicePlan, *, saved: str = "") -> dict:
    """Objectives, activities, milestones, monthly progress and the plan's progress per month."""
    today = _today()
    months = _plan_months(plan, today)
    objectives = list(
        plan.objectives.select_related("outcome__priority").prefetch_related(
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related(
                    "owner", "outcome__priority"
                ).prefetch_related(
                    "milestones",
                    Prefetch(
                        "progress",
                        queryset=ActivityProgress.objects.select_related("updated_by").order_by(
                            "-month"
                        ),
                    ),
                ),
            )
        )
    )
    works = access.works_in_service(request.user, plan)
    facts = []
    for objective in objectives:
        for activity in objective.activities.all():
            activity.can_record = access.can_record_progress(
                request.user, activity, works_in_service=works
            )
            activity.rows = [(p, badge(p.rag)) for p in activity.progress.all()]
            for milestone in activity.milestones.all():
                facts.append(plan_progress.MilestoneFact(milestone.due_on, milestone.met_on))
    monthly = []
    for month in months:
        cutoff = min(month.end, today)
        monthly.append(
            {
                "month": month,
                "to_date": cutoff < month.end,
                "summary": plan_progress.month_summary(facts, cutoff),
            }
        )
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
    return _render(request, "performance/plans/service_plan_detail.html", "plan-body", context)


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
        return forms_plans.ActivityProgressForm(
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
    return forms_plans.ActivityProgressForm(
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
    today = _today()
    months = _plan_months(plan, today)
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
        "errors": _error_items(form),
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


# --- Strategic actions ----------------------------------------------------------------------------


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


def _action_rows(user, half: dict, *, only: int | None = None) -> list[dict]:
    actions = StrategicAction.objects.select_related("outcome__priority", "owner").prefetch_related(
        Prefetch(
            "updates",
            queryset=StrategicActionUpdate.objects.select_related("updated_by").order_by("-period"),
        )
    )
    plan = StrategicPlan.objects.order_by("-first_year").first()
    actions = (
        actions.filter(outcome__priority__plan=plan) if only is None else actions.filter(pk=only)
    )
    rows = []
    for action in actions.order_by("outcome__priority__number", "outcome__number", "id"):
        updates = list(action.updates.all())
        current = next((u for u in updates if u.period == half["label"]), None)
        rows.append(
            {
                "action": action,
                "current": current,
                "current_badge": badge(current.status) if current else None,
                "earlier": [(u, badge(u.status)) for u in updates if u.period != half["label"]],
                "can_update": access.can_update_action(user, action),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@login_required
@vary_on_headers("HX-Request")
def strategic_actions(request: HttpRequest) -> HttpResponse:
    """Strategic actions with their bi-annual updates; owners update the current half-year."""
    half = _half_year(_today())
    template = "performance/plans/strategic_actions.html"
    editing, form = None, None
    if request.method == "POST":
        raw = request.POST.get("action", "")
        if not raw.isdigit():
            raise Http404
        action = get_object_or_404(StrategicAction, pk=int(raw))
        if not access.can_update_action(request.user, action):
            raise PermissionDenied("Only the action's owner or a performance officer updates it.")
        form = forms_plans.StrategicActionUpdateForm(request.POST, auto_id=f"sa{action.pk}-%s")
        if form.is_valid():
            save_action_update(
                actor=request.user, action=action, period=half["label"], data=form.cleaned_data
            )
            note = f"Update for {half['label']} saved for “{action.title}”."
            if not request.htmx:
                messages.success(request, note)
                return redirect(f"{reverse('performance:strategic-actions')}#action-{action.pk}")
            row = _action_rows(request.user, half, only=action.pk)[0]
            return render(
                request, f"{template}#action-card", {"row": row, "half": half, "saved": note}
            )
        editing = action.pk
    elif request.GET.get("edit", "").isdigit():
        editing = int(request.GET["edit"])
    rows = _action_rows(request.user, half)
    if editing is not None:
        row = next((r for r in rows if r["action"].pk == editing), None)
        if row is None:
            rows = _action_rows(request.user, half, only=editing)
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
            form = forms_plans.StrategicActionUpdateForm(initial=initial, auto_id=f"sa{editing}-%s")
        row["form"] = form
        row["errors"] = _error_items(form)
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


# --- Action plans ---------------------------------------------------------------------------------


def _people(extra_ids=()) -> list[tuple[int, str]]:
    """People who can own a plan or an action: everyone with a role, plus current owners."""
    users = (
        get_user_model()
        .objects.filter(Q(is_active=True, groups__isnull=False) | Q(pk__in=list(extra_ids)))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return [
        (u.pk, f"{u.get_full_name() or u.get_username()} ({u.get_username()})")
        for u in users.only("id", "first_name", "last_name", "username")
    ]


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
        "indicator_url": url_or_none("performance:indicator-detail", plan.indicator_id)
        if plan.indicator_id
        else None,
    }
    return render(request, "performance/plans/action_plan_detail.html", context)


def _action_formset(data, *, initial, owners, prefix="actions"):
    return forms_plans.ActionFormSet(
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
    initial: dict = {"owner": request.user.pk, "opened_on": _today().isoformat()}
    if source.get("indicator"):
        if not str(source["indicator"]).isdigit():
            raise Http404
        indicator = access.indicator_for(request.user, int(source["indicator"]), related=["team"])
        initial["team"] = indicator.team_id
        initial["title"] = f"Improving {indicator.code} {indicator.title}"[:250]
    elif source.get("team", "").isdigit():
        initial["team"] = int(source["team"])
    owners = _people()
    data = request.POST if request.method == "POST" else None
    form = forms_plans.ActionPlanForm(data, initial=initial, teams=teams, owners=owners)
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
        errors = _error_items(form) + _formset_error_items(formset)
    context = {
        "form": form,
        "formset": formset,
        "errors": errors,
        "indicator": indicator,
        "mode": "create",
    }
    return render(request, "performance/plans/action_plan_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def action_plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of the plan's actions, starting from copies of the current ones."""
    plan = access.action_plan_for(
        request.user, pk, related=["team", "indicator", "owner", "team__head_of_service"]
    )
    if not access.can_edit_action_plan(request.user, plan):
        raise PermissionDenied(
            "Only the plan's owner, the team's head or a performance officer revises it."
        )
    current = plan.versions.order_by("-number").first()
    if current is None:
        raise Http404
    copies = list(current.actions.order_by("due_on", "id"))
    owners = _people({a.owner_id for a in copies})
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
    form = forms_plans.RevisionForm(data, initial={"status": plan.status})
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
        errors = _error_items(form) + _formset_error_items(formset)
    context = {
        "plan": plan,
        "current": current,
        "form": form,
        "formset": formset,
        "errors": errors,
        "mode": "revise",
    }
    return render(request, "performance/plans/action_plan_form.html", context)
