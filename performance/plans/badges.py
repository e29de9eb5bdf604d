"""How a plan status reads on the plan pages: an icon and a word (`Badge`), never colour alone.

Activity RAG ratings, strategic-action update statuses and action statuses share one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from performance.core import symbols
from performance.models import Action, ActivityProgress, StrategicActionUpdate

# value → (icon, word, css modifier); the icon is decorative, the word carries the meaning.
# RAG ratings are status levels and actions are tasks: their shapes come from the registry of
# symbols (`performance.core.symbols`, issue 19), the same as on every other page.
STATUS_DISPLAY: dict[str, tuple[str, str, str]] = {
    ActivityProgress.Rag.GREEN: (symbols.char("status", "green"), "Green", "green"),
    ActivityProgress.Rag.AMBER: (symbols.char("status", "amber"), "Amber", "amber"),
    ActivityProgress.Rag.RED: (symbols.char("status", "red"), "Red", "red"),
    StrategicActionUpdate.Status.ON_TRACK: (symbols.char("status", "green"), "On track", "green"),
    StrategicActionUpdate.Status.AT_RISK: (symbols.char("status", "amber"), "At risk", "amber"),
    StrategicActionUpdate.Status.OFF_TRACK: (symbols.char("status", "red"), "Off track", "red"),
    StrategicActionUpdate.Status.COMPLETE: (symbols.char("task", "done"), "Complete", "done"),
    Action.Status.NOT_STARTED: (symbols.char("task", "not_started"), "Not started", "grey"),
    Action.Status.IN_PROGRESS: (symbols.char("task", "in_progress"), "In progress", "blue"),
    Action.Status.DONE: (symbols.char("task", "done"), "Done", "done"),
    Action.Status.OVERDUE: (symbols.char("task", "overdue"), "Overdue", "red"),
}


@dataclass(frozen=True)
class Badge:
    icon: str
    word: str
    modifier: str


def badge(value: str | None) -> Badge | None:
    if not value or value not in STATUS_DISPLAY:
        return None
    return Badge(*STATUS_DISPLAY[value])
