"""One risk: its page, and the owner's (or an officer's) review.

The risk comes through `services.risk_for`: out of the reader's scope (a confidential risk of
another team) it is 404; a review by anyone but the owner or an officer is 403. The review page
is where the quarterly digest and the key risk indicator alert emails send the owner, so it is
an ordinary address that works straight after signing in.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from performance.common import access
from performance.common.forms import error_summary
from performance.core import risks as rules
from performance.risks import forms, pages, selectors, services


def _today() -> dt.date:
    """Today for the risk pages: read through this module so tests can pin it."""
    return timezone.localdate()


@require_GET
@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    services.sync_kri_alerts()
    risk = services.risk_for(request.user, pk)
    page = pages.risk_page(request.user, risk, today=_today())
    context = {
        "page": page,
        "risk": risk,
        "can_review": services.can_review(request.user, risk),
        "is_officer": access.is_performance_officer(request.user),
    }
    return render(request, "risks/detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def risk_review(request: HttpRequest, pk: int) -> HttpResponse:
    risk = services.risk_for(request.user, pk, to="review")
    matrix = selectors.matrix()
    controls = list(risk.controls.all())
    initial = {"likelihood": risk.current_likelihood, "impact": risk.current_impact}
    data = request.POST if request.method == "POST" else None
    form = forms.ReviewForm(data, matrix=matrix, controls=controls, initial=initial)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                row = services.review(
                    user=request.user,
                    risk_id=risk.pk,
                    likelihood=form.cleaned_data["likelihood"],
                    impact=form.cleaned_data["impact"],
                    comment=form.cleaned_data["comment"],
                    controls=form.controls(),
                )
            except services.RiskInvalid as invalid:
                for name, message in invalid.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request,
                    f"Review of {risk.reference} for {row.period} saved: current score "
                    f"{row.score} (was {row.previous_score}).",
                )
                return redirect("performance:risk-detail", pk=risk.pk)
        errors = error_summary(form, labels=False)
    context = {
        "risk": risk,
        "form": form,
        "errors": errors,
        "matrix": matrix,
        "current_score": risk.current_score,
        "current_rating": rules.rating_of(risk.current_score, matrix.bands),
        "current_words": (
            f"likelihood {risk.current_likelihood} "
            f"({matrix.likelihood_label(risk.current_likelihood)}) × impact "
            f"{risk.current_impact} ({matrix.impact_label(risk.current_impact)})"
        ),
        "control_fields": [form[name] for name, _ in form.control_names],
    }
    return render(request, "risks/review.html", context)
