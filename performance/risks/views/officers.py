"""The performance officers' risk pages: escalations waiting for a decision, and the matrix.

Anyone else gets 403, as in Manage (`officer_required`). Decisions and the matrix are written
by `performance.risks.services`, which audit them.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.common.forms import error_summary
from performance.core import risks as rules
from performance.manage.views.common import officer_required
from performance.risks import forms, pages, selectors, services


def _queue(request: HttpRequest, *, failed: tuple[int, forms.DecisionForm] | None = None):
    pending, decided = pages.escalations()
    errors: list[tuple[str, str]] = []
    rows = []
    for escalation in pending:
        form = failed[1] if failed and failed[0] == escalation.pk else None
        if form is not None:
            errors = [
                (f"reason-{escalation.pk}", f"{escalation.risk.reference}: {message}")
                for _, message in error_summary(form, labels=False)
            ]
        rows.append({"escalation": escalation, "form": form})
    context = {
        "pending": rows,
        "decided": decided,
        "errors": errors,
        "bands": selectors.matrix().bands,
    }
    return render(request, "risks/escalations.html", context, status=400 if errors else 200)


@require_GET
@officer_required
def escalations(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@require_POST
@officer_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return _queue(request, failed=(pk, form))
    confirm = form.cleaned_data["decision"] == "confirm"
    try:
        escalation = services.decide_escalation(
            user=request.user,
            escalation_id=pk,
            confirm=confirm,
            reason=form.cleaned_data["reason"],
        )
    except services.RiskInvalid as invalid:
        for name, message in invalid.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return _queue(request, failed=(pk, form))
    except services.RiskRefused as refused:
        # Officers only reach here, so the refusal is the state's: decided by someone else.
        messages.warning(request, str(refused))
        return redirect("performance:risk-escalations")
    risk = escalation.risk
    if confirm:
        messages.success(
            request,
            f"{risk.reference} escalated to the {escalation.get_to_register_display().lower()} "
            "register.",
        )
    else:
        messages.success(
            request,
            f"{risk.reference} stays on the {escalation.get_from_register_display().lower()} "
            "register.",
        )
    return redirect("performance:risk-escalations")


@require_http_methods(["GET", "POST"])
@officer_required
def matrix(request: HttpRequest) -> HttpResponse:
    current = selectors.matrix()
    form = forms.MatrixForm(request.POST if request.method == "POST" else None, matrix=current)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_matrix(
                    user=request.user,
                    likelihood_labels=form.labels("likelihood"),
                    impact_labels=form.labels("impact"),
                    bands=form.bands(),
                    reason="Risk matrix page",
                )
            except services.RiskInvalid as invalid:
                for name, message in invalid.errors.items():
                    target = {"bands": "low_max", "likelihood_labels": "likelihood_1"}.get(
                        name, "impact_1" if name == "impact_labels" else None
                    )
                    form.add_error(target, message)
            else:
                messages.success(request, "Risk matrix saved.")
                return redirect("performance:risk-matrix")
        errors = error_summary(form, labels=False)
    points = range(rules.MIN_POINT, rules.MAX_POINT + 1)
    grid = [
        (
            likelihood,
            current.likelihood_label(likelihood),
            [
                (
                    impact,
                    likelihood * impact,
                    rules.rating_of(likelihood * impact, current.bands),
                )
                for impact in points
            ],
        )
        for likelihood in reversed(points)
    ]
    context = {
        "form": form,
        "errors": errors,
        "matrix": current,
        "grid": grid,
        "impacts": [(point, current.impact_label(point)) for point in points],
        "likelihood_fields": [form[f"likelihood_{p}"] for p in points],
        "impact_fields": [form[f"impact_{p}"] for p in points],
        "band_fields": [form["low_max"], form["medium_max"], form["high_max"]],
    }
    return render(request, "risks/matrix.html", context)
