"""Reach the Summit's sheets of the council workbook (issue 18), registered on the kernel's
`hooks.COUNCIL_SHEETS` (the kernel may not import this app).

Applied in this order, after the kernel's sheets (whose teams, people and indicators they name):
- `Complaint timescales`: stage, working_days (the configured stages; others use SPEC §6's).
- `Scorecards`: team, year, customer, financial, process (indicator codes).
- `Complaints`: reference, team, stage, received, due, responded. `due` is carried as stored
  (worked out from the timescale in force when the complaint was recorded); empty, it is worked
  out from the timescales now.
- `Improvements`: team, quarter, title, description, points, approved_by, approved_on. An
  improvement has no key of its own: it is matched by its order within its team and quarter.
- `League tables`: the frozen snapshots, a row per team and quarter, exactly as frozen (docs/
  decisions.md: re-freezing from the imported data would not give the same table once data was
  corrected after a freeze). The `explanation` column is the row's explanation as JSON, with
  database ids replaced by what names them again in another database (the indicator's code, the
  improvement's number within its team and quarter).

Every applier leaves a row equal to what Summit holds alone and audits nothing for it.
"""

from __future__ import annotations

from performance.council.sheets import Sheet
from reach_summit.council import complaints, improvements, league_tables, scorecards
from reach_summit.council.cells import (
    AWARDS,
    COMPLAINT_COLUMNS,
    COMPLAINTS,
    IMPROVEMENT_COLUMNS,
    IMPROVEMENTS,
    LEAGUE_COLUMNS,
    LEAGUE_TABLES,
    LEVELS,
    SCORECARD_COLUMNS,
    SCORECARDS,
    TIMESCALE_COLUMNS,
    TIMESCALES,
)

__all__ = ["LEAGUE_COLUMNS", "council_sheets"]


# --- the hook's receiver --------------------------------------------------------------------------


def council_sheets() -> list[Sheet]:
    """Reach the Summit's sheets, in the order they are applied (each refers to those before)."""
    return [
        Sheet(
            TIMESCALES,
            TIMESCALE_COLUMNS,
            complaints.export_timescales,
            complaints.check_timescales,
            complaints.apply_timescales,
            about="Complaint timescales: stage and working_days to respond (stages without a row "
            "use 10 working days at stage 1 and 20 at stage 2).",
        ),
        Sheet(
            SCORECARDS,
            SCORECARD_COLUMNS,
            scorecards.export_scorecards,
            scorecards.check_scorecards,
            scorecards.apply_scorecards,
            about="Scorecards: team, year (2024/25) and the codes of the team's customer, "
            "financial and process indicators that score it in Reach the Summit that year.",
        ),
        Sheet(
            COMPLAINTS,
            COMPLAINT_COLUMNS,
            complaints.export_complaints,
            complaints.check_complaints,
            complaints.apply_complaints,
            about="Complaints: reference, team, stage, received, due and responded (YYYY-MM-DD); "
            "an empty due date is worked out from the stage's timescale.",
        ),
        Sheet(
            IMPROVEMENTS,
            IMPROVEMENT_COLUMNS,
            improvements.export_improvements,
            improvements.check_improvements,
            improvements.apply_improvements,
            about="Improvements: team, quarter (2024/25 Q1), title, description, points (0.5 "
            "by default), approved_by (a username) and approved_on; matched by their order "
            "within their team and quarter.",
        ),
        Sheet(
            LEAGUE_TABLES,
            LEAGUE_COLUMNS,
            league_tables.export_league_tables,
            league_tables.check_league_tables,
            league_tables.apply_league_tables,
            about="League tables: the frozen Reach the Summit tables, a row per team and "
            "quarter, as export_council wrote them (leave this sheet empty when starting out).",
            choices=dict.fromkeys(("customer", "financial", "process", "learning"), LEVELS)
            | {"award": AWARDS, "joint": ["yes", "no"]},
        ),
    ]
