"""Pages of the benchmarking app: comparisons, the council's position, projects, value for money.

Everyone signed in reads; only performance officers change or import (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from benchmarking import forms, selectors, services
from benchmarking.models import (
    BenchmarkingProject,
    BenchmarkMeasure,
    ComparatorGroup,
    EfficiencySaving,
    ProjectStep,
    VfmPair,
)
from performance import access


def _officer_only(request: HttpRequest) -> None:
    if not access.is_performance_officer(request.user):
        raise PermissionDenied("Only performance officers can change benchmarking data.")


def _group_and_choices(request: HttpRequest) -> tuple[ComparatorGroup | None, list]:
    """The group chosen with ?group=<id>, else the default (404 for an unknown id), and every
    group as (pk, name) for the picker: one query for both."""
    groups = list(ComparatorGroup.objects.order_by("name"))
    choices = [(g.pk, g.name) for g in groups]
    chosen = request.GET.get("group", "")
    if chosen:
        if not chosen.isdigit():
            raise Http404("No such comparator group.")
        group = next((g for g in groups if g.pk == int(chosen)), None)
        if group is None:
            raise Http404("No such comparator group.")
        return group, choices
    return selectors.default_group(groups), choices


@require_GET
@login_required
@vary_on_headers("HX-Request")
def index(request: HttpRequest) -> HttpResponse:
    group, groups = _group_and_choices(request)
    overview = selectors.overview(group) if group else None
    context = {
        "group": group,
        "groups": groups,
        "overview": overview,
        "is_officer": access.is_performance_officer(request.user),
    }
    template = "benchmarking/index.html"
    if request.htmx:
        template += "#position-summary"
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(BenchmarkMeasure.objects.select_related("indicator"), pk=pk)
    group, groups = _group_and_choices(request)
    if group is None:
        raise Http404("No comparator group has been set up yet.")
    period = request.GET.get("period", "").strip() or None
    result = selectors.comparison(measure, group, period=period)
    if period is not None and period not in result.periods:
        raise Http404("There are no figures for that period.")
    context = {
        "measure": measure,
        "group": group,
        "groups": groups,
        "comparison": result,
        "position": result.position,
    }
    template = "benchmarking/measure_detail.html"
    if request.htmx:
        template += "#comparison"
    return render(request, template, context)


@require_GET
@login_required
def indicator_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggested targets for an indicator: the values that would reach the median and top quartile."""
    indicator = get_object_or_404(selectors.readable_indicators(request.user), pk=pk)
    group, groups = _group_and_choices(request)
    benchmark = selectors.position_for_indicator(indicator, group=group) if group else None
    context = {"indicator": indicator, "benchmark": benchmark, "group": group, "groups": groups}
    return render(request, "benchmarking/indicator_targets.html", context)


