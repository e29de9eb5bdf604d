"""The Improvements sheet, matched by their order within their team and quarter."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from performance.common.tables import CellErrors, Table, date_cell
from performance.council.sheets import Context
from reach_summit.council.cells import (
    LONDON,
    decimal_cell,
    number,
    people_by_key,
    quarter_cell,
    required,
    save,
    team_cell,
    teams_by_key,
)
from reach_summit.models import (
    Improvement,
)

# --- Improvements ---------------------------------------------------------------------------------


def _improvements_in_order() -> list[Improvement]:
    """Every improvement, as the sheet lists them: by quarter, team, then approval order (id)."""
    return list(
        Improvement.objects.select_related("team", "approved_by").order_by(
            "quarter_start", "team__name", "id"
        )
    )


def export_improvements() -> list[list[Any]]:
    return [
        [
            i.team.name,
            i.quarter,
            i.title,
            i.description,
            number(i.points),
            i.approved_by.username if i.approved_by else "",
            timezone.localtime(i.approved_at, LONDON).date().isoformat(),
        ]
        for i in _improvements_in_order()
    ]


def check_improvements(table: Table, context: Context) -> tuple[list[dict[str, Any]], list[str]]:
    errors = CellErrors(table)
    items: list[dict[str, Any]] = []
    for row in table.rows:
        before = len(errors.messages)
        team = team_cell(errors, row, context)
        quarter = quarter_cell(errors, row, "quarter")
        title = required(errors, row, "title")
        if len(title) > 200:
            errors.add(row, "title", f"{len(title)} characters; at most 200 are allowed.")
        points = decimal_cell(errors, row, "points")
        if points is not None and points <= 0:
            errors.add(row, "points", f"{row.get('points')} is not above 0.")
        approver = row.get("approved_by")
        if approver and approver.casefold() not in context.people:
            errors.add(
                row, "approved_by", f"no person {approver!r} in the People sheet or in Summit."
            )
        approved_on = date_cell(errors, row, "approved_on", required=False)
        if len(errors.messages) == before:
            items.append(
                {
                    "team": team,
                    "quarter": quarter,
                    "title": title,
                    "description": row.get("description"),
                    "points": points,
                    "approved_by": approver,
                    "approved_on": approved_on,
                }
            )
    return items, errors.messages


def _approved_at(day: dt.date | None, had: dt.datetime | None) -> dt.datetime:
    """The approval time: kept when it falls on the sheet's day, else noon in London that day."""
    if day is None:
        return had or timezone.now()
    if had is not None and timezone.localtime(had, LONDON).date() == day:
        return had
    return dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)


def apply_improvements(
    checked: list[dict[str, Any]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = teams_by_key()
    people = people_by_key()
    existing: dict[tuple[int, str], list[Improvement]] = defaultdict(list)
    for improvement in Improvement.objects.order_by("id"):
        existing[(improvement.team_id, improvement.quarter)].append(improvement)
    position: dict[tuple[int, str], int] = defaultdict(int)
    for item in checked:
        team, quarter = teams[item["team"].casefold()], item["quarter"]
        key = (team.pk, str(quarter))
        index = position[key]
        position[key] += 1
        had = existing[key][index] if index < len(existing[key]) else None
        approver = people.get(item["approved_by"].casefold()) if item["approved_by"] else None
        if had is not None and approver is None:
            approver = had.approved_by  # an empty cell never takes an approver away
        saved = save(
            counts,
            actor,
            reason,
            had,
            lambda **v: Improvement(
                team=team,  # noqa: B023 (called at once, inside the loop)
                quarter=str(quarter),  # noqa: B023
                quarter_start=quarter.start,  # noqa: B023
                **v,
            ),
            title=item["title"],
            description=item["description"],
            points=item["points"],
            unchecked=("approved_by",),
            approved_by=approver,
        )
        when = _approved_at(item["approved_on"], had.approved_at if had else None)
        if saved.approved_at != when:
            # auto_now_add set it on creation: the sheet's day is the approval's, not today.
            Improvement.objects.filter(pk=saved.pk).update(approved_at=when)
    return counts[0], counts[1], counts[2]
