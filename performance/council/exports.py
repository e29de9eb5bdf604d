"""export_council: the whole council as one workbook (SPEC §12), and the empty template.

`sheet_rows()` reads the database into rows of plain cells per sheet (text, int or Decimal);
`write_workbook(rows, target)` writes them. Text is written as text cells
(`performance.common.spreadsheets`), so a title that starts with `=` is shown, never run.
Rows come in a fixed order (codes, names, numbers, then ids), so the same council always gives
the same cells, and a council imported from a workbook exports the same workbook again.

What travels: teams (with their directorates and services), active people with a Summit role,
the strategic plans' trees, service plans down to milestones, indicators with their targets,
activated values, and risks; then the sheets of the apps above the kernel (`sheets.extra()`:
Reach the Summit's scorecards, complaints, improvements and frozen tables). What does not
(docs/imports.md): passwords, enterers and data managers of an indicator, progress updates,
action plans, benchmarks, a risk's controls, actions and reviews.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth import get_user_model

from performance.common import spreadsheets
from performance.core import periods
from performance.core.roles import Role
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
    WORKBOOK_ORDER,
)
from performance.council import sheets as council_sheets
from performance.indicators import imports as indicator_imports
from performance.models import (
    Activity,
    Indicator,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Risk,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
    Value,
)

Cell = str | int | Decimal | None
Rows = list[list[Cell]]

_ROLE_SLUGS = {role.value: role.slug for role in Role}


def number(value: Decimal | None) -> Cell:
    """A stored decimal as the figure a person typed: 46, not 46.000000."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def financial_year(first_year: int) -> str:
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def team_rows() -> Rows:
    teams = Team.objects.select_related(
        "directorate", "service__head_of_service", "head_of_service"
    )
    rows: Rows = []
    for team in teams.order_by("name"):
        service = team.service
        rows.append(
            [
                team.name,
                team.slug,
                team.directorate.name,
                service.name if service else "",
                service.head_of_service.username if service and service.head_of_service else "",
                team.head_of_service.username if team.head_of_service else "",
                _yes(team.active),
            ]
        )
    return rows


def people_rows() -> Rows:
    User = get_user_model()
    teams_of: dict[int, list[str]] = defaultdict(list)
    for user_id, name in TeamMembership.objects.order_by("team__name").values_list(
        "user_id", "team__name"
    ):
        teams_of[user_id].append(name)
    rows: Rows = []
    people = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    for user in people:
        roles = sorted(_ROLE_SLUGS[g.name] for g in user.groups.all() if g.name in _ROLE_SLUGS)
        if not roles:  # import_people needs a role: a person without one is not a Summit user
            continue
        rows.append(
            [
                user.username,
                user.get_full_name() or user.username,
                user.email,
                "; ".join(teams_of.get(user.pk, [])),
                "; ".join(roles),
            ]
        )
    return rows


def _username(user: Any) -> str:
    return user.username if user is not None else ""


def plan_rows() -> Rows:
    """The strategic plans' trees: plan, then each priority with its outcomes, each outcome
    followed by its measures and actions (their `ref` is the outcome's, order tells them apart)."""
    rows: Rows = []
    measures: dict[int, list[MeasureOfSuccess]] = defaultdict(list)
    for measure in MeasureOfSuccess.objects.select_related("indicator").order_by("outcome", "id"):
        measures[measure.outcome_id].append(measure)
    actions: dict[int, list[StrategicAction]] = defaultdict(list)
    for action in StrategicAction.objects.select_related("owner").order_by("outcome", "id"):
        actions[action.outcome_id].append(action)
    outcomes: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in Outcome.objects.order_by("priority", "number"):
        outcomes[outcome.priority_id].append(outcome)
    priorities: dict[int, list[Priority]] = defaultdict(list)
    for priority in Priority.objects.order_by("plan", "number"):
        priorities[priority.plan_id].append(priority)
    for plan in StrategicPlan.objects.order_by("first_year"):
        year = financial_year(plan.first_year)
        rows.append(
            [
                year,
                "plan",
                "",
                plan.title,
                plan.vision,
                "",
                "",
                "",
                plan.community_strategy,
                plan.financial_strategy,
            ]
        )
        for priority in priorities[plan.pk]:
            rows.append([year, "priority", str(priority.number), priority.title, *[""] * 6])
            for outcome in outcomes[priority.pk]:
                ref = f"{priority.number}.{outcome.number}"
                rows.append([year, "outcome", ref, outcome.title, *[""] * 6])
                for measure in measures[outcome.pk]:
                    code = measure.indicator.code if measure.indicator else ""
                    rows.append([year, "measure", ref, "", measure.description, code, *[""] * 4])
                for action in actions[outcome.pk]:
                    rows.append(
                        [
                            year,
                            "action",
                            ref,
                            action.title,
                            "",
                            "",
                            _username(action.owner),
                            _date(action.due_on),
                            "",
                            "",
                        ]
                    )
    return rows


