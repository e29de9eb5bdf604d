"""The year-end forecast of an indicator with an annual target (issue 20; pure, no Django).

Two figures, both kept: the officer's forecast of the financial year's outturn (entered with a
return) and a projection computed from the data. The forecast shown and scored is the officer's
when there is one, else the projection; its status against the annual target follows the same
rules as a value (SPEC §4, `calculations.level_of`).

Projection policy (what a council performance officer would do on the back of an envelope):
- Only for a monthly or quarterly indicator with an annual target (own, or its profile summed by
  `status.target_for`), and only from the second period of the year with a figure: one month or
  one quarter is not enough to project a year ("not enough data").
- `sum` (cumulative): the year to date plus last year's figures for the periods still to come
  (and for any missing this year). If last year lacks any of them: the year-to-date run rate
  (the mean of this year's figures times the periods in the year). The method says which.
- `ratio`: the numerators and the denominators projected as `sum`, then divided (× 100 for a
  percentage), so the outturn is the year's ratio as the status rules aggregate it.
- `mean`: the mean of the year so far (the outturn is the mean of every period).
- `last` (snapshot): a least-squares line through the latest up to 6 periods with a figure
  (last year's included), read at the year's last period.
- A year-to-date indicator (each figure is already the year so far): the latest figure plus
  what last year added after the same point; without last year, the latest figure scaled by
  the share of the year elapsed (its run rate).
- Never beyond what the unit allows: a percentage stays within 0–100 unless over 100 is
  allowed; nothing goes below 0 unless negatives are allowed (`Bounds`).
- Figures are computed exactly and quantized to 6 decimal places (what a value holds); pages
  round them to the indicator's decimals, like values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum

from performance.core import calculations, status
from performance.core.calculations import Aggregation, Level, Observation, Polarity
from performance.core.periods import Frequency, Period

TREND_POINTS = 6
MIN_PERIODS = 2  # figures this year before a projection is made

_CONTEXT = Context(prec=40, rounding=ROUND_HALF_EVEN)
_SIX_PLACES = Decimal("0.000001")
_ZERO, _ONE, _HUNDRED = Decimal(0), Decimal(1), Decimal(100)


class Method(StrEnum):
    """How a projection was made; `label` is the short name pages show."""

    PROFILE = "profile"
    RUN_RATE = "run_rate"
    TREND = "trend"
    MEAN = "mean"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Method.PROFILE: "Year to date plus last year's remaining periods",
    Method.RUN_RATE: "Year-to-date run rate (last year incomplete)",
    Method.TREND: "Trend of the latest periods (least squares)",
    Method.MEAN: "Average of the year so far",
}


class Source(StrEnum):
    OFFICER = "officer"
    PROJECTION = "projection"


@dataclass(frozen=True, slots=True)
class Bounds:
    """What the unit allows an outturn to be: None is unbounded on that side."""

    lower: Decimal | None = _ZERO
    upper: Decimal | None = None

    @classmethod
    def for_unit(cls, *, percent: bool, allow_negative: bool, allow_over_100: bool) -> Bounds:
        return cls(
            lower=None if allow_negative else _ZERO,
            upper=_HUNDRED if percent and not allow_over_100 else None,
        )

    def clamp(self, value: Decimal) -> Decimal:
        if self.lower is not None and value < self.lower:
            return self.lower
        if self.upper is not None and value > self.upper:
            return self.upper
        return value


@dataclass(frozen=True, slots=True)
class Projection:
    """A projected outturn and how it was made, or None with the reason (`note`)."""

    value: Decimal | None
    method: Method | None
    note: str = ""

    @property
    def label(self) -> str:
        """The method's name, or why there is no projection."""
        return self.method.label if self.method is not None else self.note


@dataclass(frozen=True, slots=True)
class OfficerForecast:
    """The forecast entered with the latest activated return of the year that has one."""

    value: Decimal
    comment: str
    period: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """An indicator's year-end forecast: the officer's and the projection, the one chosen, and
    its status against the annual target (None without a target or a chosen figure)."""

    year: Period
    officer: OfficerForecast | None
    projection: Projection
    target: Decimal | None
    value: Decimal | None
    source: Source | None
    level: Level | None

    @property
    def status(self) -> str:
        """`green|amber|red|no_data|none`, as the status column of SPEC §12."""
        return calculations.status_code(self.level)

    @property
    def at_risk(self) -> bool:
        """Forecast to miss the annual target: Red or Amber."""
        return self.level in (Level.BASECAMP, Level.FIRSTBASE)


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(_SIX_PLACES, rounding=ROUND_HALF_EVEN, context=_CONTEXT)


