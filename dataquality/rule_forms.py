"""The validation rule of an indicator (SPEC §9), edited in the Manage area (`manage.py` adds
its kind there through the kernel's MANAGE_KINDS hook).

The unit's own rules (percent 0–100, whole counts, ratios) always apply; a rule adds bounds,
exceptions and the outlier threshold. The rules are read wherever a value is entered: the form,
the Excel upload and the import (`services.problems_for`).
"""

from __future__ import annotations

from django import forms

from dataquality import validation
from dataquality.models import ValidationRule
from performance.common.forms import GovukMixin
from performance.models import Indicator

# The form's labels, not the import's column names.
FORM_WORDS = {
    "negative_bound": "A bound below 0 needs “May be negative”: this unit refuses negative values",
    "percent_range": "A percentage's highest value over 100 needs “Percent may exceed 100”",
}


class ValidationRuleForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = [
            "indicator",
            "minimum",
            "maximum",
            "whole_numbers",
            "allow_over_100",
            "allow_negative",
            "numerator_not_above_denominator",
            "change_threshold",
        ]
        labels = {
            "minimum": "Lowest value allowed",
            "maximum": "Highest value allowed",
            "change_threshold": "Change that needs a comment, %",
        }
        help_texts = {
            "change_threshold": "A value that moves more than this from the previous period "
            "needs a comment; without it, values outside the SPC limits do.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        field.queryset = Indicator.objects.filter(active=True).order_by("code")
        field.empty_label = "Choose an indicator"
        field.error_messages.update(
            {
                "required": "Choose the indicator the rule is for",
                "invalid_choice": "Choose one of the listed indicators",
            }
        )

    def clean(self):
        data = super().clean()
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", "The highest value must not be below the lowest")
        indicator = data.get("indicator")
        if indicator is not None:
            rules = validation.Rules(
                unit=indicator.unit,
                decimals=indicator.decimals,
                polarity=indicator.polarity,
                minimum=low,
                maximum=high,
                allow_over_100=bool(data.get("allow_over_100")),
                allow_negative=bool(data.get("allow_negative")),
            )
            for problem in validation.setting_problems(rules):
                if problem.rule != "bounds_order" and problem.field not in self.errors:
                    self.add_error(problem.field, FORM_WORDS.get(problem.rule, problem.message))
        return data

    def validate_unique(self):
        # One rule an indicator: say so by name rather than with Django's generic message.
        indicator = self.cleaned_data.get("indicator")
        clash = ValidationRule.objects.filter(indicator=indicator).exclude(pk=self.instance.pk)
        if indicator is not None and clash.exists():
            self.add_error("indicator", f"{indicator.code} already has a rule: change that one")
            return
        super().validate_unique()

    def validate_constraints(self, exclude=None):
        return None  # minimum ≤ maximum is checked above with a message naming the field
