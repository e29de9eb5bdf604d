"""Forms of the Manage area for indicators and their SPC change points (targets: `target_forms`).

A change point's period must be of the indicator's own frequency. The indicator form carries
the indicator's validation settings too (issue 18: the optional `import_indicators` columns);
data quality keeps them, so they are read, checked and written through its hooks, and the view
calls `save_settings` after the indicator is saved.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator

from performance.common import hooks
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

# The validation settings (data quality's rule), in the order the form shows them.
SETTING_FIELDS = (
    "allow_negative",
    "allow_over_100",
    "whole_numbers",
    "minimum",
    "maximum",
    "change_threshold",
)
# Contradictions as the form words them (its labels, not the import's column names).
_SETTING_WORDS = {
    "negative_bound": "A bound below 0 needs “Values may be negative”: this unit refuses them",
    "bounds_order": "The highest value must not be below the lowest",
    "percent_range": "A percentage's highest value over 100 needs “Percentage may exceed 100”",
}


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
    allow_negative = forms.BooleanField(
        label="Values may be negative",
        required=False,
        help_text="For net changes and % changes, such as net additional homes.",
    )
    allow_over_100 = forms.BooleanField(
        label="Percentage may exceed 100", required=False, help_text="For growth rates."
    )
    whole_numbers = forms.BooleanField(
        label="Whole numbers only",
        required=False,
        help_text="Counts with no decimal places always are.",
    )
    minimum = forms.DecimalField(
        label="Lowest value allowed", required=False, max_digits=18, decimal_places=6
    )
    maximum = forms.DecimalField(
        label="Highest value allowed", required=False, max_digits=18, decimal_places=6
    )
    change_threshold = forms.DecimalField(
        label="Change that needs a comment, %",
        required=False,
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0), "The change cannot be negative.")],
        help_text="A value that moves more than this from the previous period needs a comment; "
        "without it, values outside the SPC limits do.",
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
            "corporate_health",
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
        if self.instance.pk and not self.is_bound:
            stored = hooks.one(hooks.INDICATOR_SETTINGS)([self.instance])[self.instance.pk]
            for name in SETTING_FIELDS:
                self.initial[name] = stored[name]

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
        self._check_settings(data)
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

    def _check_settings(self, data: dict) -> None:
        if not all(data.get(name) is not None for name in ("unit", "decimals", "polarity")):
            return
        problems = hooks.one(hooks.CHECK_INDICATOR_SETTINGS)(
            unit=data["unit"],
            decimals=data["decimals"],
            polarity=data["polarity"],
            settings={name: data.get(name) for name in SETTING_FIELDS},
        )
        for name, (rule, message) in problems.items():
            if name not in self.errors:
                self.add_error(name, _SETTING_WORDS.get(rule, message))

    def settings(self) -> dict:
        """The validation settings as cleaned (call after `is_valid`)."""
        return {name: self.cleaned_data.get(name) for name in SETTING_FIELDS}

    def save_settings(self, *, indicator: Indicator, actor) -> bool:
        """Store the validation settings of the saved `indicator`; whether any changed."""
        settings = {
            name: bool(value) if name in SETTING_FIELDS[:3] else value
            for name, value in self.settings().items()
        }
        return hooks.one(hooks.SET_INDICATOR_SETTINGS)(
            indicator=indicator, settings=settings, actor=actor, reason="Manage"
        )


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
