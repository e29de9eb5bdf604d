"""Forms of the Manage area: performance officers configure plans, indicators and teams.

Every form renders with GOV.UK Frontend classes (`GovukMixin`) and names the field in each
error. Period fields are read with `performance.periods.parse`; an indicator's targets,
baselines and change points must be of a kind its frequency allows.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from performance import periods
from performance.models import (
    Activity,
    Directorate,
    Indicator,
    IndividualObjective,
    LongTermTarget,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    SpcChangePoint,
    StrategicAction,
    StrategicPlan,
    Target,
    Team,
)
from performance.periods import Frequency
from performance.roles import Role
from performance.services_editing import active_users

_CLASSES = {
    "text": "govuk-input",
    "email": "govuk-input",
    "number": "govuk-input govuk-input--width-5",
    "decimal": "govuk-input govuk-input--width-10",
    "date": "govuk-input govuk-input--width-10",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select manage-multiselect",
    "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
}
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DecimalInput(forms.TextInput):
    """A decimal as text with a numeric keyboard (GOV.UK advises against type=number)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "spellcheck": "false", **(attrs or {})})


class GovukMixin:
    """GOV.UK classes on every widget; `aria-describedby` pointing at the hint and the error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.DateInput) and not isinstance(widget, DateInput):
                field.widget = widget = DateInput(widget.attrs)
            if isinstance(field, forms.DecimalField) and not isinstance(widget, DecimalInput):
                field.widget = widget = DecimalInput(widget.attrs)
            kind = self[name].widget_type
            css = _CLASSES.get(kind)
            if css and "class" not in widget.attrs:
                widget.attrs["class"] = css
            if kind == "textarea":
                widget.attrs.setdefault("rows", 4)
            if kind == "selectmultiple":
                widget.attrs.setdefault("size", 6)

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if bound.errors:
                described.append(f"{bound.auto_id}-error")
                css = field.widget.attrs.get("class", "")
                base = css.split()[0] if css else ""
                if base in _ERROR_CLASSES and _ERROR_CLASSES[base] not in css:
                    field.widget.attrs["class"] = f"{css} {_ERROR_CLASSES[base]}"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        plan = obj.objective.plan
        return f"{plan.service.name} {plan.year}: {obj.title}"


def _outcomes():
    return Outcome.objects.select_related("priority").order_by(
        "priority__plan__first_year", "priority__number", "number"
    )


def _activities():
    return Activity.objects.select_related("objective__plan__service").order_by(
        "-objective__plan__year", "objective__plan__service__name", "objective__number", "id"
    )


def parse_period(text: str, *, kind: Frequency | None = None) -> periods.Period:
    """`periods.parse` with its message as a form error."""
    try:
        return periods.parse(text, kind=kind)
    except periods.PeriodError as error:
        message = str(error)
        raise forms.ValidationError(message[0].upper() + message[1:]) from error


def check_kind(period: periods.Period, frequency: str) -> None:
    """A period for an indicator of `frequency` must be of that frequency or coarser."""
    wanted = Frequency(frequency)
    if period.kind.months < wanted.months:
        coarser = {
            Frequency.MONTHLY: "a month, a quarter or a financial year",
            Frequency.QUARTERLY: "a quarter or a financial year",
            Frequency.ANNUAL: "a financial year",
        }[wanted]
        raise forms.ValidationError(
            f"{period} is a {period.kind.value} period: a {wanted.value} indicator needs {coarser}."
        )


class FinancialYearField(forms.CharField):
    """A financial year written 2024/25, cleaned to its written form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "Written like 2024/25.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return str(parse_period(value, kind=Frequency.ANNUAL))


# --- organisation ---------------------------------------------------------------------------


class DirectorateForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = Directorate
        fields = ["name"]


class ServiceForm(GovukMixin, forms.ModelForm):
    head_of_service = UserChoiceField(
        queryset=active_users(), required=False, label="Head of Service"
    )

    class Meta:
        model = Service
        fields = ["name", "directorate", "head_of_service"]


class TeamForm(GovukMixin, forms.ModelForm):
    head_of_service = UserChoiceField(
        queryset=active_users(), required=False, label="Head of Service"
    )

    class Meta:
        model = Team
        fields = ["name", "slug", "directorate", "service", "head_of_service", "active"]
        labels = {"slug": "Short name for web addresses", "active": "Active team"}
        help_texts = {
            "slug": "Lower-case letters, numbers and hyphens; leave empty to make one from the name.",
            "active": "Only active teams are scored in Reach the Summit.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self):
        from django.utils.text import slugify

        return self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))


