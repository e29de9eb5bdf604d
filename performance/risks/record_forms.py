"""Forms of risks, their controls and mitigating actions in Manage (SPEC §14).

Officers keep the registers there as they keep indicators: Manage's generic views list, add,
edit and delete them, with the audit trail. A mitigating action is the risk's own (description,
owner, due date, progress) or a link to a service-plan activity or an action-plan action, whose
own fields are then read on the risk's page, never copied: a linked action takes no fields of
its own.
"""

from __future__ import annotations

from django import forms

from performance.common.forms import GovukMixin, UserChoiceField
from performance.manage import selectors
from performance.manage.forms import ActivityChoiceField
from performance.models import Action, Indicator, Risk, RiskAction, RiskControl

POINT_HELP = "1 to 5."


class RiskForm(GovukMixin, forms.ModelForm):
    owner = UserChoiceField(queryset=selectors.active_users())
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.filter(active=True).order_by("code"),
        required=False,
        label="Key risk indicators",
        help_text="A Red value or a concerning special cause on any of them raises an alert on "
        "the risk. Hold Ctrl (or Cmd) to select several.",
    )
    outcomes = forms.ModelMultipleChoiceField(
        queryset=selectors.outcomes(),
        required=False,
        label="Strategic outcomes it threatens",
        help_text="Hold Ctrl (or Cmd) to select several.",
    )

    class Meta:
        model = Risk
        fields = [
            "reference",
            "title",
            "register",
            "category",
            "owner",
            "team",
            "directorate",
            "confidential",
            "status",
            "cause",
            "event",
            "consequence",
            "inherent_likelihood",
            "inherent_impact",
            "current_likelihood",
            "current_impact",
            "target_likelihood",
            "target_impact",
            "review_due",
            "indicators",
            "outcomes",
            "priorities",
            "action_plans",
        ]
        labels = {"review_due": "Next review due", "action_plans": "Action plans"}
        help_texts = dict.fromkeys(
            (
                "inherent_likelihood",
                "inherent_impact",
                "current_likelihood",
                "current_impact",
                "target_likelihood",
                "target_impact",
            ),
            POINT_HELP,
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = self.fields["team"].queryset.filter(active=True)
        self.fields["priorities"].help_text = "Hold Ctrl (or Cmd) to select several."
        self.fields["action_plans"].queryset = self.fields["action_plans"].queryset.select_related(
            "indicator"
        )


class RiskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reference} {obj.title}"


class PlanActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.version.plan.title}: {obj.description}"


class RiskControlForm(GovukMixin, forms.ModelForm):
    risk = RiskChoiceField(queryset=Risk.objects.order_by("reference"))

    class Meta:
        model = RiskControl
        fields = ["risk", "description", "effectiveness"]


class RiskActionForm(GovukMixin, forms.ModelForm):
    risk = RiskChoiceField(queryset=Risk.objects.order_by("reference"))
    owner = UserChoiceField(queryset=selectors.active_users(), required=False)
    activity = ActivityChoiceField(
        queryset=selectors.activities(),
        required=False,
        label="Or link a service-plan activity",
    )
    plan_action = PlanActionChoiceField(
        queryset=Action.objects.select_related("version__plan").order_by("-id"),
        required=False,
        label="Or link an action-plan action",
    )

    class Meta:
        model = RiskAction
        fields = ["risk", "description", "owner", "due_on", "progress", "activity", "plan_action"]
        labels = {"due_on": "Due on"}

    def clean(self):
        data = super().clean()
        linked = [name for name in ("activity", "plan_action") if data.get(name)]
        own = [name for name in ("description", "owner", "due_on") if data.get(name)]
        if len(linked) == 2:
            self.add_error("plan_action", "Link an activity or an action-plan action, not both.")
        elif linked and own:
            for name in own:
                self.add_error(
                    name,
                    "Leave this empty: a linked action's own description, owner and due date "
                    "are read from it.",
                )
        elif not linked and not data.get("description"):
            self.add_error(
                "description",
                "Describe the action, or link a service-plan activity or an action-plan action.",
            )
        return data
