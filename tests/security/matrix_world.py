"""The world of the role × view matrix (tests/security/test_matrix.py).

Two teams, A ("Alpha") and B ("Bravo"), each in its own service. Team A has a person of every
role of SPEC §1 — a performance officer (in no team: officers see everything), a data enterer,
a data manager, a Head of Service (service manager) and a member (Management Team / Cabinet /
O&S) — and team B its own enterer, manager and head, so team A's people can try to reach team
B's objects by guessing their ids.

Each team has three quarterly indicators (customer, financial, process) with four quarters of
activated values and targets, and for the latest reporting quarter Q: a submitted value
(customer, with evidence attached), a draft (financial) and an activated value (process). Around
them: a strategic plan with a priority, an outcome, a strategic action; a service plan per
service with an objective, an activity, milestones, progress and an individual objective; an
action plan per team; complaints; an improvement; Reach the Summit scorecards and a frozen
table; a comparator group with a benchmark measure and values, a benchmarking project, an
efficiency saving and a value-for-money pair; a data quality policy (with a document) that
everyone has signed; a published report; and a finished PDF job per person.

Dates follow today: Q is `latest_reporting_period()`, so the pages open on the world's data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from benchmarking import services as benchmarking_services
from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    BenchmarkValue,
    ComparatorGroup,
    EfficiencySaving,
    VfmPair,
)
from dataquality import services as dataquality_services
from dataquality.models import Evidence, PolicyVersion, Statement
from performance.common import access
from performance.core import periods
from performance.core.periods import Period
from performance.core.roles import Role
from performance.indicators import selectors
from performance.models import (
    Action,
    ActionPlan,
    ActionPlanRequest,
    ActionPlanVersion,
    Activity,
    ActivityProgress,
    CollectionRound,
    Directorate,
    Indicator,
    IndividualObjective,
    MeasureOfSuccess,
    Milestone,
    Outcome,
    Priority,
    Risk,
    RiskCategory,
    RiskEscalation,
    Service,
    ServicePlan,
    ServicePlanObjective,
    StrategicAction,
    StrategicActionUpdate,
    StrategicPlan,
    Target,
    Team,
    TeamMembership,
    Value,
)
from performance.reports import selectors as report_selectors
from performance.reports.data import Audience, Kind
from performance.reports.models import PublishedReport, ReportJob
from reach_summit import selectors as summit_selectors
from reach_summit import services as summit_services
from reach_summit.models import Complaint, Improvement, Scorecard

PASSWORD = "matrix-password-1"
# The people of the matrix: (key, role, team key or None).
PEOPLE = [
    ("officer", Role.PERFORMANCE_OFFICER, None),
    ("enterer", Role.DATA_ENTERER, "a"),
    ("manager", Role.DATA_MANAGER, "a"),
    ("head", Role.SERVICE_MANAGER, "a"),
    ("member", Role.MEMBER, "a"),
    ("enterer_b", Role.DATA_ENTERER, "b"),
    ("manager_b", Role.DATA_MANAGER, "b"),
    ("head_b", Role.SERVICE_MANAGER, "b"),
]
PERSPECTIVES = ("customer", "financial", "process")
# The submitted and the draft figure of quarter Q: numbers no activated figure or target has, so
# a page showing one of them has leaked a figure that is not activated.
UNACTIVATED = (9137, 8642)
# A minimal file that starts like a PDF: enough for a download to be served.
PDF_BYTES = b"%PDF-1.4\n% matrix test file\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class Side:
    """One team's objects."""

    team: Team
    service: Service
    indicators: dict[str, Indicator]
    submitted: Value  # customer, quarter Q, submitted: waiting for activation
    draft: Value  # financial, quarter Q, draft
    activated: Value  # customer, quarter Q-1, activated (what a correction re-opens)
    evidence: Evidence  # attached to `submitted`
    service_plan: ServicePlan
    activity: Activity
    action_plan: ActionPlan
    membership: TeamMembership | None = None  # the enterer's membership of the team

    @property
    def indicator(self) -> Indicator:
        return self.indicators["customer"]