# --- imports ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def import_benchmarks(request: HttpRequest) -> HttpResponse:
    _officer_only(request)
    form = forms.BenchmarkImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_benchmarks(
                name=upload.name,
                content=upload.read(),
                measure=form.cleaned_data["measure"],
                title=form.cleaned_data["title"] or None,
                polarity=form.cleaned_data["polarity"] or None,
                actor=request.user,
            )
        except services.ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(request, f"Imported {upload.name}. {result.message}")
            measure = BenchmarkMeasure.objects.get(code=form.cleaned_data["measure"])
            return redirect("benchmarking:measure-detail", pk=measure.pk)
    return render(
        request,
        "benchmarking/import.html",
        {"form": form, "row_errors": errors, "kind": "benchmarks"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def import_comparators(request: HttpRequest) -> HttpResponse:
    _officer_only(request)
    form = forms.ComparatorImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_comparators(
                name=upload.name,
                content=upload.read(),
                group=form.cleaned_data["group"],
                kind=form.cleaned_data["kind"],
                actor=request.user,
            )
        except services.ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(request, result.message)
            group = ComparatorGroup.objects.get(name=form.cleaned_data["group"].strip())
            return redirect(f"{_url('benchmarking:index')}?group={group.pk}")
    return render(
        request,
        "benchmarking/import.html",
        {"form": form, "row_errors": errors, "kind": "comparators"},
    )


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- projects -----------------------------------------------------------------------------------


@require_GET
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = BenchmarkingProject.objects.select_related("measure", "lead").prefetch_related(
        "steps"
    )
    return render(
        request,
        "benchmarking/project_list.html",
        {"projects": projects, "is_officer": access.is_performance_officer(request.user)},
    )


@require_GET
@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(
        BenchmarkingProject.objects.select_related("measure", "lead").prefetch_related(
            "steps", "partner_authorities"
        ),
        pk=pk,
    )
    return render(
        request,
        "benchmarking/project_detail.html",
        {"project": project, "is_officer": access.is_performance_officer(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    _officer_only(request)
    form = forms.ProjectForm(request.POST or None, group=selectors.default_group())
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "partner_authorities"}
        project = services.create_project(
            actor=request.user,
            data={**data, "lead": request.user},
            partner_authorities=form.cleaned_data["partner_authorities"],
        )
        messages.success(request, f"Project “{project.title}” created with its four steps.")
        return redirect("benchmarking:project-detail", pk=project.pk)
    return render(
        request,
        "benchmarking/project_form.html",
        {"form": form, "project": None},
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(BenchmarkingProject, pk=pk)
    _officer_only(request)
    steps = list(project.steps.all())
    initial = [{"step": s.step, "status": s.status, "notes": s.notes} for s in steps]
    form = forms.ProjectForm(
        request.POST or None, instance=project, group=selectors.default_group()
    )
    formset = forms.StepFormSet(request.POST or None, initial=initial, prefix="steps")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        posted = [f.cleaned_data for f in formset.forms]
        if sorted(s["step"] for s in posted) != sorted(s.step for s in steps):
            raise PermissionDenied("The form's steps do not match the project's.")
        data = {k: v for k, v in form.cleaned_data.items() if k != "partner_authorities"}
        services.update_project(
            actor=request.user,
            project=project,
            data=data,
            partner_authorities=list(form.cleaned_data["partner_authorities"]),
            steps=posted,
        )
        messages.success(request, f"Project “{project.title}” saved.")
        return redirect("benchmarking:project-detail", pk=project.pk)
    labels = dict(ProjectStep.Step.choices)
    step_forms = [(labels[s.step], f) for s, f in zip(steps, formset.forms, strict=True)]
    return render(
        request,
        "benchmarking/project_form.html",
        {"form": form, "formset": formset, "step_forms": step_forms, "project": project},
    )


# --- value for money ----------------------------------------------------------------------------


@require_GET
@login_required
def vfm(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.vfm_rows(user=request.user),
        "register": selectors.savings_register(),
        "is_officer": access.is_performance_officer(request.user),
    }
    return render(request, "benchmarking/vfm.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def saving_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    saving = get_object_or_404(EfficiencySaving, pk=pk) if pk is not None else None
    _officer_only(request)
    form = forms.SavingForm(request.POST or None, instance=saving)
    if request.method == "POST" and form.is_valid():
        if saving is None:
            services.record_saving(actor=request.user, data=form.cleaned_data)
            messages.success(request, "Saving added to the efficiency register.")
        else:
            services.update_saving(actor=request.user, saving=saving, data=form.cleaned_data)
            messages.success(request, "Saving updated.")
        return redirect(f"{_url('benchmarking:vfm')}#register")
    return render(
        request,
        "benchmarking/saving_form.html",
        {"form": form, "saving": saving},
    )


@require_http_methods(["GET", "POST"])
@login_required
def pair_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Pair an output indicator with its input (cost) indicator, or change a pairing."""
    pair = get_object_or_404(VfmPair, pk=pk) if pk is not None else None
    _officer_only(request)
    form = forms.PairForm(request.POST or None, instance=pair)
    if request.method == "POST" and form.is_valid():
        if pair is None:
            services.record_pair(actor=request.user, data=form.cleaned_data)
            messages.success(request, "Pairing added: its efficiency is shown below.")
        else:
            services.update_pair(actor=request.user, pair=pair, data=form.cleaned_data)
            messages.success(request, "Pairing updated.")
        return redirect(f"{_url('benchmarking:vfm')}#efficiency")
    # Errors are shown on the page with 200, like the app's other benchmarking forms.
    return render(request, "benchmarking/pair_form.html", {"form": form, "pair": pair})
