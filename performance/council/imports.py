"""import_council: a council workbook read, checked whole, then applied in one transaction.

`import_council(path=..., actor=..., dry_run=...)`:

1. Reads every sheet (`performance.council.SHEETS`, found by name; a missing one is an error).
   A sheet with a header and no rows is allowed: it changes nothing.
2. Checks every sheet before anything is written: each row's cells, duplicates within a sheet,
   and the references between sheets (a team, service, person, outcome, indicator or priority
   named in one sheet must be defined in its own sheet or already be in Summit). Every problem
   is named by sheet, row and column, and all are raised together as one `ImportRejected`.
3. Applies the sheets in one transaction, in `SHEETS` order, through the audited import services
   of each kind (`people_imports`, `indicators.imports`, `collection.imports`, `risks.imports`)
   and, for teams and the plans, audited writes here. A rejection by any service rolls the
   whole workbook back. `dry_run` applies and then rolls back, to count what would change.

The sheets the single-kind imports read are handed to them as CSV files of the cells as text
(a temporary directory), so each kind keeps one reader and its rules.

Idempotent: a row equal to what Summit has is left alone and audited nowhere, so the same
workbook imported twice changes nothing the second time. Items of a list without a key of their
own (measures and actions of an outcome, activities of an objective, milestones of an activity)
are matched by their position in that list; the import adds and updates, it never deletes.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils.text import slugify

from performance.collection import imports as value_imports
from performance.common import audit
from performance.common.tables import (
    CellErrors,
    ImportRejected,
    Row,
    Table,
    parse_number,
    read_table,
)
from performance.common.tables import _cell_text as cell_text
from performance.council import (
    COLUMNS,
    INDICATOR_OPTIONAL_COLUMNS,
    INDICATORS,
    PEOPLE,
    PLAN,
    RISKS,
    SERVICE_PLANS,
    SHEETS,
    TEAMS,
    VALUES,
)
from performance.indicators import imports as indicator_imports
from performance.manage import people_imports
from performance.models import (
    Activity,
    Directorate,
    Indicator,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    RiskCategory,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicPlan,
    Team,
    Value,
)
from performance.risks import imports as risk_imports

__all__ = ["CouncilImport", "ImportRejected", "import_council", "read_sheets"]

_YEAR = re.compile(r"(\d{4})/(\d{2})")
_OUTCOME_REF = re.compile(r"(\d{4}/\d{2})\s+(\d+)\.(\d+)")
_TARGET_RE = re.compile(r"target\s+(.*)", re.IGNORECASE)
_YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False, "": True}


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} changed, {self.unchanged} left alone"


@dataclass(slots=True)
class CouncilImport:
    """What an import did (or, with `dry_run`, would do), sheet by sheet."""

    file_name: str
    dry_run: bool = False
    sheets: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SHEETS})
    # Targets of the Indicators sheet (created, changed; those left alone are not counted).
    targets: Counts = field(default_factory=Counts)

    @property
    def changed(self) -> bool:
        counts = [*self.sheets.values(), self.targets]
        return any(c.created or c.updated for c in counts)

    def lines(self) -> list[str]:
        lines = [f"{sheet}: {self.sheets[sheet]}." for sheet in SHEETS]
        lines.append(f"Targets: {self.targets.created} created, {self.targets.updated} changed.")
        return lines


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --- reading the workbook ------------------------------------------------------------------------


def read_sheets(path: str | Path) -> tuple[str, dict[str, list[list[str]]]]:
    """(file name, each sheet's rows of cell text, the header first); a missing sheet, an
    unreadable file or a file of another type is an `ImportRejected`."""
    path = Path(path)
    name = path.name
    if path.suffix.lower() != ".xlsx":
        raise ImportRejected([f"{name} is not an Excel workbook (.xlsx)."])
    if not path.is_file():
        raise ImportRejected([f"{path} does not exist."])
    import openpyxl  # noqa: PLC0415 (heavy; only a workbook needs it)

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise ImportRejected([f"{name} is not a readable Excel workbook (.xlsx)."]) from None
    try:
        by_name = {sheet.title.strip().casefold(): sheet for sheet in workbook.worksheets}
        missing = [sheet for sheet in SHEETS if sheet.casefold() not in by_name]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise ImportRejected(
                [
                    f"{name}: missing sheet{plural} {', '.join(missing)} (a council workbook "
                    f"has the sheets {', '.join(SHEETS)}; a sheet may have a header alone)."
                ]
            )
        sheets = {}
        for sheet in SHEETS:
            rows = by_name[sheet.casefold()].iter_rows(values_only=True)
            sheets[sheet] = [[cell_text(value) for value in row] for row in rows]
        return name, sheets
    finally:
        workbook.close()


def _in_sheet(sheet: str, messages: list[str]) -> list[str]:
    """'Row 7, column team: …' of a sheet's file → 'Sheet People, row 7, column team: …'."""
    result = []
    for message in messages:
        if message.startswith(("Row ", "Header row")):
            result.append(f"Sheet {sheet}, {message[0].lower()}{message[1:]}")
        else:
            result.append(f"Sheet {sheet}: {message}")
    return result


def _has_rows(rows: list[list[str]]) -> bool:
    return any(any(cell.strip() for cell in row) for row in rows[1:])


def _write_csv(directory: Path, stem: str, sheet: str, rows: list[list[str]]) -> Path:
    path = directory / f"{stem} - {sheet}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# --- checking: what each sheet defines and refers to ----------------------------------------------


@dataclass
class _Known:
    """Names defined by the workbook or already in Summit, casefolded, for cross-sheet checks."""

    teams: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    outcomes: set[str] = field(default_factory=set)  # "2024/25 1.2"
    priorities: set[str] = field(default_factory=set)  # "2024/25 1"
    service_plans: set[str] = field(default_factory=set)  # "service|2024/25"


def _known_in_summit() -> _Known:
    known = _Known()
    for name, slug in Team.objects.values_list("name", "slug"):
        known.teams |= {name.casefold(), slug.casefold()}
    known.services = {name.casefold() for name in Service.objects.values_list("name", flat=True)}
    for username, email in get_user_model().objects.values_list("username", "email"):
        known.people.add(username.casefold())
        if email:
            known.people.add(email.casefold())
    known.indicators = {c.casefold() for c in Indicator.objects.values_list("code", flat=True)}
    for year, p, o in Outcome.objects.values_list(
        "priority__plan__first_year", "priority__number", "number"
    ):
        known.outcomes.add(f"{_fy(year)} {p}.{o}")
    for year, p in Priority.objects.values_list("plan__first_year", "number"):
        known.priorities.add(f"{_fy(year)} {p}")
    for service, year in ServicePlan.objects.values_list("service__name", "year"):
        known.service_plans.add(f"{service.casefold()}|{year}")
    return known


def _fy(first_year: int) -> str:
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def _year(errors: CellErrors, row: Row, column: str) -> int | None:
    text = row.get(column)
    match = _YEAR.fullmatch(text)
    if not text:
        errors.add(row, column, "a value is required.")
    elif not match or (int(match[1]) + 1) % 100 != int(match[2]):
        errors.add(row, column, f"{text!r} is not a financial year written like 2024/25.")
    else:
        return int(match[1])
    return None


def _date(errors: CellErrors, row: Row, column: str, *, required: bool = False) -> dt.date | None:
    text = row.get(column)
    if not text:
        if required:
            errors.add(row, column, "a value is required.")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(row, column, f"{text!r} is not a date written YYYY-MM-DD.")
        return None


def _whole(errors: CellErrors, row: Row, column: str, text: str) -> int | None:
    if text.isdigit() and 0 < int(text) < 32768:
        return int(text)
    errors.add(row, column, f"{text!r} is not a whole number from 1.")
    return None


def _text(errors: CellErrors, row: Row, column: str, limit: int, *, required: bool) -> str:
    text = row.get(column)
    if required and not text:
        errors.add(row, column, "a value is required.")
    elif len(text) > limit:
        errors.add(row, column, f"{len(text)} characters; at most {limit} are allowed.")
    return text


def _person(errors: CellErrors, row: Row, column: str, known: _Known) -> str:
    text = row.get(column)
    if text and text.casefold() not in known.people:
        errors.add(
            row, column, f"no person {text!r} in the People sheet or in Summit (username or email)."
        )
    return text


@dataclass(frozen=True, slots=True)
class _TeamIn:
    name: str
    slug: str
    directorate: str
    service: str
    service_head: str
    team_head: str
    active: bool


def _check_teams(table: Table, known: _Known) -> tuple[list[_TeamIn], list[str]]:
    errors = CellErrors(table)
    items: list[_TeamIn] = []
    first: dict[str, int] = {}
    heads: dict[str, tuple[str, int]] = {}
    for row in table.rows:
        before = len(errors.messages)
        name = _text(errors, row, "name", 120, required=True)
        slug = row.get("slug") or slugify(name)
        if slug != slugify(slug):
            errors.add(row, "slug", f"{slug!r} may contain only letters, digits, - and _.")
        directorate = _text(errors, row, "directorate", 120, required=True)
        service = _text(errors, row, "service", 120, required=False)
        service_head = _person(errors, row, "service_head", known)
        team_head = _person(errors, row, "team_head", known)
        if service_head and not service:
            errors.add(row, "service_head", "a service head needs a service.")
        if service:
            said = heads.setdefault(service.casefold(), (service_head, row.number))
            if said[0].casefold() != service_head.casefold():
                errors.add(
                    row,
                    "service_head",
                    f"row {said[1]} gives service {service!r} the head {said[0] or '(none)'!r}.",
                )
        active = row.get("active").casefold()
        if active not in _YES:
            errors.add(row, "active", f"{row.get('active')!r} is not yes or no.")
        for column, key in (("name", name.casefold()), ("slug", slug.casefold())):
            if key and f"{column}:{key}" in first:
                errors.add(row, column, f"{key!r} is already in row {first[f'{column}:{key}']}.")
            first.setdefault(f"{column}:{key}", row.number)
        if len(errors.messages) == before:
            items.append(
                _TeamIn(name, slug, directorate, service, service_head, team_head, _YES[active])
            )
    return items, errors.messages


def _check_references(
    table: Table, column: str, names: set[str], *, what: str, sheet: str, split: bool = False
) -> list[str]:
    """Every `column` cell of `table` (split at `;` when `split`) is one of `names`."""
    errors = CellErrors(table)
    if column not in table.headers:
        return []
    for row in table.rows:
        text = row.get(column)
        parts = [p.strip() for p in text.split(";")] if split else [text]
        for part in parts:
            if part and part.casefold() not in names:
                errors.add(
                    row,
                    column,
                    f"{what} {part!r} is defined in no {sheet} sheet row and not in Summit.",
                )
    return errors.messages


@dataclass(frozen=True, slots=True)
class _PlanIn:
    year: int
    level: str
    priority: int | None
    outcome: int | None
    title: str
    description: str
    indicator: str
    owner: str
    due_on: dt.date | None
    community_strategy: str
    financial_strategy: str


def _check_plan(table: Table, known: _Known) -> tuple[list[_PlanIn], list[str]]:
    errors = CellErrors(table)
    items: list[_PlanIn] = []
    first: dict[str, int] = {}
    plans = {p.split()[0] for p in known.priorities}
    plans |= {_fy(y) for y in StrategicPlan.objects.values_list("first_year", flat=True)}
    priorities = set(known.priorities)
    outcomes = set(known.outcomes)
    for row in table.rows:
        before = len(errors.messages)
        year = _year(errors, row, "plan")
        level = row.get("level").casefold()
        ref = row.get("ref")
        priority = outcome = None
        fy = _fy(year) if year else ""
        if level not in ("plan", "priority", "outcome", "measure", "action"):
            errors.add(
                row,
                "level",
                f"{row.get('level')!r} is not plan, priority, outcome, measure or action.",
            )
        elif level == "plan":
            _text(errors, row, "title", 200, required=True)
            _text(errors, row, "description", 100_000, required=True)
            plans.add(fy)
        else:
            parts = ref.split(".")
            wanted = 1 if level == "priority" else 2
            if len(parts) != wanted or not all(p.isdigit() and int(p) > 0 for p in parts):
                shape = "a priority number like 1" if wanted == 1 else "an outcome like 1.2"
                errors.add(row, "ref", f"{ref!r} is not {shape}.")
            else:
                priority = int(parts[0])
                outcome = int(parts[1]) if wanted == 2 else None
                if year and fy not in plans:
                    errors.add(row, "plan", f"no plan {fy} is defined above this row or in Summit.")
                if level == "priority":
                    priorities.add(f"{fy} {priority}")
                elif level == "outcome":
                    if f"{fy} {priority}" not in priorities:
                        errors.add(
                            row, "ref", f"outcome {ref} points at no priority {priority} of {fy}."
                        )
                    outcomes.add(f"{fy} {ref}")
                elif f"{fy} {ref}" not in outcomes:
                    errors.add(row, "ref", f"{level} points at no outcome {ref} of {fy}.")
            if level in ("priority", "outcome", "action"):
                _text(errors, row, "title", 250 if level != "priority" else 200, required=True)
            if level == "measure":
                _text(errors, row, "description", 300, required=True)
            if level in ("priority", "outcome") and ref:
                key = f"{fy} {level} {ref}"
                if key in first:
                    errors.add(row, "ref", f"{level} {ref} of {fy} is already in row {first[key]}.")
                first.setdefault(key, row.number)
        if level == "plan" and year:
            key = f"{fy} plan"
            if key in first:
                errors.add(row, "plan", f"plan {fy} is already in row {first[key]}.")
            first.setdefault(key, row.number)
        indicator = row.get("indicator")
        if indicator and indicator.casefold() not in known.indicators:
            errors.add(
                row,
                "indicator",
                f"indicator {indicator!r} is in no Indicators row and not in Summit.",
            )
        owner = _person(errors, row, "owner", known)
        due_on = _date(errors, row, "due_on")
        if len(errors.messages) == before and year is not None:
            items.append(
                _PlanIn(
                    year=year,
                    level=level,
                    priority=priority,
                    outcome=outcome,
                    title=row.get("title"),
                    description=row.get("description"),
                    indicator=indicator,
                    owner=owner,
                    due_on=due_on,
                    community_strategy=row.get("community_strategy"),
                    financial_strategy=row.get("financial_strategy"),
                )
            )
    known.outcomes = outcomes
    return items, errors.messages


@dataclass(frozen=True, slots=True)
class _ServicePlanIn:
    service: str
    year: str
    level: str
    objective: int | None
    activity: int | None  # a milestone's activity, counted from 1 within its objective
    title: str
    status: str
    summary: str
    outcome: str
    owner: str
    due_on: dt.date | None
    met_on: dt.date | None


def _check_service_plans(table: Table, known: _Known) -> tuple[list[_ServicePlanIn], list[str]]:
    errors = CellErrors(table)
    items: list[_ServicePlanIn] = []
    plans = set(known.service_plans)
    objectives: set[str] = set()
    activities: dict[str, int] = defaultdict(int)
    first: dict[str, int] = {}
    statuses = ServicePlan.Status.values
    for row in table.rows:
        before = len(errors.messages)
        service = _text(errors, row, "service", 120, required=True)
        if service and service.casefold() not in known.services:
            errors.add(row, "service", f"service {service!r} is in no Teams row and not in Summit.")
        year = _year(errors, row, "year")
        fy = _fy(year) if year else ""
        plan_key = f"{service.casefold()}|{fy}"
        level = row.get("level").casefold()
        ref = row.get("ref")
        objective = activity = None
        status = row.get("status").casefold() or ServicePlan.Status.DRAFT
        outcome = row.get("outcome")
        if level not in ("plan", "objective", "activity", "milestone"):
            errors.add(
                row, "level", f"{row.get('level')!r} is not plan, objective, activity or milestone."
            )
        elif level == "plan":
            if status not in statuses:
                errors.add(
                    row, "status", f"{row.get('status')!r} is not one of {', '.join(statuses)}."
                )
            if plan_key in first:
                errors.add(
                    row, "year", f"the plan of {service} {fy} is already in row {first[plan_key]}."
                )
            first.setdefault(plan_key, row.number)
            plans.add(plan_key)
        else:
            if year and plan_key not in plans:
                errors.add(
                    row, "year", f"no plan of {service} for {fy} is above this row or in Summit."
                )
            parts = ref.split(".")
            wanted = 2 if level == "milestone" else 1
            if len(parts) != wanted or not all(p.isdigit() and int(p) > 0 for p in parts):
                shape = (
                    "objective.activity like 1.2" if wanted == 2 else "an objective number like 1"
                )
                errors.add(row, "ref", f"{ref!r} is not {shape}.")
            else:
                objective = int(parts[0])
                key = f"{plan_key}|{objective}"
                if level == "objective":
                    if key in objectives:
                        errors.add(
                            row, "ref", f"objective {objective} is already above in this plan."
                        )
                    objectives.add(key)
                elif key not in objectives:
                    errors.add(row, "ref", f"{level} points at no objective {objective} above it.")
                elif level == "activity":
                    activities[key] += 1
                else:
                    activity = int(parts[1])
                    if activity > activities[key]:
                        errors.add(
                            row,
                            "ref",
                            f"objective {objective} has no activity {activity} above this row.",
                        )
            _text(errors, row, "title", 250, required=True)
            if level in ("objective", "activity"):
                if not outcome:
                    errors.add(row, "outcome", "a value is required (an outcome like 2024/25 1.2).")
                elif not _OUTCOME_REF.fullmatch(outcome):
                    errors.add(row, "outcome", f"{outcome!r} is not an outcome like 2024/25 1.2.")
                elif " ".join(outcome.split()) not in known.outcomes:
                    errors.add(
                        row, "outcome", f"outcome {outcome!r} is in no Plan row and not in Summit."
                    )
        owner = _person(errors, row, "owner", known)
        due_on = _date(errors, row, "due_on", required=level == "milestone")
        met_on = _date(errors, row, "met_on")
        if len(errors.messages) == before:
            items.append(
                _ServicePlanIn(
                    service=service,
                    year=fy,
                    level=level,
                    objective=objective,
                    activity=activity,
                    title=row.get("title"),
                    status=status,
                    summary=row.get("summary"),
                    outcome=" ".join(outcome.split()),
                    owner=owner,
                    due_on=due_on,
                    met_on=met_on,
                )
            )
    return items, errors.messages


@dataclass
class _Checked:
    name: str
    paths: dict[str, Path]  # the sheets with rows, as CSV files
    teams: list[_TeamIn]
    plan: list[_PlanIn]
    service_plans: list[_ServicePlanIn]
    categories: list[str]


def _table(path: Path, sheet: str, errors: list[str], **columns: Any) -> Table | None:
    try:
        return read_table(path, **columns)
    except ImportRejected as rejected:
        errors += _in_sheet(sheet, rejected.errors)
        return None


def check(name: str, sheets: dict[str, list[list[str]]], directory: Path) -> _Checked:
    """Check every sheet and the references between them; raise `ImportRejected` naming all."""
    stem = Path(name).stem
    paths = {
        sheet: _write_csv(directory, stem, sheet, rows)
        for sheet, rows in sheets.items()
        if _has_rows(rows)
    }
    errors: list[str] = []
    known = _known_in_summit()
    tables: dict[str, Table] = {}
    optional: dict[str, dict[str, Any]] = {
        TEAMS: {"required": COLUMNS[TEAMS]},
        PEOPLE: {"required": COLUMNS[PEOPLE]},
        PLAN: {"required": COLUMNS[PLAN]},
        SERVICE_PLANS: {"required": COLUMNS[SERVICE_PLANS]},
        INDICATORS: {
            "required": indicator_imports.INDICATOR_COLUMNS,
            "optional": INDICATOR_OPTIONAL_COLUMNS,
            "extra": _TARGET_RE,
        },
        VALUES: {
            "required": value_imports.VALUE_COLUMNS,
            "optional": value_imports.VALUE_OPTIONAL_COLUMNS,
        },
        RISKS: {"required": risk_imports.REQUIRED, "optional": risk_imports.OPTIONAL},
    }
    for sheet, path in paths.items():
        table = _table(path, sheet, errors, **optional[sheet])
        if table is not None:
            tables[sheet] = table

    def defined(sheet: str, column: str) -> set[str]:
        table = tables.get(sheet)
        return {row.get(column).casefold() for row in table.rows} if table else set()

    known.people |= defined(PEOPLE, "username") | defined(PEOPLE, "email")
    known.indicators |= defined(INDICATORS, "code")
    teams: list[_TeamIn] = []
    if TEAMS in tables:
        teams, found = _check_teams(tables[TEAMS], known)
        errors += _in_sheet(TEAMS, found)
        for team in teams:
            known.teams |= {team.name.casefold(), team.slug.casefold()}
            if team.service:
                known.services.add(team.service.casefold())
    for sheet, column, what, split in (
        (PEOPLE, "team", "team", True),
        (INDICATORS, "team", "team", False),
    ):
        if sheet in tables:
            found = _check_references(
                tables[sheet], column, known.teams, what=what, sheet=TEAMS, split=split
            )
            errors += _in_sheet(sheet, found)
    plan: list[_PlanIn] = []
    if PLAN in tables:
        plan, found = _check_plan(tables[PLAN], known)
        errors += _in_sheet(PLAN, found)
    service_plans: list[_ServicePlanIn] = []
    if SERVICE_PLANS in tables:
        service_plans, found = _check_service_plans(tables[SERVICE_PLANS], known)
        errors += _in_sheet(SERVICE_PLANS, found)
    if VALUES in tables:
        found = _check_references(
            tables[VALUES], "indicator", known.indicators, what="indicator", sheet=INDICATORS
        )
        errors += _in_sheet(VALUES, found)
    categories: list[str] = []
    if RISKS in tables:
        risks = tables[RISKS]
        for column, names, what, sheet, split in (
            ("owner", known.people, "person", PEOPLE, False),
            ("linked_indicators", known.indicators, "indicator", INDICATORS, True),
        ):
            found = _check_references(risks, column, names, what=what, sheet=sheet, split=split)
            errors += _in_sheet(RISKS, found)
        seen: dict[str, str] = {}
        for row in risks.rows:
            text = row.get("category")
            if text and len(text) <= 80:
                seen.setdefault(text.casefold(), text)
        categories = sorted(seen.values())
    if errors:
        raise ImportRejected(errors)
    return _Checked(name, paths, teams, plan, service_plans, categories)


# --- applying --------------------------------------------------------------------------------------


def _save(
    counts: Counts,
    actor: Any,
    reason: str,
    instance: Any,
    make: tuple[type[models.Model], dict[str, Any]],
    **values: Any,
) -> Any:
    """Update `instance` with `values` (audited when anything changed), or create a `make[0]`
    with `make[1]` and `values` (audited as a creation); count which."""
    if instance is None:
        model, fixed = make
        created = model.objects.create(**fixed, **values)
        audit.created(actor=actor, instance=created, fields=list(values), reason=reason)
        counts.add("created")
        return created
    changed = audit.update(actor=actor, instance=instance, reason=reason, **values)
    counts.add("updated" if changed is not None else "unchanged")
    return instance


def _people_by_key() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for user in get_user_model().objects.order_by("pk"):
        found.setdefault(user.username.casefold(), user)
        if user.email:
            found.setdefault(user.email.casefold(), user)
    return found


def _apply_teams(items: list[_TeamIn], counts: Counts, actor: Any, reason: str) -> dict[int, str]:
    """Create or update the teams (and their directorates and services); each team's count."""
    outcomes: dict[int, str] = {}
    directorates = {d.name.casefold(): d for d in Directorate.objects.all()}
    services = {s.name.casefold(): s for s in Service.objects.all()}
    by_name = {t.name.casefold(): t for t in Team.objects.all()}
    by_slug = {t.slug.casefold(): t for t in by_name.values()}
    for item in items:
        directorate = directorates.get(item.directorate.casefold())
        if directorate is None:
            directorate = Directorate.objects.create(name=item.directorate)
            audit.created(actor=actor, instance=directorate, fields=["name"], reason=reason)
            directorates[item.directorate.casefold()] = directorate
        service = services.get(item.service.casefold()) if item.service else None
        if item.service and service is None:
            service = Service.objects.create(name=item.service, directorate=directorate)
            audit.created(
                actor=actor, instance=service, fields=["name", "directorate"], reason=reason
            )
            services[item.service.casefold()] = service
        team = by_name.get(item.name.casefold()) or by_slug.get(item.slug.casefold())
        before = (counts.created, counts.updated)
        saved = _save(
            counts,
            actor,
            reason,
            team,
            (Team, {}),
            name=item.name,
            slug=item.slug,
            directorate=directorate,
            service=service,
            active=item.active,
        )
        after = (counts.created, counts.updated)
        outcomes[saved.pk] = (
            "created"
            if after[0] > before[0]
            else "updated"
            if after[1] > before[1]
            else "unchanged"
        )
    return outcomes


def _changed(counts: Counts, outcome: str | None) -> None:
    """A row first counted as left alone changed after all (its head, set later)."""
    if outcome == "unchanged":
        counts.unchanged -= 1
        counts.updated += 1


def _apply_heads(
    items: list[_TeamIn], counts: Counts, outcomes: dict[int, str], actor: Any, reason: str
) -> None:
    """Heads of teams and services: after the People sheet, which may bring them."""
    people = _people_by_key()
    teams = {t.name.casefold(): t for t in Team.objects.select_related("service")}
    done: set[int] = set()
    for item in items:
        team = teams[item.name.casefold()]
        head = people.get(item.team_head.casefold()) if item.team_head else None
        if audit.update(actor=actor, instance=team, reason=reason, head_of_service=head):
            _changed(counts, outcomes.get(team.pk))
        service = team.service
        if service is not None and service.pk not in done:
            done.add(service.pk)
            head = people.get(item.service_head.casefold()) if item.service_head else None
            if audit.update(actor=actor, instance=service, reason=reason, head_of_service=head):
                _changed(counts, outcomes.get(team.pk))


def _positional(existing: list[Any], index: int) -> Any:
    return existing[index] if index < len(existing) else None


def _apply_plan(items: list[_PlanIn], counts: Counts, actor: Any, reason: str) -> None:
    people = _people_by_key()
    indicators = {i.code.casefold(): i for i in Indicator.objects.all()}
    plans = {p.first_year: p for p in StrategicPlan.objects.all()}
    priorities = {(p.plan_id, p.number): p for p in Priority.objects.all()}
    outcomes = {(o.priority_id, o.number): o for o in Outcome.objects.all()}
    measures: dict[int, list[MeasureOfSuccess]] = defaultdict(list)
    for measure in MeasureOfSuccess.objects.order_by("outcome", "id"):
        measures[measure.outcome_id].append(measure)
    actions: dict[int, list[StrategicAction]] = defaultdict(list)
    for action in StrategicAction.objects.order_by("outcome", "id"):
        actions[action.outcome_id].append(action)
    position: dict[tuple[str, int], int] = defaultdict(int)
    for item in items:
        if item.level == "plan":
            plans[item.year] = _save(
                counts,
                actor,
                reason,
                plans.get(item.year),
                (StrategicPlan, {"first_year": item.year}),
                title=item.title,
                vision=item.description,
                community_strategy=item.community_strategy,
                financial_strategy=item.financial_strategy,
            )
            continue
        plan = plans[item.year]
        if item.level == "priority":
            priorities[(plan.pk, item.priority)] = _save(
                counts,
                actor,
                reason,
                priorities.get((plan.pk, item.priority)),
                (Priority, {"plan": plan, "number": item.priority}),
                title=item.title,
            )
            continue
        priority = priorities[(plan.pk, item.priority)]
        if item.level == "outcome":
            outcomes[(priority.pk, item.outcome)] = _save(
                counts,
                actor,
                reason,
                outcomes.get((priority.pk, item.outcome)),
                (Outcome, {"priority": priority, "number": item.outcome}),
                title=item.title,
            )
            continue
        outcome = outcomes[(priority.pk, item.outcome)]
        index = position[(item.level, outcome.pk)]
        position[(item.level, outcome.pk)] += 1
        if item.level == "measure":
            _save(
                counts,
                actor,
                reason,
                _positional(measures[outcome.pk], index),
                (MeasureOfSuccess, {"outcome": outcome}),
                description=item.description,
                indicator=indicators.get(item.indicator.casefold()) if item.indicator else None,
            )
        else:
            _save(
                counts,
                actor,
                reason,
                _positional(actions[outcome.pk], index),
                (StrategicAction, {"outcome": outcome}),
                title=item.title,
                owner=people.get(item.owner.casefold()) if item.owner else None,
                due_on=item.due_on,
            )


def _outcomes_by_ref() -> dict[str, Outcome]:
    return {
        f"{_fy(o.priority.plan.first_year)} {o.priority.number}.{o.number}": o
        for o in Outcome.objects.select_related("priority__plan")
    }


def _apply_service_plans(
    items: list[_ServicePlanIn], counts: Counts, actor: Any, reason: str
) -> None:
    people = _people_by_key()
    outcomes = _outcomes_by_ref()
    services = {s.name.casefold(): s for s in Service.objects.all()}
    plans = {(p.service_id, p.year): p for p in ServicePlan.objects.all()}
    objectives = {(o.plan_id, o.number): o for o in ServicePlanObjective.objects.all()}
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.order_by("objective", "id"):
        activities[activity.objective_id].append(activity)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.order_by("activity", "due_on", "id"):
        milestones[milestone.activity_id].append(milestone)
    position: dict[tuple[str, int], int] = defaultdict(int)
    for item in items:
        service = services[item.service.casefold()]
        if item.level == "plan":
            plans[(service.pk, item.year)] = _save(
                counts,
                actor,
                reason,
                plans.get((service.pk, item.year)),
                (ServicePlan, {"service": service, "year": item.year}),
                status=item.status,
                summary=item.summary,
            )
            continue
        plan = plans[(service.pk, item.year)]
        if item.level == "objective":
            objectives[(plan.pk, item.objective)] = _save(
                counts,
                actor,
                reason,
                objectives.get((plan.pk, item.objective)),
                (ServicePlanObjective, {"plan": plan, "number": item.objective}),
                title=item.title,
                outcome=outcomes[item.outcome],
            )
            continue
        objective = objectives[(plan.pk, item.objective)]
        if item.level == "activity":
            index = position[("activity", objective.pk)]
            position[("activity", objective.pk)] += 1
            activity = _save(
                counts,
                actor,
                reason,
                _positional(activities[objective.pk], index),
                (Activity, {"objective": objective}),
                title=item.title,
                outcome=outcomes[item.outcome],
                owner=people.get(item.owner.casefold()) if item.owner else None,
            )
            if index >= len(activities[objective.pk]):
                activities[objective.pk].append(activity)
            continue
        assert item.activity is not None
        activity = activities[objective.pk][item.activity - 1]
        index = position[("milestone", activity.pk)]
        position[("milestone", activity.pk)] += 1
        _save(
            counts,
            actor,
            reason,
            _positional(milestones[activity.pk], index),
            (Milestone, {"activity": activity}),
            title=item.title,
            due_on=item.due_on,
            met_on=item.met_on,
        )


@dataclass(frozen=True, slots=True)
class _Left:
    unchanged: int
    rows_left: int


def _leave_unchanged_values(path: Path) -> _Left:
    """Blank out the rows of the Values file equal to an activated value Summit has.

    import_values checks every row against data quality's rules, an unchanged one too, so a
    value activated long ago with no comment that the outlier rule now flags would refuse the
    same workbook the second time. A row that changes nothing is not an entry: it is left alone
    here (blanked, so the other rows keep their spreadsheet numbers in messages).
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [" ".join(cell.split()).lower() for cell in rows[0]]
    fields = [c for c in ("value", "numerator", "denominator", "comment", "source") if c in header]
    at = {column: header.index(column) for column in ("indicator", "period", *fields)}
    codes = {row[at["indicator"]].strip() for row in rows[1:] if len(row) > at["indicator"]}
    existing = {
        (code, period): found
        for code, period, *found in Value.objects.filter(
            indicator__code__in=codes, status=Value.Status.ACTIVATED
        ).values_list("indicator__code", "period", *fields)
    }
    unchanged = left = 0
    for index, row in enumerate(rows[1:], start=1):
        if len(row) < len(header) or not any(cell.strip() for cell in row):
            continue
        found = existing.get((row[at["indicator"]].strip(), row[at["period"]].strip()))
        if found is not None and all(
            _same(row[at[column]].strip(), had) for column, had in zip(fields, found, strict=True)
        ):
            rows[index] = []
            unchanged += 1
        else:
            left += 1
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return _Left(unchanged=unchanged, rows_left=left)


def _same(text: str, had: Any) -> bool:
    if isinstance(had, Decimal) or had is None:
        if not text:
            return had is None
        try:
            return had is not None and parse_number(text) == had
        except ValueError:
            return False
    return text == (had or "")


def _apply(checked: _Checked, result: CouncilImport, actor: Any) -> None:
    reason = f"council workbook {checked.name}"
    paths = checked.paths
    sheets = result.sheets

    def run(sheet: str, call: Any) -> Any:
        try:
            return call()
        except ImportRejected as rejected:
            raise ImportRejected(_in_sheet(sheet, rejected.errors)) from None

    outcomes = _apply_teams(checked.teams, sheets[TEAMS], actor, reason)
    if PEOPLE in paths:
        plan = run(PEOPLE, lambda: people_imports.read_people(path=paths[PEOPLE], actor=actor))
        people = run(PEOPLE, lambda: people_imports.apply_people(plan, actor=actor))
        sheets[PEOPLE] = Counts(people.created, people.updated, people.unchanged)
    _apply_heads(checked.teams, sheets[TEAMS], outcomes, actor, reason)
    if INDICATORS in paths:
        done = run(
            INDICATORS,
            lambda: indicator_imports.import_indicators(path=paths[INDICATORS], actor=actor),
        )
        sheets[INDICATORS] = Counts(done.created, done.updated, done.unchanged)
        result.targets = Counts(done.targets_created, done.targets_updated)
    _apply_plan(checked.plan, sheets[PLAN], actor, reason)
    _apply_service_plans(checked.service_plans, sheets[SERVICE_PLANS], actor, reason)
    if VALUES in paths:
        alone = _leave_unchanged_values(paths[VALUES])
        if alone.rows_left:
            values = run(
                VALUES, lambda: value_imports.import_values(path=paths[VALUES], actor=actor)
            )
            sheets[VALUES] = Counts(values.created, values.replaced, values.unchanged)
        sheets[VALUES].unchanged += alone.unchanged
    if RISKS in paths:
        known = {name.casefold() for name in RiskCategory.objects.values_list("name", flat=True)}
        for name in checked.categories:
            if name.casefold() not in known:
                category = RiskCategory.objects.create(name=name)
                audit.created(actor=actor, instance=category, fields=["name"], reason=reason)
        rows = run(RISKS, lambda: risk_imports.read_risks(paths[RISKS]))
        risks = run(
            RISKS,
            lambda: risk_imports.apply_risks(rows, actor=actor, file_name=checked.name),
        )
        sheets[RISKS] = Counts(len(risks.created), len(risks.updated), len(risks.unchanged))


def import_council(*, path: str | Path, actor: Any = None, dry_run: bool = False) -> CouncilImport:
    """Check the workbook at `path` whole, then write it in one transaction (or, with
    `dry_run`, write it and roll back). Raises `ImportRejected` naming every problem by sheet,
    row and column; nothing is written then."""
    name, sheets = read_sheets(path)
    result = CouncilImport(file_name=name, dry_run=dry_run)
    with tempfile.TemporaryDirectory(prefix="council-") as directory:
        checked = check(name, sheets, Path(directory))
        try:
            with transaction.atomic():
                _apply(checked, result, actor)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return result