@dataclass
class World:
    today: dt.date
    quarter: Period  # latest reporting quarter: the default period of the pages
    frozen_quarter: Period  # a quarter whose Reach the Summit table is frozen
    users: dict[str, object]
    a: Side
    b: Side
    round: CollectionRound
    plan: StrategicPlan
    priority: Priority
    outcome: Outcome
    strategic_action: StrategicAction
    measure: BenchmarkMeasure
    group: ComparatorGroup
    project: BenchmarkingProject
    saving: EfficiencySaving
    pair: VfmPair
    policy: PolicyVersion
    published: PublishedReport
    jobs: dict[str, ReportJob] = field(default_factory=dict)
    # Risks (issue 17): "a" team A's service risk owned by A's enterer, with a pending
    # escalation ("escalation"); "b" a confidential risk of team B owned by B's head.
    risks: dict[str, Risk] = field(default_factory=dict)
    plan_request: ActionPlanRequest | None = None  # team A asks for a plan (issue 20)
    escalation: RiskEscalation | None = None


def _person(key: str, role: Role) -> object:
    user = get_user_model().objects.create(
        username=f"matrix-{key}",
        first_name=key.replace("_", " ").title(),
        last_name="Matrix",
        email=f"matrix-{key}@example.gov.uk",
    )
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([access.group_for(role)])
    return user


def _indicator(team_code: str, team: Team, perspective: str, enterer, manager) -> Indicator:
    indicator = Indicator.objects.create(
        code=f"{team_code} {perspective[:3].upper()}",
        title=f"{team.name} {perspective} measure",
        kind=Indicator.Kind.KPI,
        perspective=perspective,
        aspect=Indicator.Aspect.DELIVERY,
        polarity=Indicator.PolarityChoice.HIGHER,
        unit=Indicator.Unit.NUMBER,
        decimals=0,
        frequency=Indicator.FrequencyChoice.QUARTERLY,
        aggregation=Indicator.AggregationChoice.LAST,
        team=team,
        definition="Share of requests answered in time.",
    )
    indicator.enterers.set([enterer])
    indicator.managers.set([manager])
    return indicator


def _value(indicator: Indicator, period: Period, number: int, status: str, enterer) -> Value:
    now = timezone.now()
    activated = status == Value.Status.ACTIVATED
    return Value.objects.create(
        indicator=indicator,
        period=str(period),
        period_start=period.start,
        value=Decimal(number),
        comment="Below target: staff shortages in the quarter.",
        status=status,
        entered_by=enterer,
        entered_at=now,
        submitted_at=now if status != Value.Status.DRAFT else None,
        activated_at=now if activated else None,
        changed_by=enterer,
        changed_at=now,
    )


