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
from performance.core import charts, spc, symbols
from performance.core.calculations import Direction, Level
from performance.core.periods import Period
from performance.indicators import selectors


@dataclass(frozen=True, slots=True)
class Tag:
    """An icon (decorative, hidden from screen readers) and the words that carry the meaning."""

    icon: str
    label: str
    tone: str


def _tag(concept: str, key: object, tone: str, label: str | None = None) -> Tag:
    """A tag from the registry of symbols (`performance.core.symbols`, issue 19)."""
    found = symbols.get(concept, key)
    return Tag(found.char, found.word if label is None else label, tone)


LEVEL_TAGS: dict[Level | None, Tag] = {
    Level.SUMMIT: _tag("status", "green", "green"),
    Level.FIRSTBASE: _tag("status", "amber", "amber"),
    Level.BASECAMP: _tag("status", "red", "red"),
    Level.NO_DATA: _tag("status", "no_data", "grey"),
    None: _tag("status", "none", "none"),
}
# No level because no value has come in yet (the window is open), told apart from no level
# because there is no target to judge a value by (issue 19: "Not judged" meant both).
AWAITING_TAG = _tag("status", "pending", "none")


DIRECTION_TAGS: dict[Direction, Tag] = {
    direction: _tag("direction", direction, direction.value) for direction in Direction
}


VARIATION_TAGS: dict[spc.Variation, Tag] = {
    variation: _tag("variation", variation, variation.value, variation.label)
    for variation in spc.Variation
}


ASSURANCE_TAGS: dict[spc.Assurance, Tag] = {
    assurance: _tag("assurance", assurance, assurance.value.replace("_", "-"), assurance.label)
    for assurance in spc.Assurance
}


# The `status` codes of SPEC §12, used by the filter and in URLs.
STATUS_CHOICES = [
    (code, symbols.labelled("status", code))
    for code in ("green", "amber", "red", "no_data", "none")
]


DIRECTION_CHOICES = [
    (code, symbols.labelled("direction", code))
    for code in ("improving", "deteriorating", "stable", "none")
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
        level=AWAITING_TAG
        if found.level is None and found.actual is None
        else LEVEL_TAGS[found.level],
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
