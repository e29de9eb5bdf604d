"""Help pages (issue 19): the legend of every symbol and the glossary. Public: the published
reports at /public/ use the same symbols and terms, and neither page holds any data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from performance.core import symbols
from performance.help.glossary import TERMS


@require_GET
def symbols_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "performance/help/symbols.html",
        {"concepts": symbols.CONCEPTS, "palette": symbols.PALETTE},
    )


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "performance/help/glossary.html", {"terms": TERMS})