def _side(
    key: str,
    name: str,
    code: str,
    *,
    directorate: Directorate,
    users: dict,
    quarter: Period,
    years: list[Period],
    outcome: Outcome,
    today: dt.date,
) -> Side:
    head = users["head" if key == "a" else "head_b"]
    enterer = users["enterer" if key == "a" else "enterer_b"]
    manager = users["manager" if key == "a" else "manager_b"]
    service = Service.objects.create(
        name=f"{name} service", directorate=directorate, head_of_service=head
    )
    team = Team.objects.create(
        name=name, slug=name.lower(), directorate=directorate, service=service, head_of_service=head
    )
    indicators = {p: _indicator(code, team, p, enterer, manager) for p in PERSPECTIVES}
    for indicator in indicators.values():
        for step in range(-4, 1):
            period = quarter.shift(step)
            Target.objects.create(
                indicator=indicator,
                period=str(period),
                period_start=period.start,
                value=Decimal(90),
                outcome=outcome,
            )
        for step in range(-4, 0):
            _value(indicator, quarter.shift(step), 85 + step, Value.Status.ACTIVATED, enterer)
    submitted = _value(
        indicators["customer"], quarter, UNACTIVATED[0], Value.Status.SUBMITTED, enterer
    )
    draft = _value(indicators["financial"], quarter, UNACTIVATED[1], Value.Status.DRAFT, enterer)
    _value(indicators["process"], quarter, 95, Value.Status.ACTIVATED, enterer)
    activated = Value.objects.get(indicator=indicators["customer"], period=str(quarter.previous()))

    evidence = Evidence(
        value=submitted,
        original_name=f"{code.lower()}-working-paper.pdf",
        size=len(PDF_BYTES),
        content_type="application/pdf",
        sha256="0" * 64,
        description="Working paper",
        uploaded_by=enterer,
    )
    evidence.file.save(f"matrix-{key}.pdf", ContentFile(PDF_BYTES), save=False)
    evidence.save()

    # Service plans for every year of the world (the current one and the quarters' years).
    service_plan = activity = None
    for year in years:
        plan = ServicePlan.objects.create(
            service=service, year=str(year), status=ServicePlan.Status.APPROVED
        )
        objective = ServicePlanObjective.objects.create(
            plan=plan, number=1, title=f"{name}: answer residents faster", outcome=outcome
        )
        made = Activity.objects.create(
            objective=objective, title=f"{name}: new case system", outcome=outcome, owner=head
        )
        for quarter_ in year.quarters():
            due = quarter_.end - dt.timedelta(days=3)
            Milestone.objects.create(
                activity=made,
                title=f"Milestone {quarter_}",
                due_on=due,
                met_on=due if due < today else None,
            )
        if year.contains(today) or service_plan is None:
            service_plan, activity = plan, made
    month = periods.month_of(today).previous()
    if service_plan.year == str(periods.financial_year_of(month.start)):
        ActivityProgress.objects.create(
            activity=activity,
            month=str(month),
            percent_complete=40,
            rag=ActivityProgress.Rag.GREEN,
            comment="On plan.",
            updated_by=head,
        )
    IndividualObjective.objects.create(
        person=enterer, activity=activity, year=service_plan.year, title=f"{name}: train two staff"
    )

    action_plan = ActionPlan.objects.create(
        indicator=indicators["customer"],
        team=team,
        title=f"Improving {indicators['customer'].code}",
        reason="Red for two quarters running.",
        owner=head,
        opened_on=today - dt.timedelta(days=20),
    )
    version = ActionPlanVersion.objects.create(
        plan=action_plan, number=1, created_by=head, note="First version."
    )
    Action.objects.create(
        version=version,
        description="Recruit two temporary officers",
        owner=head,
        due_on=today + dt.timedelta(days=60),
        status=Action.Status.IN_PROGRESS,
        milestones="Advert out\nInterviews held",
    )

    for number in range(3):
        received = quarter.start + dt.timedelta(days=7 + 14 * number)
        Complaint.objects.create(
            reference=f"{code}-C{number + 1}",
            team=team,
            stage=1,
            received=received,
            due=received + dt.timedelta(days=14),
            responded=received + dt.timedelta(days=10 if number else 20),
        )
    return Side(
        team=team,
        service=service,
        indicators=indicators,
        submitted=submitted,
        draft=draft,
        activated=activated,
        evidence=evidence,
        service_plan=service_plan,
        activity=activity,
        action_plan=action_plan,
    )


