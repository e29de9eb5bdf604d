"""The Complaint timescales and Complaints sheets."""

from __future__ import annotations

from typing import Any

from performance.common.tables import CellErrors, Table, date_cell
from performance.council.sheets import Context
from reach_summit import timescales
from reach_summit.council.cells import (
    TIMESCALES,
    duplicate,
    required,
    save,
    team_cell,
    teams_by_key,
    whole,
)
from reach_summit.models import (
    Complaint,
    ComplaintTimescale,
)

# --- Complaint timescales ---------------------------------------------------------------------------


def export_timescales() -> list[list[Any]]:
    return [[t.stage, t.working_days] for t in ComplaintTimescale.objects.order_by("stage")]


def check_timescales(table: Table, context: Context) -> tuple[dict[int, int], list[str]]:
    errors = CellErrors(table)
    found: dict[int, int] = {}
    first: dict[Any, int] = {}
    for row in table.rows:
        stage = whole(errors, row, "stage")
        days = whole(errors, row, "working_days")
        if stage is not None:
            duplicate(errors, row, "stage", stage, first)
        if stage is not None and days is not None:
            found[stage] = days
    return found, errors.messages


def apply_timescales(checked: dict[int, int], *, actor: Any, reason: str) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    existing = {t.stage: t for t in ComplaintTimescale.objects.all()}
    for stage, days in checked.items():
        save(
            counts,
            actor,
            reason,
            existing.get(stage),
            lambda **v: ComplaintTimescale(stage=stage, **v),  # noqa: B023 (called at once)
            working_days=days,
        )
    return counts[0], counts[1], counts[2]


# --- Complaints -----------------------------------------------------------------------------------


def export_complaints() -> list[list[Any]]:
    complaints = Complaint.objects.select_related("team").order_by("reference")
    return [
        [
            c.reference,
            c.team.name,
            c.stage,
            c.received.isoformat(),
            c.due.isoformat(),
            c.responded.isoformat() if c.responded else "",
        ]
        for c in complaints
    ]


def _stages(context: Context) -> set[int]:
    stages = set(timescales.DEFAULT_TIMESCALES) | set(
        ComplaintTimescale.objects.values_list("stage", flat=True)
    )
    table = context.tables.get(TIMESCALES)
    for row in table.rows if table else ():
        if row.get("stage").isdigit():
            stages.add(int(row.get("stage")))
    return stages


def check_complaints(table: Table, context: Context) -> tuple[list[dict[str, Any]], list[str]]:
    errors = CellErrors(table)
    stages = _stages(context)
    items: list[dict[str, Any]] = []
    first: dict[Any, int] = {}
    for row in table.rows:
        before = len(errors.messages)
        reference = required(errors, row, "reference")
        if len(reference) > 40:
            errors.add(row, "reference", f"{len(reference)} characters; at most 40 are allowed.")
        elif reference:
            duplicate(errors, row, "reference", reference, first)
        team = team_cell(errors, row, context)
        stage = whole(errors, row, "stage")
        received = date_cell(errors, row, "received", required=True)
        due = date_cell(errors, row, "due", required=False)
        responded = date_cell(errors, row, "responded", required=False)
        if stage is not None and due is None and stage not in stages:
            errors.add(
                row, "stage", f"no timescale for stage {stage}: give its due date or a timescale."
            )
        if received and responded and responded < received:
            errors.add(row, "responded", "the response is dated before the complaint was received.")
        if received and due and due < received:
            errors.add(row, "due", "the due date is before the complaint was received.")
        if len(errors.messages) == before:
            items.append(
                {
                    "reference": reference,
                    "team": team,
                    "stage": stage,
                    "received": received,
                    "due": due,
                    "responded": responded,
                }
            )
    return items, errors.messages


def apply_complaints(
    checked: list[dict[str, Any]], *, actor: Any, reason: str
) -> tuple[int, int, int]:
    counts = [0, 0, 0]
    teams = teams_by_key()
    scales = {
        **timescales.DEFAULT_TIMESCALES,
        **dict(ComplaintTimescale.objects.values_list("stage", "working_days")),
    }
    existing = {c.reference: c for c in Complaint.objects.all()}
    for item in checked:
        due = item["due"] or timescales.response_due(item["received"], item["stage"], scales)
        save(
            counts,
            actor,
            reason,
            existing.get(item["reference"]),
            lambda **v: Complaint(reference=item["reference"], **v),  # noqa: B023
            team=teams[item["team"].casefold()],
            stage=item["stage"],
            received=item["received"],
            due=due,
            responded=item["responded"],
        )
    return counts[0], counts[1], counts[2]
