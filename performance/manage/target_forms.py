"""Forms of the Manage area for targets: one target, the year table, long-term targets.

A target's period must be of a kind its indicator's frequency allows (a monthly indicator may
have a monthly, quarterly or yearly target). The year table of targets is a formset of
`TargetRowForm`, one row per period. Every target carries its SMART record (`SmartMixin`).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from performance.common.forms import (
    FinancialYearField,
    GovukMixin,
    check_kind,
    parse_period,
)
from performance.core import periods
from performance.manage import selectors
from performance.models import LongTermTarget, Outcome, Target

# A target's SMART record: the fields `TargetForm`, `LongTermTargetForm` and a row of the year
# table share (Specific: outcome; Achievable: evidence, benchmark; Realistic: agreed, why).
SMART_FIELDS = ["outcome", "achievable_evidence", "benchmark_quartile", "realistic", "realism_note"]


class SmartMixin(forms.ModelForm):
    benchmark_quartile = forms.TypedChoiceField(
        label="Benchmark quartile",
        choices=[("", "Not known"), (1, "1 (top)"), (2, "2"), (3, "3"), (4, "4 (bottom)")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    outcome = forms.ModelChoiceField(
        queryset=selectors.outcomes(),
        required=False,
        label="Specific: outcome served",
        empty_label="Not linked",
    )


SMART_LABELS = {
    "achievable_evidence": "Achievable: evidence",
    "realistic": "Realistic: agreed as reachable",
    "realism_note": "Realistic: why",
}
SMART_HELP = {
    "achievable_evidence": "The baseline, trend or benchmark behind the target.",
}


class TargetForm(GovukMixin, SmartMixin):
    """One target of any period the indicator's frequency allows (a month, quarter or year)."""

    period = forms.CharField(
        max_length=12,
        help_text="A financial year 2024/25, a quarter 2024/25 Q1 or a month 2024-07.",
    )
    value = forms.DecimalField(label="Target", max_digits=18, decimal_places=6)

    class Meta:
        model = Target
        fields = [
            "indicator",
            "period",
            "value",
            *SMART_FIELDS,
        ]
        labels = SMART_LABELS
        help_texts = SMART_HELP

    def clean_period(self):
        return parse_period(self.cleaned_data["period"])

    def clean(self):
        data = super().clean()
        indicator, period = data.get("indicator"), data.get("period")
        if not isinstance(period, periods.Period):
            return data
        data["period"] = str(period)
        data["period_start"] = period.start
        self.instance.period_start = period.start
        if indicator is None:
            return data
        try:
            check_kind(period, indicator.frequency)
        except forms.ValidationError as error:
            self.add_error("period", error)
            return data
        duplicate = Target.objects.filter(indicator=indicator, period=str(period)).exclude(
            pk=self.instance.pk
        )
        if duplicate.exists():
            self.add_error(
                "period",
                f"{indicator.code} already has a target for {period}: change that one instead.",
            )
        return data

    def validate_unique(self):
        # The duplicate period is reported on the period field by clean(); not twice.
        pass


class TargetRowForm(GovukMixin, forms.Form):
    """One row of the year table: the period is fixed by the row, not typed."""

    value = forms.DecimalField(max_digits=18, decimal_places=6, required=False)
    outcome = forms.ModelChoiceField(
        queryset=Outcome.objects.none(), required=False, empty_label="Not linked"
    )
    achievable_evidence = forms.CharField(required=False)
    benchmark_quartile = forms.TypedChoiceField(
        choices=[("", "–"), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    realistic = forms.BooleanField(required=False)
    realism_note = forms.CharField(required=False)

    def __init__(self, *args, period: periods.Period, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.fields["outcome"].queryset = outcomes
        for name, label in {
            "value": "Target",
            "outcome": "Outcome served",
            "achievable_evidence": "Achievable evidence",
            "benchmark_quartile": "Benchmark quartile",
            "realistic": "Realistic",
            "realism_note": "Why realistic",
        }.items():
            self.fields[name].label = f"{label} for {period}"
        self.fields["achievable_evidence"].widget.attrs["class"] = "govuk-input manage-input-m"
        self.fields["realism_note"].widget.attrs["class"] = "govuk-input manage-input-m"
        self.fields["benchmark_quartile"].widget.attrs["class"] = "govuk-select"
        self.fields["value"].widget.attrs["class"] = "govuk-input manage-input-s"

    def smart_values(self) -> dict:
        """The row's SMART record as model values (a valid row; blanks as the model keeps them)."""
        cleaned = self.cleaned_data
        return {
            "outcome": cleaned.get("outcome"),
            "achievable_evidence": cleaned.get("achievable_evidence") or "",
            "benchmark_quartile": cleaned.get("benchmark_quartile"),
            "realistic": bool(cleaned.get("realistic")),
            "realism_note": cleaned.get("realism_note") or "",
        }


class BaseTargetRows(forms.BaseFormSet):
    def __init__(self, *args, periods_: list[periods.Period], outcomes, **kwargs):
        self.periods = periods_
        self.outcomes = outcomes
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"period": self.periods[index], "outcomes": self.outcomes}

    def clean(self):
        if len(self.forms) != len(self.periods):
            raise forms.ValidationError(
                f"The table must have {len(self.periods)} rows, one per period: reload the page."
            )


def target_rows_formset(*, count: int):
    return forms.formset_factory(
        TargetRowForm,
        formset=BaseTargetRows,
        extra=0,
        min_num=count,
        max_num=count,
        absolute_max=count,
    )


class ProfileForm(GovukMixin, forms.Form):
    annual = forms.DecimalField(
        label="Annual target", max_digits=18, decimal_places=6, required=True
    )


class YearChoiceForm(GovukMixin, forms.Form):
    year = FinancialYearField(label="Financial year")


class LongTermTargetForm(GovukMixin, SmartMixin):
    by_year = FinancialYearField(
        label="By financial year", help_text="Three to five years out, written like 2028/29."
    )
    value = forms.DecimalField(label="Target", max_digits=18, decimal_places=6)

    class Meta:
        model = LongTermTarget
        fields = [
            "indicator",
            "by_year",
            "value",
            *SMART_FIELDS,
        ]
        labels = SMART_LABELS
        help_texts = SMART_HELP

    def clean_by_year(self):
        text = self.cleaned_data["by_year"]
        if self.instance.pk and text == self.instance.by_year:
            return text
        year = periods.parse(text).fy_start_year
        now = periods.current_financial_year(timezone.localdate()).fy_start_year
        if not 3 <= year - now <= 5:
            first, last = (periods.Period.for_year(now + n) for n in (3, 5))
            raise forms.ValidationError(
                f"A long-term target is three to five years out: choose from {first} to {last}."
            )
        return text
