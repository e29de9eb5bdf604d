"""When an indicator asks for an action plan, and when its plan may close (SPEC §2) (pure).

SPEC §2: an action plan is opened "when performance is not improving (an indicator Red, or
deteriorating two periods running)". The readings are an indicator's statuses at its own
frequency, oldest first, ending at its latest period with an activated value; each is the level
against target and the direction of travel against the previous period (SPEC §4).

Policy:
- Red (Basecamp) at the latest period asks for a plan, whatever the direction.
- Otherwise deteriorating at the latest period *and* at the one before asks for one; a period
  without a comparison (no previous value, year-to-date indicators) breaks the run.
- A plan's indicator has recovered when its two latest periods are each neither Red nor
  deteriorating, and each has a value: a period without a figure (No data, not yet activated)
  shows nothing, so it is not evidence of recovery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from performance.core import status
from performance.core.calculations import Direction, Level


class PlanReason(StrEnum):
    """Why an indicator asks for a plan: the values of `ActionPlanRequest.Reason`."""

    RED = "red"
    DETERIORATING = "deteriorating"


@dataclass(frozen=True, slots=True)
class Reading:
    """An indicator's status at one period: its figure, level and direction of travel."""

    period: str
    actual: Decimal | None
    level: Level | None
    direction: Direction


def _red(reading: Reading) -> bool:
    return reading.level is Level.BASECAMP


def needs_plan(readings: Sequence[Reading]) -> PlanReason | None:
    """Why the indicator asks for a plan at its latest reading, or None.

    `readings` oldest first; only the last two are read. An empty sequence, or a latest reading
    without a figure, asks for nothing (a plan answers performance that was measured).
    """
    if not readings or readings[-1].actual is None:
        return None
    latest = readings[-1]
    if _red(latest):
        return PlanReason.RED
    if len(readings) < 2 or readings[-2].actual is None:
        return None
    if (
        latest.direction is Direction.DETERIORATING
        and readings[-2].direction is Direction.DETERIORATING
    ):
        return PlanReason.DETERIORATING
    return None


def _well(reading: Reading) -> bool:
    return (
        reading.actual is not None
        and reading.level is not Level.NO_DATA
        and not _red(reading)
        and reading.direction is not Direction.DETERIORATING
    )


def recovered(readings: Sequence[Reading]) -> bool:
    """Whether the two latest readings are each neither Red nor deteriorating, with a figure."""
    return len(readings) >= 2 and _well(readings[-1]) and _well(readings[-2])


def latest_readings(facts: status.IndicatorFacts, data: status.IndicatorData) -> list[Reading]:
    """The readings `needs_plan` and `recovered` read: the period before the latest one with an
    activated value, and that latest one (empty when there is none). Computed by
    `status.brief_for`, as every list computes a status; the window counts as closed (a past
    period without a figure is No data)."""
    held = [text for text, observation in data.values.items() if observation.value is not None]
    if not held:
        return []
    latest = max((status.parsed(text) for text in held), key=lambda period: period.start)
    result = []
    for period in (latest.previous(), latest):
        brief = status.brief_for(facts, data, period, window_closed=True)
        result.append(Reading(str(period), brief.actual, brief.level, brief.dot_previous))
    return result
