"""Forms of the risk pages: the register's filters, the owner's review, an escalation decision,
the matrix, and a risk category in Manage. Rules live in `performance.risks.services`; these
forms only read what was sent and say what is missing in GOV.UK words."""

from __future__ import annotations

from django import forms

from performance.common.forms import GovukMixin
from performance.core import risks as rules
from performance.models import Risk, RiskCategory, RiskControl

ANY = [("", "Any")]
POINTS = range(rules.MIN_POINT, rules.MAX_POINT + 1)


def rating_choices() -> list[tuple[str, str]]:
    return [(rating.value, rating.label) for rating in rules.Rating]


class FilterForm(GovukMixin, forms.Form):
    """The register's and the heat map's filters (GET). An unknown value narrows nothing."""

    mark_optional = False
    label_size = ""

    register = forms.ChoiceField(required=False)
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    rating = forms.ChoiceField(required=False)
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    above_appetite = forms.BooleanField(required=False, label="Above appetite only")
    alert = forms.BooleanField(required=False, label="Key risk indicator alert only")
    overdue = forms.BooleanField(required=False, label="Review overdue only")
    # One heat-map cell: its likelihood and impact, of the current (or inherent) scores.
    likelihood = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    impact = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    scores = forms.ChoiceField(
        required=False,
        choices=[("current", "Current"), ("inherent", "Inherent (before controls)")],
        label="Scores",
    )

    def __init__(
        self,
        data=None,
        *,
        categories: list[tuple[int, str]],
        owners: list[tuple[int, str]],
        matrix: rules.Matrix,
    ) -> None:
        super().__init__(data)
        self.fields["register"].choices = ANY + list(Risk.Register.choices)
        self.fields["category"].choices = ANY + categories
        self.fields["rating"].choices = ANY + rating_choices()
        self.fields["owner"].choices = ANY + owners
        self.fields["likelihood"].choices = ANY + [
            (point, f"{point} {matrix.likelihood_label(point)}") for point in POINTS
        ]
        self.fields["impact"].choices = ANY + [
            (point, f"{point} {matrix.impact_label(point)}") for point in POINTS
        ]

    def values(self) -> dict:
        """The valid filters (invalid ones dropped, so a stale link still shows a register)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        result = {name: cleaned.get(name) for name in self.fields if name not in self.errors}
        result["scores"] = result.get("scores") or "current"
        return result


class ReviewForm(GovukMixin, forms.Form):
    """The owner's review: likelihood, impact, each control's effectiveness and a comment.

    The field names are those `services.review` reports its errors under (`likelihood`,
    `impact`, `comment`, `control-<id>`), so a refusal lands on its field."""

    likelihood = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Likelihood now",
        help_text="How likely the risk is to happen, with the controls as they are.",
        error_messages={"required": "Choose how likely the risk is now"},
    )
    impact = forms.TypedChoiceField(
        coerce=int,
        widget=forms.RadioSelect,
        label="Impact now",
        help_text="How bad it would be if it happened.",
        error_messages={"required": "Choose how great the impact would be now"},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        label="Comment",
        help_text="What has changed since the last review, or that nothing has, and why.",
        error_messages={"required": "Say what has changed, or that nothing has, and why"},
    )

    def __init__(
        self, data=None, *, matrix: rules.Matrix, controls: list[RiskControl], initial=None
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["likelihood"].choices = [
            (point, f"{point} – {matrix.likelihood_label(point)}") for point in POINTS
        ]
        self.fields["impact"].choices = [
            (point, f"{point} – {matrix.impact_label(point)}") for point in POINTS
        ]
        self.control_names: list[tuple[str, RiskControl]] = []
        for control in controls:
            name = f"control-{control.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=RiskControl.Effectiveness.choices,
                widget=forms.RadioSelect,
                label=f"How effective is “{control.description}”?",
                initial=control.effectiveness,
                error_messages={"required": f"Choose how effective “{control.description}” is"},
            )
            self.control_names.append((name, control))
        # The comment comes after the controls on the page.
        self.order_fields(["likelihood", "impact", *(n for n, _ in self.control_names), "comment"])

    def controls(self) -> dict[int, str]:
        return {control.pk: self.cleaned_data[name] for name, control in self.control_names}


class DecisionForm(GovukMixin, forms.Form):
    """Confirm or decline an escalation; a decline needs a reason (the service says so too)."""

    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("decline", "Decline")])
    reason = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the reason the risk stays on its register")
        return cleaned


class MatrixForm(GovukMixin, forms.Form):
    """The five likelihood labels, five impact labels and the three band upper bounds."""

    label_size = ""
    widths = {
        "low_max": "govuk-input--width-3",
        "medium_max": "govuk-input--width-3",
        "high_max": "govuk-input--width-3",
    }

    def __init__(self, data=None, *, matrix: rules.Matrix) -> None:
        super().__init__(data)
        for point in POINTS:
            self.fields[f"likelihood_{point}"] = forms.CharField(
                max_length=40,
                label=f"Likelihood {point}",
                initial=matrix.likelihood_label(point),
                error_messages={"required": f"Enter a label for likelihood {point}"},
            )
        for point in POINTS:
            self.fields[f"impact_{point}"] = forms.CharField(
                max_length=40,
                label=f"Impact {point}",
                initial=matrix.impact_label(point),
                error_messages={"required": f"Enter a label for impact {point}"},
            )
        bands = matrix.bands
        for name, label, value in (
            ("low_max", "Highest low score", bands.low_max),
            ("medium_max", "Highest medium score", bands.medium_max),
            ("high_max", "Highest high score", bands.high_max),
        ):
            self.fields[name] = forms.IntegerField(
                min_value=1,
                max_value=rules.MAX_SCORE,
                label=label,
                initial=value,
                error_messages={
                    "required": f"Enter the {label.lower()}",
                    "invalid": f"{label} must be a whole number",
                    "min_value": f"{label} must be 1 or more",
                    "max_value": f"{label} must be {rules.MAX_SCORE} or less",
                },
            )
        self.fields["high_max"].help_text = "Scores above it are very high."

    def clean(self):
        cleaned = super().clean()
        names = ("low_max", "medium_max", "high_max")
        if all(isinstance(cleaned.get(name), int) for name in names):
            for problem in self.bands().problems():
                self.add_error("low_max", problem)
        return cleaned

    def labels(self, kind: str) -> list[str]:
        return [self.cleaned_data[f"{kind}_{point}"] for point in POINTS]

    def bands(self) -> rules.Bands:
        return rules.Bands(
            self.cleaned_data["low_max"],
            self.cleaned_data["medium_max"],
            self.cleaned_data["high_max"],
        )


class RiskCategoryForm(GovukMixin, forms.ModelForm):
    """A risk category in Manage, with the council's appetite for it."""

    widths = {"appetite": "govuk-input--width-3"}

    class Meta:
        model = RiskCategory
        fields = ["name", "appetite", "description"]
        labels = {"appetite": "Appetite"}
        error_messages = {
            "name": {"required": "Enter the category's name"},
            "appetite": {
                "invalid": "Appetite must be a whole number from 1 to 25",
                "min_value": "Appetite must be 1 or more",
                "max_value": "Appetite must be 25 or less",
            },
        }

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()