def outcome_ref(outcome: Outcome) -> str:
    """How another sheet names an outcome: its plan's first year and its number, `2024/25 1.2`."""
    priority = outcome.priority
    return f"{financial_year(priority.plan.first_year)} {priority.number}.{outcome.number}"


def service_plan_rows() -> Rows:
    """Service plans: each plan, its objectives (`ref` their number), each objective's
    activities (`ref` the objective's number) and each activity's milestones (`ref`
    objective.activity, the activity counted from 1 within its objective)."""
    rows: Rows = []
    outcomes = {
        outcome.pk: outcome_ref(outcome)
        for outcome in Outcome.objects.select_related("priority__plan")
    }
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.order_by("activity", "due_on", "id"):
        milestones[milestone.activity_id].append(milestone)
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.select_related("owner").order_by("objective", "id"):
        activities[activity.objective_id].append(activity)
    objectives: dict[int, list[ServicePlanObjective]] = defaultdict(list)
    for objective in ServicePlanObjective.objects.order_by("plan", "number"):
        objectives[objective.plan_id].append(objective)
    plans = ServicePlan.objects.select_related("service").order_by("service__name", "year")
    for plan in plans:
        head = [plan.service.name, plan.year]
        rows.append([*head, "plan", "", "", plan.status, plan.summary, "", "", "", ""])
        for objective in objectives[plan.pk]:
            number_ = str(objective.number)
            outcome = outcomes[objective.outcome_id]
            rows.append([*head, "objective", number_, objective.title, "", "", outcome, "", "", ""])
            for position, activity in enumerate(activities[objective.pk], start=1):
                rows.append(
                    [
                        *head,
                        "activity",
                        number_,
                        activity.title,
                        "",
                        "",
                        outcomes[activity.outcome_id],
                        _username(activity.owner),
                        "",
                        "",
                    ]
                )
                for milestone in milestones[activity.pk]:
                    rows.append(
                        [
                            *head,
                            "milestone",
                            f"{number_}.{position}",
                            milestone.title,
                            "",
                            "",
                            "",
                            "",
                            _date(milestone.due_on),
                            _date(milestone.met_on),
                        ]
                    )
    return rows


def _target_column(period: periods.Period) -> str:
    return f"target {period}"


def indicator_rows() -> tuple[list[str], Rows]:
    """(the target columns, rows): every target period any indicator has, in time order."""
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    seen: dict[str, periods.Period] = {}
    for indicator_id, period, value in Target.objects.values_list(
        "indicator_id", "period", "value"
    ):
        targets[indicator_id][period] = value
        if period not in seen:
            seen[period] = periods.parse(period)
    order = {"annual": 0, "quarterly": 1, "monthly": 2}
    ordered = sorted(seen.values(), key=lambda p: (p.start, order.get(p.kind.value, 3)))
    columns = [_target_column(period) for period in ordered]
    rows: Rows = []
    indicators = list(Indicator.objects.select_related("team").order_by("code"))
    # The optional columns as import_indicators writes and reads them (one query for all).
    options = indicator_imports.option_cells(indicators) if INDICATOR_OPTIONAL_COLUMNS else {}
    for indicator in indicators:
        row: list[Cell] = [
            indicator.code,
            indicator.title,
            indicator.kind,
            indicator.perspective,
            indicator.aspect,
            indicator.polarity,
            indicator.unit,
            indicator.decimals,
            indicator.frequency,
            indicator.aggregation,
            indicator.team.name if indicator.team else "",
            number(indicator.tolerance),
            number(indicator.baseline),
            indicator.baseline_period,
        ]
        own_options = options.get(indicator.pk, {})
        row += [own_options.get(column, "") for column in INDICATOR_OPTIONAL_COLUMNS]
        own = targets.get(indicator.pk, {})
        row += [number(own.get(str(period))) for period in ordered]
        rows.append(row)
    return columns, rows


