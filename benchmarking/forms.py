"""Input validation for the benchmarking pages.

Every form is a `GovukMixin` form whose labels say "(optional)" themselves.
"""

from __future__ import annotations

import re
from typing import ClassVar

from django import forms

from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    ComparatorGroup,
    EfficiencySaving,
    ProjectStep,
    VfmPair,
)
from performance.common.forms import GovukMixin
from performance.core import periods
from performance.models import Indicator

MAX_UPLOAD = 5 * 1024 * 1024


def _file(field_label: str = "File") -> forms.FileField:
    return forms.FileField(
        label=field_label,
        help_text="A .csv or .xlsx file, as LG Inform or a GOV.UK statistical table gives it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class _Govuk(GovukMixin):
    mark_optional = False  # the labels say "(optional)"


class _UploadMixin:
    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 5 MB.")
        return upload


class BenchmarkImportForm(_UploadMixin, _Govuk, forms.Form):
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


class ComparatorImportForm(_UploadMixin, _Govuk, forms.Form):
    group = forms.CharField(label="Comparator group name", max_length=150)
    kind = forms.ChoiceField(label="Kind of group", choices=ComparatorGroup.Kind.choices)
    file = _file()


class ComparatorGroupForm(GovukMixin, forms.ModelForm):
    """A comparator group in Manage: its members are chosen among every stored authority."""

    members = forms.ModelMultipleChoiceField(
        label="Member councils",
        queryset=Authority.objects.order_by("name"),
        required=False,
        help_text="Every authority a benchmark or comparator import has stored. Hold Ctrl (or "
        "Cmd) to select several. The council itself always counts as a member.",
        widget=forms.SelectMultiple(attrs={"size": 15}),
    )

    class Meta:
        model = ComparatorGroup
        fields = ["name", "kind", "description", "members"]
        labels = {"kind": "Kind of group"}
        error_messages = {"name": {"unique": "A comparator group with this name already exists."}}


class ProjectForm(_Govuk, forms.ModelForm):
    choices_classes: ClassVar[dict[str, str]] = {"partner_authorities": "bm-columns"}

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


class StepForm(_Govuk, forms.Form):
    step = forms.ChoiceField(choices=ProjectStep.Step.choices, widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Status", choices=ProjectStep.Status.choices)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


StepFormSet = forms.formset_factory(StepForm, extra=0, min_num=4, max_num=4, validate_max=True)


class SavingForm(_Govuk, forms.ModelForm):
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


class PairForm(_Govuk, forms.ModelForm):
    """An output indicator paired with its input (cost) indicator (SPEC §8)."""

    class Meta:
        model = VfmPair
        fields = ["title", "output", "input", "per", "unit_label", "decimals"]
        labels = {
            "title": "Name of the measure",
            "output": "Output indicator",
            "input": "Input (cost) indicator",
            "per": "Scale the ratio by",
            "unit_label": "How it reads (optional)",
            "decimals": "Decimal places",
        }
        help_texts = {
            "title": "For example, Household waste collected per pound spent.",
            "per": "Efficiency = output ÷ input × this number: 1000 reads as 'per £1,000'.",
            "unit_label": "For example, tonnes per £1,000.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = Indicator.objects.filter(active=True).order_by("code")
        self.fields["output"] = self._indicators(
            active.filter(vfm_role=Indicator.VfmRole.OUTPUT),
            "output",
            "output indicator",
            "Indicators tagged 'Output' for value for money (Manage, indicator).",
        )
        self.fields["input"] = self._indicators(
            active.filter(vfm_role=Indicator.VfmRole.INPUT),
            "input",
            "input (cost) indicator",
            "Indicators tagged 'Input (cost)' for value for money.",
        )
        self.fields["title"].error_messages["required"] = "Enter the name of the measure"
        self.fields["per"].error_messages.update(
            {
                "required": "Enter the number to scale by, 1 if none",
                "invalid": "Enter a whole number, like 1000",
            }
        )
        self.fields["decimals"].error_messages.update(
            {
                "required": "Enter the decimal places, 0 to 6",
                "invalid": "Enter a whole number from 0 to 6",
            }
        )

    def _indicators(self, queryset, name: str, words: str, hint: str) -> forms.ModelChoiceField:
        return forms.ModelChoiceField(  # options read "CODE title" (Indicator.__str__)
            queryset=queryset,
            label=self.Meta.labels[name],
            empty_label=f"Choose an {words}",
            help_text=hint,
            error_messages={
                "required": f"Choose the {words}",
                "invalid_choice": f"Choose one of the listed {words}s",
            },
        )

    def clean_per(self):
        per = self.cleaned_data["per"]
        if per is not None and per <= 0:
            raise forms.ValidationError("Enter a number above 0, like 1 or 1000")
        return per

    def clean(self):
        data = super().clean()
        output, input_ = data.get("output"), data.get("input")
        if output and input_:
            clash = VfmPair.objects.filter(output=output, input=input_).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("input", f"{output.code} is already paired with {input_.code}")
        return data

    def validate_constraints(self, exclude=None):
        # The pair's uniqueness is checked above, with a message naming both indicators.
        return None
