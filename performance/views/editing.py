"""The Manage area: performance officers set up the organisation, plans and indicators.

Most things a performance officer configures are plain records with a parent (an outcome under
a priority, a milestone under an activity), so one set of list / create / edit / delete views
serves them all from the `KINDS` table below; each kind names its model, form, list columns and
children. People's roles, team members and the year table of targets have views of their own.
Everyone else gets 403 on every URL here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from performance import access, periods
from performance import forms_editing as f
from performance import services_editing as services
from performance.calculations import SmartRecord, smart_gaps
from performance.display import person_name, url_or_none
from performance.models import (
    Activity,
    Directorate,
    Indicator,
    IndividualObjective,
    LongTermTarget,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    SpcChangePoint,
    StrategicAction,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
)
from performance.periods import Frequency
from performance.roles import Role

PAGE_SIZE = 50


def officer_required(view):
    """Signed in (else to the login page) and a performance officer (else 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.is_performance_officer(request.user):
            raise PermissionDenied("Only performance officers can use the Manage area.")
        return view(request, *args, **kwargs)

    return wrapper


# --- the table of kinds ---------------------------------------------------------------------


def _number(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:,.{decimals}f}"


def _gaps_text(gaps) -> str:
    return ", ".join(part.value for part in gaps) if gaps else "None: SMART"


def target_gaps(target: Target | LongTermTarget, period: str) -> list:
    """The SMART parts a target lacks (performance.calculations.smart_gaps)."""
    indicator = target.indicator
    return smart_gaps(
        SmartRecord(
            linked_to=str(target.outcome) if target.outcome_id else None,
            unit=indicator.unit,
            value=target.value,
            baseline=indicator.baseline,
            trend_evidence=bool(target.achievable_evidence.strip()),
            benchmark_quartile=target.benchmark_quartile,
            realistic=target.realistic,
            realism_note=target.realism_note,
            period=period,
        )
    )


@dataclass(frozen=True)
class Child:
    """A list of records under this one: e.g. a priority's outcomes (kind, the field to it)."""

    label: str
    kind: str
    field: str


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[models.Model]
    form: type[forms.ModelForm]
    plural: str
    singular: str
    group: str
    description: str
    columns: tuple[tuple[str, Callable[[models.Model], str]], ...]
    related: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    children: tuple[Child, ...] = ()
    fieldsets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    order: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = field(default=())  # (label, URL name taking the pk)


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in [
        Kind(
            "directorates",
            Directorate,
            f.DirectorateForm,
            "Directorates",
            "directorate",
            "Organisation",
            "The council's directorates.",
            (("Name", str),),
            children=(
                Child("Services", "services", "directorate"),
                Child("Teams", "teams", "directorate"),
            ),
        ),
        Kind(
            "services",
            Service,
            f.ServiceForm,
            "Services",
            "service",
            "Organisation",
            "Services and their Heads of Service.",
            (
                ("Name", str),
                ("Directorate", lambda o: o.directorate.name),
                ("Head of Service", lambda o: person_name(o.head_of_service)),
            ),
            related=("directorate", "head_of_service"),
            filters=("directorate",),
            children=(
                Child("Teams", "teams", "service"),
                Child("Service plans", "service-plans", "service"),
            ),
        ),
        Kind(
            "teams",
            Team,
            f.TeamForm,
            "Teams",
            "team",
            "Organisation",
            "Teams, their service and head, and their members.",
            (
                ("Name", str),
                ("Directorate", lambda o: o.directorate.name),
                ("Service", lambda o: o.service.name if o.service else "None"),
                ("Head of Service", lambda o: person_name(o.head_of_service)),
                ("Active", lambda o: "Yes" if o.active else "No"),
            ),
            related=("directorate", "service", "head_of_service"),
            filters=("directorate", "service"),
            children=(Child("Indicators", "indicators", "team"),),
            links=(("Members", "performance:manage-team-members"),),
        ),
        Kind(
            "indicators",
            Indicator,
            f.IndicatorForm,
            "Indicators",
            "indicator",
            "Indicators and targets",
            "KPIs and SPIs: definitions, owners, enterers and managers.",
            (
                ("Code", lambda o: o.code),
                ("Title", lambda o: o.title),
                ("Owner team", lambda o: o.team.name if o.team else "Unassigned"),
                ("Frequency", lambda o: o.get_frequency_display()),
                ("Active", lambda o: "Yes" if o.active else "No"),
            ),
            related=("team",),
            filters=("team",),
            children=(
                Child("Targets (one at a time)", "targets", "indicator"),
                Child("Long-term targets", "long-term-targets", "indicator"),
                Child("SPC change points", "change-points", "indicator"),
            ),
            fieldsets=(
                (
                    "About the indicator",
                    ("code", "title", "kind", "perspective", "aspect", "team", "active"),
                ),
                (
                    "How it is measured",
                    (
                        "polarity",
                        "unit",
                        "decimals",
                        "frequency",
                        "aggregation",
                        "tolerance",
                        "vfm_role",
                    ),
                ),
                ("Baseline", ("baseline", "baseline_period")),
                (
                    "Definition and data source",
                    ("definition", "guidance", "data_source", "third_party_partner", "reviewed_on"),
                ),
                ("People and outcomes", ("enterers", "managers", "outcomes")),
            ),
            links=(("Targets for a year", "performance:manage-targets"),),
        ),
        Kind(
            "targets",
            Target,
            f.TargetForm,
            "Targets",
            "target",
            "Indicators and targets",
            "Single targets of any period, with their SMART record.",
            (
                ("Indicator", lambda o: o.indicator.code),
                ("Period", lambda o: o.period),
                ("Target", lambda o: _number(o.value, o.indicator.decimals)),
                ("Missing SMART parts", lambda o: _gaps_text(target_gaps(o, o.period))),
            ),
            related=("indicator", "outcome__priority"),
            filters=("indicator",),
            order=("indicator__code", "period_start", "period"),
        ),
        Kind(
            "long-term-targets",
            LongTermTarget,
            f.LongTermTargetForm,
            "Long-term targets",
            "long-term target",
            "Indicators and targets",
            "Where an indicator should be in three to five years.",
            (
                ("Indicator", lambda o: o.indicator.code),
                ("By", lambda o: o.by_year),
                ("Target", lambda o: _number(o.value, o.indicator.decimals)),
                ("Missing SMART parts", lambda o: _gaps_text(target_gaps(o, o.by_year))),
            ),
            related=("indicator", "outcome__priority"),
            filters=("indicator",),
        ),
        Kind(
            "change-points",
            SpcChangePoint,
            f.ChangePointForm,
            "SPC change points",
            "change point",
            "Indicators and targets",
            "Where an indicator's process changed, so its SPC limits are rebased.",
            (
                ("Indicator", lambda o: o.indicator.code),
                ("From period", lambda o: o.period),
                ("Why", lambda o: o.note),
            ),
            related=("indicator",),
            filters=("indicator",),
        ),
        Kind(
            "strategic-plans",
            StrategicPlan,
            f.StrategicPlanForm,
            "Strategic plans",
            "strategic plan",
            "Strategic plan",
            "The four-year plan: vision, community strategy and MTFS note.",
            (("Title", lambda o: o.title), ("Years", lambda o: o.years)),
            children=(Child("Priorities", "priorities", "plan"),),
        ),
        Kind(
            "priorities",
            Priority,
            f.PriorityForm,
            "Priorities",
            "priority",
            "Strategic plan",
            "The plan's priorities.",
            (
                ("Priority", str),
                ("Strategic plan", lambda o: f"{o.plan.title} {o.plan.years}"),
            ),
            related=("plan",),
            filters=("plan",),
            children=(Child("Outcomes", "outcomes", "priority"),),
        ),
        Kind(
            "outcomes",
            Outcome,
            f.OutcomeForm,
            "Outcomes",
            "outcome",
            "Strategic plan",
            "The outcomes each priority seeks.",
            (("Outcome", str), ("Priority", lambda o: str(o.priority))),
            related=("priority",),
            filters=("priority",),
            children=(
                Child("Measures of success", "measures", "outcome"),
                Child("Strategic actions", "strategic-actions", "outcome"),
            ),
        ),
        Kind(
            "measures",
            MeasureOfSuccess,
            f.MeasureForm,
            "Measures of success",
            "measure of success",
            "Strategic plan",
            "How the plan says each outcome will be judged.",
            (
                ("Measure", lambda o: o.description),
                ("Outcome", lambda o: str(o.outcome)),
                ("Indicator", lambda o: o.indicator.code if o.indicator else "None"),
            ),
            related=("outcome__priority", "indicator"),
            filters=("outcome",),
        ),
        Kind(
            "strategic-actions",
            StrategicAction,
            f.StrategicActionForm,
            "Strategic actions",
            "strategic action",
            "Strategic plan",
            "The plan's actions, updated on 1 October and 1 April.",
            (
                ("Action", lambda o: o.title),
                ("Outcome", lambda o: str(o.outcome)),
                ("Owner", lambda o: person_name(o.owner)),
                ("Due", lambda o: f"{o.due_on:%-d %b %Y}" if o.due_on else ""),
            ),
            related=("outcome__priority", "owner"),
            filters=("outcome",),
        ),
        Kind(
            "service-plans",
            ServicePlan,
            f.ServicePlanForm,
            "Service plans",
            "service plan",
            "Service plans",
            "One plan per service per financial year.",
            (
                ("Service plan", lambda o: f"{o.service.name} {o.year}"),
                ("Status", lambda o: o.get_status_display()),
            ),
            related=("service",),
            filters=("service",),
            children=(Child("Objectives", "objectives", "plan"),),
        ),
        Kind(
            "objectives",
            ServicePlanObjective,
            f.ObjectiveForm,
            "Service-plan objectives",
            "objective",
            "Service plans",
            "A service plan's objectives, each serving a strategic outcome.",
            (
                ("Objective", str),
                ("Service plan", lambda o: f"{o.plan.service.name} {o.plan.year}"),
                ("Outcome", lambda o: str(o.outcome)),
            ),
            related=("plan__service", "outcome__priority"),
            filters=("plan",),
            children=(Child("Activities", "activities", "objective"),),
        ),
        Kind(
            "activities",
            Activity,
            f.ActivityForm,
            "Activities",
            "activity",
            "Service plans",
            "Activities under objectives, with owner and outcome.",
            (
                ("Activity", lambda o: o.title),
                (
                    "Objective",
                    lambda o: (
                        f"{o.objective.plan.service.name} {o.objective.plan.year}: {o.objective}"
                    ),
                ),
                ("Outcome", lambda o: str(o.outcome)),
                ("Owner", lambda o: person_name(o.owner)),
            ),
            related=("objective__plan__service", "outcome__priority", "owner"),
            filters=("objective",),
            children=(
                Child("Milestones", "milestones", "activity"),
                Child("Individual objectives", "individual-objectives", "activity"),
            ),
        ),
        Kind(
            "milestones",
            Milestone,
            f.MilestoneForm,
            "Milestones",
            "milestone",
            "Service plans",
            "Dated steps of activities: a plan's monthly progress is the share met.",
            (
                ("Milestone", lambda o: o.title),
                ("Activity", lambda o: o.activity.title),
                ("Due", lambda o: f"{o.due_on:%-d %b %Y}"),
                ("Met", lambda o: f"{o.met_on:%-d %b %Y}" if o.met_on else "Not yet"),
            ),
            related=("activity",),
            filters=("activity",),
        ),
        Kind(
            "individual-objectives",
            IndividualObjective,
            f.IndividualObjectiveForm,
            "Individual objectives",
            "individual objective",
            "Service plans",
            "Objectives set at appraisal, linked to service-plan activities.",
            (
                ("Objective", lambda o: o.title),
                ("Person", lambda o: person_name(o.person)),
                ("Activity", lambda o: o.activity.title),
                ("Year", lambda o: o.year),
            ),
            related=("person", "activity"),
            filters=("activity", "person"),
        ),
    ]
}
GROUPS = ["Organisation", "Indicators and targets", "Strategic plan", "Service plans"]


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404(f"There is nothing called {slug!r} to manage.") from None


