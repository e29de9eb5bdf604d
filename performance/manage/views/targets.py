"""Targets for a year: one indicator's targets as a table with a row per period of the year.

"Fill the rows" spreads an annual target over the periods (`manage.services.profile_annual`)
without saving; "Save targets" creates, changes or removes each period's target, audited.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common.display import url_or_none
from performance.common.forms import error_summary
from performance.core import periods
from performance.core.periods import Frequency
from performance.manage import forms as f
from performance.manage import selectors, services
from performance.manage.views.common import officer_required
from performance.models import Indicator


def _year_from(request: HttpRequest) -> tuple[periods.Period, forms.Form]:
    """The financial year in `?year=` (this one when absent or wrong) and the form that read it."""
    current = periods.current_financial_year(timezone.localdate())
    raw = request.GET.get("year")
    if raw is None:
        return current, f.YearChoiceForm(initial={"year": str(current)})
    form = f.YearChoiceForm({"year": raw})
    if form.is_valid():
        return periods.parse(form.cleaned_data["year"]), form
    return current, form


def _initial(rows_periods, existing) -> list[dict]:
    """Each row's saved target and SMART record; an empty row where a period has none."""
    initial = []
    for period in rows_periods:
        target = existing.get(str(period))
        initial.append(
            {
                "value": f"{target.value.normalize():f}",
                **{name: getattr(target, name) for name in f.SMART_FIELDS},
            }
            if target
            else {}
        )
    return initial


def _formset_errors(formset) -> list[tuple[str, str]]:
    """The error summary of the table: each row's errors, then the table's own."""
    if not formset.is_bound:
        return []
    found = error_summary(*formset.forms)
    found += [("id_t-0-value", f"Targets: {error}") for error in formset.non_form_errors()]
    return found


@require_http_methods(["GET", "POST"])
@officer_required
@vary_on_headers("HX-Request")
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("team"), pk=pk)
    year, year_form = _year_from(request)
    rows_periods = list(year.sub_periods(Frequency(indicator.frequency)))
    formset_class = f.target_rows_formset(count=len(rows_periods))
    existing = selectors.targets_by_period(indicator, rows_periods)
    profile = f.ProfileForm(prefix="profile")
    kwargs = {"periods_": rows_periods, "outcomes": selectors.outcomes(), "prefix": "t"}
    # The table's version as opened; a posted table keeps the one it came with (issue 14).
    version = (
        request.POST.get("version", "")
        if request.method == "POST"
        else services.table_version(existing, rows_periods)
    )
    if request.method == "POST" and request.POST.get("action", "save") == "profile":
        profile = f.ProfileForm(request.POST, prefix="profile")
        data = request.POST.copy()
        if profile.is_valid():
            annual = profile.cleaned_data["annual"]
            shares = services.profile_annual(
                annual,
                aggregation=indicator.aggregation,
                parts=len(rows_periods),
                decimals=indicator.decimals,
            )
            for index, share in enumerate(shares):
                data[f"t-{index}-value"] = str(share)
            messages.info(
                request,
                f"The rows are filled from the annual target of {annual.normalize():f}. "
                "Check them, then save.",
            )
        formset = formset_class(data, **kwargs)
    elif request.method == "POST":
        formset = formset_class(request.POST, **kwargs)
        if formset.is_valid():
            rows = [
                services.TargetRow(
                    period=period, value=row.cleaned_data.get("value"), smart=row.smart_values()
                )
                for period, row in zip(rows_periods, formset.forms, strict=False)
            ]
            try:
                saved = services.save_targets(
                    actor=request.user, indicator=indicator, rows=rows, version=version
                )
            except ValidationError as error:
                formset.non_form_errors().extend(error.messages)
            except services.EditError as error:
                formset.non_form_errors().append(str(error))
            else:
                messages.success(request, f"Targets for {indicator.code} in {year}: {saved}.")
                return redirect(
                    f"{reverse('performance:manage-targets', args=[indicator.pk])}?"
                    f"{urlencode({'year': str(year)})}"
                )
    else:
        formset = formset_class(initial=_initial(rows_periods, existing), **kwargs)
    table = [
        {
            "period": period,
            "form": row,
            "gaps": selectors.target_gaps(target, target.period) if target else None,
        }
        for period, row in zip(rows_periods, formset.forms, strict=False)
        for target in [existing.get(str(period))]
    ]
    error_list = _formset_errors(formset) + error_summary(profile, year_form)
    context = {
        "indicator": indicator,
        "year": year,
        "previous_year": year.previous(),
        "next_year": year.next(),
        "year_form": year_form,
        "profile": profile,
        "formset": formset,
        "version": version,
        "table": table,
        "error_list": error_list,
        "helper_applies": len(rows_periods) > 1,
        "indicator_url": url_or_none("performance:indicator-detail", indicator.pk),
    }
    template = "performance/manage/targets.html"
    if request.htmx and request.method == "GET":
        template += "#targets-form"
    return render(request, template, context, status=400 if error_list else 200)
