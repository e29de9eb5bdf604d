"""One GOV.UK rendering for every form: `govuk/field.html`, `govuk/error_summary.html`, `GovukMixin`.

Every form of every app mixes in `GovukMixin`, so `{{ field.as_field_group }}` renders it with
the one field template: hint `<id>-hint`, error `<id>-error`, and `aria-describedby` naming both
on the input (on the fieldset for radios and checkboxes). No other field or error-summary
template is left under templates/.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string

from benchmarking import forms as benchmarking_forms
from dataquality import forms as dataquality_forms
from performance.common.forms import GovukMixin, error_summary
from performance.indicators import views as indicator_views
from performance.manage import forms as manage_forms
from performance.plans import forms as plan_forms
from reach_summit import forms as reach_forms
from tests.factories import TeamFactory

APPS = ("performance", "reach_summit", "benchmarking", "dataquality")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


class _Ids(HTMLParser):
    """The ids in a piece of HTML, the ids its aria-describedby name, and its hints' and errors'."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, list[str]]] = []
        self.hints: set[str] = set()
        self.errors: set[str] = set()
        self.labels: dict[str, str] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "aria-describedby" in attrs:
            self.described.append((tag, attrs["aria-describedby"].split()))
        if "govuk-hint" in classes:
            self.hints.add(attrs["id"])
        if "govuk-error-message" in classes:
            self.errors.add(attrs["id"])
        if tag == "label":
            self.labels[attrs["for"]] = tag


def _project_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class the apps define that is not only a base of others."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS and not sub.__subclasses__():
                found.append(sub)
    return found


def test_every_form_of_every_app_is_a_govuk_form():
    classes = _project_form_classes()
    assert len(classes) > 30
    assert [c for c in classes if not issubclass(c, GovukMixin)] == []


def test_the_form_renderer_renders_a_field_with_the_one_field_template():
    form = plan_forms.RevisionForm()
    assert form.renderer.field_template_name == "govuk/field.html"
    assert form["note"].template_name == "govuk/field.html"


def test_no_other_field_or_error_summary_template_exists():
    templates = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"field|error_summary", path.name)
    )
    assert templates == ["govuk/error_summary.html", "govuk/field.html"]
    including = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r'include "[^"]*(field|error_summary)[^"]*"', path.read_text())
        and not re.search(r'include "govuk/error_summary.html"', path.read_text())
    ]
    assert including == []


def _forms():
    """A representative form of each app: bound with errors, or unbound with hints."""
    team = TeamFactory(name="Waste")
    return {
        "plans: progress with errors": plan_forms.ActivityProgressForm(
            {"percent_complete": "lots", "rag": ""}, months=["2025-07"], milestones=[(1, "M1")]
        ),
        "plans: action plan": plan_forms.ActionPlanForm(teams=[(team.pk, "Waste")], owners=[]),
        "manage: team with hints": manage_forms.TeamForm(),
        "manage: roles with an error": manage_forms.RolesForm({"roles": ["nobody"]}),
        "indicators: comment with an error": indicator_views.CommentForm(
            {"text": " "}, period_labels=["2025/26 Q1"]
        ),
        "reach: complaint with errors": reach_forms.ComplaintForm(
            {"reference": "", "received": "soon"}, stages=[(1, 10)]
        ),
        "reach: import": reach_forms.ComplaintImportForm(),
        "benchmarking: project": benchmarking_forms.ProjectForm(),
        "benchmarking: saving with errors": benchmarking_forms.SavingForm({"year": "last"}),
        "dataquality: policy with errors": dataquality_forms.PolicyForm({"title": ""}),
    }


@pytest.mark.django_db
def test_each_field_names_its_hint_and_error_as_govuk_frontend_does():
    for name, form in _forms().items():
        form.is_valid()
        for field in form:
            if field.is_hidden:
                continue
            html = field.as_field_group()
            found = _Ids(html)
            hint, error = f"{field.auto_id}-hint", f"{field.auto_id}-error"
            assert found.hints == ({hint} if field.help_text else set()), (name, field.name)
            assert found.errors == ({error} if field.errors else set()), (name, field.name)
            expected = [i for i, shown in ((hint, field.help_text), (error, field.errors)) if shown]
            grouped = isinstance(field.field.widget, forms.RadioSelect)  # radios or checkboxes
            described = [ids for tag, ids in found.described]
            if grouped:
                # On the fieldset, which has a legend; each choice has its own label.
                assert "<legend" in html, (name, field.name)
                assert [tag for tag, _ in found.described] == (["fieldset"] if expected else [])
                assert found.labels.keys() == {f"{field.auto_id}_{i}" for i in range(len(field))}
            else:
                assert found.labels.keys() == {field.id_for_label}, (name, field.name)
                assert field.id_for_label in found.ids
            assert described == ([expected] if expected else []), (name, field.name)
            assert not re.search(r"_helptext|id_\w+_error", html), (name, field.name)


@pytest.mark.django_db
def test_the_error_summary_links_each_error_to_its_field():
    form = plan_forms.ActivityProgressForm(
        {"percent_complete": "lots", "rag": ""}, months=["2025-07"], milestones=[]
    )
    form.is_valid()
    summary = error_summary(form)
    assert summary == [
        ("id_month", "Month: Select the month"),
        (
            "id_percent_complete",
            "Percentage complete: Percentage complete must be a whole number, like 60",
        ),
        ("id_rag_0", "RAG status: Select a RAG status"),
    ]
    html = render_to_string("govuk/error_summary.html", {"errors": summary})
    assert 'href="#id_rag_0">RAG status: Select a RAG status</a>' in html
    assert error_summary(plan_forms.RevisionForm(), None) == []
