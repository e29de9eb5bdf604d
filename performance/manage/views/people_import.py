"""Manage › People › Import: the directory upload (issue 15) and deactivating or reactivating one
account. The rules of the file are `performance.manage.people_imports`'.

A full list that leaves active people out is a two-step action: the checked file is kept in
the session (its parsed rows, not the file) and a confirmation page lists the people it would
deactivate; the officer then imports with or without deactivating them. The list is checked
again when confirmed, so a change meanwhile refuses the import instead of deactivating someone
who was not shown.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from performance.common.display import person_name
from performance.common.forms import error_summary
from performance.manage import forms as f
from performance.manage import people_imports, services
from performance.manage.views.common import officer_required

SESSION_KEY = "summit_people_import"


def _read_upload(upload, actor) -> people_imports.PeoplePlan:
    """Check an uploaded file through the same reader as the command (it reads a path)."""
    with tempfile.TemporaryDirectory(prefix="summit-people-") as folder:
        path = Path(folder) / (Path(upload.name).name or "people.csv")
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return people_imports.read_people(path=path, actor=actor)


def _done(request: HttpRequest, result: people_imports.PeopleImport, name: str) -> HttpResponse:
    messages.success(request, f"Imported {name}: {result}")
    if result.still_inactive:
        messages.info(
            request,
            f"Still deactivated (reactivate them below if they should sign in): "
            f"{', '.join(result.still_inactive)}.",
        )
    return redirect("performance:manage-people")


@require_http_methods(["GET", "POST"])
@officer_required
def people_import(request: HttpRequest) -> HttpResponse:
    form = f.PeopleImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = _read_upload(upload, request.user)
            if form.cleaned_data["full"] and plan.missing:
                request.session[SESSION_KEY] = plan.to_json()
                return redirect("performance:manage-people-import-confirm")
            result = people_imports.apply_people(plan, actor=request.user)
        except people_imports.ImportRejected as rejected:
            row_errors = rejected.errors
        else:
            return _done(request, result, plan.file_name)
    status = 400 if request.method == "POST" and (form.errors or row_errors) else 200
    context = {
        "form": form,
        "row_errors": row_errors,
        "error_list": error_summary(form) + _summary(row_errors),
        "columns": people_imports.PEOPLE_COLUMNS,
        "role_slugs": people_imports.ROLE_SLUGS,
    }
    return render(request, "performance/manage/people_import.html", context, status=status)


def _summary(row_errors: list[str]) -> list[tuple[str, str]]:
    """One error summary line for a refused file, linking to the list of its problems."""
    if not row_errors:
        return []
    count = len(row_errors)
    return [("row-errors", f"Nothing was imported: {count} problem{'s' if count != 1 else ''}.")]


def _plan_from_session(request: HttpRequest) -> people_imports.PeoplePlan | None:
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    rows = tuple(people_imports.PersonRow.from_json(row) for row in data["rows"])
    users = get_user_model().objects.filter(pk__in=data["missing"]).order_by("username")
    missing = tuple(
        people_imports.Missing(pk=u.pk, username=u.username, name=u.get_full_name()) for u in users
    )
    return people_imports.PeoplePlan(file_name=data["file_name"], rows=rows, missing=missing)


@require_http_methods(["GET", "POST"])
@officer_required
def people_import_confirm(request: HttpRequest) -> HttpResponse:
    plan = _plan_from_session(request)
    if plan is None:
        messages.info(request, "There is no checked file waiting: upload it again.")
        return redirect("performance:manage-people-import")
    row_errors: list[str] = []
    if request.method == "POST":
        deactivate = request.POST.get("deactivate") == "yes"
        try:
            result = people_imports.apply_people(plan, actor=request.user, deactivate=deactivate)
        except people_imports.ImportRejected as rejected:
            row_errors = rejected.errors
        else:
            request.session.pop(SESSION_KEY, None)
            return _done(request, result, plan.file_name)
    context = {
        "plan": plan,
        "row_errors": row_errors,
        "error_list": _summary(row_errors),
    }
    return render(
        request,
        "performance/manage/people_import_confirm.html",
        context,
        status=400 if row_errors else 200,
    )


@require_POST
@officer_required
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (active=0) or reactivate (active=1) one account; audited."""
    person = get_object_or_404(get_user_model(), pk=pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose whether to deactivate or reactivate the account.")
        return redirect("performance:manage-people")
    try:
        event = services.set_active(actor=request.user, user=person, active=wanted == "1")
    except services.EditError as error:
        messages.error(request, str(error))
    else:
        name = person_name(person)
        if event is None:
            messages.info(request, f"{name}'s account is unchanged.")
        elif wanted == "1":
            messages.success(request, f"{name}'s account is active again.")
        else:
            messages.success(request, f"{name}'s account is deactivated: they cannot sign in.")
    return redirect("performance:manage-people")
