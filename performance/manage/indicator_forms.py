"""Forms of the Manage area for indicators and their targets, long-term targets and change points.

A target's period must be of a kind its indicator's frequency allows (a monthly indicator may
have a monthly, quarterly or yearly target); a change point's period must be of the indicator's
own frequency. The year table of targets is a formset of `TargetRowForm`, one row per period.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from performance.common.forms import (
    FinancialYearField,
    GovukMixin,
    UsersChoiceField,
    check_kind,
    parse_period,
)
from performance.core import periods
from performance.core.periods import Frequency
from performance.manage import selectors
from performance.models import Indicator, LongTermTarget, Outcome, SpcChangePoint, Target, Team


class IndicatorForm(GovukMixin, forms.ModelForm):
    decimals = forms.IntegerField(
        label="Decimal places",
        min_value=0,
        max_value=6,
        initial=0,
        error_messages={
            "max_value": "Decimal places must be 6 or fewer.",
            "min_value": "Decimal places cannot be negative.",
        },
    )
    tolerance = forms.DecimalField(
        label="Amber tolerance (%)",
        required=False,
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0), "The tolerance cannot be negative.")],
        help_text="The shortfall at which Amber becomes Red. Leave empty for the default 10%.",
    )
    enterers = UsersChoiceField(
        queryset=selectors.active_users(),
        required=False,
        label="Data enterers",
        help_text="People who enter this indicator's values. Hold Ctrl (or Cmd) to select several.",
    )
    managers = UsersChoiceField(
        queryset=selectors.active_users(),
        required=False,
        label="Data managers",
        help_text="People who activate or return values. Hold Ctrl (or Cmd) to select several.",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=selectors.outcomes(),
        required=False,
        label="Strategic outcomes served",
        help_text="Hold Ctrl (or Cmd) to select several.",
    )
    baseline_period = forms.CharField(
        required=False,
        max_length=12,
        help_text="The period of the baseline: 2024/25, 2024/25 Q1 or 2024-07.",
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "title",
            "kind",
            "perspective",
            "aspect",
            "polarity",
            "unit",
            "decimals",
            "frequency",
            "aggregation",
            "year_to_date",
            "tolerance",
            "definition",
            "guidance",
            "data_source",
            "third_party_partner",
            "team",
            "enterers",
            "managers",
            "outcomes",
            "baseline",
            "baseline_period",
            "vfm_role",
            "reviewed_on",
            "active",
        ]
        labels = {
            "code": "Code",
            "kind": "Kind",
            "perspective": "Balanced-scorecard perspective",
            "aspect": "Aspect of performance",
            "unit": "Unit",
            "frequency": "Frequency",
            "aggregation": "Aggregation of sub-periods",
            "definition": "Definition",
            "guidance": "Calculation guidance",
            "data_source": "Data source",
            "third_party_partner": "Third-party partner",
            "team": "Owner team",
            "baseline": "Baseline value",
            "vfm_role": "Value for money",
            "reviewed_on": "Definition last reviewed on",
            "active": "Active indicator",
        }
        help_texts = {
            "code": "Unique, for example WAS 001.",
            "third_party_partner": "Fill in when a partner supplies the data.",
        }
        error_messages = {"code": {"unique": "An indicator with this code already exists."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.team_id if self.instance.pk else None
        teams = Team.objects.filter(active=True)
        if current:
            teams = Team.objects.filter(active=True) | Team.objects.filter(pk=current)
        self.fields["team"].queryset = teams.order_by("name")
        self.fields["team"].required = False
        self.fields["team"].empty_label = "Unassigned"

    def clean_code(self):
        return " ".join(self.cleaned_data["code"].split())

    def clean(self):
        data = super().clean()
        frequency = data.get("frequency")
        text = data.get("baseline_period")
        if text:
            try:
                period = parse_period(text)
                if frequency:
                    check_kind(period, frequency)
                data["baseline_period"] = str(period)
            except forms.ValidationError as error:
                self.add_error("baseline_period", error)
        if data.get("baseline") is not None and not text and "baseline_period" not in self.errors:
            self.add_error("baseline_period", "Enter the period of the baseline.")
        if self.instance.pk and frequency and frequency != self.instance.frequency:
            finer = _finer_periods(self.instance, Frequency(frequency))
            if finer:
                self.add_error(
                    "frequency",
                    f"The frequency cannot become {frequency}: the indicator has targets or "
                    f"values for {', '.join(finer[:3])}{'…' if len(finer) > 3 else ''}, which "
                    "are finer periods.",
                )
        return data


def _finer_periods(indicator: Indicator, frequency: Frequency) -> list[str]:
    texts = set(indicator.targets.values_list("period", flat=True))
    texts |= set(indicator.values.values_list("period", flat=True))
    finer = []
    for text in sorted(texts):
        try:
            period = periods.parse(text)
        except periods.PeriodError:
            continue
        if period.kind.months < frequency.months:
            finer.append(text)
    return finer


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


class ChangePointForm(GovukMixin, forms.ModelForm):
    period = forms.CharField(
        max_length=12,
        label="First period of the new limits",
        help_text="A period of the indicator's own frequency, e.g. 2024/25 Q3 or 2024-10.",
    )

    class Meta:
        model = SpcChangePoint
        fields = ["indicator", "period", "note"]
        labels = {"note": "Why the process changed"}

    def clean_period(self):
        return parse_period(self.cleaned_data["period"])

    def clean(self):
        data = super().clean()
        indicator, period = data.get("indicator"), data.get("period")
        if not isinstance(period, periods.Period):
            return data
        data["period"] = str(period)
        if indicator is None:
            return data
        if period.kind is not Frequency(indicator.frequency):
            self.add_error(
                "period",
                f"{period} is a {period.kind.value} period: {indicator.code} is "
                f"{indicator.frequency}, so its limits change at a {indicator.frequency} period.",
            )
        elif (
            SpcChangePoint.objects.filter(indicator=indicator, period=str(period))
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("period", f"{indicator.code} already has a change point at {period}.")
        return data

    def validate_unique(self):
        pass
