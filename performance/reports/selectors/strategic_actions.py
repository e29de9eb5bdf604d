"""The bi-annual progress report on the Strategic Plan's actions."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from performance.core import symbols
from performance.core.periods import Period
from performance.models import StrategicAction, StrategicActionUpdate
from performance.plans import selectors as plan_selectors
from performance.reports.data import Audience, Column, Kind, Report, Section, Table
from performance.reports.selectors.common import _bars, _person, _report

ACTION_STATUS = dict(StrategicActionUpdate.Status.choices)


def strategic_actions(*, period: Period, audience: Audience, **_: object) -> Report:
    """Bi-annual progress of the Strategic Plan's actions (SPEC §2), by priority."""
    plan = plan_selectors.current_plan()
    actions = (
        list(
            StrategicAction.objects.filter(outcome__priority__plan=plan)
            .select_related("outcome__priority", "owner")
            .order_by("outcome__priority__number", "outcome__number", "id")
        )
        if plan
        else []
    )
    updates = {
        u.action_id: u
        for u in StrategicActionUpdate.objects.filter(
            action__in=[a.id for a in actions], period=str(period)
        )
    }
    columns = [
        Column("action", "Action"),
        Column("outcome", "Outcome"),
        Column("owner", "Owner"),
        Column("due", "Due"),
        Column("status", "Status"),
        Column("percent_complete", "Complete", "percent"),
        Column("progress", "Progress"),
    ]
    rows_by_priority: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    all_rows = []
    for action in actions:
        update = updates.get(action.id)
        row: dict[str, Any] = {
            "action": action.title,
            "priority": f"{action.outcome.priority.number}. {action.outcome.priority.title}",
            "outcome": f"{action.outcome.priority.number}.{action.outcome.number} {action.outcome.title}",
            "owner": _person(action.owner),
            "due": f"{action.due_on:%-d %b %Y}" if action.due_on else "",
            "status": ACTION_STATUS[update.status] if update else "No update",
            "percent_complete": update.percent_complete if update else "",
            "progress": update.progress if update else "",
        }
        rows_by_priority[(action.outcome.priority.number, action.outcome.priority.title)].append(
            row
        )
        all_rows.append(row)
    counts = Counter(row["status"] for row in all_rows)
    legend = {
        "Complete": (f"{symbols.char('task', 'done')} Complete", "green"),
        "On track": (f"{symbols.char('status', 'green')} On track", "blue"),
        "At risk": (f"{symbols.char('status', 'amber')} At risk", "amber"),
        "Off track": (f"{symbols.char('status', 'red')} Off track", "red"),
        "No update": (f"{symbols.char('status', 'no_data')} No update", "grey"),
    }
    summary = (
        f"{len(all_rows)} strategic actions; at {period}: "
        + ", ".join(f"{counts.get(key, 0)} {key.lower()}" for key in legend)
        + "."
    )
    sections = [
        Section(
            id="summary",
            title="Summary",
            paragraphs=[summary],
            charts=[
                _bars("chart-actions", f"Strategic actions by status, {period}", counts, legend)
            ],
        )
    ]
    for (number, title), rows in sorted(rows_by_priority.items()):
        sections.append(
            Section(
                id=f"priority-{number}",
                title=f"Priority {number}: {title}",
                tables=[
                    Table(
                        id=f"actions-{number}",
                        caption=f"Strategic actions of priority {number}, {period}",
                        columns=columns,
                        rows=rows,
                        sheet=f"Priority {number}",
                    )
                ],
            )
        )
    if not all_rows:
        sections.append(
            Section(
                id="none", title="Actions", paragraphs=["The Strategic Plan has no actions yet."]
            )
        )
    open_columns = [Column("priority", "Priority"), *columns]
    return _report(
        Kind.STRATEGIC_ACTIONS,
        audience,
        period,
        sections=sections,
        open_data=Table(
            id="open-data",
            caption=f"Strategic actions, {period}",
            columns=open_columns,
            rows=all_rows,
            sheet="Open data",
        ),
        summary=[summary],
        notes=[
            "Progress is updated twice a year: at Q2 (requested 1 October) and Q4 (requested 1 April)."
        ],
    )
