"""The risk management report for the audit committee, and the risk section of the quarterly
report (SPEC §14).

Who reads what: a report read by a person (the page, its PDF and workbook, a PDF job) holds the
risks `Risk.objects.readable_by` lets that person read; a report built as the system (the
`render_report` command, publication) holds every risk. On top of that, a report for Cabinet or
Overview & Scrutiny reads as its members would: confidential risks never reach it; and a
published report (public at /public/) holds no confidential risk whatever its audience
(docs/decisions.md, "Risks (issue 17)").

"Since the last quarter": an event (a review, a new risk, a closure, a confirmed escalation)
counts for the quarter its date's review counts for (`core.risks.review_period`: the latest
quarter ended on that day), so the report for 2024/25 Q3 tells what happened in the review round
for Q3, held in Q4. A risk *moved* when its score at its latest review for the quarter differs
from its score at its latest review for the quarter before (or, without one, from the score its
first review for the quarter started from).
"""

from __future__ import annotations

import datetime as dt

from performance.core import risks as rules
from performance.core.periods import Period
from performance.models.visibility import User
from performance.reports.data import Audience, Column, Kind, Report, Section, Table
from performance.reports.selectors.common import _report
from performance.reports.selectors.risk_facts import Scope, risk_facts
from performance.reports.selectors.risk_tables import (
    REGISTER_COLUMNS,
    _above_table,
    _alerts_table,
    _movement_section,
    _open_data,
    _overdue_section,
    _register_row,
    _summary_table,
    _summary_words,
    heat_tables,
)
from performance.reports.selectors.scope import reader_team_ids
from performance.risks import selectors as risk_selectors


def _scope_note(scope: Scope) -> str:
    """Said on the cover when a person reads only some teams' risks (as indicator reports do)."""
    if scope.reader is not None and reader_team_ids(scope.reader) is not None:
        return "Showing the risks you may read only: your teams', council-wide ones and your own."
    return ""


def risk(
    *,
    period: Period,
    audience: Audience,
    today: dt.date | None = None,
    reader: User | None = None,
    public: bool = False,
    **_: object,
) -> Report:
    """The risk management report for the audit committee (SPEC §14)."""
    scope = Scope(audience=audience, reader=reader, public=public)
    facts = risk_facts(period=period, scope=scope, today=today)
    words = _summary_words(facts)
    corporate = [row for row in facts.rows if row.register == rules.Register.CORPORATE]
    sections = [
        Section(
            id="risk-summary",
            title="Summary",
            paragraphs=[words],
            tables=[_summary_table(facts), _alerts_table(facts)],
        ),
        Section(
            id="risk-corporate",
            title="The corporate risk register",
            paragraphs=[
                "Scores are likelihood × impact (1–25); the rating follows the council's bands; "
                "direction compares the current score with the score before the latest review."
            ],
            tables=[
                Table(
                    id="risk-corporate-table",
                    caption=f"Corporate risk register, {period}",
                    columns=REGISTER_COLUMNS,
                    rows=[_register_row(row) for row in corporate],
                    sheet="Corporate register",
                    note="" if corporate else "No open risk is on the corporate register.",
                )
            ],
        ),
        Section(
            id="risk-above",
            title="Risks above appetite",
            paragraphs=[
                "Each category's appetite is the highest current score the council accepts; "
                "these risks are above it, by the gap shown. A service, directorate, project or "
                "partnership risk above appetite is escalated one register up when a "
                "performance officer confirms."
            ],
            tables=[_above_table(facts)],
        ),
        _movement_section(facts),
        _overdue_section(facts),
        Section(
            id="risk-heat-map",
            title="Heat map of current scores",
            paragraphs=[
                "Likelihood runs from 5 (top) to 1; impact from 1 (left) to 5. Each cell gives "
                "the number of open risks with that current likelihood and impact, and the "
                "rating of the cell in words."
            ],
            tables=heat_tables(facts),
        ),
        Section(
            id="risk-register-all",
            title="All open risks",
            workbook_only=True,
            tables=[
                Table(
                    id="risk-all-table",
                    caption=f"Every open risk of the report, {period}",
                    columns=[Column("register", "Register"), *REGISTER_COLUMNS],
                    rows=[_register_row(row) for row in facts.rows],
                    sheet="All risks",
                    header_key="reference",
                    note="" if facts.rows else "No open risk.",
                )
            ],
        ),
    ]
    notes = [
        "Risks are scored likelihood × impact on a 5 × 5 matrix. A risk is above appetite when "
        "its current score is higher than its category's appetite."
    ]
    if not scope.confidential:
        notes.append(
            "Confidential risks (commercial, legal or staffing matters) are reported to "
            "Management Team only and are not in this report."
            if not public
            else "Confidential risks are not published."
        )
    return _report(
        Kind.RISK,
        audience,
        period,
        sections=sections,
        open_data=_open_data(facts),
        summary=[words],
        notes=notes,
        teams_note=_scope_note(scope),
    )


