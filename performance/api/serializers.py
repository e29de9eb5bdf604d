"""Shapes of the API's rows and bodies, for the OpenAPI schema (`/api/v1/schema`).

The views build their rows directly (the commands' row builders); these serializers describe
them so the schema — and the property-based tests run from it — say exactly what is sent.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

Number = serializers.FloatField  # a JSON number; the API writes the exact decimal digits


def _number(**kwargs: Any) -> serializers.FloatField:
    return Number(allow_null=True, **kwargs)


class IndicatorRow(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    perspective = serializers.CharField()
    polarity = serializers.CharField()
    unit = serializers.CharField()
    decimals = serializers.IntegerField()
    frequency = serializers.CharField()
    aggregation = serializers.CharField()
    year_to_date = serializers.BooleanField()


class StatusRow(serializers.Serializer):
    indicator = serializers.CharField()
    period = serializers.CharField()
    value = _number(help_text="Rounded to the indicator's decimal places (half up).")
    target = _number(help_text="Rounded to the indicator's decimal places (half up).")
    shortfall_pct = _number(help_text="Rounded to 2 places.")
    status = serializers.CharField()
    dot_previous = serializers.CharField()
    dot_year = serializers.CharField()
    variation = serializers.CharField()
    assurance = serializers.CharField()
    forecast = _number(
        help_text="Year-end forecast of the period's financial year as known at the period "
        "(the officer's, else the projection); rounded like value."
    )


class ValueRow(serializers.Serializer):
    indicator = serializers.CharField()
    period = serializers.CharField()
    period_start = serializers.DateField()
    value = _number(help_text="As entered.")
    numerator = _number()
    denominator = _number()
    activated_at = serializers.DateTimeField()


class LeagueRow(serializers.Serializer):
    rank = serializers.IntegerField()
    team = serializers.CharField()
    customer = serializers.CharField()
    financial = serializers.CharField()
    process = serializers.CharField()
    learning = serializers.CharField()
    improvements = Number()
    late_complaints = serializers.IntegerField()
    score = Number()
    award = serializers.CharField(allow_blank=True)


class PositionRow(serializers.Serializer):
    measure = serializers.CharField()
    group = serializers.CharField()
    period = serializers.CharField()
    authority = serializers.CharField()
    value = _number()
    rank = serializers.IntegerField(allow_null=True)
    of = serializers.IntegerField()
    quartile = serializers.IntegerField(allow_null=True)
    q1 = _number()
    median = _number()
    q3 = _number()
    missing = serializers.IntegerField()


YES_NO = ["yes", "no"]


class RiskRow(serializers.Serializer):
    """A `risk_register` row (SPEC §12): scores are likelihood × impact (1–25)."""

    reference = serializers.CharField()
    title = serializers.CharField()
    register = serializers.ChoiceField(
        choices=["corporate", "directorate", "service", "project", "partnership"]
    )
    category = serializers.CharField()
    owner = serializers.CharField(help_text="The owner's username.")
    inherent_score = serializers.IntegerField(min_value=1, max_value=25)
    current_score = serializers.IntegerField(min_value=1, max_value=25)
    target_score = serializers.IntegerField(min_value=1, max_value=25)
    rating = serializers.ChoiceField(choices=["low", "medium", "high", "very_high"])
    appetite = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=25, help_text="null: the category has none."
    )
    above_appetite = serializers.ChoiceField(choices=YES_NO)
    direction = serializers.ChoiceField(
        choices=["improving", "deteriorating", "stable", "none"],
        help_text="The current score against the score before the latest review.",
    )
    review_due = serializers.CharField(
        allow_blank=True, help_text="The next review's date (YYYY-MM-DD), or empty."
    )
    linked_indicators = serializers.CharField(
        allow_blank=True, help_text="Codes of the linked indicators, separated by ';'."
    )
    kri_alert = serializers.ChoiceField(choices=YES_NO)


_pages: dict[str, type[serializers.Serializer]] = {}


def page_of(row: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """`{"results": [row, …], "next": URL or null}` as a named schema component."""
    if name not in _pages:
        _pages[name] = type(
            name,
            (serializers.Serializer,),
            {
                "results": row(many=True),
                "next": serializers.URLField(allow_null=True),
                "__module__": __name__,
            },
        )
    return _pages[name]


class ValueIn(serializers.Serializer):
    indicator = serializers.CharField(help_text="The indicator's code.")
    period = serializers.CharField(help_text="As in the due list, e.g. 2025/26 Q2 or 2025-07.")
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="0 (the default) for a value not yet started."
    )
    value = _number(required=False)
    numerator = _number(required=False)
    denominator = _number(required=False)
    comment = serializers.CharField(required=False, allow_blank=True)
    forecast = _number(
        required=False,
        help_text="The officer's forecast of the financial year's outturn (optional); a row "
        "without it keeps the stored one, an empty one clears it.",
    )
    forecast_comment = serializers.CharField(required=False, allow_blank=True)


class ValuesPost(serializers.Serializer):
    submit = serializers.BooleanField(
        required=False, default=True, help_text="false saves drafts instead of submitting."
    )
    values = ValueIn(many=True)


class ValuesSaved(serializers.Serializer):
    saved = serializers.IntegerField()
    skipped = serializers.IntegerField()
    submitted = serializers.BooleanField()


class RowError(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="1-based position in `values`; 0 for the request as a whole."
    )
    field = serializers.CharField()
    message = serializers.CharField()


class ValuesRefused(serializers.Serializer):
    errors = RowError(many=True)
    saved = serializers.IntegerField()


class Problem(serializers.Serializer):
    detail = serializers.CharField()
