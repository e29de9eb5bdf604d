"""The form of a sign-in mapping in Manage."""

from __future__ import annotations

from django import forms

from performance.common.forms import GovukMixin
from performance.models import Team
from performance.signin.models import SignInMapping


class SignInMappingForm(GovukMixin, forms.ModelForm):
    class Meta:
        model = SignInMapping
        fields = ["claim_value", "role", "team", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(active=True).order_by("name")
        self.fields["team"].empty_label = "No team"
        self.fields["claim_value"].error_messages["required"] = (
            "Enter the claim value the provider sends"
        )
        self.fields["role"].error_messages.update(
            {"required": "Choose the role", "invalid_choice": "Choose one of the listed roles"}
        )

    def clean_claim_value(self) -> str:
        return self.cleaned_data["claim_value"].strip()