def _split(form: forms.ModelForm) -> tuple[dict, dict]:
    """A bound, valid ModelForm's data as (plain model field values, many-to-many values)."""
    meta = form._meta.model._meta
    m2m_names = {each.name for each in meta.many_to_many}
    names = {each.name for each in meta.concrete_fields}
    plain = {k: v for k, v in form.cleaned_data.items() if k in names and k not in m2m_names}
    m2m = {k: v for k, v in form.cleaned_data.items() if k in m2m_names}
    return plain, m2m


def _show_validation_error(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_list(*forms_: forms.Form) -> list[tuple[str, str, str]]:
    """(id of the field, its label, message) for the error summary; each links to its field."""
    result = []
    for form in forms_:
        if not form.is_bound:
            continue
        first = next(iter(form), None)
        for error in form.non_field_errors():
            anchor = first.auto_id if first is not None else ""
            result.append((anchor, "", error))
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            bound = form[name]
            anchor = bound.auto_id
            if bound.widget_type in ("checkboxselectmultiple",):
                anchor = f"{anchor}_0"
            for error in errors:
                result.append((anchor, str(bound.label), error))
    return result


# --- index ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
@officer_required
def index(request: HttpRequest) -> HttpResponse:
    groups = [(group, [kind for kind in KINDS.values() if kind.group == group]) for group in GROUPS]
    return render(request, "performance/manage/index.html", {"groups": groups})


# --- generic list / create / edit / delete ----------------------------------------------------


def _parent_filter(request: HttpRequest, kind: Kind):
    """The (field, parent object) a list is narrowed to by `?field=pk`, or (None, None)."""
    for name in kind.filters:
        raw = request.GET.get(name)
        if raw is None:
            continue
        if not raw.isdigit():
            raise Http404(f"{name} must be a number.")
        remote = kind.model._meta.get_field(name).related_model
        return name, get_object_or_404(remote, pk=int(raw))
    return None, None


@require_http_methods(["GET"])
@officer_required
@vary_on_headers("HX-Request")
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind_ = _kind(kind)
    queryset = kind_.model._default_manager.select_related(*kind_.related)
    if kind_.order:
        queryset = queryset.order_by(*kind_.order)
    field_name, parent = _parent_filter(request, kind_)
    if parent is not None:
        queryset = queryset.filter(**{field_name: parent})
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "object": obj,
            "cells": [render_cell(obj) for _, render_cell in kind_.columns],
            "edit": reverse("performance:manage-edit", args=[kind_.slug, obj.pk]),
            "links": [
                (label, url)
                for label, name in kind_.links
                if (url := url_or_none(name, obj.pk)) is not None
            ],
        }
        for obj in page.object_list
    ]
    query = {field_name: parent.pk} if parent is not None else {}
    context = {
        "kind": kind_,
        "rows": rows,
        "page": page,
        "parent": parent,
        "parent_field": field_name,
        "query": urlencode(query),
        "headers": [label for label, _ in kind_.columns],
    }
    template = "performance/manage/list.html"
    if request.htmx:
        template += "#manage-table"
    return render(request, template, context)


