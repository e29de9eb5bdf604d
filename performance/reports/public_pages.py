"""The accessibility statement and privacy notice (issue 19): public pages under /public/, in
the GOV.UK model, filled in from settings (the council's name and contact addresses)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from performance.common import govuk

# When the statement was last reviewed against the service (update on every review).
STATEMENT_PREPARED = "7 December 2026"


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/accessibility.html",
        {
            "contact_email": govuk.accessibility_email(),
            "prepared": STATEMENT_PREPARED,
            "site_url": settings.SITE_URL,
        },
    )


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/privacy.html",
        {
            "contact_email": govuk.data_protection_email(),
            "accessibility_email": govuk.accessibility_email(),
            "prepared": STATEMENT_PREPARED,
        },
    )
