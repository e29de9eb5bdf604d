"""The kinds of record the Manage area keeps: one declarative table the generic views read.

A `Kind` names its form (the model is the form's own), the words its pages use (the model's
verbose names unless given), its list columns, the parents its list can be narrowed to
(`?field=pk`), its children (lists under one record) and the pages beside it. What differs
between kinds is declared here, never branched on in the views:

- `order`: a list order other than the model's (targets by indicator, then period);
- `related`: what its columns read, selected with the page so its query count stays fixed;
- `links`: pages beside a record, in its list row and on its edit page (a team's members);
- `edit_links`: pages shown on its edit page only (an indicator's public page);
- `fieldsets`: the form in named groups (the long indicator form);
- validation and derived values live in the kind's form (`manage.forms`).

Who may use them is the area's rule, not a kind's: performance officers only (`officer_required`).

Apps above the kernel add kinds of their own through the MANAGE_KINDS hook (data quality's
validation rules), each placed in a group after a named kind. `GROUPS` and `KINDS` are therefore
built on use, not at import (when those apps may not be ready yet).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db import models
from django.http import Http404

from performance.common import hooks
from performance.common.display import person_name
from performance.manage import forms as f
from performance.manage.selectors import target_gaps

Column = tuple[str, Callable[[models.Model], str]]
Link = tuple[str, str]  # (label, URL name taking the record's pk)


@dataclass(frozen=True)
class Child:
    """A list of records under this one: e.g. a priority's outcomes (kind, the field to it)."""

    label: str
    kind: str
    field: str


