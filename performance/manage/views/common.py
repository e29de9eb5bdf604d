"""What every Manage view shares: who may use it, and how a form page answers."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from performance.common import access
from performance.common.forms import error_summary


def officer_required(view):
    """Signed in (else to the login page) and a performance officer (else 403; SPEC §1).

    Checked before the kind in the address is looked up, so anyone else gets 403 even for a kind
    that does not exist. The rule is the area's, not a kind's: no kind is open to other roles.
    """

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.is_performance_officer(request.user):
            raise PermissionDenied("Only performance officers can use the Manage area.")
        return view(request, *args, **kwargs)

    return wrapper


def form_page(request: HttpRequest, template: str, context: dict, form: forms.Form) -> HttpResponse:
    """Render a page around `form` and its error summary: 400 when it has errors, else 200."""
    context = {**context, "form": form, "error_list": error_summary(form)}
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)