def value_rows() -> tuple[list[str], Rows]:
    """Activated values with a figure (what import_values writes), by indicator and period."""
    fields = {field.name for field in Value._meta.get_fields()}
    extra = [c for c in COLUMNS[VALUES] if c not in ("indicator", "period", "value")]
    extra = [c for c in extra if c in fields]
    values = (
        Value.objects.filter(status=Value.Status.ACTIVATED, value__isnull=False)
        .order_by("indicator__code", "period_start", "period")
        .values_list("indicator__code", "period", "value", *extra)
    )
    rows: Rows = []
    for code, period, value, *rest in values:
        cells: list[Cell] = [code, period, number(value)]
        for _column, cell in zip(extra, rest, strict=True):
            cells.append(number(cell) if isinstance(cell, Decimal) or cell is None else cell)
        rows.append(cells)
    return ["indicator", "period", "value", *extra], rows


def risk_rows() -> Rows:
    links: dict[int, list[str]] = defaultdict(list)
    through = Risk.indicators.through.objects.order_by("indicator__code")
    for risk_id, code in through.values_list("risk_id", "indicator__code"):
        links[risk_id].append(code)
    rows: Rows = []
    risks = Risk.objects.select_related("category", "owner").order_by("reference")
    for risk in risks:
        rows.append(
            [
                risk.reference,
                risk.title,
                risk.register,
                risk.category.name,
                risk.owner.username,
                risk.cause,
                risk.event,
                risk.consequence,
                risk.inherent_likelihood,
                risk.inherent_impact,
                risk.current_likelihood,
                risk.current_impact,
                risk.target_likelihood,
                risk.target_impact,
                "; ".join(links.get(risk.pk, [])),
                _date(risk.review_due),
            ]
        )
    return rows


def sheet_rows() -> dict[str, tuple[list[str], Rows]]:
    """Every sheet's (header, rows), read from the database."""
    target_columns, indicators = indicator_rows()
    return {
        TEAMS: (list(COLUMNS[TEAMS]), team_rows()),
        PEOPLE: (list(COLUMNS[PEOPLE]), people_rows()),
        PLAN: (list(COLUMNS[PLAN]), plan_rows()),
        SERVICE_PLANS: (list(COLUMNS[SERVICE_PLANS]), service_plan_rows()),
        INDICATORS: ([*COLUMNS[INDICATORS], *target_columns], indicators),
        VALUES: value_rows(),
        RISKS: (list(COLUMNS[RISKS]), risk_rows()),
        # The sheets of the apps above the kernel (Reach the Summit), through their hook.
        **{own.name: (list(own.columns), own.export()) for own in council_sheets.extra()},
    }


def write_workbook(sheets: dict[str, tuple[list[str], Rows]], target: str | IO[bytes]) -> None:
    """Write `sheets` (in WORKBOOK_ORDER, then the apps' sheets), a header row each, to a path
    or a binary stream. An app's sheet missing from `sheets` is written with its header alone."""
    from openpyxl import Workbook  # noqa: PLC0415 (heavy; only for a workbook)

    workbook = Workbook(write_only=True)
    extra = {own.name: (list(own.columns), []) for own in council_sheets.extra()}
    for name in (*WORKBOOK_ORDER, *extra):
        header, rows = sheets[name] if name in sheets else extra[name]
        sheet = workbook.create_sheet(name)
        sheet.append(spreadsheets.row(sheet, header))
        for cells in rows:
            sheet.append(spreadsheets.row(sheet, cells))
    workbook.save(target)


def export_council(target: str | IO[bytes]) -> dict[str, int]:
    """Write the council's workbook to `target`; the number of rows of each sheet."""
    sheets = sheet_rows()
    write_workbook(sheets, target)
    return {name: len(rows) for name, (_header, rows) in sheets.items()}


# --- the empty template ---------------------------------------------------------------------------

ABOUT = (
    "A council workbook for Summit: import it in Manage › Council workbook, or with "
    "`python manage.py import_council FILE.xlsx` (add --dry-run to see what it would do).",
    "Keep the sheet names and the header rows; columns may be in any order. A sheet may be left "
    "with its header alone. Every sheet is checked before anything is written: a problem is "
    "named by sheet, row and column, and then nothing is imported.",
    "Teams: name, slug (short name), directorate, service; service_head and team_head are "
    "usernames from the People sheet; active is yes or no.",
    "People: username, name, email, team (team names separated by ;), roles (performance, "
    "enterer, manager, head, member, separated by ;). No passwords.",
    "Plan: one row per item. level plan (title, description = vision), priority (ref 1), "
    "outcome (ref 1.2 = priority 1, outcome 2), measure (ref = its outcome, description, "
    "indicator code) and action (ref = its outcome, title, owner, due_on YYYY-MM-DD). plan is "
    "the plan's first financial year, e.g. 2024/25.",
    "Service plans: level plan (service, year, status draft or approved, summary), objective "
    "(ref its number, title, outcome like 2024/25 1.2), activity (ref its objective's number, "
    "title, outcome, owner) and milestone (ref objective.activity like 1.2, the activity counted "
    "from 1 within its objective; title, due_on, met_on).",
    "Indicators: the import_indicators columns and a 'target <period>' column per period, e.g. "
    "target 2024/25 Q1. Values: indicator, period, value and optionally numerator, denominator, "
    "comment, source; values are activated on import. Risks: the import_risks columns.",
    "Items without a key of their own (measures, actions, activities, milestones) are matched by "
    "their order under their parent: the import adds and changes, it never deletes.",
)


