"""Forms of the plan pages: activity progress, strategic-action updates and action plans.

Choice lists that would otherwise cost a query per form (owners, months, milestones) are
passed in already built, so a formset of any length costs no extra queries. Every form is a
`GovukMixin` form; its messages say what is wrong without the field's label, so the error
summary shows them as they are.
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError

from performance.common.forms import DateInput, GovukMixin
from performance.models import Action, ActionPlan, ActivityProgress, StrategicActionUpdate

NEEDS_COMMENT = {ActivityProgress.Rag.AMBER, ActivityProgress.Rag.RED}


class PlanForm(GovukMixin, forms.Form):
    # Labels are not marked "(optional)": a hint says when an answer is needed.
    mark_optional = False


class ActivityProgressForm(PlanForm):
    """One month's progress of one activity, and the milestones met in that month."""

    widths: ClassVar[dict[str, str]] = {"percent_complete": "govuk-input--width-3"}

    month = forms.ChoiceField(
        label="Month", help_text="The month this progress is for, written like 2025-07."
    )
    percent_complete = forms.IntegerField(
        label="Percentage complete",
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100.",
        error_messages={
            "required": "Enter the percentage complete",
            "invalid": "Percentage complete must be a whole number, like 60",
            "min_value": "Percentage complete must be 0 or more",
            "max_value": "Percentage complete must be 100 or less",
        },
    )
    rag = forms.ChoiceField(
        label="RAG status",
        choices=ActivityProgress.Rag.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG status"},
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the activity is Amber or Red: say why and what is being done.",
        max_length=4000,
    )
    milestones_met = forms.MultipleChoiceField(
        label="Milestones met in this month",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, months: list[str], milestones: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m, m) for m in months]
        self.fields["month"].error_messages = {
            "required": "Select the month",
            "invalid_choice": "Select a month of this plan's year that has started",
        }
        self.fields["milestones_met"].choices = [(str(pk), label) for pk, label in milestones]
        if not milestones:
            del self.fields["milestones_met"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rag") in NEEDS_COMMENT and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Enter a comment explaining the Amber or Red status")
        return cleaned


class StrategicActionUpdateForm(PlanForm):
    """The bi-annual update of one strategic action."""

    widths: ClassVar[dict[str, str]] = {"percent_complete": "govuk-input--width-3"}

    status = forms.ChoiceField(
        label="Status",
        choices=StrategicActionUpdate.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the action's status"},
    )
    percent_complete = forms.IntegerField(
        label="Percentage complete",
        min_value=0,
        max_value=100,
        help_text="A whole number from 0 to 100.",
        error_messages={
            "required": "Enter the percentage complete",
            "invalid": "Percentage complete must be a whole number, like 60",
            "min_value": "Percentage complete must be 0 or more",
            "max_value": "Percentage complete must be 100 or less",
        },
    )
    progress = forms.CharField(
        label="Progress this half-year",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Describe the progress made this half-year"},
    )

    def clean(self):
        cleaned = super().clean()
        complete = cleaned.get("status") == StrategicActionUpdate.Status.COMPLETE
        if complete and cleaned.get("percent_complete") not in (None, 100):
            self.add_error("percent_complete", "A complete action is 100% complete")
        return cleaned


class ActionPlanForm(PlanForm):
    """The plan itself, when it is opened."""

    team = forms.TypedChoiceField(
        label="Team", coerce=int, error_messages={"required": "Select the team"}
    )
    title = forms.CharField(
        label="Title", max_length=250, error_messages={"required": "Enter a title"}
    )
    reason = forms.CharField(
        label="Why the plan is opened",
        help_text="The performance it responds to, e.g. Red for two quarters running.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the plan is opened"},
    )
    owner = forms.TypedChoiceField(
        label="Plan owner", coerce=int, error_messages={"required": "Select the plan owner"}
    )
    opened_on = forms.DateField(
        label="Opened on",
        widget=DateInput,
        error_messages={
            "required": "Enter the date the plan is opened",
            "invalid": "Opened on must be a real date",
        },
    )

    def __init__(self, *args, teams: list[tuple[int, str]], owners: list[tuple[int, str]], **kw):
        super().__init__(*args, **kw)
        self.fields["team"].choices = [("", "Select a team"), *teams]
        self.fields["owner"].choices = [("", "Select a person"), *owners]


class ActionForm(PlanForm):
    """One action of an action-plan version."""

    description = forms.CharField(
        label="Action", max_length=300, error_messages={"required": "Describe the action"}
    )
    owner = forms.TypedChoiceField(
        label="Owner", coerce=int, error_messages={"required": "Select the action's owner"}
    )
    due_on = forms.DateField(
        label="Due date",
        widget=DateInput,
        error_messages={
            "required": "Enter the due date",
            "invalid": "Due date must be a real date",
        },
    )
    status = forms.ChoiceField(
        label="Status", choices=Action.Status.choices, initial=Action.Status.NOT_STARTED
    )
    milestones = forms.CharField(
        label="Milestones",
        required=False,
        help_text="One milestone a line.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    progress_note = forms.CharField(
        label="Progress notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, owners: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Select a person"), *owners]


class BaseActionFormSet(forms.BaseFormSet):
    def kept_rows(self) -> list[dict]:
        """Cleaned data of the actions to keep: copied rows (even unchanged) and filled new rows,
        less those ticked for removal."""
        initial = self.initial_form_count()
        return [
            form.cleaned_data
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and form.cleaned_data
            and not self._should_delete_form(form)
        ]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.kept_rows():
            raise ValidationError("Add at least one action")


ActionFormSet = forms.formset_factory(
    ActionForm, formset=BaseActionFormSet, extra=2, can_delete=True, max_num=60, validate_max=True
)


class RevisionForm(PlanForm):
    """What changed in a revision, and whether the plan stays open."""

    note = forms.CharField(
        label="What changed in this revision",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": "Say what changed in this revision"},
    )
    status = forms.ChoiceField(label="Plan status", choices=ActionPlan.Status.choices)


class NoPlanForm(PlanForm):
    """The head's answer that an indicator asking for a plan needs none (issue 20)."""

    reason = forms.CharField(
        label="Why no action plan is needed",
        help_text="For example: a one-off caused by a system outage, already recovering.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Enter why no action plan is needed"},
    )
    review_on = forms.DateField(
        label="Review date",
        help_text="When the decision is looked at again: until then no new request is raised "
        "for this indicator.",
        widget=DateInput,
        error_messages={
            "required": "Enter the review date",
            "invalid": "Review date must be a real date",
        },
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter why no action plan is needed")
        return reason

    def clean_review_on(self):
        review_on = self.cleaned_data["review_on"]
        if review_on <= self.today:
            raise ValidationError("Review date must be in the future")
        return review_on