def build() -> World:
    """Write the world (inside the caller's transaction) and return its objects."""
    today = timezone.localdate()
    quarter = selectors.latest_reporting_period(today=today)
    # Freezing needs a closed window: the latest quarter's closes on the 10th of the next.
    frozen = quarter if selectors.window_closed(quarter, today=today) else quarter.previous()
    current_year = periods.financial_year_of(today)
    years = sorted({current_year, quarter.financial_year, frozen.financial_year})

    directorate = Directorate.objects.create(name="Matrix directorate")
    users = {key: _person(key, role) for key, role, _ in PEOPLE}

    plan = StrategicPlan.objects.create(
        title="Matrix Strategic Plan",
        first_year=years[0].fy_start_year,
        vision="A borough where everyone does well.",
    )
    priority = Priority.objects.create(plan=plan, number=1, title="Responsive services")
    outcome = Outcome.objects.create(priority=priority, number=1, title="Residents answered fast")

    common = {
        "directorate": directorate,
        "users": users,
        "quarter": quarter,
        "years": years,
        "outcome": outcome,
        "today": today,
    }
    a = _side("a", "Alpha", "ALP", **common)
    b = _side("b", "Bravo", "BRV", **common)
    for key, _, team_key in PEOPLE:
        if team_key is not None:
            team = a.team if team_key == "a" else b.team
            membership = TeamMembership.objects.create(user=users[key], team=team)
            if key == "enterer":
                a.membership = membership
            if key == "enterer_b":
                b.membership = membership
    MeasureOfSuccess.objects.create(
        outcome=outcome, description="Answered in time", indicator=a.indicator
    )
    a.indicator.outcomes.add(outcome)
    b.indicator.outcomes.add(outcome)

    strategic_action = StrategicAction.objects.create(
        outcome=outcome,
        title="Open a one-stop shop",
        owner=users["head"],
        due_on=today + dt.timedelta(days=200),
    )
    StrategicActionUpdate.objects.create(
        action=strategic_action,
        period=str(quarter),
        status=StrategicActionUpdate.Status.ON_TRACK,
        percent_complete=30,
        progress="Site found.",
        updated_by=users["head"],
    )

    # The round of the latest quarter, open now so My returns lists its items.
    round_ = CollectionRound.objects.create(
        kind=CollectionRound.Kind.QUARTERLY,
        period=str(quarter),
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=7),
    )

    # Reach the Summit: scorecards for every year, an improvement, a frozen table.
    for side in (a, b):
        for year in years:
            Scorecard.objects.create(team=side.team, year=str(year), **side.indicators)
    Improvement.objects.create(
        team=a.team,
        quarter=str(quarter),
        quarter_start=quarter.start,
        title="Online booking",
        points=Decimal("0.5"),
        approved_by=users["officer"],
    )
    summit_services.freeze_quarter(frozen, today=today)
    assert summit_selectors.frozen_table(frozen) is not None, "the matrix table did not freeze"

    # Benchmarking: the council and four neighbours, one measure with values, a project.
    codes = [settings.COUNCIL_CODE, *(f"E07{900 + n:06d}" for n in range(4))]
    authorities = [
        Authority.objects.get_or_create(code=code, defaults={"name": f"Council {code}"})[0]
        for code in codes
    ]
    group = ComparatorGroup.objects.create(
        name="Matrix neighbours", kind=ComparatorGroup.Kind.NEAREST_NEIGHBOURS
    )
    group.members.set(authorities)
    measure = BenchmarkMeasure.objects.create(
        code="MATRIX-M1", title="Requests answered in time", indicator=a.indicator
    )
    last_year = str(current_year.previous())
    BenchmarkValue.objects.bulk_create(
        BenchmarkValue(
            measure=measure, authority=authority, period=last_year, value=Decimal(60 + 5 * n)
        )
        for n, authority in enumerate(authorities)
    )
    project = benchmarking_services.create_project(
        actor=users["officer"],
        data={
            "title": "Matrix project",
            "type": BenchmarkingProject.Type.PROCESS,
            "partner_kind": BenchmarkingProject.Partners.HIGH_ACHIEVERS,
            "measure": measure,
            "lead": users["officer"],
        },
        partner_authorities=authorities[1:3],
    )
    saving = EfficiencySaving.objects.create(
        description="Shared back office",
        year=str(current_year),
        approach=EfficiencySaving.Approach.REDUCED_INPUTS,
        cashable=True,
        amount=Decimal("25000"),
        team=a.team,
        recorded_by=users["officer"],
    )
    pair = VfmPair.objects.create(
        title="Answers per pound", output=a.indicators["process"], input=a.indicators["financial"]
    )

    # Data quality: a policy in effect with a document, signed by everyone in every role needed.
    policy = PolicyVersion(
        number=(PolicyVersion.objects.count() + 1),
        text="Check every figure twice.",
        effective_on=today - dt.timedelta(days=30),
        review_due_on=today + dt.timedelta(days=335),
        published_by=users["officer"],
        document_name="data-quality-policy.pdf",
    )
    policy.document.save("matrix-policy.pdf", ContentFile(PDF_BYTES), save=False)
    policy.save()
    for user in users.values():
        for role in dataquality_services.roles_needed(user):
            Statement.objects.create(
                person=user, policy=policy, role=role, signed_at=timezone.now()
            )

    # Published as `reports.services.publish` does, less the PDF rendering (seconds of
    # WeasyPrint): the public pages read the frozen snapshot and serve the stored file.
    snapshot = report_selectors.build(Kind.QUARTERLY, period=quarter, audience=Audience.MT)
    published = PublishedReport(
        kind=Kind.QUARTERLY.value,
        period=str(quarter),
        period_start=quarter.start,
        audience=Audience.MT.value,
        version=1,
        published_at=timezone.now(),
        published_by=users["officer"],
        published_by_name=users["officer"].get_username(),
        snapshot=snapshot.to_json(),
        sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
    )
    published.pdf.save("matrix-report.pdf", ContentFile(PDF_BYTES), save=False)
    published.save()
    jobs = {}
    for key, user in users.items():
        job = ReportJob(
            kind=Kind.QUARTERLY.value,
            period=str(quarter),
            audience=Audience.MT.value,
            requested_by=user,
            status=ReportJob.Status.DONE,
            progress=100,
            stage="Done",
            started_at=timezone.now(),
            finished_at=timezone.now(),
        )
        job.file.save(f"matrix-job-{key}.pdf", ContentFile(PDF_BYTES), save=False)
        job.save()
        jobs[key] = job

    risks, escalation = _risks(users, a, b)
    plan_request = ActionPlanRequest.objects.create(
        indicator=a.indicators["financial"],
        team=a.team,
        period=str(quarter),
        reason=ActionPlanRequest.Reason.RED,
        raised_at=timezone.now(),
    )

    return World(
        today=today,
        quarter=quarter,
        frozen_quarter=frozen,
        users=users,
        a=a,
        b=b,
        round=round_,
        plan=plan,
        priority=priority,
        outcome=outcome,
        strategic_action=strategic_action,
        measure=measure,
        group=group,
        project=project,
        saving=saving,
        pair=pair,
        policy=policy,
        published=published,
        jobs=jobs,
        risks=risks,
        escalation=escalation,
        plan_request=plan_request,
    )


def _risks(users: dict, a: Side, b: Side) -> tuple[dict[str, Risk], RiskEscalation]:
    """Team A's open service risk with a pending escalation, and team B's confidential one."""
    category = RiskCategory.objects.create(name="Operational", appetite=12)
    scores = {
        f"{kind}_{part}": value
        for kind, value in (("inherent", 4), ("current", 4), ("target", 2))
        for part in ("likelihood", "impact")
    }
    risk_a = Risk.objects.create(
        reference="MX-A1",
        title="Alpha service risk",
        register=Risk.Register.SERVICE,
        category=category,
        owner=users["enterer"],
        team=a.team,
        **scores,
    )
    risk_b = Risk.objects.create(
        reference="MX-B1",
        title="Bravo confidential risk",
        register=Risk.Register.SERVICE,
        category=category,
        owner=users["head_b"],
        team=b.team,
        confidential=True,
        **scores,
    )
    escalation = RiskEscalation.objects.create(
        risk=risk_a,
        from_register=Risk.Register.SERVICE,
        to_register=Risk.Register.DIRECTORATE,
        score=16,
        appetite=12,
        requested_at=timezone.now(),
    )
    return {"a": risk_a, "b": risk_b}, escalation