def _choices() -> dict[tuple[str, str], list[str]]:
    """Drop-down lists: (sheet, column) → the values Summit accepts."""
    from performance.core import risks as risk_rules  # noqa: PLC0415 (only the template needs it)
    from performance.models import ServicePlan as Plan  # noqa: PLC0415

    lists: dict[tuple[str, str], list[str]] = {
        (TEAMS, "active"): ["yes", "no"],
        (PLAN, "level"): ["plan", "priority", "outcome", "measure", "action"],
        (SERVICE_PLANS, "level"): ["plan", "objective", "activity", "milestone"],
        (SERVICE_PLANS, "status"): list(Plan.Status.values),
        (RISKS, "register"): [register.value for register in risk_rules.Register],
    }
    for column, choice in {
        "kind": Indicator.Kind,
        "perspective": Indicator.Perspective,
        "aspect": Indicator.Aspect,
        "polarity": Indicator.PolarityChoice,
        "unit": Indicator.Unit,
        "frequency": Indicator.FrequencyChoice,
        "aggregation": Indicator.AggregationChoice,
    }.items():
        lists[(INDICATORS, column)] = list(choice.values)
    for column in INDICATOR_OPTIONAL_COLUMNS:
        if column in indicator_imports.YES_NO_COLUMNS:
            lists[(INDICATORS, column)] = ["yes", "no"]
    for column in ("inherent_likelihood", "inherent_impact", "current_likelihood"):
        lists[(RISKS, column)] = ["1", "2", "3", "4", "5"]
    for column in ("current_impact", "target_likelihood", "target_impact"):
        lists[(RISKS, column)] = ["1", "2", "3", "4", "5"]
    return lists


def write_template(target: str | IO[bytes], *, rows: int = 1000) -> None:
    """An empty council workbook: an About sheet of guidance, each sheet's header, and
    drop-down lists (data validation) on the columns with fixed values for `rows` rows."""
    from openpyxl import Workbook  # noqa: PLC0415 (heavy; only for a workbook)
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    workbook = Workbook()
    about = workbook.active
    about.title = "About"
    spreadsheets.put(about.cell(row=1, column=1), "About this workbook")
    about.cell(row=1, column=1).font = Font(bold=True, size=14)
    for number_, text in enumerate(ABOUT, start=2):
        cell = spreadsheets.put(about.cell(row=number_, column=1), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    extra = council_sheets.extra()
    for number_, text in enumerate((own.about for own in extra if own.about), start=len(ABOUT) + 2):
        cell = spreadsheets.put(about.cell(row=number_, column=1), text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 110
    lists = _choices()
    columns = dict(COLUMNS)
    for own in extra:
        columns[own.name] = own.columns
        lists.update({(own.name, column): options for column, options in own.choices.items()})
    for name in (*WORKBOOK_ORDER, *(own.name for own in extra)):
        sheet = workbook.create_sheet(name)
        header = list(columns[name])
        if name == INDICATORS:
            header.append("target 2025/26")
        for column, text in enumerate(header, start=1):
            cell = spreadsheets.put(sheet.cell(row=1, column=column), text)
            cell.font = Font(bold=True)
            sheet.column_dimensions[get_column_letter(column)].width = max(12, len(text) + 2)
            options = lists.get((name, text))
            if options:
                letter = get_column_letter(column)
                validation = DataValidation(
                    type="list",
                    formula1='"' + ",".join(options) + '"',
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=f"Not a {text}",
                    error=f"Choose one of: {', '.join(options)}.",
                )
                validation.add(f"{letter}2:{letter}{rows + 1}")
                sheet.add_data_validation(validation)
        sheet.freeze_panes = "A2"
    workbook.save(target)
