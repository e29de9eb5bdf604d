"""The cells of Reach the Summit's council workbook sheets: names, columns and the helpers
that read a cell (naming its row and column) or write a row idempotently (audited)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from performance.common import audit
from performance.common.tables import CellErrors, Row, parse_number
from performance.core import periods
from performance.core.calculations import Level
from performance.council.sheets import Context
from performance.models import Team
from reach_summit import calculations

TIMESCALES = "Complaint timescales"
SCORECARDS = "Scorecards"
COMPLAINTS = "Complaints"
IMPROVEMENTS = "Improvements"
LEAGUE_TABLES = "League tables"

TIMESCALE_COLUMNS = ("stage", "working_days")
SCORECARD_COLUMNS = ("team", "year", "customer", "financial", "process")
COMPLAINT_COLUMNS = ("reference", "team", "stage", "received", "due", "responded")
IMPROVEMENT_COLUMNS = (
    "team",
    "quarter",
    "title",
    "description",
    "points",
    "approved_by",
    "approved_on",
)
LEAGUE_COLUMNS = (
    "quarter",
    "position",
    "team",
    "team_name",
    "rank",
    "joint",
    "customer",
    "financial",
    "process",
    "learning",
    "improvements",
    "late_complaints",
    "score",
    "award",
    "frozen_at",
    "top_decided_by",
    "recomputations",
    "last_reason",
    "explanation",
)
PERSPECTIVES = ("customer", "financial", "process")
LEVELS = [level.value for level in Level]
AWARDS = [award.value for award in calculations.Award]
TIE_BREAKS = [tie.value for tie in calculations.TieBreak]
LONDON = ZoneInfo("Europe/London")
YEAR_RE = re.compile(r"(\d{4})/(\d{2})")
QUARTER_RE = re.compile(r"(\d{4})/(\d{2}) Q([1-4])")
YES = {"yes": True, "no": False}


# --- shared helpers -------------------------------------------------------------------------------


def yes(value: bool) -> str:
    return "yes" if value else "no"


def number(value: Decimal) -> Decimal | int:
    return int(value) if value == value.to_integral_value() else value.normalize()


def teams_by_key() -> dict[str, Team]:
    """Teams by casefolded name and slug."""
    found: dict[str, Team] = {}
    for team in Team.objects.all():
        found.setdefault(team.name.casefold(), team)
        found.setdefault(team.slug.casefold(), team)
    return found


def people_by_key() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for user in get_user_model().objects.order_by("pk"):
        found.setdefault(user.username.casefold(), user)
        if user.email:
            found.setdefault(user.email.casefold(), user)
    return found


def required(errors: CellErrors, row: Row, column: str) -> str:
    text = row.get(column)
    if not text:
        errors.add(row, column, "a value is required.")
    return text


def team_cell(errors: CellErrors, row: Row, context: Context) -> str:
    text = required(errors, row, "team")
    if text and text.casefold() not in context.teams:
        errors.add(
            row, "team", f"team {text!r} is defined in no Teams sheet row and not in Summit."
        )
    return text


def whole(errors: CellErrors, row: Row, column: str, *, least: int = 1) -> int | None:
    text = required(errors, row, column)
    if not text:
        return None
    try:
        number = int(text.removesuffix(".0"))
    except ValueError:
        errors.add(row, column, f"{text!r} is not a whole number.")
        return None
    if number < least:
        errors.add(row, column, f"{number} is below {least}.")
        return None
    return number


def quarter_cell(errors: CellErrors, row: Row, column: str) -> periods.Period | None:
    text = required(errors, row, column)
    match = QUARTER_RE.fullmatch(text)
    if not text:
        return None
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        errors.add(row, column, f"{text!r} is not a quarter written like 2024/25 Q1.")
        return None
    return periods.Period.for_quarter(int(match[1]), int(match[3]))


def decimal_cell(errors: CellErrors, row: Row, column: str) -> Decimal | None:
    text = required(errors, row, column)
    if not text:
        return None
    try:
        # At the two places the models keep, so an unchanged 0.5 is not "changed" from 0.50.
        return parse_number(text, places=2).quantize(Decimal("0.01"))
    except ValueError as error:
        errors.add(row, column, f"{error}.")
        return None


def save(
    counts: list[int],
    actor: Any,
    reason: str,
    instance: Any,
    make: Any,
    *,
    unchecked: tuple[str, ...] = (),
    **values: Any,
) -> Any:
    """Create `make(**values)` (audited) or update `instance` with `values` (audited when
    anything changed); counts [created, changed, left alone]. `unchecked` fields may hold what
    the model's forms refuse but the database keeps (an approver who has left: empty)."""
    if instance is None:
        created = make(**values)
        created.full_clean(exclude=list(unchecked))
        created.save()
        audit.created(actor=actor, instance=created, fields=list(values), reason=reason)
        counts[0] += 1
        return created
    changed = audit.update(actor=actor, instance=instance, reason=reason, **values)
    counts[1 if changed is not None else 2] += 1
    return instance


def duplicate(errors: CellErrors, row: Row, column: str, key: Any, first: dict[Any, int]) -> None:
    if key in first:
        errors.add(row, column, f"{row.get(column)!r} is already in row {first[key]}.")
    first.setdefault(key, row.number)
