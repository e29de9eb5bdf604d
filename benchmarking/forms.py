"""Input validation for the benchmarking pages."""

from __future__ import annotations

import re

from django import forms

from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    ComparatorGroup,
    EfficiencySaving,
    ProjectStep,
)
from performance import periods

MAX_UPLOAD = 5 * 1024 * 1024


def _file(field_label: str = "File") -> forms.FileField:
    return forms.FileField(
        label=field_label,
        help_text="A .csv or .xlsx file, as LG Inform or a GOV.UK statistical table gives it.",
    )


class _UploadMixin:
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 5 MB.")
        return upload


class BenchmarkImportForm(_UploadMixin, forms.Form):
    measure = forms.CharField(
        label="Measure code",
        max_length=40,
        help_text="An existing measure's code, or a new one to create, e.g. WASTE-RECYCLING.",
    )
    title = forms.CharField(
        label="Measure title (optional)",
        max_length=250,
        required=False,
        help_text="Needed only for a new measure; changes an existing measure's title.",
    )
    polarity = forms.ChoiceField(
        label="Which is better? (optional)",
        choices=[
            ("", "Keep as it is (new measures: higher)"),
            *list(BenchmarkMeasure.PolarityChoice.choices),
        ],
        required=False,
    )
    file = _file()

    def clean_measure(self):
        code = self.cleaned_data["measure"].strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _./-]*", code):
            raise forms.ValidationError(
                "Enter a measure code of letters, digits, spaces, dots, dashes or underscores."
            )
        return code


class ComparatorImportForm(_UploadMixin, forms.Form):
    group = forms.CharField(label="Comparator group name", max_length=150)
    kind = forms.ChoiceField(label="Kind of group", choices=ComparatorGroup.Kind.choices)
    file = _file()


class ProjectForm(forms.ModelForm):
    partner_authorities = forms.ModelMultipleChoiceField(
        label="Partner councils",
        queryset=Authority.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = BenchmarkingProject
        fields = ["title", "type", "partner_kind", "partners_note", "purpose", "measure"]
        labels = {
            "type": "Type of benchmarking",
            "partner_kind": "Kind of partners",
            "measure": "Benchmark measure (optional)",
        }
        widgets = {
            "type": forms.RadioSelect,
            "partner_kind": forms.RadioSelect,
            "partners_note": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, group: ComparatorGroup | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = BenchmarkingProject.Type.choices
        self.fields["partner_kind"].choices = BenchmarkingProject.Partners.choices
        if group is not None:
            # Offer the comparator group's councils, plus any partner already chosen.
            chosen = self.instance.partner_authorities.all() if self.instance.pk else []
            ids = {a.pk for a in group.members.all()} | {a.pk for a in chosen}
            self.fields["partner_authorities"].queryset = Authority.objects.filter(
                pk__in=ids
            ).order_by("name")
        if self.instance.pk:
            self.initial["partner_authorities"] = list(
                self.instance.partner_authorities.values_list("pk", flat=True)
            )


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=ProjectStep.Step.choices, widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=ProjectStep.Status.choices)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


StepFormSet = forms.formset_factory(StepForm, extra=0, min_num=4, max_num=4, validate_max=True)


class SavingForm(forms.ModelForm):
    # Wider than the column so a mistyped year gets the helpful message, not "at most 7".
    year = forms.CharField(label="Financial year", max_length=20, help_text="Written 2024/25.")

    class Meta:
        model = EfficiencySaving
        fields = ["description", "year", "approach", "cashable", "amount", "team"]
        labels = {"cashable": "Is the saving cashable?", "team": "Team (optional)"}
        help_texts = {
            "amount": "In pounds, e.g. 45000. Enter an invest-to-save outlay as a negative amount.",
            "cashable": "Cashable savings free money from the budget; non-cashable ones free time or capacity.",
        }
        widgets = {
            "approach": forms.RadioSelect,
            "cashable": forms.RadioSelect(choices=[(True, "Cashable"), (False, "Non-cashable")]),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approach"].choices = EfficiencySaving.Approach.choices
        self.fields["cashable"] = forms.TypedChoiceField(
            label="Is the saving cashable?",
            choices=[("True", "Cashable"), ("False", "Non-cashable")],
            coerce=lambda value: value == "True",
            widget=forms.RadioSelect,
            help_text=self.Meta.help_texts["cashable"],
        )
        if self.instance.pk:
            self.initial["cashable"] = str(self.instance.cashable)

    def clean_year(self):
        text = self.cleaned_data["year"]
        try:
            period = periods.parse(text, kind=periods.Frequency.ANNUAL)
        except periods.PeriodError:
            raise forms.ValidationError("Enter the financial year like 2024/25.") from None
        return str(period)
