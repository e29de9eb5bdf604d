"""The risk register and the heat map: the same filters, the same rows (SPEC §14).

Both read the register once (`selectors.register_rows`) after bringing the key risk indicator
alerts up to date (`services.sync_kri_alerts`: two queries when nothing changed), so their
query count is fixed whatever the number of risks. With htmx the filter form swaps only the
results; without it, the GET form reloads the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from performance.common import access
from performance.core import risks as rules
from performance.risks import forms, pages, selectors, services

PAGE_SIZE = 100


def _read(request: HttpRequest) -> dict:
    """The filtered rows and what the filter form and the page around them need."""
    services.sync_kri_alerts()
    matrix = selectors.matrix()
    form = forms.FilterForm(
        request.GET or None,
        categories=pages.category_choices(),
        owners=pages.owner_choices(request.user),
        matrix=matrix,
    )
    values = form.values() if request.GET else {"scores": "current"}
    rows = selectors.register_rows(
        user=request.user, filters=pages.filters_of(values), council_matrix=matrix
    )
    which = values["scores"]
    cell = {"likelihood": values.get("likelihood"), "impact": values.get("impact")}
    shown = pages.in_cell(rows, which=which, **cell)
    words = []
    if cell["likelihood"]:
        words.append(
            f"likelihood {cell['likelihood']} ({matrix.likelihood_label(cell['likelihood'])})"
        )
    if cell["impact"]:
        words.append(f"impact {cell['impact']} ({matrix.impact_label(cell['impact'])})")
    kept = {
        name: value
        for name, value in request.GET.items()
        if name in form.fields and name not in form.errors and value
    }
    return {
        "form": form,
        "matrix": matrix,
        "rows": rows,
        "shown": shown,
        "which": which,
        "cell": cell,
        "cell_words": " and ".join(words),
        "filtered": bool({k: v for k, v in kept.items() if k != "scores"}),
        "query": urlencode(kept),
        "query_without_cell": urlencode(
            {k: v for k, v in kept.items() if k not in ("likelihood", "impact")}
        ),
        "is_officer": access.is_performance_officer(request.user),
    }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def register(request: HttpRequest) -> HttpResponse:
    context = _read(request)
    # A county's registers hold thousands of risks: a page of them at a time, the count and the
    # filters over all of them.
    page = Paginator(context["shown"], PAGE_SIZE).get_page(request.GET.get("page"))
    context |= {
        "rows": page.object_list,
        "total": len(context["shown"]),
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    template = "risks/register.html"
    if getattr(request, "htmx", False):
        template += "#risk-results"
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def heat_map(request: HttpRequest) -> HttpResponse:
    context = _read(request)
    which = context["which"]
    heat = selectors.heat_map(context["rows"], matrix=context["matrix"], which=which)
    base = context["query_without_cell"]
    register_url = reverse("performance:risk-register")
    grid = [
        [
            {
                "cell": cell,
                "url": f"{register_url}?"
                + "&".join(
                    part
                    for part in (
                        base,
                        f"likelihood={cell.likelihood}&impact={cell.impact}",
                        "scores=inherent" if which == "inherent" and "scores=" not in base else "",
                    )
                    if part
                ),
                "likelihood_label": context["matrix"].likelihood_label(cell.likelihood),
                "impact_label": context["matrix"].impact_label(cell.impact),
            }
            for cell in line
        ]
        for line in heat.grid
    ]
    other = "inherent" if which == "current" else "current"
    context |= {
        "heat": heat,
        "grid": grid,
        "impacts": [
            (point, context["matrix"].impact_label(point))
            for point in range(rules.MIN_POINT, rules.MAX_POINT + 1)
        ],
        "other_scores": other,
        "toggle_query": urlencode(
            {
                **{k: v for k, v in request.GET.items() if k in context["form"].fields},
                "scores": other,
            }
        ),
        "ratings": list(rules.Rating),
        "bands": _band_ranges(context["matrix"].bands),
    }
    template = "risks/heat_map.html"
    if getattr(request, "htmx", False):
        template += "#heat-map-results"
    return render(request, template, context)


def _band_ranges(bands: rules.Bands) -> list[tuple[rules.Rating, str]]:
    return [
        (rules.Rating.LOW, f"1–{bands.low_max}"),
        (rules.Rating.MEDIUM, f"{bands.low_max + 1}–{bands.medium_max}"),
        (rules.Rating.HIGH, f"{bands.medium_max + 1}–{bands.high_max}"),
        (rules.Rating.VERY_HIGH, f"{bands.high_max + 1}–{rules.MAX_SCORE}"),
    ]
