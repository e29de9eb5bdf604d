"""The one field of two-step verification: a code."""

from django import forms

from performance.common.forms import GovukMixin


class CodeForm(GovukMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args, label: str, hint: str, numeric: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = label
        field.help_text = hint
        if numeric:
            field.widget.attrs["inputmode"] = "numeric"
