"""The tables of the risk report (SPEC §14), from `RiskFacts`: plain data, no query."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from performance.core import risks as rules
from performance.core.periods import Period
from performance.models import (
    Risk,
)
from performance.reports.data import Column, Section, Table
from performance.reports.selectors.risk_facts import RATINGS, YES_NO, Movement, RiskFacts
from performance.risks import selectors as risk_selectors


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def _register_row(row: risk_selectors.RiskRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "title": row.title,
        "register": row.register_label,
        "category": row.category,
        "owner": row.owner_name,
        "inherent": row.inherent_score,
        "current": row.current_score,
        "target": row.target_score,
        "rating": row.rating.value,
        "appetite": "" if row.appetite is None else row.appetite,
        "above": YES_NO[row.above_appetite],
        "direction": row.direction.value,
        "review_due": _date(row.review_due),
        "kri_alert": YES_NO[row.kri_alert],
    }


REGISTER_COLUMNS = [
    Column("reference", "Ref"),
    Column("title", "Risk"),
    Column("category", "Category"),
    Column("owner", "Owner"),
    Column("inherent", "Inherent", "int"),
    Column("current", "Current", "int"),
    Column("target", "Target", "int"),
    Column("rating", "Rating", "rating"),
    Column("appetite", "Appetite", "int"),
    Column("direction", "Trend", "direction"),
    Column("review_due", "Review due"),
    Column("kri_alert", "Alert"),
]


def _summary_table(facts: RiskFacts) -> Table:
    above = Counter(row.rating.value for row in facts.above)
    alerts = Counter(row.rating.value for row in facts.with_alert)
    rows = [
        {
            "rating": code.value,
            "risks": facts.by_rating.get(code.value, 0),
            "above": above.get(code.value, 0),
            "alerts": alerts.get(code.value, 0),
        }
        for code in reversed(RATINGS)
    ]
    # The total row: a rating column shows a text that is not a rating code as it is.
    rows.append(
        {
            "rating": "All open risks",
            "risks": len(facts.rows),
            "above": len(facts.above),
            "alerts": len(facts.with_alert),
        }
    )
    return Table(
        id="risk-summary-table",
        caption=f"Open risks by current rating, {facts.period}",
        columns=[
            Column("rating", "Rating", "rating"),
            Column("risks", "Open risks", "int"),
            Column("above", "Above appetite", "int"),
            Column("alerts", "With a KRI alert", "int"),
        ],
        rows=rows,
        sheet="Summary",
    )


def _summary_words(facts: RiskFacts) -> str:
    counts = ", ".join(
        f"{facts.by_rating.get(code.value, 0)} {rules.RATING_LABELS[code].lower()}"
        for code in reversed(RATINGS)
    )
    return (
        f"{len(facts.rows)} open risks ({counts}); {len(facts.above)} above the council's "
        f"appetite; {len(facts.with_alert)} with a key risk indicator alert; "
        f"{len(facts.overdue_reviews)} reviews overdue."
    )


def _alerts_table(facts: RiskFacts) -> Table:
    rows = [
        {
            "reference": row.reference,
            "title": row.title,
            "indicator": alert.indicator.code,
            "indicator_title": alert.indicator.title,
            "period": alert.period,
            "reason": alert.get_reason_display(),
            "raised": _date(timezone.localtime(alert.raised_at).date()),
        }
        for row in facts.rows
        for alert in sorted(facts.alerts.get(row.id, []), key=lambda a: a.indicator.code)
    ]
    return Table(
        id="risk-alerts-table",
        caption="Key risk indicator alerts",
        columns=[
            Column("reference", "Ref"),
            Column("title", "Risk"),
            Column("indicator", "Indicator"),
            Column("indicator_title", "Indicator title"),
            Column("period", "Period"),
            Column("reason", "Why"),
            Column("raised", "Raised"),
        ],
        rows=rows,
        sheet="KRI alerts",
        note="" if rows else "No linked indicator is at Red or shows a concerning signal.",
    )


def _above_table(facts: RiskFacts, table_id: str = "risk-above-table") -> Table:
    rows = [
        {
            "reference": row.reference,
            "title": row.title,
            "register": row.register_label,
            "category": row.category,
            "owner": row.owner_name,
            "current": row.current_score,
            "rating": row.rating.value,
            "appetite": row.appetite,
            "gap": row.current_score - (row.appetite or 0),
            "escalation": "Waiting for a decision" if row.escalation_pending else "",
        }
        for row in sorted(
            facts.above, key=lambda r: (-(r.current_score - (r.appetite or 0)), r.reference)
        )
    ]
    columns = [
        Column("reference", "Ref"),
        Column("title", "Risk"),
        Column("register", "Register"),
        Column("category", "Category"),
        Column("owner", "Owner"),
        Column("current", "Current score", "int"),
        Column("rating", "Rating", "rating"),
        Column("appetite", "Appetite", "int"),
        Column("gap", "Above by", "int"),
    ]
    if any(row["escalation"] for row in rows):
        columns.append(Column("escalation", "Escalation"))
    return Table(
        id=table_id,
        caption=f"Risks above appetite, {facts.period}",
        columns=columns,
        rows=rows,
        sheet="Above appetite",
        note="" if rows else "No open risk is above the appetite for its category.",
    )


def _movements_table(
    movements: list[Movement], period: Period, table_id: str = "risk-movements-table"
) -> Table:
    rows = [
        {
            "reference": m.row.reference,
            "title": m.row.title,
            "register": m.row.register_label,
            "before": m.before,
            "after": m.after,
            "rating": m.row.rating.value,
            "direction": m.direction.value,
        }
        for m in movements
    ]
    return Table(
        id=table_id,
        caption=f"Scores changed at the reviews for {period}",
        columns=[
            Column("reference", "Ref"),
            Column("title", "Risk"),
            Column("register", "Register"),
            Column("before", f"Score at {period.previous()}", "int"),
            Column("after", f"Score at {period}", "int"),
            Column("rating", "Rating now", "rating"),
            Column("direction", "Direction", "direction"),
        ],
        rows=rows,
        sheet="Movements",
        note="" if rows else f"No risk's score changed at the reviews for {period}.",
    )


def _movement_section(facts: RiskFacts) -> Section:
    period = facts.period
    new_rows = [
        {
            "reference": row.reference,
            "title": row.title,
            "register": row.register_label,
            "owner": row.owner_name,
            "current": row.current_score,
            "rating": row.rating.value,
        }
        for row in facts.new
    ]
    closed_rows = [
        {
            "reference": c.reference,
            "title": c.title,
            "register": c.register,
            "owner": c.owner,
            "closed": _date(c.closed_on),
        }
        for c in facts.closed
    ]
    labels = dict(Risk.Register.choices)
    escalation_rows = [
        {
            "reference": e.risk.reference,
            "title": e.risk.title,
            "from": labels.get(e.from_register, e.from_register),
            "to": labels.get(e.to_register, e.to_register),
            "score": e.score,
            "appetite": e.appetite,
            "decided": _date(timezone.localtime(e.decided_at).date()) if e.decided_at else "",
        }
        for e in facts.escalations
    ]
    improving = sum(1 for m in facts.movements if m.direction is rules.Direction.IMPROVING)
    return Section(
        id="risk-movements",
        title="Movements since the last quarter",
        paragraphs=[
            f"What changed in the review round for {period} (held in {period.next()}), against "
            f"the reviews for {period.previous()}: {len(facts.movements)} scores changed "
            f"({improving} improving, {len(facts.movements) - improving} deteriorating), "
            f"{len(facts.new)} new risks, {len(facts.closed)} closed, "
            f"{len(facts.escalations)} escalations confirmed."
        ],
        tables=[
            _movements_table(facts.movements, period),
            Table(
                id="risk-new-table",
                caption=f"New risks, {period}",
                columns=[
                    Column("reference", "Ref"),
                    Column("title", "Risk"),
                    Column("register", "Register"),
                    Column("owner", "Owner"),
                    Column("current", "Current score", "int"),
                    Column("rating", "Rating", "rating"),
                ],
                rows=new_rows,
                sheet="New risks",
                note="" if new_rows else "No new risk was added.",
            ),
            Table(
                id="risk-closed-table",
                caption=f"Closed risks, {period}",
                columns=[
                    Column("reference", "Ref"),
                    Column("title", "Risk"),
                    Column("register", "Register"),
                    Column("owner", "Owner"),
                    Column("closed", "Closed"),
                ],
                rows=closed_rows,
                sheet="Closed risks",
                note="" if closed_rows else "No risk was closed.",
            ),
            Table(
                id="risk-escalations-table",
                caption=f"Escalations confirmed, {period}",
                columns=[
                    Column("reference", "Ref"),
                    Column("title", "Risk"),
                    Column("from", "From"),
                    Column("to", "To"),
                    Column("score", "Score", "int"),
                    Column("appetite", "Appetite", "int"),
                    Column("decided", "Confirmed"),
                ],
                rows=escalation_rows,
                sheet="Escalations",
                note="" if escalation_rows else "No escalation was confirmed.",
            ),
        ],
    )


def _overdue_section(facts: RiskFacts) -> Section:
    reviews = [
        {
            "reference": row.reference,
            "title": row.title,
            "owner": row.owner_name,
            "due": _date(row.review_due),
            "days": (facts.today - row.review_due).days if row.review_due else "",
        }
        for row in sorted(facts.overdue_reviews, key=lambda r: (r.review_due, r.reference))
    ]
    actions = [
        {
            "reference": a.reference,
            "action": a.description,
            "owner": a.owner,
            "due": _date(a.due),
            "days": (facts.today - a.due).days,
            "progress": a.progress,
            "linked": a.linked,
        }
        for a in facts.overdue_actions
    ]
    return Section(
        id="risk-overdue",
        title="Overdue reviews and actions",
        paragraphs=[
            f"As at {_date(facts.today)}: {len(reviews)} risk reviews and {len(actions)} "
            "mitigating actions are past their due date. Linked actions are read from the "
            "service plan or action plan that holds them."
        ],
        tables=[
            Table(
                id="risk-overdue-reviews-table",
                caption="Risk reviews overdue",
                columns=[
                    Column("reference", "Ref"),
                    Column("title", "Risk"),
                    Column("owner", "Owner"),
                    Column("due", "Review was due"),
                    Column("days", "Days overdue", "int"),
                ],
                rows=reviews,
                sheet="Overdue reviews",
                note="" if reviews else "Every risk has been reviewed on time.",
            ),
            Table(
                id="risk-overdue-actions-table",
                caption="Mitigating actions overdue",
                columns=[
                    Column("reference", "Ref"),
                    Column("action", "Action"),
                    Column("owner", "Owner"),
                    Column("due", "Due"),
                    Column("days", "Days overdue", "int"),
                    Column("progress", "Progress"),
                    Column("linked", "Linked to"),
                ],
                rows=actions,
                sheet="Overdue actions",
                header_key="action",
                note="" if actions else "No mitigating action is overdue.",
            ),
        ],
    )


def heat_tables(facts: RiskFacts, *, prefix: str = "risk-heat", cells: bool = True) -> list[Table]:
    """The 5 × 5 heat map of current scores as a table (likelihood rows from 5 down, impact
    columns 1 to 5; each cell its count and rating word), and the table of its filled cells."""
    heat = risk_selectors.heat_map(facts.rows, matrix=facts.matrix, which="current")
    matrix = facts.matrix
    columns = [Column("likelihood", "Likelihood")] + [
        Column(f"i{impact}", f"{impact} {matrix.impact_label(impact)}", "heat")
        for impact in range(rules.MIN_POINT, rules.MAX_POINT + 1)
    ]
    grid_rows = []
    for line in heat.grid:
        likelihood = line[0].likelihood
        row: dict[str, Any] = {"likelihood": f"{likelihood} {matrix.likelihood_label(likelihood)}"}
        for cell in line:
            row[f"i{cell.impact}"] = cell.count
            row[f"i{cell.impact}_rating"] = cell.rating.value
        grid_rows.append(row)
    tables = [
        Table(
            id=f"{prefix}-grid",
            caption=f"Heat map: open risks by current likelihood (rows) and impact (columns), "
            f"{facts.period}",
            columns=columns,
            rows=grid_rows,
            sheet="Heat map",
            note=f"{heat.total} open risks. Each cell shows how many risks sit there and the "
            "rating of its score (likelihood × impact).",
        )
    ]
    if cells:
        cell_rows = [
            {
                "score": cell.score,
                "likelihood": f"{cell.likelihood} {matrix.likelihood_label(cell.likelihood)}",
                "impact": f"{cell.impact} {matrix.impact_label(cell.impact)}",
                "rating": cell.rating.value,
                "count": cell.count,
                "risks": ", ".join(
                    r.reference for r in heat.by_cell.get((cell.likelihood, cell.impact), [])
                ),
            }
            for cell in sorted(
                (cell for line in heat.grid for cell in line if cell.count),
                key=lambda c: (-c.score, -c.likelihood),
            )
        ]
        tables.append(
            Table(
                id=f"{prefix}-cells",
                caption="The heat map's filled cells, highest score first",
                columns=[
                    Column("score", "Score", "int"),
                    Column("likelihood", "Likelihood"),
                    Column("impact", "Impact"),
                    Column("rating", "Rating", "rating"),
                    Column("count", "Risks", "int"),
                    Column("risks", "References"),
                ],
                rows=cell_rows,
                sheet="Heat map cells",
                note="" if cell_rows else "No open risk.",
            )
        )
    return tables


OPEN_DATA_COLUMNS = [
    Column("reference", "reference"),
    Column("title", "title"),
    Column("register", "register"),
    Column("category", "category"),
    Column("owner", "owner"),
    Column("inherent_score", "inherent_score", "int"),
    Column("current_score", "current_score", "int"),
    Column("target_score", "target_score", "int"),
    Column("rating", "rating"),
    Column("appetite", "appetite", "int"),
    Column("above_appetite", "above_appetite"),
    Column("direction", "direction"),
    Column("review_due", "review_due"),
    Column("linked_indicators", "linked_indicators"),
    Column("kri_alert", "kri_alert"),
]


def _open_data(facts: RiskFacts) -> Table:
    """The `risk_register` columns (SPEC §12) of the report's risks; the owner by name."""
    rows = [{**row.as_record(), "owner": row.owner_name} for row in facts.rows]
    return Table(
        id="open-data",
        caption=f"Risk register, {facts.period}",
        columns=OPEN_DATA_COLUMNS,
        rows=rows,
        sheet="Open data",
    )