def _initial_from_query(request: HttpRequest, form_class) -> dict:
    """Pre-fill a new record's parent from `?field=pk` (e.g. a new outcome of priority 3)."""
    names = form_class.base_fields
    return {k: v for k, v in request.GET.items() if k in names and v.isdigit()}


@require_http_methods(["GET", "POST"])
@officer_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    kind_ = _kind(kind)
    if request.method == "POST":
        form = kind_.form(request.POST)
        if form.is_valid():
            instance = form.save(commit=False)
            plain, m2m = _split(form)
            for name, value in plain.items():
                setattr(instance, name, value)
            try:
                services.create(actor=request.user, instance=instance, m2m=m2m)
            except ValidationError as error:
                _show_validation_error(form, error)
            else:
                messages.success(request, f"{kind_.singular.capitalize()} “{instance}” created.")
                return redirect("performance:manage-edit", kind_.slug, instance.pk)
    else:
        form = kind_.form(initial=_initial_from_query(request, kind_.form))
    return _form_page(request, kind_, form, instance=None)


@require_http_methods(["GET", "POST"])
@officer_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind_ = _kind(kind)
    instance = get_object_or_404(kind_.model, pk=pk)
    if request.method == "POST":
        form = kind_.form(request.POST, instance=instance)
        if form.is_valid():
            plain, m2m = _split(form)
            try:
                event = services.update(
                    actor=request.user, instance=instance, values=plain, m2m=m2m
                )
            except ValidationError as error:
                _show_validation_error(form, error)
            else:
                instance.refresh_from_db()
                if event is None:
                    messages.info(request, f"Nothing changed in {kind_.singular} “{instance}”.")
                else:
                    messages.success(request, f"{kind_.singular.capitalize()} “{instance}” saved.")
                return redirect(reverse("performance:manage-list", args=[kind_.slug]))
    else:
        form = kind_.form(instance=instance)
    return _form_page(request, kind_, form, instance=instance)


