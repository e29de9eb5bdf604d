"""The entry rules (SPEC §5, §9): parse and check what is entered, and judge it as activated.

The form, the htmx preview and the Excel upload all call `clean_entry` and `judge`, so a row is
accepted or refused for the same reasons wherever it comes from. Data quality's validation rules
(SPEC §9) take part through the ENTRY_PROBLEMS hook (`performance.common.hooks`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from performance.common import hooks
from performance.core import calculations, periods, spc, status
from performance.core.calculations import Aggregation, Level, Observation
from performance.indicators import selectors
from performance.models import Indicator

MAX_COMMENT = 5000
# Model fields hold 18 digits with 6 decimal places.
MAX_ABS = Decimal(10) ** 12


@dataclass(frozen=True, slots=True)
class Entry:
    """A cleaned entry: Decimals (or None) and the comment."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""
    # The officer's forecast of the financial year's outturn and why (issue 20; optional).
    forecast: Decimal | None = None
    forecast_comment: str = ""


def _number(raw: object, label: str, errors: dict[str, str], name: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("£", "").rstrip("%").strip()
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors[name] = f"{label} must be a number, like 95.5 (not “{str(raw).strip()[:40]}”)"
        return None
    if not number.is_finite():
        errors[name] = f"{label} must be a number, like 95.5"
        return None
    if abs(number) >= MAX_ABS:
        errors[name] = f"{label} is too large"
        return None
    if number.as_tuple().exponent < -6:  # type: ignore[operator]
        errors[name] = f"{label} has more than 6 decimal places"
        return None
    return number


def is_ratio(indicator: Indicator) -> bool:
    return indicator.aggregation == Aggregation.RATIO


def ratio_of(indicator: Indicator, numerator: Decimal, denominator: Decimal) -> Decimal:
    """Numerator ÷ denominator (× 100 for a percentage) to six places; the denominator not 0."""
    scale = Decimal(100) if indicator.unit == Indicator.Unit.PERCENT else Decimal(1)
    return (numerator * scale / denominator).quantize(Decimal("0.000001"))


def matches_ratio(indicator: Indicator, value: Decimal, computed: Decimal) -> bool:
    """Whether a given value is the worked-out ratio at the indicator's decimals."""
    return round(value, indicator.decimals) == round(computed, indicator.decimals)


def clean_entry(
    indicator: Indicator, raw: Mapping[str, object], *, submit: bool, rules=None
) -> tuple[Entry, dict[str, str]]:
    """Parse and check one entry; (entry, {field: message}) with no errors when it is valid.

    Rules: numbers only (thousands commas, £ and a trailing % are allowed); percentages 0–100;
    counts (unit number, no decimal places) whole and not negative; days not negative; for a
    ratio indicator the numerator and denominator give the value (denominator above 0,
    numerator not above it for a percentage). On submit a value is required. The comment rule
    (Amber, Red or special cause) needs the history and is checked by `judge`.
    """
    errors: dict[str, str] = {}
    comment = str(raw.get("comment") or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Performance comment must be {MAX_COMMENT} characters or fewer"
    value = _number(raw.get("value"), "Value", errors, "value")
    numerator = _number(raw.get("numerator"), "Numerator", errors, "numerator")
    denominator = _number(raw.get("denominator"), "Denominator", errors, "denominator")
    for name, label in (
        ("value", "Value"),
        ("numerator", "Numerator"),
        ("denominator", "Denominator"),
        ("comment", "Performance comment"),
    ):
        if "\x00" in str(raw.get(name) or ""):  # PostgreSQL text cannot hold NUL (found by fuzzing)
            errors[name] = f"{label} must not contain a null character"
    percent = indicator.unit == Indicator.Unit.PERCENT
    if is_ratio(indicator):
        if submit and numerator is None and "numerator" not in errors:
            errors["numerator"] = "Enter the numerator"
        if submit and denominator is None and "denominator" not in errors:
            errors["denominator"] = "Enter the denominator"
        if denominator is not None and denominator <= 0:
            errors["denominator"] = "Denominator must be more than 0"
        if numerator is not None and numerator < 0:
            errors["numerator"] = "Numerator must not be negative"
        if (
            percent
            and numerator is not None
            and denominator is not None
            and "denominator" not in errors
            and numerator > denominator
        ):
            errors["numerator"] = "Numerator must not be more than the denominator"
        if numerator is not None and denominator is not None and not errors:
            computed = ratio_of(indicator, numerator, denominator)
            if value is not None and not matches_ratio(indicator, value, computed):
                errors["value"] = (
                    f"Value {value} does not match numerator ÷ denominator ({computed.normalize()}); "
                    "leave the value empty to have it worked out"
                )
            value = computed
    if value is not None and "value" not in errors and "numerator" not in errors:
        # Unit, type, bounds and ratio rules are data quality's (SPEC §9): one set of rules and
        # words for this form, the Excel upload and the import command.
        for name, message in hooks.one(hooks.ENTRY_PROBLEMS)(
            indicator,
            "",
            value=value,
            numerator=numerator,
            denominator=denominator,
            comment=comment,
            submit=False,
            rules=rules,
        ).items():
            errors.setdefault(name, message)
    if submit and value is None and not errors:
        errors["numerator" if is_ratio(indicator) else "value"] = (
            "Enter the numerator and denominator" if is_ratio(indicator) else "Enter a value"
        )
    forecast, forecast_comment = clean_forecast(indicator, raw, errors)
    return Entry(value, numerator, denominator, comment, forecast, forecast_comment), errors


FORECAST_LABEL = "Forecast of the year-end outturn"


def asks_forecast(indicator: Indicator) -> bool:
    """Whether a return of `indicator` may carry a year-end forecast: a monthly or quarterly
    indicator with a target polarity (an annual one's return is the outturn itself)."""
    return (
        indicator.frequency != Indicator.FrequencyChoice.ANNUAL
        and indicator.polarity != Indicator.PolarityChoice.NONE
    )


def clean_forecast(
    indicator: Indicator, raw: Mapping[str, object], errors: dict[str, str]
) -> tuple[Decimal | None, str]:
    """The optional forecast of the year-end outturn and its comment (issue 20), errors by
    field. Within what the unit allows: not negative and, for a percentage, not above 100,
    unless the indicator's validation settings allow it (read only for such a figure)."""
    comment = str(raw.get("forecast_comment") or "").strip()
    forecast = _number(raw.get("forecast"), FORECAST_LABEL, errors, "forecast")
    for name, label in (("forecast", FORECAST_LABEL), ("forecast_comment", "Forecast comment")):
        if "\x00" in str(raw.get(name) or ""):
            errors[name] = f"{label} must not contain a null character"
    if len(comment) > MAX_COMMENT:
        errors["forecast_comment"] = f"Forecast comment must be {MAX_COMMENT} characters or fewer"
    if forecast is None:
        if comment and "forecast" not in errors:
            errors["forecast"] = (
                f"Enter the {FORECAST_LABEL.lower()} that the forecast comment explains, "
                "or remove the comment"
            )
        return None, comment
    if not asks_forecast(indicator):
        errors["forecast"] = (
            f"{FORECAST_LABEL} is only for monthly and quarterly indicators with a target; "
            f"leave it empty for {indicator.code}"
        )
        return None, comment
    percent = indicator.unit == Indicator.Unit.PERCENT
    if forecast < 0 or (percent and forecast > 100):
        settings = hooks.one(hooks.INDICATOR_SETTINGS)([indicator])[indicator.pk]
        if forecast < 0 and not settings.get("allow_negative"):
            errors["forecast"] = f"{FORECAST_LABEL} must not be negative"
        elif percent and forecast > 100 and not settings.get("allow_over_100"):
            errors["forecast"] = f"{FORECAST_LABEL} must be a percentage from 0 to 100"
    return forecast, comment


@dataclass(frozen=True, slots=True)
class Judgement:
    """Status of an entry as the officer types: level, direction, SPC, and the comment rule."""

    status: status.Status | None
    needs_comment: bool = False
    why: str = ""

    @property
    def level(self) -> Level | None:
        return self.status.level if self.status else None


def judge(
    indicator: Indicator, period: str, entry: Entry, data: status.IndicatorData | None = None
) -> Judgement:
    """Judge `entry` as if it were activated: Reach the Summit level, direction of travel, SPC.

    `data` is the indicator's activated history (`selectors.indicator_data`); loaded when None.
    A comment is needed when the level is Firstbase (Amber) or Basecamp (Red), or the point is
    a special-cause signal of either direction.
    """
    if entry.value is None:
        return Judgement(None)
    when = periods.parse(period)
    if data is None:
        data = selectors.indicator_data([indicator.id], until=when.end)[indicator.id]
    values = dict(data.values)
    values[period] = Observation(entry.value, entry.numerator, entry.denominator)
    data = status.IndicatorData(
        values=values,
        targets=data.targets,
        no_data=data.no_data - {period},
        rebase_periods=data.rebase_periods,
    )
    result = status.status_for(
        selectors.indicator_facts(indicator), data, when, window_closed=False, with_spc=True
    )
    reasons = []
    if result.level in (Level.FIRSTBASE, Level.BASECAMP):
        reasons.append(f"{result.level.rag.capitalize()} ({result.level.label})")
    if result.variation in (
        spc.Variation.IMPROVING,
        spc.Variation.CONCERNING,
        spc.Variation.NEUTRAL,
    ):
        reasons.append("a special-cause signal")
    return Judgement(result, bool(reasons), " and ".join(reasons))


def check_outliers(
    indicator: Indicator,
    period: str,
    entry: Entry,
    errors: dict[str, str],
    data: status.IndicatorData | None = None,
    rules=None,
) -> None:
    """Data quality's submission rules (SPEC §9): outliers need a comment, flags a partner.

    `rules` (from the ENTRY_RULES hook) saves a query per entry when many are checked.
    """
    for name, message in hooks.one(hooks.ENTRY_PROBLEMS)(
        indicator,
        period,
        value=entry.value,
        numerator=entry.numerator,
        denominator=entry.denominator,
        comment=entry.comment,
        submit=True,
        data=data,
        rules=rules,
    ).items():
        errors.setdefault(name, message)


def check_comment(entry: Entry, judgement: Judgement, errors: dict[str, str]) -> None:
    if judgement.needs_comment and not entry.comment:
        errors["comment"] = f"Add a performance comment: the value is {judgement.why}"


def level_of(indicator: Indicator, actual: Decimal | None, target: Decimal | None) -> Level | None:
    """The level of a figure against a target, without history (for lists)."""
    return calculations.level_of(
        calculations.Reading(
            actual=actual,
            target=target,
            polarity=indicator.polarity,
            decimals=indicator.decimals,
            tolerance=indicator.effective_tolerance,
        )
    )
