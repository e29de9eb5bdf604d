"""GOV.UK Frontend forms: widget classes, accessible errors and the error summary.

Every Manage form mixes in `GovukMixin`, so each widget carries its GOV.UK class and points
`aria-describedby` at its hint and error; `error_summary` lists each error against the field it
links to. Period fields are read with `performance.core.periods.parse`; an indicator's targets,
baselines and change points must be of a kind its frequency allows (`check_kind`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from performance.core import periods
from performance.core.periods import Frequency

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


# --- from a valid form to the database and back ----------------------------------------------


def model_values(form: forms.ModelForm) -> tuple[dict, dict]:
    """A bound, valid ModelForm's data as (plain model field values, many-to-many values).

    Read from `cleaned_data`, not the form's fields, so a value a form's `clean` adds (a
    target's `period_start`) is saved too.
    """
    meta = form._meta.model._meta
    m2m_names = {each.name for each in meta.many_to_many}
    names = {each.name for each in meta.concrete_fields}
    plain = {k: v for k, v in form.cleaned_data.items() if k in names and k not in m2m_names}
    m2m = {k: v for k, v in form.cleaned_data.items() if k in m2m_names}
    return plain, m2m


def add_model_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a model's `full_clean` error on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_summary(*forms_: forms.Form) -> list[tuple[str, str, str]]:
    """(id of the field, its label, message) for the error summary; each links to its field."""
    result = []
    for form in forms_:
        if not form.is_bound:
            continue
        first = next(iter(form), None)
        for error in form.non_field_errors():
            anchor = first.auto_id if first is not None else ""
            result.append((anchor, "", error))
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            bound = form[name]
            anchor = bound.auto_id
            if bound.widget_type in ("checkboxselectmultiple",):
                anchor = f"{anchor}_0"
            for error in errors:
                result.append((anchor, str(bound.label), error))
    return result