def _form_page(request, kind: Kind, form, *, instance) -> HttpResponse:
    if kind.fieldsets:
        fieldsets = [(legend, [form[name] for name in names]) for legend, names in kind.fieldsets]
    else:
        fieldsets = [(None, list(form))]
    children, links = [], []
    if instance is not None:
        for child in kind.children:
            query = urlencode({child.field: instance.pk})
            children.append(
                (
                    child.label,
                    f"{reverse('performance:manage-list', args=[child.kind])}?{query}",
                    f"{reverse('performance:manage-create', args=[child.kind])}?{query}",
                    KINDS[child.kind].singular,
                )
            )
        links = [
            (label, url) for label, name in kind.links if (url := url_or_none(name, instance.pk))
        ]
        if kind.model is Indicator and (
            url := url_or_none("performance:indicator-detail", instance.pk)
        ):
            links.append(("Indicator page", url))
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "performance/manage/form.html",
        {
            "kind": kind,
            "form": form,
            "fieldsets": fieldsets,
            "instance": instance,
            "children": children,
            "links": links,
            "error_list": error_list(form),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@officer_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind_ = _kind(kind)
    instance = get_object_or_404(kind_.model, pk=pk)
    if request.method == "POST":
        name = str(instance)
        try:
            services.delete(actor=request.user, instance=instance)
        except services.EditError as error:
            messages.error(request, str(error))
            return redirect("performance:manage-edit", kind_.slug, pk)
        messages.success(request, f"{kind_.singular.capitalize()} “{name}” deleted.")
        return redirect("performance:manage-list", kind_.slug)
    blockers = services.blockers(instance)
    return render(
        request,
        "performance/manage/delete.html",
        {"kind": kind_, "instance": instance, "blockers": blockers},
    )


# --- people and team members ------------------------------------------------------------------


@require_http_methods(["GET"])
@officer_required
@vary_on_headers("HX-Request")
def people(request: HttpRequest) -> HttpResponse:
    users = (
        get_user_model()
        .objects.order_by("-is_active", "first_name", "last_name", "username")
        .prefetch_related("groups", "memberships__team")
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = {role.value for role in Role}
    rows = [
        {
            "user": user,
            "roles": sorted(g.name for g in user.groups.all() if g.name in roles),
            "teams": sorted(m.team.name for m in user.memberships.all()),
        }
        for user in page.object_list
    ]
    template = "performance/manage/people.html"
    if request.htmx:
        template += "#people-table"
    return render(request, template, {"rows": rows, "page": page})


@require_http_methods(["GET", "POST"])
@officer_required
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    held = [g for g in person.groups.values_list("name", flat=True) if g in {r.value for r in Role}]
    if request.method == "POST":
        form = f.RolesForm(request.POST)
        if form.is_valid():
            event = services.set_roles(
                actor=request.user, user=person, roles=[Role(r) for r in form.cleaned_data["roles"]]
            )
            name = person_name(person)
            if event is None:
                messages.info(request, f"{name}'s roles are unchanged.")
            else:
                messages.success(request, f"{name}'s roles saved.")
            return redirect("performance:manage-people")
    else:
        form = f.RolesForm(initial={"roles": held})
    memberships = person.memberships.select_related("team").order_by("team__name")
    return render(
        request,
        "performance/manage/person_roles.html",
        {
            "person": person,
            "form": form,
            "memberships": memberships,
            "error_list": error_list(form),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@officer_required
def team_members(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("directorate"), pk=pk)
    if request.method == "POST":
        form = f.MembershipForm(request.POST, team=team)
        if form.is_valid():
            user = form.cleaned_data["user"]
            try:
                services.add_member(actor=request.user, team=team, user=user)
            except services.EditError as error:
                form.add_error("user", str(error))
            else:
                messages.success(request, f"{person_name(user)} added to {team}.")
                return redirect("performance:manage-team-members", team.pk)
    else:
        form = f.MembershipForm(team=team)
    memberships = (
        TeamMembership.objects.filter(team=team)
        .select_related("user")
        .prefetch_related("user__groups")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return render(
        request,
        "performance/manage/team_members.html",
        {
            "team": team,
            "form": form,
            "memberships": memberships,
            "error_list": error_list(form),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@officer_required
def team_member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(
        TeamMembership.objects.select_related("user", "team"), pk=membership_pk, team_id=pk
    )
    services.remove_member(actor=request.user, membership=membership)
    messages.success(request, f"{person_name(membership.user)} removed from {membership.team}.")
    return redirect("performance:manage-team-members", pk)


# --- targets for a year -----------------------------------------------------------------------


def _year_from(request: HttpRequest) -> tuple[periods.Period, forms.Form]:
    current = periods.current_financial_year(timezone.localdate())
    raw = request.GET.get("year")
    if raw is None:
        return current, f.YearChoiceForm(initial={"year": str(current)})
    form = f.YearChoiceForm({"year": raw})
    if form.is_valid():
        return periods.parse(form.cleaned_data["year"]), form
    return current, form


def _smart_values(cleaned: dict) -> dict:
    return {
        "outcome": cleaned.get("outcome"),
        "achievable_evidence": cleaned.get("achievable_evidence") or "",
        "benchmark_quartile": cleaned.get("benchmark_quartile"),
        "realistic": bool(cleaned.get("realistic")),
        "realism_note": cleaned.get("realism_note") or "",
    }


@require_http_methods(["GET", "POST"])
@officer_required
@vary_on_headers("HX-Request")
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    """A table of one indicator's targets for a financial year, one row per period.

    "Fill the rows" spreads an annual target over the periods (not saved until "Save targets").
    """
    indicator = get_object_or_404(Indicator.objects.select_related("team"), pk=pk)
    year, year_form = _year_from(request)
    rows_periods = list(year.sub_periods(Frequency(indicator.frequency)))
    outcomes = f._outcomes()
    formset_class = f.target_rows_formset(count=len(rows_periods))
    existing = {
        target.period: target
        for target in Target.objects.filter(
            indicator=indicator, period__in=[str(p) for p in rows_periods]
        ).select_related("outcome__priority", "indicator")
    }
    profile = f.ProfileForm(prefix="profile")
    kwargs = {"periods_": rows_periods, "outcomes": outcomes, "prefix": "t"}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "profile":
            profile = f.ProfileForm(request.POST, prefix="profile")
            data = request.POST.copy()
            if profile.is_valid():
                shares = services.profile_annual(
                    profile.cleaned_data["annual"],
                    aggregation=indicator.aggregation,
                    parts=len(rows_periods),
                    decimals=indicator.decimals,
                )
                for index, share in enumerate(shares):
                    data[f"t-{index}-value"] = str(share)
                messages.info(
                    request,
                    f"The rows are filled from the annual target of "
                    f"{profile.cleaned_data['annual'].normalize():f}. Check them, then save.",
                )
            formset = formset_class(data, **kwargs)
        else:
            formset = formset_class(request.POST, **kwargs)
            if formset.is_valid():
                rows = [
                    services.TargetRow(
                        period=period,
                        value=row.cleaned_data.get("value"),
                        smart=_smart_values(row.cleaned_data),
                    )
                    for period, row in zip(rows_periods, formset.forms, strict=False)
                ]
                try:
                    saved = services.save_targets(
                        actor=request.user, indicator=indicator, rows=rows
                    )
                except ValidationError as error:
                    formset.non_form_errors().extend(error.messages)
                else:
                    messages.success(request, f"Targets for {indicator.code} in {year}: {saved}.")
                    return redirect(
                        f"{reverse('performance:manage-targets', args=[indicator.pk])}?"
                        f"{urlencode({'year': str(year)})}"
                    )
    else:
        initial = []
        for period in rows_periods:
            target = existing.get(str(period))
            initial.append(
                {
                    "value": f"{target.value.normalize():f}",
                    **{name: getattr(target, name) for name in services.SMART_FIELDS},
                }
                if target
                else {}
            )
        formset = formset_class(initial=initial, **kwargs)
    table = []
    for period, row in zip(rows_periods, formset.forms, strict=False):
        target = existing.get(str(period))
        table.append(
            {
                "period": period,
                "form": row,
                "gaps": target_gaps(target, target.period) if target else None,
            }
        )
    error_list_ = []
    if formset.is_bound:
        for row in formset.forms:
            for name, errors in row.errors.items():
                for error in errors:
                    error_list_.append((row[name].auto_id, row.fields[name].label, error))
        for error in formset.non_form_errors():
            error_list_.append(("id_t-0-value", "Targets", error))
    error_list_ += error_list(profile, year_form)
    context = {
        "indicator": indicator,
        "year": year,
        "previous_year": year.previous(),
        "next_year": year.next(),
        "year_form": year_form,
        "profile": profile,
        "formset": formset,
        "table": table,
        "error_list": error_list_,
        "helper_applies": len(rows_periods) > 1,
        "indicator_url": url_or_none("performance:indicator-detail", indicator.pk),
    }
    template = "performance/manage/targets.html"
    if request.htmx and request.method == "GET":
        template += "#targets-form"
    return render(request, template, context, status=400 if error_list_ else 200)


urlpatterns = [
    path("manage/", index, name="manage-index"),
    path("manage/people/", people, name="manage-people"),
    path("manage/people/<int:pk>/roles/", person_roles, name="manage-person-roles"),
    path("manage/teams/<int:pk>/members/", team_members, name="manage-team-members"),
    path(
        "manage/teams/<int:pk>/members/<int:membership_pk>/remove/",
        team_member_remove,
        name="manage-team-member-remove",
    ),
    path("manage/indicators/<int:pk>/targets/", targets, name="manage-targets"),
    path("manage/<slug:kind>/", record_list, name="manage-list"),
    path("manage/<slug:kind>/new/", record_create, name="manage-create"),
    path("manage/<slug:kind>/<int:pk>/", record_edit, name="manage-edit"),
    path("manage/<slug:kind>/<int:pk>/delete/", record_delete, name="manage-delete"),
]
