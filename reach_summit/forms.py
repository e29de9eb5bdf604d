"""Input validation for Reach the Summit's forms; messages name the field.

Every form is a `GovukMixin` form with regular (not bold) labels.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django import forms

from performance.common.forms import GovukMixin
from performance.core.periods import PeriodError
from performance.models import Indicator, Team
from reach_summit import calculations, imports, selectors

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class _Govuk(GovukMixin):
    label_size = ""


class ScorecardForm(_Govuk, forms.Form):
    """Choose the team's customer, financial and process indicators for a financial year."""

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        owned = Indicator.objects.filter(team=team, active=True).exclude(polarity="none")
        for name in ("customer", "financial", "process"):
            self.fields[name] = forms.ModelChoiceField(
                queryset=owned.filter(perspective=name).order_by("code"),
                label=f"{calculations.Perspective(name).label} indicator",
                empty_label="Choose an indicator",
                error_messages={
                    "required": f"Choose the team's {name} indicator",
                    "invalid_choice": f"Choose one of the team's {name} indicators",
                },
            )


class ImprovementForm(_Govuk, forms.Form):
    widths: ClassVar[dict[str, str]] = {
        "quarter": "govuk-input--width-10",
        "points": "govuk-input--width-4",
    }

    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(active=True).order_by("name"),
        empty_label="Choose a team",
        error_messages={"required": "Choose the team that made the improvement"},
    )
    quarter = forms.CharField(
        label="Quarter it counts in",
        help_text="For example, 2024/25 Q1",
        error_messages={"required": "Enter the quarter, like 2024/25 Q1"},
    )
    title = forms.CharField(
        max_length=200,
        label="Improvement",
        error_messages={"required": "Enter what the improvement was"},
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    points = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=calculations.DEFAULT_IMPROVEMENT_POINTS,
        help_text="Default 0.5",
        error_messages={
            "required": "Enter the points the improvement is worth",
            "invalid": "Points must be a number, like 0.5",
            "min_value": "Points must be more than 0",
        },
    )

    def clean_quarter(self):
        try:
            return selectors.parse_quarter(self.cleaned_data["quarter"])
        except PeriodError:
            raise forms.ValidationError("Enter the quarter like 2024/25 Q1") from None


class ComplaintImportForm(_Govuk, forms.Form):
    file = forms.FileField(
        label="Complaints file",
        help_text="A .csv or .xlsx file with columns reference, team, stage, received, responded",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a .csv or .xlsx file to import"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        return upload


class RecomputeForm(_Govuk, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why recompute the frozen table?",
        help_text="For example: corrected value of WAS 001 for the quarter. This is kept in the audit trail.",
        error_messages={"required": "Enter why the table is being recomputed"},
    )


def _date_field(label: str, *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        help_text="For example, 31/07/2024 or 2024-07-31",
        error_messages={"required": f"Enter the date {label.lower()}"},
    )


class ComplaintForm(_Govuk, forms.Form):
    """One complaint, new or (same reference) updated: usually to record its response date."""

    widths: ClassVar[dict[str, str]] = {
        "reference": "govuk-input--width-20",
        "received": "govuk-input--width-10",
        "responded": "govuk-input--width-10",
    }

    reference = forms.CharField(
        max_length=40,
        help_text="The complaint's reference in the complaints system. A reference already "
        "held is updated.",
        error_messages={
            "required": "Enter the complaint's reference",
            "max_length": "The reference must be 40 characters or fewer",
        },
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(active=True).order_by("name"),
        empty_label="Choose a team",
        error_messages={
            "required": "Choose the team the complaint is about",
            "invalid_choice": "Choose one of the listed teams",
        },
    )
    stage = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": "Choose the stage",
            "invalid_choice": "Choose one of the listed stages",
        },
    )
    received = _date_field("Received", required=True)
    responded = _date_field("Responded", required=False)
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail, for example 'Response sent by post'.",
    )

    def __init__(self, *args, stages: list[tuple[int, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Choose a stage")] + [
            (stage, f"Stage {stage} ({days} working days)") for stage, days in stages
        ]

    def _clean_date(self, name: str):
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return imports.parse_date(text)
        except ValueError:
            raise forms.ValidationError(
                f"Enter a real date, like 31/07/2024 (not {text!r})"
            ) from None

    def clean_received(self):
        return self._clean_date("received")

    def clean_responded(self):
        return self._clean_date("responded")

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if not reference or any(ord(c) < 32 for c in reference):
            raise forms.ValidationError("Enter the complaint's reference in letters and numbers")
        return reference

    def clean(self):
        data = super().clean()
        received, responded = data.get("received"), data.get("responded")
        if received and responded and responded < received:
            self.add_error("responded", "The response date is before the date received")
        return data