def _known(period: Period, as_of: Period) -> bool:
    return period.end <= as_of.end


def _none(note: str) -> Projection:
    return Projection(value=None, method=None, note=note)


def project(
    facts: status.IndicatorFacts,
    data: status.IndicatorData,
    year: Period,
    *,
    as_of: Period,
    bounds: Bounds = Bounds(),
) -> Projection:
    """Project `year`'s outturn from the figures of periods ending by `as_of` (see the module's
    policy). `data` holds activated values by written period (this year's and last year's at
    least)."""
    if year.kind is not Frequency.ANNUAL:
        raise ValueError(f"{year} is not a financial year")
    if facts.frequency is Frequency.ANNUAL:
        return _none("Annual indicator: no in-year projection")
    slots = year.sub_periods(facts.frequency)
    known = [p for p in slots if _known(p, as_of)]
    present = [p for p in known if _observation(data, p, facts) is not None]
    if len(present) < MIN_PERIODS:
        return _none("Not enough data yet this year")
    if facts.year_to_date:
        result = _year_to_date(data, slots, present)
    elif facts.aggregation is Aggregation.SUM:
        result = _sum(data, slots, present)
    elif facts.aggregation is Aggregation.RATIO:
        result = _ratio(facts, data, slots, present)
    elif facts.aggregation is Aggregation.MEAN:
        result = _mean(data, present)
    else:
        result = _trend(data, slots[-1], present[-1])
    if result.value is None:
        return result
    return Projection(_quantize(bounds.clamp(result.value)), result.method, result.note)


def _observation(
    data: status.IndicatorData, period: Period, facts: status.IndicatorFacts
) -> Observation | None:
    observation = data.values.get(str(period))
    if observation is None or observation.value is None:
        return None
    pair = observation.numerator is not None and observation.denominator is not None
    if facts.aggregation is Aggregation.RATIO and not facts.year_to_date and not pair:
        return None
    return observation


def _missing_note(slots: tuple[Period, ...], present: list[Period]) -> str:
    elapsed = slots.index(present[-1]) + 1
    missing = elapsed - len(present)
    if missing <= 0:
        return ""
    return f"{missing} period{'s' if missing != 1 else ''} missing this year"


def _cumulative(
    data: status.IndicatorData,
    slots: tuple[Period, ...],
    present: list[Period],
    fields: tuple[str, ...],
) -> tuple[list[Decimal], Method]:
    """The projected year totals of `fields` ("value", or "numerator" and "denominator"): the
    year to date plus last year's figures of the other periods when last year has all of them
    (for every field), else the year-to-date run rate."""
    have = set(present)
    others = [data.values.get(str(p.same_period_last_year())) for p in slots if p not in have]
    profile = all(o is not None and all(getattr(o, f) is not None for f in fields) for o in others)
    totals = []
    for name in fields:
        so_far = sum((getattr(data.values[str(p)], name) for p in present), _ZERO)
        if profile:
            rest = sum((getattr(o, name) for o in others if o is not None), _ZERO)
            totals.append(_CONTEXT.add(so_far, rest))
        else:
            rate = _CONTEXT.divide(so_far, Decimal(len(present)))
            totals.append(_CONTEXT.multiply(rate, Decimal(len(slots))))
    return totals, Method.PROFILE if profile else Method.RUN_RATE


def _sum(
    data: status.IndicatorData, slots: tuple[Period, ...], present: list[Period]
) -> Projection:
    (total,), method = _cumulative(data, slots, present, ("value",))
    return Projection(total, method, _missing_note(slots, present))


