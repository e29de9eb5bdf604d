"""The demo council's risks (SPEC §14): a corporate register like a district council's (financial
resilience, housing demand, cyber security, the waste contract, planning appeals, …) and a few
service risks per team, with controls, mitigating actions, a year of quarterly reviews, appetites
per category and key risk indicators linked to the teams' indicators, so that some alerts show
(the indicators with open action plans were Red in their latest quarter).

Called by `seed_demo` after the indicators (DEMO_STEPS); deterministic for a scale and a seed.
The `stress` scale gets about twelve service risks per team (3,000 at 250 teams) for `make bench`.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from performance.core import periods
from performance.core import risks as rules
from performance.models import (
    ActionPlan,
    Indicator,
    Risk,
    RiskAction,
    RiskAlert,
    RiskCategory,
    RiskControl,
    RiskReview,
)
from performance.risks import services

APPETITES = {
    "Financial": 12,
    "Strategic": 12,
    "Operational and service delivery": 12,
    "Legal and compliance": 8,
    "Reputational": 10,
    "Health and safety": 6,
    "Information and cyber security": 8,
    "Partnerships and contracts": 12,
}

# (reference, title, category, cause, event, consequence, inherent, current, target,
#  team name whose indicators are its key risk indicators or None, controls, actions)
CORPORATE = [
    (
        "CR01",
        "Financial resilience",
        "Financial",
        "Government funding falls in real terms while demand and inflation push costs up",
        "The council cannot set a balanced budget over the medium term",
        "Services are cut at short notice, reserves are used up and a section 114 notice "
        "becomes possible",
        (5, 5),
        (4, 4),
        (3, 3),
        "Revenues and Benefits",
        [
            ("Medium Term Financial Strategy refreshed each year", "effective"),
            ("Monthly budget monitoring reported to Cabinet", "effective"),
            ("Savings programme tracked by the Corporate Leadership Team", "partial"),
        ],
        [
            ("Agree savings of £1.2m for next year's budget", 60),
            ("Review the reserves strategy", 30),
        ],
    ),
    (
        "CR02",
        "Housing demand and temporary accommodation costs",
        "Financial",
        "Homelessness approaches rise with private rents and evictions",
        "Temporary accommodation is used for more households for longer",
        "Costs rise beyond the budget and families stay in unsuitable accommodation",
        (5, 4),
        (4, 4),
        (3, 3),
        "Housing and Homelessness",
        [
            ("Homelessness prevention fund", "partial"),
            ("Council-owned temporary accommodation programme", "partial"),
        ],
        [("Buy 20 homes for temporary accommodation", 45), ("Open a prevention hub", 80)],
    ),
    (
        "CR03",
        "Cyber security attack",
        "Information and cyber security",
        "Phishing, ransomware and unpatched systems",
        "A successful attack takes systems and data out of use",
        "Services stop, personal data is lost and the council is fined and loses trust",
        (4, 5),
        (3, 4),
        (2, 4),
        "ICT and Digital",
        [
            ("Cyber Essentials Plus certification", "effective"),
            ("Offline backups tested each quarter", "effective"),
            ("Staff phishing training", "partial"),
        ],
        [("Replace the end-of-life firewall", 70), ("Run a ransomware recovery exercise", 0)],
    ),
    (
        "CR04",
        "Waste and recycling contract performance",
        "Partnerships and contracts",
        "The contractor's staffing and fleet problems",
        "Missed collections and falling recycling rates",
        "Residents' complaints rise and the council misses its recycling target",
        (4, 4),
        (3, 3),
        (2, 3),
        "Waste and Street Scene",
        [
            ("Monthly contract performance meetings", "effective"),
            ("Default notices under the contract", "partial"),
        ],
        [("Agree a recovery plan with the contractor", 100), ("Procure the new contract", 20)],
    ),
    (
        "CR05",
        "Planning appeals and the Local Plan",
        "Legal and compliance",
        "Decisions overturned at appeal and delays to the Local Plan review",
        "Costs awarded against the council and speculative development approved on appeal",
        "Financial loss and development in the wrong places",
        (4, 4),
        (3, 3),
        (2, 3),
        "Development Management",
        [("Member training on planning decisions", "effective"), ("Legal review", "partial")],
        [("Submit the Local Plan review for examination", 50)],
    ),
    (
        "CR06",
        "Workforce capacity and recruitment",
        "Operational and service delivery",
        "A tight labour market for planners, surveyors, lawyers and ICT staff",
        "Key posts stay vacant or are filled by agency staff",
        "Service standards fall and costs rise",
        (4, 4),
        (3, 3),
        (3, 2),
        None,
        [("Market supplements for hard-to-fill posts", "partial")],
        [("Launch the graduate and apprenticeship scheme", 40)],
    ),
    (
        "CR07",
        "Climate emergency commitments",
        "Strategic",
        "The council's carbon reduction plan depends on funding and partners",
        "The 2030 net zero commitment is missed",
        "Reputational damage and higher energy costs",
        (4, 3),
        (3, 3),
        (2, 3),
        None,
        [("Carbon reduction action plan monitored quarterly", "partial")],
        [("Install solar panels on the council offices", 65)],
    ),
    (
        "CR08",
        "Health and safety of staff and the public",
        "Health and safety",
        "Lone working, violence and aggression, and operational hazards",
        "A serious injury to a member of staff or the public",
        "Harm, prosecution and compensation claims",
        (3, 5),
        (2, 4),
        (1, 4),
        None,
        [("Lone worker devices", "effective"), ("Annual risk assessments", "effective")],
        [("Refresh the violence and aggression policy", 90)],
    ),
]

SERVICE_TEMPLATES = [
    (
        "Loss of key staff in {team}",
        "Operational and service delivery",
        "Few people hold the specialist knowledge",
        "Key staff leave or are absent for a long time",
        "The service cannot meet its standards",
        (4, 3),
        (3, 3),
        (2, 2),
    ),
    (
        "{team} falls below its performance targets",
        "Operational and service delivery",
        "Demand rises faster than the team's capacity",
        "Key performance indicators go Red",
        "Residents wait longer and complaints rise",
        (4, 4),
        (3, 3),
        (2, 2),
    ),
    (
        "Budget overspend in {team}",
        "Financial",
        "Demand-led costs and income below budget",
        "The service overspends its budget",
        "Savings are needed elsewhere in the council",
        (4, 3),
        (3, 2),
        (2, 2),
    ),
    (
        "Failure of {team}'s case management system",
        "Information and cyber security",
        "An old system with a single supplier",
        "The system is unavailable for days",
        "Work stops and data has to be re-keyed",
        (3, 4),
        (2, 3),
        (1, 3),
    ),
]
SERVICE_RISKS = {"small": 2, "council": 3, "county": 4, "stress": 12}
REVIEWS = 4  # quarters of history on the corporate register


def _quarters(today: dt.date, count: int) -> list[periods.Period]:
    """The last `count` quarters whose windows have opened, oldest first."""
    latest = rules.review_period(today)
    return [latest.shift(-step) for step in range(count - 1, -1, -1)]


def seed(context) -> None:
    """The DEMO_STEPS step (`context` is `performance.demo.DemoContext`, above this layer)."""
    today = timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    rng = context.rng
    days = settings.COLLECTION_WINDOW_DAYS
    categories = {}
    for name, appetite in APPETITES.items():
        category, _ = RiskCategory.objects.get_or_create(name=name)
        category.appetite = appetite
        category.save(update_fields=["appetite"])
        categories[name] = category
    teams_by_name = {team.name: team for team in context.teams}
    red = set(ActionPlan.objects.values_list("indicator_id", flat=True))
    by_team: dict[int, list[int]] = {}
    red_by_team: dict[int, list[int]] = {}
    for pk, team_id in Indicator.objects.filter(active=True).values_list("pk", "team_id"):
        by_team.setdefault(team_id, []).append(pk)
        if pk in red:
            red_by_team.setdefault(team_id, []).append(pk)
    officer = context.users.get("performance")
    head = context.users.get("head")
    quarters = _quarters(today, REVIEWS)
    next_due = rules.next_review_due(today, days)
    made = 0
    for number, row in enumerate(CORPORATE):
        (reference, title, category, cause, event, consequence) = row[:6]
        inherent, current, target, team_name, controls, actions = row[6:]
        owner = head if reference in ("CR02", "CR04") and head else officer
        team = teams_by_name.get(team_name) if team_name else None
        risk = Risk.objects.create(
            reference=reference,
            title=title,
            register=Risk.Register.CORPORATE,
            category=categories[category],
            owner=owner,
            directorate=team.directorate if team else None,
            cause=cause,
            event=event,
            consequence=consequence,
            inherent_likelihood=inherent[0],
            inherent_impact=inherent[1],
            current_likelihood=current[0],
            current_impact=current[1],
            target_likelihood=target[0],
            target_impact=target[1],
            review_due=next_due,
        )
        made += 1
        if team is not None:
            linked = (red_by_team.get(team.pk) or [])[:1] + (by_team.get(team.pk) or [])[:2]
            risk.indicators.set(list(dict.fromkeys(linked)))
        RiskControl.objects.bulk_create(
            RiskControl(risk=risk, description=text, effectiveness=effectiveness)
            for text, effectiveness in controls
        )
        RiskAction.objects.bulk_create(
            RiskAction(
                risk=risk,
                description=text,
                owner=owner,
                due_on=today + dt.timedelta(days=rng.choice([-20, 30, 60, 90, 150])),
                progress=RiskAction.Progress.COMPLETE
                if percent == 100
                else RiskAction.Progress.IN_PROGRESS
                if percent
                else RiskAction.Progress.NOT_STARTED,
            )
            for text, percent in actions
        )
        skip = number % 3 == 2
        trend = ("falling", "stable", "rising", "falling")[number % 4]
        _history(risk, quarters, owner, zone, rng, skip_latest=skip, trend=trend)
        if skip:  # its review for the last quarter is still owed, past the window's close
            Risk.objects.filter(pk=risk.pk).update(review_due=quarters[-1].window_close(days))
    teams = list(context.teams)
    per_team = SERVICE_RISKS.get(context.scale.name, 2)
    service_risks = []
    for team_number, team in enumerate(teams):
        owner_id = team.head_of_service_id or (officer.pk if officer else None)
        if owner_id is None:
            continue
        for index in range(per_team):
            template = SERVICE_TEMPLATES[index % len(SERVICE_TEMPLATES)]
            title, category, cause, event, consequence, inherent, current, target = template
            lift = rng.choice([0, 0, 0, 1]) if index % len(SERVICE_TEMPLATES) != 1 else 0
            service_risks.append(
                Risk(
                    reference=f"SR{team_number + 1:03d}-{index + 1:02d}",
                    title=title.format(team=team.name)
                    + (f" ({index // len(SERVICE_TEMPLATES) + 1})" if index >= 4 else ""),
                    register=Risk.Register.SERVICE,
                    category=categories[category],
                    owner_id=owner_id,
                    team=team,
                    directorate_id=team.directorate_id,
                    cause=cause,
                    event=event,
                    consequence=consequence,
                    inherent_likelihood=inherent[0],
                    inherent_impact=inherent[1],
                    current_likelihood=min(5, current[0] + lift),
                    current_impact=current[1],
                    target_likelihood=target[0],
                    target_impact=target[1],
                    # One team's fourth risk is confidential (a staffing matter).
                    confidential=index == 0 and team_number % 4 == 3,
                    review_due=next_due if rng.random() > 0.1 else today - dt.timedelta(days=20),
                )
            )
    Risk.objects.bulk_create(service_risks, batch_size=1000)
    links = []
    through = Risk.indicators.through
    for risk in Risk.objects.filter(register=Risk.Register.SERVICE).only("pk", "team_id", "title"):
        if "performance targets" in risk.title:
            team_indicators = (red_by_team.get(risk.team_id) or [])[:1] + (
                by_team.get(risk.team_id) or []
            )[:2]
            for indicator_id in dict.fromkeys(team_indicators):
                links.append(through(risk_id=risk.pk, indicator_id=indicator_id))
    through.objects.bulk_create(links, batch_size=2000)
    made += len(service_risks)
    # The alerts the seeded figures raise, as the first page would; the demo's owners are not
    # emailed about history (marked as told).
    raised = services.sync_kri_alerts(force=True).raised
    RiskAlert.objects.filter(pk__in=raised).update(notified_at=timezone.now())
    context.log(
        f"Risks: {made} ({len(CORPORATE)} corporate, {len(service_risks)} service), "
        f"{len(links)} key risk indicator links, {len(raised)} alerts."
    )


def _history(
    risk: Risk,
    quarters: list[periods.Period],
    owner: object,
    zone: ZoneInfo,
    rng: object,
    *,
    skip_latest: bool,
    trend: str,
) -> None:
    """A year of quarterly reviews ending at the risk's current scores; the latest quarter's is
    left out for some risks (their review is still owed in the open window)."""
    current = (risk.current_likelihood, risk.current_impact)
    steps = [current]
    for _ in quarters[1:]:
        likelihood, impact = steps[-1]
        # Walking back in time: a falling risk was higher before, a rising one lower.
        change = {"falling": 1, "rising": -1}.get(trend, 0) if len(steps) % 2 else 0
        steps.append((max(1, min(5, likelihood + change)), impact))
    steps.reverse()  # oldest first, ending at the current scores
    shown = quarters[:-1] if skip_latest else quarters
    previous = (risk.inherent_likelihood, risk.inherent_impact)
    reviews = []
    for quarter, (likelihood, impact) in zip(shown, steps[-len(shown) :], strict=True):
        at = dt.datetime.combine(quarter.request_date() + dt.timedelta(days=5), dt.time(11), zone)
        reviews.append(
            RiskReview(
                risk=risk,
                period=str(quarter),
                reviewed_by_id=getattr(owner, "pk", None),
                reviewed_at=at,
                likelihood=likelihood,
                impact=impact,
                previous_likelihood=previous[0],
                previous_impact=previous[1],
                comment="Reviewed with the controls' owners; "
                + (
                    "the score is unchanged."
                    if (likelihood, impact) == previous
                    else "the score has moved as the controls took effect."
                    if likelihood * impact < previous[0] * previous[1]
                    else "the score has risen with the pressures described."
                ),
            )
        )
        previous = (likelihood, impact)
    RiskReview.objects.bulk_create(reviews)
    if len(reviews) >= 2:
        last, before = reviews[-1], reviews[-2]
        Risk.objects.filter(pk=risk.pk).update(
            current_likelihood=last.likelihood,
            current_impact=last.impact,
            previous_score=before.likelihood * before.impact,
        )
