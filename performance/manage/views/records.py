"""One set of views for every kind of record in `kinds.KINDS`: index, list, create, edit, delete.

Each view reads what differs between kinds from the kind's declaration; reads go through
`manage.selectors`, writes through `manage.services` (which audits each one).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from performance.common.display import url_or_none
from performance.common.forms import add_model_errors, model_values
from performance.manage import selectors, services
from performance.manage.views.common import form_page, officer_required
from performance.manage.views.kinds import GROUPS, KINDS, Kind, kind_or_404


@require_http_methods(["GET"])
@officer_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "performance/manage/index.html", {"groups": list(GROUPS.items())})


def _narrowed_to(request: HttpRequest, kind: Kind):
    """The (field, parent object) a list is narrowed to by `?field=pk`, or None."""
    for name in kind.filters:
        raw = request.GET.get(name)
        if raw is None:
            continue
        if not raw.isdigit():
            raise Http404(f"{name} must be a number.")
        remote = kind.model._meta.get_field(name).related_model
        return name, get_object_or_404(remote, pk=int(raw))
    return None


def _links(links, pk: int) -> list[tuple[str, str]]:
    """(label, URL) of each page beside a record whose URL name exists in this deployment."""
    return [(label, url) for label, name in links if (url := url_or_none(name, pk)) is not None]


@require_http_methods(["GET"])
@officer_required
@vary_on_headers("HX-Request")
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind_ = kind_or_404(kind)
    narrowed_to = _narrowed_to(request, kind_)
    page = selectors.records_page(
        model=kind_.model,
        related=kind_.related,
        order=kind_.order,
        narrowed_to=narrowed_to,
        page=request.GET.get("page"),
    )
    rows = [
        {
            "object": obj,
            "cells": [render_cell(obj) for _, render_cell in kind_.columns],
            "edit": reverse("performance:manage-edit", args=[kind_.slug, obj.pk]),
            "links": _links(kind_.links, obj.pk),
        }
        for obj in page.object_list
    ]
    field_name, parent = narrowed_to or (None, None)
    context = {
        "kind": kind_,
        "rows": rows,
        "page": page,
        "parent": parent,
        "parent_field": field_name,
        "query": urlencode({field_name: parent.pk} if parent is not None else {}),
        "headers": [label for label, _ in kind_.columns],
    }
    template = "performance/manage/list.html"
    if request.htmx:
        template += "#manage-table"
    return render(request, template, context)


def _kind_and_record(slug: str, pk: int) -> tuple[Kind, models.Model]:
    """The kind named in the address and its record `pk`, or 404 for either."""
    kind = kind_or_404(slug)
    return kind, get_object_or_404(kind.model, pk=pk)


def _initial_from_query(request: HttpRequest, form_class) -> dict:
    """Pre-fill a new record's parent from `?field=pk` (e.g. a new outcome of priority 3)."""
    names = form_class.base_fields
    return {k: v for k, v in request.GET.items() if k in names and v.isdigit()}


@require_http_methods(["GET", "POST"])
@officer_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    kind_ = kind_or_404(kind)
    if request.method == "POST":
        form = kind_.form(request.POST)
        if form.is_valid():
            plain, m2m = model_values(form)
            try:
                with transaction.atomic():
                    instance = services.create(
                        actor=request.user, instance=form.instance, values=plain, m2m=m2m
                    )
                    _save_more(form, instance, request.user)
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, f"{kind_.singular.capitalize()} “{instance}” created.")
                return redirect("performance:manage-edit", kind_.slug, instance.pk)
    else:
        form = kind_.form(initial=_initial_from_query(request, kind_.form))
    return _form_page(request, kind_, form, instance=None)


@require_http_methods(["GET", "POST"])
@officer_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind_, instance = _kind_and_record(kind, pk)
    if request.method == "POST":
        # The version the form was opened on goes back with it, even re-shown with errors, so a
        # change someone else made meanwhile is refused until the officer reloads.
        version = request.POST.get("version", "")
        form = kind_.form(request.POST, instance=instance)
        if form.is_valid():
            plain, m2m = model_values(form)
            try:
                with transaction.atomic():
                    event = services.update(
                        actor=request.user,
                        instance=instance,
                        values=plain,
                        m2m=m2m,
                        version=version,
                    )
                    more = _save_more(form, instance, request.user)
            except ValidationError as error:
                add_model_errors(form, error)
            except services.EditError as error:
                form.add_error(None, str(error))
            else:
                instance.refresh_from_db()
                if event is None and not more:
                    messages.info(request, f"Nothing changed in {kind_.singular} “{instance}”.")
                else:
                    messages.success(request, f"{kind_.singular.capitalize()} “{instance}” saved.")
                return redirect(reverse("performance:manage-list", args=[kind_.slug]))
    else:
        version = services.version_of(instance)
        form = kind_.form(instance=instance)
    return _form_page(request, kind_, form, instance=instance, version=version)


def _save_more(form: forms.ModelForm, instance: models.Model, actor) -> bool:
    """What a form keeps beyond its model (the indicator form's validation settings, issue 18),
    saved in the same transaction; whether anything changed."""
    save_settings = getattr(form, "save_settings", None)
    return bool(save_settings(indicator=instance, actor=actor)) if save_settings else False


def _children(kind: Kind, instance) -> list[tuple[str, str, str, str]]:
    """(label, list URL, add URL, singular) of each list of records under `instance`."""
    children = []
    for child in kind.children:
        query = urlencode({child.field: instance.pk})
        children.append(
            (
                child.label,
                f"{reverse('performance:manage-list', args=[child.kind])}?{query}",
                f"{reverse('performance:manage-create', args=[child.kind])}?{query}",
                KINDS[child.kind].singular,
            )
        )
    return children


def _form_page(
    request, kind: Kind, form: forms.ModelForm, *, instance, version: str = ""
) -> HttpResponse:
    if kind.fieldsets:
        fieldsets = [(legend, [form[name] for name in names]) for legend, names in kind.fieldsets]
    else:
        fieldsets = [(None, list(form))]
    context = {
        "kind": kind,
        "fieldsets": fieldsets,
        "instance": instance,
        "version": version,
        "children": _children(kind, instance) if instance is not None else [],
        "links": (
            _links((*kind.links, *kind.edit_links), instance.pk) if instance is not None else []
        ),
    }
    return form_page(request, "performance/manage/form.html", context, form)


@require_http_methods(["GET", "POST"])
@officer_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind_, instance = _kind_and_record(kind, pk)
    if request.method == "POST":
        name = str(instance)
        try:
            services.delete(actor=request.user, instance=instance)
        except services.EditError as error:
            messages.error(request, str(error))
            return redirect("performance:manage-edit", kind_.slug, pk)
        messages.success(request, f"{kind_.singular.capitalize()} “{name}” deleted.")
        return redirect("performance:manage-list", kind_.slug)
    context = {"kind": kind_, "instance": instance, "blockers": services.blockers(instance)}
    return render(request, "performance/manage/delete.html", context)
