"""What the collection pages share: the status icons, the live status preview, a round or 404."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404

from performance.collection import rules
from performance.core import calculations, symbols
from performance.core.calculations import Direction, Level
from performance.models import CollectionRound, Indicator, Value

# The shapes come from the registry of symbols (`performance.core.symbols`, issue 19).
LEVEL_ICONS = {level: symbols.char("status", level) for level in Level}
DIRECTION_ICONS = {direction: symbols.char("direction", direction) for direction in Direction}
STATUS_ICONS = {
    "not_started": symbols.char("task", "not_started"),
    Value.Status.DRAFT: symbols.char("task", "draft"),
    Value.Status.SUBMITTED: symbols.char("task", "submitted"),
    Value.Status.RETURNED: symbols.char("task", "returned"),
    Value.Status.ACTIVATED: symbols.char("task", "done"),
    Value.Status.NO_DATA: symbols.char("task", "no_data"),
}


def status_preview(
    indicator: Indicator,
    *,
    value: Decimal | None,
    target: Decimal | None,
    previous: tuple[str, Decimal] | None,
    judgement: rules.Judgement | None = None,
    comment: str = "",
) -> dict:
    """What the live status shows: level, direction against the last period, comment needed.

    "Needed" is the comment rule failing for `comment` (what is stored or typed), as
    `rules.check_comment` judges it: a level or signal that asks for one and no comment.
    """
    if judgement is not None and judgement.status is not None:
        level = judgement.status.level
        direction = judgement.status.dot_previous
        variation = judgement.status.variation
        needs, why = judgement.needs_comment, judgement.why
    else:
        level = rules.level_of(indicator, value, target) if value is not None else None
        direction = (
            calculations.direction_of_travel(
                value, previous[1], indicator.polarity, indicator.decimals
            )
            if value is not None and previous
            else Direction.NONE
        )
        variation = None
        needs = level in (Level.FIRSTBASE, Level.BASECAMP)
        why = f"{level.rag.capitalize()} ({level.label})" if needs and level else ""
    return {
        "value": value,
        "level": level,
        "level_icon": LEVEL_ICONS.get(level, ""),
        "rag": level.rag.capitalize() if level and level != Level.NO_DATA else "",
        "direction": direction,
        "direction_icon": DIRECTION_ICONS[direction],
        "previous": previous,
        "variation": variation,
        "needs_comment": needs and not comment.strip(),
        "why": why,
        "has_target": target is not None and indicator.polarity != "none",
    }


def round_or_404(round_id: int) -> CollectionRound:
    return get_object_or_404(CollectionRound, pk=round_id)
