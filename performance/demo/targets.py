"""The demo's targets (SPEC §3): a target for every period of every financial year, tightened
year by year, with its SMART record (a few left incomplete), and a long-term target for KPIs."""

from __future__ import annotations

from decimal import Decimal

from performance.core.calculations import Polarity
from performance.core.periods import Period
from performance.demo.figures import IndicatorPlan, nice, scaled_target, stable_number
from performance.models import LongTermTarget

TARGET_FIELDS = (
    "indicator_id",
    "period",
    "period_start",
    "value",
    "outcome_id",
    "achievable_evidence",
    "benchmark_quartile",
    "realistic",
    "realism_note",
)
SMART_DEFAULTS = (
    ("outcome_id", None),
    ("achievable_evidence", ""),
    ("benchmark_quartile", None),
    ("realistic", False),
    ("realism_note", ""),
)


def smart_record(plan: IndicatorPlan, first_fy: int) -> dict:
    t = plan.template
    if not plan.smart_complete:
        return {"outcome_id": plan.outcome_id, "realistic": False}
    source = f"Hart District Council's published {t.hart_ref} figures and " if t.hart_ref else ""
    return {
        "outcome_id": plan.outcome_id,
        "achievable_evidence": (
            f"Based on {source}our {Period.for_year(first_fy - 1)} baseline and the trend "
            "of the last three years."
        ),
        "benchmark_quartile": (stable_number(plan.code) % 4) + 1 if t.kind == "KPI" else None,
        "realistic": True,
        "realism_note": "Agreed by the Head of Service with the portfolio holder.",
    }


def period_targets(
    plan: IndicatorPlan, years: list[list[Period]], *, first_fy: int, current_fy: int
) -> dict[Period, Decimal]:
    """The target of each period of `years` (the sub-periods of each year from `first_fy`).

    A cumulative profile's target rises through the year to the full-year figure. A data-only
    indicator, or one without a target, has none.
    """
    t = plan.template
    year_targets: dict[Period, Decimal] = {}
    if t.polarity is not Polarity.NONE and t.target is not None:
        for fy, subs in enumerate(years, start=first_fy):
            annual = scaled_target(plan, fy, current_fy)
            for number, period in enumerate(subs, start=1):
                value = annual
                if t.ytd:
                    value = nice(float(annual) * number / len(subs), t.decimals, t.unit)
                year_targets[period] = value
    return year_targets


def target_rows(
    plan: IndicatorPlan, year_targets: dict[Period, Decimal], smart: dict
) -> list[tuple]:
    """Rows of TARGET_FIELDS for `fast_insert`, each with the SMART record `smart`."""
    smart_cells = tuple(smart.get(name, default) for name, default in SMART_DEFAULTS)
    return [
        (plan.indicator_id, str(period), period.start, value, *smart_cells)
        for period, value in year_targets.items()
    ]


def long_term_target(plan: IndicatorPlan, smart: dict, *, current_fy: int) -> LongTermTarget | None:
    """A KPI's target three years on, 5% better than this year's; None for other indicators."""
    t = plan.template
    if t.kind != "KPI" or t.polarity is Polarity.NONE or t.target is None:
        return None
    final = scaled_target(plan, current_fy, current_fy)
    better = float(final) * (1.05 if t.polarity is Polarity.HIGHER else 0.95)
    if t.unit == "percent":
        better = min(better, 100.0)
    return LongTermTarget(
        indicator_id=plan.indicator_id,
        value=nice(better, t.decimals, t.unit) if final else final,
        by_year=str(Period.for_year(current_fy + 3)),
        **smart,
    )
