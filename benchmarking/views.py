"""Pages of the benchmarking app: comparisons, the council's position, projects, value for money.

Everyone signed in reads; only performance officers change or import (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
from performance.common import access
from performance.common.forms import error_summary


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
    indicator = access.indicator_for(request.user, pk)
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
        {
            "form": form,
            "row_errors": errors,
            "errors": _import_errors(form, errors),
            "kind": "benchmarks",
        },
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
        {
            "form": form,
            "row_errors": errors,
            "errors": _import_errors(form, errors),
            "kind": "comparators",
        },
    )


def _import_errors(form, row_errors: list[str]) -> list[tuple[str, str]]:
    """The error summary of an import: the form's errors, then the file's rows (at the file)."""
    return error_summary(form) + [("id_file", error) for error in row_errors]


def _url(name: str, *args) -> str:
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
        {"form": form, "errors": error_summary(form), "project": None},
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
        {
            "form": form,
            "formset": formset,
            "step_forms": step_forms,
            "project": project,
            "errors": error_summary(form, *formset.forms)
            + [("", error) for error in formset.non_form_errors()],
        },
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


def _vfm_form(
    request, *, form_class, instance, record, update, said: tuple[str, str], anchor, words
):
    """One value-for-money record (a saving or a pairing), new or changed, by an officer.

    `record`/`update` are the services; `said` the (added, changed) messages; `words` the page's
    (new heading, change heading, introduction). Errors show on the page with 200.
    """
    _officer_only(request)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        if instance is None:
            record(actor=request.user, data=form.cleaned_data)
        else:
            update(request.user, instance, form.cleaned_data)
        messages.success(request, said[0] if instance is None else said[1])
        return redirect(f"{_url('benchmarking:vfm')}#{anchor}")
    heading = words[0] if instance is None else words[1]
    return render(
        request,
        "benchmarking/vfm_form.html",
        {
            "form": form,
            "errors": error_summary(form),
            "heading": heading,
            "intro": words[2],
            "editing": instance is not None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def saving_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return _vfm_form(
        request,
        form_class=forms.SavingForm,
        instance=get_object_or_404(EfficiencySaving, pk=pk) if pk is not None else None,
        record=services.record_saving,
        update=lambda actor, saving, data: services.update_saving(
            actor=actor, saving=saving, data=data
        ),
        said=("Saving added to the efficiency register.", "Saving updated."),
        anchor="register",
        words=("Add a saving to the efficiency register", "Edit a saving", ""),
    )


@require_http_methods(["GET", "POST"])
@login_required
def pair_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Pair an output indicator with its input (cost) indicator, or change a pairing."""
    return _vfm_form(
        request,
        form_class=forms.PairForm,
        instance=get_object_or_404(VfmPair, pk=pk) if pk is not None else None,
        record=services.record_pair,
        update=lambda actor, pair, data: services.update_pair(actor=actor, pair=pair, data=data),
        said=("Pairing added: its efficiency is shown below.", "Pairing updated."),
        anchor="efficiency",
        words=(
            "Pair an output with its cost",
            "Change a pairing",
            "Efficiency is the output indicator's value divided by the input (cost) indicator's "
            "value for the same period, from activated values. When one is monthly and the other "
            "quarterly, the months are combined first.",
        ),
    )
