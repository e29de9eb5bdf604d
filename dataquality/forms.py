"""Input of the data quality pages.

Every form is a `GovukMixin` form whose labels say "(optional)" themselves.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from dataquality.models import Statement
from performance.common.forms import GovukMixin


class _Govuk(GovukMixin):
    mark_optional = False  # the labels say "(optional)"


class PolicyForm(_Govuk, forms.Form):
    title = forms.CharField(max_length=200, initial="Data quality policy")
    text = forms.CharField(
        label="Policy text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="The policy itself; or attach it as a document below.",
    )
    document = forms.FileField(
        label="Policy document (optional)", required=False, help_text="PDF or DOCX, up to 10 MB."
    )
    effective_on = forms.DateField(
        label="Takes effect on",
        help_text="From this day everyone signs this version. For example 2025-04-01.",
    )
    review_due_on = forms.DateField(
        label="Annual review due on",
        help_text="Usually a year after it takes effect.",
    )
    summary = forms.CharField(
        label="What changed", max_length=500, required=False, help_text="For the version history."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["effective_on"].initial = today
        self.fields["review_due_on"].initial = (
            today.replace(year=today.year + 1)
            if not (today.month == 2 and today.day == 29)
            else today + dt.timedelta(days=365)
        )

    def clean(self):
        data = super().clean()
        effective, review = data.get("effective_on"), data.get("review_due_on")
        if effective and review and review <= effective:
            self.add_error(
                "review_due_on", "The review date must be after the date it takes effect"
            )
        if not (data.get("text") or "").strip() and not data.get("document"):
            self.add_error("text", "Enter the policy text or attach the policy document")
        return data


class SignForm(_Govuk, forms.Form):
    role = forms.ChoiceField(choices=Statement.Role.choices)
    confirm = forms.BooleanField(
        label="I have read the data quality policy and will follow it",
        error_messages={"required": "Confirm that you have read the policy and will follow it"},
    )


class EvidenceForm(_Govuk, forms.Form):
    file = forms.FileField(
        label="Working paper", help_text="PDF, XLSX, DOCX, CSV, PNG or JPEG, up to 10 MB."
    )
    description = forms.CharField(label="Description (optional)", max_length=250, required=False)