class MembershipForm(GovukMixin, forms.Form):
    user = UserChoiceField(
        queryset=active_users(), label="Person to add", empty_label="Choose a person"
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = active_users().exclude(memberships__team=team)


class RolesForm(GovukMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        choices=[(role.value, role.value) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles",
        help_text="Select all that apply. A role says what the person may do; their teams say where.",
    )


# --- indicators -------------------------------------------------------------------------------


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
        queryset=active_users(),
        required=False,
        label="Data enterers",
        help_text="People who enter this indicator's values. Hold Ctrl (or Cmd) to select several.",
    )
    managers = UsersChoiceField(
        queryset=active_users(),
        required=False,
        label="Data managers",
        help_text="People who activate or return values. Hold Ctrl (or Cmd) to select several.",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=_outcomes(),
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


class SmartMixin(forms.ModelForm):
    benchmark_quartile = forms.TypedChoiceField(
        label="Benchmark quartile",
        choices=[("", "Not known"), (1, "1 (top)"), (2, "2"), (3, "3"), (4, "4 (bottom)")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    outcome = forms.ModelChoiceField(
        queryset=_outcomes(),
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
            "outcome",
            "achievable_evidence",
            "benchmark_quartile",
            "realistic",
            "realism_note",
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
            "outcome",
            "achievable_evidence",
            "benchmark_quartile",
            "realistic",
            "realism_note",
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


# --- the strategic plan ---------------------------------------------------------------------


class StrategicPlanForm(GovukMixin, forms.ModelForm):
    first_year = forms.CharField(
        label="First financial year",
        max_length=20,
        help_text="The plan runs four years from this one, written like 2024/25.",
    )

    class Meta:
        model = StrategicPlan
        fields = ["title", "first_year", "vision", "community_strategy", "financial_strategy"]
        labels = {
            "community_strategy": "Community strategy",
            "financial_strategy": "Medium-term financial strategy (MTFS) note",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["first_year"] = str(periods.Period.for_year(self.instance.first_year))

    def clean_first_year(self):
        return parse_period(self.cleaned_data["first_year"], kind=Frequency.ANNUAL).fy_start_year


class PriorityForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["plan", "number", "title"]
        labels = {"plan": "Strategic plan"}


class OutcomeForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["priority", "number", "title"]


class MeasureForm(GovukMixin, forms.ModelForm):
    outcome = forms.ModelChoiceField(queryset=_outcomes())

    class Meta:
        model = MeasureOfSuccess
        fields = ["outcome", "description", "indicator"]
        labels = {"indicator": "Indicator that measures it"}


class StrategicActionForm(GovukMixin, forms.ModelForm):
    outcome = forms.ModelChoiceField(queryset=_outcomes())
    owner = UserChoiceField(queryset=active_users(), required=False)

    class Meta:
        model = StrategicAction
        fields = ["outcome", "title", "owner", "due_on"]
        labels = {"due_on": "Due on"}


# --- service plans --------------------------------------------------------------------------


class ServicePlanForm(GovukMixin, forms.ModelForm):
    year = FinancialYearField(label="Financial year")

    class Meta:
        model = ServicePlan
        fields = ["service", "year", "status", "summary"]


class ObjectiveForm(GovukMixin, forms.ModelForm):
    outcome = forms.ModelChoiceField(queryset=_outcomes(), label="Strategic outcome served")

    class Meta:
        model = ServicePlanObjective
        fields = ["plan", "number", "title", "outcome"]
        labels = {"plan": "Service plan"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ServicePlan.objects.select_related("service")


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.plan.service.name} {obj.plan.year}: {obj.number}. {obj.title}"


class ActivityForm(GovukMixin, forms.ModelForm):
    objective = ObjectiveChoiceField(
        queryset=ServicePlanObjective.objects.select_related("plan__service"),
        label="Service-plan objective",
    )
    outcome = forms.ModelChoiceField(queryset=_outcomes(), label="Strategic outcome served")
    owner = UserChoiceField(queryset=active_users(), required=False)

    class Meta:
        model = Activity
        fields = ["objective", "title", "outcome", "owner"]


class MilestoneForm(GovukMixin, forms.ModelForm):
    activity = ActivityChoiceField(queryset=_activities())

    class Meta:
        model = Milestone
        fields = ["activity", "title", "due_on", "met_on"]
        labels = {"due_on": "Due on", "met_on": "Met on"}
        help_texts = {"met_on": "Leave empty until the milestone is met."}

    def clean(self):
        data = super().clean()
        met = data.get("met_on")
        if met and met > timezone.localdate():
            self.add_error("met_on", "A milestone cannot be met in the future.")
        return data


class IndividualObjectiveForm(GovukMixin, forms.ModelForm):
    person = UserChoiceField(queryset=active_users())
    activity = ActivityChoiceField(queryset=_activities(), label="Service-plan activity served")
    year = FinancialYearField(label="Financial year")

    class Meta:
        model = IndividualObjective
        fields = ["person", "activity", "year", "title"]

    def clean(self):
        data = super().clean()
        activity, year = data.get("activity"), data.get("year")
        if activity and year and activity.objective.plan.year != year:
            self.add_error(
                "year",
                f"The activity belongs to the {activity.objective.plan.year} service plan, "
                f"not {year}.",
            )
        return data


__all__ = [
    "ActivityForm",
    "ChangePointForm",
    "DirectorateForm",
    "IndicatorForm",
    "IndividualObjectiveForm",
    "LongTermTargetForm",
    "MeasureForm",
    "MembershipForm",
    "MilestoneForm",
    "ObjectiveForm",
    "OutcomeForm",
    "PriorityForm",
    "ProfileForm",
    "RolesForm",
    "ServiceForm",
    "ServicePlanForm",
    "StrategicActionForm",
    "StrategicPlanForm",
    "TargetForm",
    "TeamForm",
    "YearChoiceForm",
]
