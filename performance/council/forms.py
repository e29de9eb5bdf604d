"""The council workbook's upload form (Manage › Council workbook)."""

from __future__ import annotations

from django import forms

from performance.common.forms import GovukMixin

# A county's workbook (thousands of indicators, a hundred thousand values) is tens of MB.
MAX_UPLOAD = 100 * 1024 * 1024


class CouncilUploadForm(GovukMixin, forms.Form):
    file = forms.FileField(
        label="Council workbook",
        help_text="An .xlsx file with the sheets Teams, People, Plan, Service plans, "
        "Indicators, Values and Risks.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        error_messages={"required": "Choose a council workbook (.xlsx) to check."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("The file must be an Excel workbook (.xlsx).")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file must be smaller than 100 MB.")
        return upload
