"""GOV.UK Frontend forms: one field template, the widget classes, accessible errors, the summary.

Every form of every app mixes in `GovukMixin`. Its fields are `GovukBoundField`s: each widget
carries its GOV.UK class (and width), and points `aria-describedby` at its hint `<id>-hint` and its
error `<id>-error`. `GovukFormRenderer` (settings.FORM_RENDERER) renders `{{ field.as_field_group }}`
with `templates/govuk/field.html`; `error_summary` gives `templates/govuk/error_summary.html` each
error against the field it links to. Period fields are read with `performance.core.periods.parse`;
an indicator's targets, baselines and change points must be of a kind its frequency allows
(`check_kind`).
"""

from __future__ import annotations

from typing import ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from performance.core import periods
from performance.core.periods import Frequency


class GovukFormRenderer(TemplatesSetting):
    """Forms render with the project's templates; a field is `govuk/field.html`."""

    field_template_name = "govuk/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DecimalInput(forms.TextInput):
    """A decimal as text with a numeric keyboard (GOV.UK advises against type=number)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "spellcheck": "false", **(attrs or {})})


class NumericInput(forms.TextInput):
    """A whole number as text with a numeric keyboard (GOV.UK advises against type=number)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "spellcheck": "false", **(attrs or {})})


# The GOV.UK class of each kind of widget, the first that matches (subclasses before parents).
_CLASSES: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.HiddenInput, ""),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.SelectMultiple, "govuk-select manage-multiselect"),
    (forms.Select, "govuk-select"),
    (forms.Textarea, "govuk-textarea"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.widgets.Input, "govuk-input"),
)
# A width where the kind says how long the answer is; a form's `widths` may say otherwise.
_WIDTHS: tuple[tuple[type[forms.Widget], str], ...] = (
    (DateInput, "govuk-input--width-10"),
    (DecimalInput, "govuk-input--width-10"),
    (NumericInput, "govuk-input--width-5"),
)
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}
# Attributes of type=number that mean nothing on the text input that replaces it.
_NUMBER_ATTRS = ("min", "max", "step")


def _first(pairs, widget) -> str | None:
    return next((value for kind, value in pairs if isinstance(widget, kind)), None)


def _style(field: forms.Field, *, width: str | None) -> None:
    """Give the field's widget its GOV.UK form: dates as type=date, numbers as text, classes."""
    widget = field.widget
    if isinstance(widget, forms.DateInput) and not isinstance(widget, DateInput):
        field.widget = widget = DateInput(widget.attrs)
    elif isinstance(widget, forms.NumberInput) or (
        isinstance(field, forms.DecimalField) and type(widget) is forms.TextInput
    ):
        attrs = {k: v for k, v in widget.attrs.items() if k not in _NUMBER_ATTRS}
        whole = isinstance(field, forms.IntegerField) and not isinstance(
            field, forms.DecimalField | forms.FloatField
        )
        field.widget = widget = NumericInput(attrs) if whole else DecimalInput(attrs)
    css = _first(_CLASSES, widget)
    if css and "class" not in widget.attrs:
        width = _first(_WIDTHS, widget) if width is None else width
        widget.attrs["class"] = f"{css} {width}" if width else css
    if isinstance(widget, forms.SelectMultiple) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    ):
        widget.attrs.setdefault("size", 6)


class GovukBoundField(forms.BoundField):
    """A field as GOV.UK Frontend shows it, for `govuk/field.html`.

    Its hint is `<id>-hint` and its error `<id>-error`; the input (or, for radios and checkboxes,
    the fieldset) names both in `aria-describedby`, and a field with an error gets the widget's
    error class.
    """

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        # Styled when first bound, so fields a form adds or replaces in __init__ are styled too.
        _style(field, width=getattr(form, "widths", {}).get(name))

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def aria_describedby(self) -> str:
        ids = [self.hint_id] if self.help_text else []
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        css = (widget or self.field.widget).attrs.get("class", "")
        error_class = _ERROR_CLASSES.get(css.split(" ", 1)[0])
        if error_class and self.errors:
            attrs["class"] = f"{css} {error_class}"
        return attrs

    @property
    def choices_module(self) -> str:
        """`govuk-radios` or `govuk-checkboxes` for a group of choices in a fieldset, else ""."""
        widget = self.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "govuk-checkboxes"
        return "govuk-radios" if isinstance(widget, forms.RadioSelect) else ""

    @property
    def choices_class(self) -> str:
        """Extra classes of the group of radios or checkboxes (the form's `choices_classes`)."""
        return getattr(self.form, "choices_classes", {}).get(self.name, "")

    @property
    def label_size(self) -> str:
        return getattr(self.form, "label_size", "s")

    @property
    def optional(self) -> bool:
        """Whether the label ends "(optional)": an answer that may be left out, where the form
        marks those (radios, checkboxes and multiple selects are left out anyway)."""
        return (
            getattr(self.form, "mark_optional", True)
            and not self.field.required
            and not self.choices_module
            and not isinstance(self.field.widget, forms.CheckboxInput | forms.SelectMultiple)
        )


class GovukMixin:
    """GOV.UK Frontend on every field: mix into every form, before `forms.Form`/`ModelForm`.

    A form may say, as class attributes: `label_size` (GOV.UK label size, "" for regular labels),
    `mark_optional` (False where the labels say "(optional)" themselves, or nothing is asked
    for), `widths` (a field's width class, "" for none, instead of its kind's) and
    `choices_classes` (extra classes of a field's group of radios or checkboxes).
    """

    bound_field_class = GovukBoundField
    label_size: ClassVar[str] = "s"
    mark_optional: ClassVar[bool] = True
    widths: ClassVar[dict[str, str]] = {}
    choices_classes: ClassVar[dict[str, str]] = {}


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


def error_link(field: forms.BoundField) -> str:
    """The id an error summary links to: the input, or the first of a group of choices."""
    if isinstance(field.field.widget, forms.RadioSelect):  # checkboxes too
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


def error_summary(
    *forms_: forms.Form | None, labels: bool = True, prefix: str = ""
) -> list[tuple[str, str]]:
    """(id to link to, message) of each error of bound `forms_`, for `govuk/error_summary.html`.

    In the order of the page: a form's own errors (linked to its first field), then its fields'
    in field order. `labels` starts a field's message with its label ("Team: Choose a team");
    `prefix` starts every message (a formset's "Action 2: "). Unbound forms and None add nothing.
    """
    items = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        fields = list(form)
        for error in form.non_field_errors():
            items.append((error_link(fields[0]) if fields else "", f"{prefix}{error}"))
        for field in fields:
            for error in field.errors:
                text = f"{field.label}: {error}" if labels else error
                items.append((error_link(field), f"{prefix}{text}"))
    return items
