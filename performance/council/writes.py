"""import_council's writes (issue 18): the checked sheets applied in one transaction (the
caller's), through the audited import services of each kind and, for teams and the plans,
audited writes here. A row equal to what Summit holds is left alone and audited nowhere.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from performance.collection import imports as value_imports
from performance.common import audit
from performance.common.tables import (
    ImportRejected,
    parse_number,
)
from performance.council import (
    INDICATORS,
    PEOPLE,
    PLAN,
    RISKS,
    SERVICE_PLANS,
    TEAMS,
    VALUES,
)
from performance.council import sheets as council_sheets
from performance.council.checks import (
    Checked,
    PlanIn,
    ServicePlanIn,
    TeamIn,
    financial_year,
    in_sheet,
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
    sheets: dict[str, Counts] = field(
        default_factory=lambda: {s: Counts() for s in council_sheets.names()}
    )
    # Targets of the Indicators sheet (created, changed; those left alone are not counted).
    targets: Counts = field(default_factory=Counts)

    @property
    def changed(self) -> bool:
        counts = [*self.sheets.values(), self.targets]
        return any(c.created or c.updated for c in counts)

    def lines(self) -> list[str]:
        lines = [f"{sheet}: {counts}." for sheet, counts in self.sheets.items()]
        lines.append(f"Targets: {self.targets.created} created, {self.targets.updated} changed.")
        return lines


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


def _apply_teams(items: list[TeamIn], counts: Counts, actor: Any, reason: str) -> dict[int, str]:
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
    items: list[TeamIn], counts: Counts, outcomes: dict[int, str], actor: Any, reason: str
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


def _apply_plan(items: list[PlanIn], counts: Counts, actor: Any, reason: str) -> None:
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
        f"{financial_year(o.priority.plan.first_year)} {o.priority.number}.{o.number}": o
        for o in Outcome.objects.select_related("priority__plan")
    }


def _apply_service_plans(
    items: list[ServicePlanIn], counts: Counts, actor: Any, reason: str
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
    fields = [
        c
        for c in (
            "value",
            "numerator",
            "denominator",
            "comment",
            "source",
            "forecast",
            "forecast_comment",
        )
        if c in header
    ]
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


def apply(checked: Checked, result: CouncilImport, actor: Any) -> None:
    reason = f"council workbook {checked.name}"
    paths = checked.paths
    sheets = result.sheets

    def run(sheet: str, call: Any) -> Any:
        try:
            return call()
        except ImportRejected as rejected:
            raise ImportRejected(in_sheet(sheet, rejected.errors)) from None

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
    for own in council_sheets.extra():
        if own.name in checked.extra:
            done = run(
                own.name,
                lambda own=own: own.apply(checked.extra[own.name], actor=actor, reason=reason),
            )
            sheets[own.name] = Counts(*done)