@dataclass(frozen=True)
class Kind:
    slug: str
    form: type[forms.ModelForm]
    description: str
    columns: tuple[Column, ...]
    words: tuple[str, str] | None = None  # (plural, singular) where the model's would not do
    related: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    children: tuple[Child, ...] = ()
    fieldsets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    order: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    edit_links: tuple[Link, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return self.form._meta.model

    @property
    def plural(self) -> str:
        return (
            self.words[0] if self.words else str(self.model._meta.verbose_name_plural).capitalize()
        )

    @property
    def singular(self) -> str:
        return self.words[1] if self.words else str(self.model._meta.verbose_name)


def _number(value: Decimal | None, decimals: int) -> str:
    return "" if value is None else f"{value:,.{decimals}f}"


def _gaps_text(gaps) -> str:
    return ", ".join(part.value for part in gaps) if gaps else "None: SMART"


def _day(value) -> str:
    return f"{value:%-d %b %Y}" if value else ""


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


INDICATOR_FIELDSETS = (
    (
        "About the indicator",
        ("code", "title", "kind", "perspective", "aspect", "team", "active", "corporate_health"),
    ),
    (
        "How it is measured",
        (
            "polarity",
            "unit",
            "decimals",
            "frequency",
            "aggregation",
            "year_to_date",
            "tolerance",
            "vfm_role",
        ),
    ),
    ("Baseline", ("baseline", "baseline_period")),
    (
        "Checks on values entered",
        (
            "allow_negative",
            "allow_over_100",
            "whole_numbers",
            "minimum",
            "maximum",
            "change_threshold",
        ),
    ),
    (
        "Definition and data source",
        ("definition", "guidance", "data_source", "third_party_partner", "reviewed_on"),
    ),
    ("People and outcomes", ("enterers", "managers", "outcomes")),
)

ORGANISATION = (
    Kind(
        "directorates",
        f.DirectorateForm,
        "The council's directorates.",
        (("Name", str),),
        children=(
            Child("Services", "services", "directorate"),
            Child("Teams", "teams", "directorate"),
        ),
    ),
    Kind(
        "services",
        f.ServiceForm,
        "Services and their Heads of Service.",
        (
            ("Name", str),
            ("Directorate", lambda o: o.directorate.name),
            ("Head of Service", lambda o: person_name(o.head_of_service)),
        ),
        related=("directorate", "head_of_service"),
        filters=("directorate",),
        children=(
            Child("Teams", "teams", "service"),
            Child("Service plans", "service-plans", "service"),
        ),
    ),
    Kind(
        "teams",
        f.TeamForm,
        "Teams, their service and head, and their members.",
        (
            ("Name", str),
            ("Directorate", lambda o: o.directorate.name),
            ("Service", lambda o: o.service.name if o.service else "None"),
            ("Head of Service", lambda o: person_name(o.head_of_service)),
            ("Active", lambda o: _yes_no(o.active)),
        ),
        related=("directorate", "service", "head_of_service"),
        filters=("directorate", "service"),
        children=(Child("Indicators", "indicators", "team"),),
        links=(("Members", "performance:manage-team-members"),),
    ),
)

INDICATORS_AND_TARGETS = (
    Kind(
        "indicators",
        f.IndicatorForm,
        "KPIs and SPIs: definitions, owners, enterers and managers.",
        (
            ("Code", lambda o: o.code),
            ("Title", lambda o: o.title),
            ("Owner team", lambda o: o.team.name if o.team else "Unassigned"),
            ("Frequency", lambda o: o.get_frequency_display()),
            ("Active", lambda o: _yes_no(o.active)),
        ),
        related=("team",),
        filters=("team",),
        children=(
            Child("Targets (one at a time)", "targets", "indicator"),
            Child("Long-term targets", "long-term-targets", "indicator"),
            Child("SPC change points", "change-points", "indicator"),
        ),
        fieldsets=INDICATOR_FIELDSETS,
        links=(("Targets for a year", "performance:manage-targets"),),
        edit_links=(("Indicator page", "performance:indicator-detail"),),
    ),
    Kind(
        "targets",
        f.TargetForm,
        "Single targets of any period, with their SMART record.",
        (
            ("Indicator", lambda o: o.indicator.code),
            ("Period", lambda o: o.period),
            ("Target", lambda o: _number(o.value, o.indicator.decimals)),
            ("Missing SMART parts", lambda o: _gaps_text(target_gaps(o, o.period))),
        ),
        related=("indicator", "outcome__priority"),
        filters=("indicator",),
        order=("indicator__code", "period_start", "period"),
    ),
    Kind(
        "long-term-targets",
        f.LongTermTargetForm,
        "Where an indicator should be in three to five years.",
        (
            ("Indicator", lambda o: o.indicator.code),
            ("By", lambda o: o.by_year),
            ("Target", lambda o: _number(o.value, o.indicator.decimals)),
            ("Missing SMART parts", lambda o: _gaps_text(target_gaps(o, o.by_year))),
        ),
        words=("Long-term targets", "long-term target"),
        related=("indicator", "outcome__priority"),
        filters=("indicator",),
    ),
    Kind(
        "change-points",
        f.ChangePointForm,
        "Where an indicator's process changed, so its SPC limits are rebased.",
        (
            ("Indicator", lambda o: o.indicator.code),
            ("From period", lambda o: o.period),
            ("Why", lambda o: o.note),
        ),
        words=("SPC change points", "change point"),
        related=("indicator",),
        filters=("indicator",),
    ),
)

STRATEGIC_PLAN = (
    Kind(
        "strategic-plans",
        f.StrategicPlanForm,
        "The four-year plan: vision, community strategy and MTFS note.",
        (("Title", lambda o: o.title), ("Years", lambda o: o.years)),
        children=(Child("Priorities", "priorities", "plan"),),
    ),
    Kind(
        "priorities",
        f.PriorityForm,
        "The plan's priorities.",
        (("Priority", str), ("Strategic plan", lambda o: f"{o.plan.title} {o.plan.years}")),
        related=("plan",),
        filters=("plan",),
        children=(Child("Outcomes", "outcomes", "priority"),),
    ),
    Kind(
        "outcomes",
        f.OutcomeForm,
        "The outcomes each priority seeks.",
        (("Outcome", str), ("Priority", lambda o: str(o.priority))),
        related=("priority",),
        filters=("priority",),
        children=(
            Child("Measures of success", "measures", "outcome"),
            Child("Strategic actions", "strategic-actions", "outcome"),
        ),
    ),
    Kind(
        "measures",
        f.MeasureForm,
        "How the plan says each outcome will be judged.",
        (
            ("Measure", lambda o: o.description),
            ("Outcome", lambda o: str(o.outcome)),
            ("Indicator", lambda o: o.indicator.code if o.indicator else "None"),
        ),
        related=("outcome__priority", "indicator"),
        filters=("outcome",),
    ),
    Kind(
        "strategic-actions",
        f.StrategicActionForm,
        "The plan's actions, updated on 1 October and 1 April.",
        (
            ("Action", lambda o: o.title),
            ("Outcome", lambda o: str(o.outcome)),
            ("Owner", lambda o: person_name(o.owner)),
            ("Due", lambda o: _day(o.due_on)),
        ),
        related=("outcome__priority", "owner"),
        filters=("outcome",),
    ),
)

SERVICE_PLANS = (
    Kind(
        "service-plans",
        f.ServicePlanForm,
        "One plan per service per financial year.",
        (
            ("Service plan", lambda o: f"{o.service.name} {o.year}"),
            ("Status", lambda o: o.get_status_display()),
        ),
        related=("service",),
        filters=("service",),
        children=(Child("Objectives", "objectives", "plan"),),
    ),
    Kind(
        "objectives",
        f.ObjectiveForm,
        "A service plan's objectives, each serving a strategic outcome.",
        (
            ("Objective", str),
            ("Service plan", lambda o: f"{o.plan.service.name} {o.plan.year}"),
            ("Outcome", lambda o: str(o.outcome)),
        ),
        words=("Service-plan objectives", "objective"),
        related=("plan__service", "outcome__priority"),
        filters=("plan",),
        children=(Child("Activities", "activities", "objective"),),
    ),
    Kind(
        "activities",
        f.ActivityForm,
        "Activities under objectives, with owner and outcome.",
        (
            ("Activity", lambda o: o.title),
            (
                "Objective",
                lambda o: f"{o.objective.plan.service.name} {o.objective.plan.year}: {o.objective}",
            ),
            ("Outcome", lambda o: str(o.outcome)),
            ("Owner", lambda o: person_name(o.owner)),
        ),
        related=("objective__plan__service", "outcome__priority", "owner"),
        filters=("objective",),
        children=(
            Child("Milestones", "milestones", "activity"),
            Child("Individual objectives", "individual-objectives", "activity"),
        ),
    ),
    Kind(
        "milestones",
        f.MilestoneForm,
        "Dated steps of activities: a plan's monthly progress is the share met.",
        (
            ("Milestone", lambda o: o.title),
            ("Activity", lambda o: o.activity.title),
            ("Due", lambda o: _day(o.due_on)),
            ("Met", lambda o: _day(o.met_on) or "Not yet"),
        ),
        related=("activity",),
        filters=("activity",),
    ),
    Kind(
        "individual-objectives",
        f.IndividualObjectiveForm,
        "Objectives set at appraisal, linked to service-plan activities.",
        (
            ("Objective", lambda o: o.title),
            ("Person", lambda o: person_name(o.person)),
            ("Activity", lambda o: o.activity.title),
            ("Year", lambda o: o.year),
        ),
        related=("person", "activity"),
        filters=("activity", "person"),
    ),
)

OWN_GROUPS: dict[str, tuple[Kind, ...]] = {
    "Organisation": ORGANISATION,
    "Indicators and targets": INDICATORS_AND_TARGETS,
    "Strategic plan": STRATEGIC_PLAN,
    "Service plans": SERVICE_PLANS,
}


@dataclass(frozen=True)
class Placement:
    """A kind another app adds (MANAGE_KINDS): in `group`, right after the kind `after`.

    With no such kind in the group it goes at the group's end; a group Manage does not have is
    added after its own.
    """

    group: str
    after: str
    kind: Kind


def _groups() -> dict[str, tuple[Kind, ...]]:
    """Manage's own groups of kinds with those the hook's receivers add, in their order.

    Built on each call (a few dozen kinds), so a receiver registered later, as in a test, counts.
    """
    result = {name: list(kinds) for name, kinds in OWN_GROUPS.items()}
    for receiver in hooks.get(hooks.MANAGE_KINDS):
        for placed in receiver():
            kinds = result.setdefault(placed.group, [])
            slugs = [kind.slug for kind in kinds]
            at = slugs.index(placed.after) + 1 if placed.after in slugs else len(kinds)
            kinds.insert(at, placed.kind)
    return {name: tuple(kinds) for name, kinds in result.items()}


def _kinds() -> dict[str, Kind]:
    """Every kind by its slug (the address names it)."""
    return {kind.slug: kind for kinds in _groups().values() for kind in kinds}


class _OnUse(Mapping):
    """A read-only mapping that `build` makes each time it is read (`GROUPS`, `KINDS`)."""

    def __init__(self, build: Callable[[], Mapping]) -> None:
        self._build = build

    def __getitem__(self, key):
        return self._build()[key]

    def __iter__(self) -> Iterator:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def items(self):
        return self._build().items()


GROUPS: Mapping[str, tuple[Kind, ...]] = _OnUse(_groups)
KINDS: Mapping[str, Kind] = _OnUse(_kinds)


def kind_or_404(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404(f"There is nothing called {slug!r} to manage.") from None
