"""One indicator of the demo and how its figures behave, shared by its baseline, targets and
values: the team's size, targets tightened year by year, a value from a shortfall against
target, and rounding the way a council writes figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from performance.core.calculations import Level, Polarity
from performance.core.periods import Period
from performance.demo.catalogue import Template
from performance.models import Team


@dataclass
class IndicatorPlan:
    """One indicator to create and how its figures behave."""

    template: Template
    team: Team
    code: str
    size: float
    outcome_id: int
    enterers: list[int]
    managers: list[int]
    bias: float
    drift: float  # change of shortfall per year, in standard deviations of noise
    step: float  # % the target tightens each year
    phi: float
    smart_complete: bool
    shift: float = 0.0
    shift_from: int | None = None
    change_point: bool = False
    indicator_id: int = 0
    latest: list[tuple[Period, Level | None, Decimal | None, Decimal | None]] = field(
        default_factory=list
    )


def nice(value: float, decimals: int, unit: str) -> Decimal:
    """Round a generated target the way a council would write it."""
    size = abs(value)
    if unit in ("currency", "number") and size >= 10000:
        return Decimal(round(value / 1000) * 1000)
    if unit in ("currency", "number") and size >= 1000:
        return Decimal(round(value / 10) * 10)
    if decimals == 0 and size >= 100:
        return Decimal(round(value / 5) * 5)
    return Decimal(f"{value:.{decimals}f}")


def to_decimal(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def stable_number(code: str) -> int:
    """A stable small number from a code (Python's `hash` of a str changes between runs)."""
    return sum((index + 1) * ord(char) for index, char in enumerate(code))


def size_factor(plan: IndicatorPlan, t: Template) -> float:
    """Bigger and smaller copies of a team have bigger and smaller counts and budgets."""
    if t.unit in ("number", "currency") and (
        t.aggregation == "sum" or (t.aggregation == "last" and t.unit == "number")
    ):
        return plan.size
    return 1.0


def scaled_target(plan: IndicatorPlan, fy: int, current_fy: int) -> Decimal:
    """The year's target (the full-year figure for a cumulative profile), tightened over time."""
    t = plan.template
    base = t.target * size_factor(plan, t)
    years_back = current_fy - fy
    factor = 1 - plan.step * years_back / 100
    value = base * factor if t.polarity is Polarity.HIGHER else base / factor
    if t.unit == "percent":
        value = min(value, 100.0)
    return nice(value, t.decimals, t.unit)


def value_from_shortfall(t: Template, target: float, shortfall: float) -> float:
    if target == 0:
        return target - shortfall if t.polarity is Polarity.HIGHER else target + shortfall
    if t.polarity is Polarity.HIGHER:
        return target * (1 - shortfall / 100)
    return target * (1 + shortfall / 100)


def clip(t: Template, value: float, target: Decimal | float | None) -> float:
    if t.unit == "percent":
        return min(max(value, 0.0), 100.0)
    if target is not None and float(target) == 0:
        return value  # days ahead (+) or behind (−) a timetable may be negative
    return max(value, 0.0)
