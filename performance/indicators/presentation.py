"""How an indicator's status reads on every page that lists indicators: the list, the home
dashboard and the indicator page.

Tags (an icon and words, never colour alone) for levels, directions, SPC variation and assurance;
the status and direction codes of the filters (SPEC §12); `readable_statuses`, the statuses of the
indicators a person may read; `Row`s formatted for a table; counts by status and direction, and
the bar chart of the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from performance.common import access
from performance.core import charts, spc
from performance.core.calculations import Direction, Level
from performance.core.periods import Period
from performance.indicators import selectors


@dataclass(frozen=True, slots=True)
class Tag:
    """An icon (decorative, hidden from screen readers) and the words that carry the meaning."""

    icon: str
    label: str
    tone: str


LEVEL_TAGS: dict[Level | None, Tag] = {
    Level.SUMMIT: Tag("✔", "Summit (Green)", "green"),
    Level.FIRSTBASE: Tag("▲", "Firstbase (Amber)", "amber"),
    Level.BASECAMP: Tag("✖", "Basecamp (Red)", "red"),
    Level.NO_DATA: Tag("?", "No data", "grey"),
    None: Tag("–", "Not rated", "none"),
}


DIRECTION_TAGS: dict[Direction, Tag] = {
    Direction.IMPROVING: Tag("↑", "Improving", "improving"),
    Direction.DETERIORATING: Tag("↓", "Deteriorating", "deteriorating"),
    Direction.STABLE: Tag("→", "Stable", "stable"),
    Direction.NONE: Tag("–", "No comparison", "none"),
}


VARIATION_TAGS: dict[spc.Variation, Tag] = {
    spc.Variation.COMMON: Tag("≈", spc.Variation.COMMON.label, "common"),
    spc.Variation.IMPROVING: Tag("★", spc.Variation.IMPROVING.label, "improving"),
    spc.Variation.CONCERNING: Tag("!", spc.Variation.CONCERNING.label, "concerning"),
    spc.Variation.NEUTRAL: Tag("◇", spc.Variation.NEUTRAL.label, "neutral"),
    spc.Variation.NONE: Tag("–", spc.Variation.NONE.label, "none"),
}


ASSURANCE_TAGS: dict[spc.Assurance, Tag] = {
    spc.Assurance.PASS: Tag("P", spc.Assurance.PASS.label, "pass"),
    spc.Assurance.FAIL: Tag("F", spc.Assurance.FAIL.label, "fail"),
    spc.Assurance.HIT_AND_MISS: Tag("H", spc.Assurance.HIT_AND_MISS.label, "hit-and-miss"),
    spc.Assurance.NONE: Tag("–", spc.Assurance.NONE.label, "none"),
}


# The `status` codes of SPEC §12, used by the filter and in URLs.
STATUS_CHOICES = [
    ("green", "✔ Summit (Green)"),
    ("amber", "▲ Firstbase (Amber)"),
    ("red", "✖ Basecamp (Red)"),
    ("no_data", "? No data"),
    ("none", "– Not rated"),
]


DIRECTION_CHOICES = [
    ("improving", "↑ Improving"),
    ("deteriorating", "↓ Deteriorating"),
    ("stable", "→ Stable"),
    ("none", "– No comparison"),
]


STATUS_TAGS = {
    "green": LEVEL_TAGS[Level.SUMMIT],
    "amber": LEVEL_TAGS[Level.FIRSTBASE],
    "red": LEVEL_TAGS[Level.BASECAMP],
    "no_data": LEVEL_TAGS[Level.NO_DATA],
    "none": LEVEL_TAGS[None],
}


BAR_TONES = {"green": "green", "amber": "amber", "red": "red", "no_data": "grey", "none": "none"}


def level_tag(level: Level | None) -> Tag:
    return LEVEL_TAGS[level]


def readable_statuses(user, period: Period, *, today: dt.date) -> list[selectors.IndicatorStatus]:
    """Active indicators `user` may read, with their status for `period`, ordered by code.

    The statuses are computed once for every reader (`selectors.period_statuses`, cached) and
    filtered here: everything for officers and members, else the indicators of their teams.
    """
    items = selectors.period_statuses(period, today=today)
    teams = access.readable_team_ids(user)
    if teams is None:
        return list(items)
    return [item for item in items if item.team_id in teams]


@dataclass(frozen=True, slots=True)
class Row:
    """One indicator's line in a list: its figures for a period, formatted for reading."""

    indicator: selectors.IndicatorStatus
    reports: bool  # False when the indicator does not report at the period's frequency
    value: str
    target: str
    level: Tag
    direction: Tag
    status_code: str
    direction_code: str

    @property
    def attention(self) -> bool:
        """Red, or deteriorating: where an action plan may be needed (SPEC §2)."""
        return self.status_code == "red" or self.direction_code == "deteriorating"


def row_for(item: selectors.IndicatorStatus) -> Row:
    found = item.status
    if found is None:
        return Row(
            item, False, "–", "–", LEVEL_TAGS[None], DIRECTION_TAGS[Direction.NONE], "none", "none"
        )
    return Row(
        indicator=item,
        reports=True,
        value=charts.format_value(found.actual, item.decimals, item.unit),
        target=charts.format_value(found.target, item.decimals, item.unit),
        level=LEVEL_TAGS[found.level],
        direction=DIRECTION_TAGS[found.dot_previous],
        status_code=found.status,
        direction_code=found.dot_previous.value,
    )


def rows_for(items) -> list[Row]:
    """Formatted rows of `items` (`selectors.IndicatorStatus`), in the order given: format
    only what a page shows."""
    return [row_for(item) for item in items]


def level_counts(items) -> list[tuple[str, Tag, int]]:
    """(status code, tag, count) for every status, in the order of STATUS_CHOICES, counting the
    `items` (rows or `selectors.IndicatorStatus`) that report at the period."""
    counts = dict.fromkeys((code for code, _ in STATUS_CHOICES), 0)
    for item in items:
        if item.reports:
            counts[item.status_code] += 1
    return [(code, STATUS_TAGS[code], count) for code, count in counts.items()]


def direction_counts(items) -> list[tuple[str, Tag, int]]:
    counts = dict.fromkeys((code for code, _ in DIRECTION_CHOICES), 0)
    for item in items:
        if item.reports:
            counts[item.direction_code] += 1
    return [(code, DIRECTION_TAGS[Direction(code)], count) for code, count in counts.items()]


def rag_chart(counted: list[tuple[str, Tag, int]], *, chart_id: str, title: str) -> str:
    """A bar chart of `level_counts`, described in words for screen readers."""
    words = "; ".join(f"{tag.label}: {count}" for _, tag, count in counted)
    return charts.bar_chart(
        charts.BarChart(
            chart_id=chart_id,
            title=title,
            description=f"Number of indicators at each status. {words}.",
            bars=[
                charts.Bar(f"{tag.icon} {tag.label}", count, BAR_TONES[code])
                for code, tag, count in counted
            ],
        )
    )
