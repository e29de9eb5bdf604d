"""Forms of the indicator pages: the list's filter (`IndicatorFilterForm`) and a reader's comment
on one indicator (`CommentForm`), with the select they share (`PlainSelect`)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from performance.common.forms import GovukMixin
from performance.core import periods
from performance.core.periods import Period, PeriodError
from performance.indicators import selectors
from performance.indicators.presentation import DIRECTION_CHOICES, STATUS_CHOICES
from performance.models import Indicator, Team


def period_choices(today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """Recent periods whose data has been requested: 8 quarters, 12 months, 3 years."""
    quarter = periods.quarter_of(today).previous()
    month = periods.month_of(today).previous()
    year = periods.financial_year_of(today).previous()
    return [
        ("Quarters", [(str(quarter.shift(-i)),) * 2 for i in range(8)]),
        ("Months", [(str(month.shift(-i)),) * 2 for i in range(12)]),
        ("Financial years", [(str(year.shift(-i)),) * 2 for i in range(3)]),
    ]


class PlainSelect(forms.Select):
    """A select whose options are written in Python, not through a template each.

    The team filter lists every team an officer may read (hundreds at scale), and Django's
    widget templates cost about a tenth of a millisecond per option; this writes the same
    markup (optgroups included) directly.
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', context["name"], flatatt(context["attrs"]))]
        for group, options, _ in context["optgroups"]:
            if group:
                parts.append(format_html('<optgroup label="{}">', group))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        option["value"],
                        mark_safe(" selected") if option["selected"] else "",
                        option["label"],
                    )
                )
            if group:
                parts.append(mark_safe("</optgroup>"))
        parts.append(mark_safe("</select>"))
        return mark_safe("".join(parts))


class IndicatorPageForm(GovukMixin, forms.Form):
    # Regular labels, none marked "(optional)": every filter may be left blank.
    label_size = ""
    mark_optional = False


class IndicatorFilterForm(IndicatorPageForm):
    q = forms.CharField(label="Code or title", required=False, max_length=100)
    # The id of a team the person may read (choices set per person below).
    team = forms.TypedChoiceField(
        label="Team", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All kinds"), *Indicator.Kind.choices],
        widget=PlainSelect,
    )
    perspective = forms.ChoiceField(
        label="Perspective",
        required=False,
        choices=[("", "All perspectives"), *Indicator.Perspective.choices],
        widget=PlainSelect,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *STATUS_CHOICES],
        widget=PlainSelect,
    )
    direction = forms.ChoiceField(
        label="Direction of travel",
        required=False,
        choices=[("", "Any direction"), *DIRECTION_CHOICES],
        widget=PlainSelect,
    )
    period = forms.CharField(label="Period", required=False, widget=PlainSelect)

    def __init__(self, *args, user, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_period = selectors.latest_reporting_period(today=today)
        self.fields["team"].choices = [
            ("", "All teams"),
            *Team.objects.readable_by(user).order_by("name").values_list("id", "name"),
        ]
        choices = period_choices(today)
        asked = (self.data.get("period") or "").strip()
        listed = {value for _, group in choices for value, _ in group}
        if asked and asked not in listed:
            # An older period typed into the URL: keep it selectable if it is a real period.
            with contextlib.suppress(PeriodError):
                choices.insert(0, ("Chosen", [(str(periods.parse(asked)),) * 2]))
        self.fields["period"].widget.choices = choices
        self.fields["period"].initial = str(self.default_period)

    def clean_period(self) -> Period:
        text = self.cleaned_data.get("period", "")
        if not text.strip():
            return self.default_period
        try:
            return periods.parse(text)
        except PeriodError as error:
            raise forms.ValidationError(f"Enter a real period: {error}") from error


class CommentForm(IndicatorPageForm):
    text = forms.CharField(
        label="Your comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your comment"},
    )
    period = forms.ChoiceField(label="About which period", required=False, widget=PlainSelect)

    def __init__(self, *args, period_labels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            ("", "The indicator in general"),
            *((label, label) for label in period_labels),
        ]

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Enter your comment")
        return text
