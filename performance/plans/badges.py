"""How a plan status reads on the plan pages: an icon and a word (`Badge`), never colour alone.

Activity RAG ratings, strategic-action update statuses and action statuses share one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from performance.models import Action, ActivityProgress, StrategicActionUpdate

# value → (icon, word, css modifier); the icon is decorative, the word carries the meaning.
STATUS_DISPLAY: dict[str, tuple[str, str, str]] = {
    ActivityProgress.Rag.GREEN: ("✓", "Green", "green"),
    ActivityProgress.Rag.AMBER: ("!", "Amber", "amber"),
    ActivityProgress.Rag.RED: ("✕", "Red", "red"),
    StrategicActionUpdate.Status.ON_TRACK: ("✓", "On track", "green"),
    StrategicActionUpdate.Status.AT_RISK: ("!", "At risk", "amber"),
    StrategicActionUpdate.Status.OFF_TRACK: ("✕", "Off track", "red"),
    StrategicActionUpdate.Status.COMPLETE: ("★", "Complete", "done"),
    Action.Status.NOT_STARTED: ("○", "Not started", "grey"),
    Action.Status.IN_PROGRESS: ("◐", "In progress", "blue"),
    Action.Status.DONE: ("✓", "Done", "done"),
    Action.Status.OVERDUE: ("✕", "Overdue", "red"),
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
