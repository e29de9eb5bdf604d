"""Forms of the Manage area: performance officers configure the organisation, people and plans.

Every form renders with GOV.UK Frontend classes (`performance.common.forms.GovukMixin`) and names
the field in each error. The forms of indicators are in `indicator_forms`, of targets in
`target_forms`; they are named here too, so the Manage area has one module of forms to import.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.text import slugify

from performance.common.forms import FinancialYearField, GovukMixin, UserChoiceField, parse_period
from performance.core import periods
from performance.core.periods import Frequency
from performance.core.roles import Role
from performance.manage import selectors
from performance.manage.indicator_forms import ChangePointForm, IndicatorForm
from performance.manage.target_forms import (
    SMART_FIELDS,
    LongTermTargetForm,
    ProfileForm,
    TargetForm,
    YearChoiceForm,
    target_rows_formset,
)
from performance.models import (
    Activity,
    Directorate,
    IndividualObjective,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicPlan,
    Team,
)

# --- organisation ---------------------------------------------------------------------------


class DirectorateForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = Directorate
        fields = ["name"]


class ServiceForm(GovukMixin, forms.ModelForm):
    head_of_service = UserChoiceField(
        queryset=selectors.active_users(), required=False, label="Head of Service"
    )

    class Meta:
        model = Service
        fields = ["name", "directorate", "head_of_service"]


class TeamForm(GovukMixin, forms.ModelForm):
    head_of_service = UserChoiceField(
        queryset=selectors.active_users(), required=False, label="Head of Service"
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
        return self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))


class MembershipForm(GovukMixin, forms.Form):
    user = UserChoiceField(
        queryset=selectors.active_users(), label="Person to add", empty_label="Choose a person"
    )

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.active_users().exclude(memberships__team=team)


class RolesForm(GovukMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        choices=[(role.value, role.value) for role in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Roles",
        help_text="Select all that apply. A role says what the person may do; their teams say where.",
    )


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
    outcome = forms.ModelChoiceField(queryset=selectors.outcomes())

    class Meta:
        model = MeasureOfSuccess
        fields = ["outcome", "description", "indicator"]
        labels = {"indicator": "Indicator that measures it"}


class StrategicActionForm(GovukMixin, forms.ModelForm):
    outcome = forms.ModelChoiceField(queryset=selectors.outcomes())
    owner = UserChoiceField(queryset=selectors.active_users(), required=False)

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
    outcome = forms.ModelChoiceField(
        queryset=selectors.outcomes(), label="Strategic outcome served"
    )

    class Meta:
        model = ServicePlanObjective
        fields = ["plan", "number", "title", "outcome"]
        labels = {"plan": "Service plan"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = ServicePlan.objects.select_related("service")


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        plan = obj.objective.plan
        return f"{plan.service.name} {plan.year}: {obj.title}"


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.plan.service.name} {obj.plan.year}: {obj.number}. {obj.title}"


class ActivityForm(GovukMixin, forms.ModelForm):
    objective = ObjectiveChoiceField(
        queryset=ServicePlanObjective.objects.select_related("plan__service"),
        label="Service-plan objective",
    )
    outcome = forms.ModelChoiceField(
        queryset=selectors.outcomes(), label="Strategic outcome served"
    )
    owner = UserChoiceField(queryset=selectors.active_users(), required=False)

    class Meta:
        model = Activity
        fields = ["objective", "title", "outcome", "owner"]


class MilestoneForm(GovukMixin, forms.ModelForm):
    activity = ActivityChoiceField(queryset=selectors.activities())

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
    person = UserChoiceField(queryset=selectors.active_users())
    activity = ActivityChoiceField(
        queryset=selectors.activities(), label="Service-plan activity served"
    )
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
    "SMART_FIELDS",
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
    "target_rows_formset",
]


# --- people import (issue 15) ---------------------------------------------------------------------

MAX_PEOPLE_UPLOAD = 5 * 1024 * 1024


class PeopleImportForm(GovukMixin, forms.Form):
    mark_optional = False  # the checkbox is a choice, not an optional answer

    file = forms.FileField(
        label="Directory export",
        help_text="A .csv or .xlsx file with the columns username, name, email, team, roles.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a .csv or .xlsx file to import."},
    )
    full = forms.BooleanField(
        label="This is everyone: list the active people who are not in the file so I can "
        "deactivate them",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a .csv or .xlsx file.")
        if upload.size > MAX_PEOPLE_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 5 MB.")
        return upload