# --- the quarterly report's risk section ----------------------------------------------------

# The quarterly report lists at most this many risks above appetite, alerts and movements (a
# county's registers hold thousands of risks; the risk management report has them all).
QUARTERLY_MAX = 10


def quarterly_section(
    *,
    period: Period,
    audience: Audience,
    today: dt.date | None = None,
    reader: User | None = None,
    public: bool = False,
) -> Section:
    """A short risk section for the quarterly report: risks above appetite, key risk indicator
    alerts, movements on the corporate register and the heat map's counts. Cabinet's is the
    shortest (counts and the risks above appetite only)."""
    scope = Scope(audience=audience, reader=reader, public=public)
    facts = risk_facts(period=period, scope=scope, today=today, full=False)
    corporate_moves = [m for m in facts.movements if m.row.register == rules.Register.CORPORATE]
    heat = risk_selectors.heat_map(facts.rows, matrix=facts.matrix)
    filled = sorted(
        (cell for line in heat.grid for cell in line if cell.count),
        key=lambda c: (-c.score, -c.likelihood),
    )
    counts = "; ".join(
        f"{cell.count} at likelihood {cell.likelihood} × impact {cell.impact} "
        f"({rules.RATING_LABELS[cell.rating].lower()})"
        for cell in filled
    )
    paragraphs = [
        _summary_words(facts),
        f"Heat map of current scores: {counts}." if counts else "There is no open risk.",
    ]
    alerts = [
        f"{row.reference} {row.title}: "
        + ", ".join(
            f"{alert.indicator.code} {alert.get_reason_display().lower()} in {alert.period}"
            for alert in sorted(facts.alerts.get(row.id, []), key=lambda a: a.indicator.code)
        )
        for row in facts.with_alert
    ]
    moves = [
        f"{m.row.reference} {m.row.title}: {m.before} to {m.after} ({m.direction.value})"
        for m in corporate_moves
    ]
    items = []
    if audience is not Audience.CABINET:
        items = [f"Key risk indicator alert: {line}" for line in alerts[:QUARTERLY_MAX]] + [
            f"Corporate register movement: {line}" for line in moves[:QUARTERLY_MAX]
        ]
        more = max(len(alerts) - QUARTERLY_MAX, 0) + max(len(moves) - QUARTERLY_MAX, 0)
        if more:
            items.append(f"{more} more in the risk management report.")
    else:
        paragraphs.append(
            f"{len(alerts)} risks have a key risk indicator alert; "
            f"{len(corporate_moves)} corporate risks changed score at the reviews for {period}. "
            "The risk management report gives the detail."
        )
    above = _above_table(facts, table_id="quarterly-risk-above-table")
    above.sheet = "Risks above appetite"
    if len(above.rows) > QUARTERLY_MAX:
        above.note = (
            f"The {QUARTERLY_MAX} furthest above appetite of {len(above.rows)}; the risk "
            "management report lists every one."
        )
        above.rows = above.rows[:QUARTERLY_MAX]
    if audience is Audience.CABINET:
        keep = {"reference", "title", "current", "rating", "appetite", "gap"}
        above.columns = [c for c in above.columns if c.key in keep]
    return Section(
        id="risks",
        title="Risks",
        paragraphs=paragraphs,
        items=items,
        tables=[above],
    )
