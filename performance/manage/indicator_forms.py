"""Forms of the Manage area for indicators and their SPC change points (targets: `target_forms`).

A change point's period must be of the indicator's own frequency.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator

from performance.common.forms import (
    GovukMixin,
    UsersChoiceField,
    check_kind,
    parse_period,
)
from performance.core import periods
from performance.core.periods import Frequency
from performance.manage import selectors
from performance.models import Indicator, SpcChangePoint, Team


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