def _ratio(
    facts: status.IndicatorFacts,
    data: status.IndicatorData,
    slots: tuple[Period, ...],
    present: list[Period],
) -> Projection:
    (numerator, denominator), method = _cumulative(
        data, slots, present, ("numerator", "denominator")
    )
    if denominator.is_zero():
        return _none("No denominator to project")
    scale = _HUNDRED if facts.percent else _ONE
    value = _CONTEXT.divide(_CONTEXT.multiply(numerator, scale), denominator)
    return Projection(value, method, _missing_note(slots, present))


def _mean(data: status.IndicatorData, present: list[Period]) -> Projection:
    total = sum((data.values[str(p)].value or _ZERO for p in present), _ZERO)
    return Projection(_CONTEXT.divide(total, Decimal(len(present))), Method.MEAN)


def _trend(data: status.IndicatorData, year_end: Period, latest: Period) -> Projection:
    """Least squares through the figures of the latest `TREND_POINTS` periods (gaps keep their
    place), read at the year's last period."""
    points: list[tuple[Decimal, Decimal]] = []
    for back in range(TREND_POINTS):
        period = latest.shift(-back)
        observation = data.values.get(str(period))
        if observation is not None and observation.value is not None:
            points.append((Decimal(-back), observation.value))
    n = Decimal(len(points))
    mean_x = _CONTEXT.divide(sum((x for x, _ in points), _ZERO), n)
    mean_y = _CONTEXT.divide(sum((y for _, y in points), _ZERO), n)
    spread = sum((_CONTEXT.multiply(x - mean_x, x - mean_x) for x, _ in points), _ZERO)
    slope = (
        _ZERO
        if spread.is_zero()
        else _CONTEXT.divide(
            sum((_CONTEXT.multiply(x - mean_x, y - mean_y) for x, y in points), _ZERO), spread
        )
    )
    ahead = Decimal(_steps(latest, year_end))
    value = _CONTEXT.add(mean_y, _CONTEXT.multiply(slope, ahead - mean_x))
    return Projection(value, Method.TREND, f"{len(points)} periods")


def _steps(first: Period, last: Period) -> int:
    months = (last.start.year - first.start.year) * 12 + last.start.month - first.start.month
    return months // first.kind.months


def _year_to_date(
    data: status.IndicatorData, slots: tuple[Period, ...], present: list[Period]
) -> Projection:
    latest = present[-1]
    index = slots.index(latest)
    figure = data.values[str(latest)].value
    assert figure is not None
    then = data.values.get(str(slots[index].same_period_last_year()))
    final = data.values.get(str(slots[-1].same_period_last_year()))
    if then is not None and final is not None and None not in (then.value, final.value):
        added = _CONTEXT.subtract(final.value, then.value)  # type: ignore[arg-type]
        return Projection(_CONTEXT.add(figure, added), Method.PROFILE)
    share = _CONTEXT.divide(Decimal(len(slots)), Decimal(index + 1))
    return Projection(_CONTEXT.multiply(figure, share), Method.RUN_RATE)


def forecast_for(
    facts: status.IndicatorFacts,
    data: status.IndicatorData,
    year: Period,
    *,
    as_of: Period,
    officer: OfficerForecast | None = None,
    bounds: Bounds = Bounds(),
) -> Forecast:
    """The year-end forecast of one indicator: the officer's (`officer`, chosen by the caller
    as the latest activated return of the year by `as_of` that has one) if any, else the
    projection; scored against the annual target with the rules of a value (SPEC §4).

    No annual target (or polarity `none`): no projection (there is nothing to forecast
    against) and no status; an officer's figure, if any, is kept."""
    target = status.target_for(facts, data, year)
    if target is None:
        projection = _none("No annual target")
    else:
        projection = project(facts, data, year, as_of=as_of, bounds=bounds)
    if officer is not None:
        value, source = officer.value, Source.OFFICER
    elif projection.value is not None:
        value, source = projection.value, Source.PROJECTION
    else:
        value, source = None, None
    level = None
    if value is not None and target is not None and facts.polarity is not Polarity.NONE:
        level = calculations.level_of(
            calculations.Reading(
                actual=value,
                target=target,
                polarity=facts.polarity,
                decimals=facts.decimals,
                tolerance=facts.tolerance,
            )
        )
    return Forecast(
        year=year,
        officer=officer,
        projection=projection,
        target=target,
        value=value,
        source=source,
        level=level,
    )
