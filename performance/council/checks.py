"""import_council's checks (issue 18): every sheet of a council workbook and the references
between sheets, before anything is written. Each problem is named by sheet, row and column.

A sheet the single-kind imports read is written to a CSV file of its cells as text, so those
imports keep one reader; `Teams`, `Plan` and `Service plans` are parsed here into the rows that
`performance.council.writes` applies.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from performance.collection import imports as value_imports
from performance.common.tables import (
    CellErrors,
    ImportRejected,
    Row,
    Table,
    date_cell,
    read_table,
)
from performance.council import (
    COLUMNS,
    INDICATOR_OPTIONAL_COLUMNS,
    INDICATORS,
    PEOPLE,
    PLAN,
    RISKS,
    SERVICE_PLANS,
    TEAMS,
    VALUES,
)
from performance.council import sheets as council_sheets
from performance.indicators import imports as indicator_imports
from performance.models import (
    Indicator,
    Outcome,
    Priority,
    Service,
    ServicePlan,
    StrategicPlan,
    Team,
)
from performance.risks import imports as risk_imports

_YEAR = re.compile(r"(\d{4})/(\d{2})")
_OUTCOME_REF = re.compile(r"(\d{4}/\d{2})\s+(\d+)\.(\d+)")
_TARGET_RE = re.compile(r"target\s+(.*)", re.IGNORECASE)
_YES = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False, "": True}


def in_sheet(sheet: str, messages: list[str]) -> list[str]:
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
        known.outcomes.add(f"{financial_year(year)} {p}.{o}")
    for year, p in Priority.objects.values_list("plan__first_year", "number"):
        known.priorities.add(f"{financial_year(year)} {p}")
    for service, year in ServicePlan.objects.values_list("service__name", "year"):
        known.service_plans.add(f"{service.casefold()}|{year}")
    return known


def financial_year(first_year: int) -> str:
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
class TeamIn:
    name: str
    slug: str
    directorate: str
    service: str
    service_head: str
    team_head: str
    active: bool


def _check_teams(table: Table, known: _Known) -> tuple[list[TeamIn], list[str]]:
    errors = CellErrors(table)
    items: list[TeamIn] = []
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
                TeamIn(name, slug, directorate, service, service_head, team_head, _YES[active])
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
class PlanIn:
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


def _check_plan(table: Table, known: _Known) -> tuple[list[PlanIn], list[str]]:
    errors = CellErrors(table)
    items: list[PlanIn] = []
    first: dict[str, int] = {}
    plans = {p.split()[0] for p in known.priorities}
    plans |= {financial_year(y) for y in StrategicPlan.objects.values_list("first_year", flat=True)}
    priorities = set(known.priorities)
    outcomes = set(known.outcomes)
    for row in table.rows:
        before = len(errors.messages)
        year = _year(errors, row, "plan")
        level = row.get("level").casefold()
        ref = row.get("ref")
        priority = outcome = None
        fy = financial_year(year) if year else ""
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
        due_on = date_cell(errors, row, "due_on")
        if len(errors.messages) == before and year is not None:
            items.append(
                PlanIn(
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
class ServicePlanIn:
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


def _check_service_plans(table: Table, known: _Known) -> tuple[list[ServicePlanIn], list[str]]:
    errors = CellErrors(table)
    items: list[ServicePlanIn] = []
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
        fy = financial_year(year) if year else ""
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
        due_on = date_cell(errors, row, "due_on", required=level == "milestone")
        met_on = date_cell(errors, row, "met_on")
        if len(errors.messages) == before:
            items.append(
                ServicePlanIn(
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
class Checked:
    name: str
    paths: dict[str, Path]  # the sheets with rows, as CSV files
    teams: list[TeamIn]
    plan: list[PlanIn]
    service_plans: list[ServicePlanIn]
    categories: list[str]
    # What the checkers of the apps' sheets (`council_sheets.extra()`) gave, by sheet name.
    extra: dict[str, Any] = field(default_factory=dict)


def _table(path: Path, sheet: str, errors: list[str], **columns: Any) -> Table | None:
    try:
        return read_table(path, **columns)
    except ImportRejected as rejected:
        errors += in_sheet(sheet, rejected.errors)
        return None


def check(name: str, sheets: dict[str, list[list[str]]], directory: Path) -> Checked:
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
    extra_sheets = council_sheets.extra()
    for own in extra_sheets:
        optional[own.name] = {"required": own.columns, "optional": own.optional}
    for sheet, path in paths.items():
        table = _table(path, sheet, errors, **optional[sheet])
        if table is not None:
            tables[sheet] = table

    def defined(sheet: str, column: str) -> set[str]:
        table = tables.get(sheet)
        return {row.get(column).casefold() for row in table.rows} if table else set()

    known.people |= defined(PEOPLE, "username") | defined(PEOPLE, "email")
    known.indicators |= defined(INDICATORS, "code")
    teams: list[TeamIn] = []
    if TEAMS in tables:
        teams, found = _check_teams(tables[TEAMS], known)
        errors += in_sheet(TEAMS, found)
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
            errors += in_sheet(sheet, found)
    plan: list[PlanIn] = []
    if PLAN in tables:
        plan, found = _check_plan(tables[PLAN], known)
        errors += in_sheet(PLAN, found)
    service_plans: list[ServicePlanIn] = []
    if SERVICE_PLANS in tables:
        service_plans, found = _check_service_plans(tables[SERVICE_PLANS], known)
        errors += in_sheet(SERVICE_PLANS, found)
    if VALUES in tables:
        found = _check_references(
            tables[VALUES], "indicator", known.indicators, what="indicator", sheet=INDICATORS
        )
        errors += in_sheet(VALUES, found)
    categories: list[str] = []
    if RISKS in tables:
        risks = tables[RISKS]
        for column, names, what, sheet, split in (
            ("owner", known.people, "person", PEOPLE, False),
            ("linked_indicators", known.indicators, "indicator", INDICATORS, True),
        ):
            found = _check_references(risks, column, names, what=what, sheet=sheet, split=split)
            errors += in_sheet(RISKS, found)
        seen: dict[str, str] = {}
        for row in risks.rows:
            text = row.get("category")
            if text and len(text) <= 80:
                seen.setdefault(text.casefold(), text)
        categories = sorted(seen.values())
    extra: dict[str, Any] = {}
    context = council_sheets.Context(tables, known.teams, known.people, known.indicators)
    for own in extra_sheets:
        if own.name in tables:
            extra[own.name], found = own.check(tables[own.name], context)
            errors += in_sheet(own.name, found)
    if errors:
        raise ImportRejected(errors)
    return Checked(name, paths, teams, plan, service_plans, categories, extra)
