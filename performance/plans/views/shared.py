"""What the plan pages share: their clock, the GOV.UK error summary of their forms, and rendering
a page or, for htmx, one fragment of it."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from performance.common.forms import error_summary


def _today() -> dt.date:
    """Today for every plan page: read through this module so tests can pin it."""
    return timezone.localdate()


def error_items(form) -> list[tuple[str, str]]:
    """The error summary of a plan form: its messages say what is wrong without the label."""
    return error_summary(form, labels=False)


def formset_error_items(formset, *, label: str = "Action") -> list[tuple[str, str]]:
    items = [("actions", str(error)) for error in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        items += error_summary(form, labels=False, prefix=f"{label} {number}: ")
    return items


def render_page(
    request, template: str, fragment: str | None, context: dict, **kwargs
) -> HttpResponse:
    """The page, or only its `fragment` for an htmx request."""
    if request.htmx and fragment:
        template = f"{template}#{fragment}"
    return render(request, template, context, **kwargs)
