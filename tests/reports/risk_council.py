"""Hand-made risks for the risk report and API tests: every section has something to show.

Report period 2025/26 Q2: its review round is held in Q3 (October–December 2025); "today" is
20 November 2025. Bands are the defaults (1–4 low, 5–9 medium, 10–15 high, 16–25 very high).

| ref  | register    | category (appetite) | current | rating    | above by | notes                          |
| CR01 | corporate   | Financial (12)      | 4×4=16  | very high | 4        | 12 at Q1 review → 16 at Q2     |
| CR02 | corporate   | Operational (9)     | 3×3=9   | medium    | –        | KRI: linked KRI 001 is Red     |
| SR01 | service     | Operational (9)     | 4×3=12  | high      | 3        | 16 → 12 at its only Q2 review; |
|      |             |                     |         |           |          | escalation confirmed 12 Oct    |
| SR02 | service     | Financial (12)      | 5×4=20  | very high | 8        | CONFIDENTIAL                   |
| DR01 | directorate | Reputation (none)   | 2×2=4   | low       | –        | new (5 Oct), review overdue    |
|      |             |                     |         |           |          | (SR02, added 3 Oct with a Q1   |
|      |             |                     |         |           |          | review, is not new)            |
| CL01 | service     | Operational         | closed 14 Oct 2025 (audited)                               |

Mitigating actions: SR01 own action due 1 Oct, in progress → overdue; CR01 own action due
1 Sep, complete → not overdue; CR01 linked action-plan action due 30 Sep, in progress →
overdue (read from the plan: "Review the reserves"); CR02 own action due 31 Dec → not yet due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from performance.common import audit
from performance.core.roles import Role
from performance.models import (
    Action,
    Risk,
    RiskAction,
    RiskCategory,
    RiskEscalation,
    RiskReview,
    Target,
    Value,
)
from tests.factories import (
    ActionPlanFactory,
    IndicatorFactory,
    RiskFactory,
    TeamFactory,
    UserFactory,
)

PERIOD = "2025/26 Q2"
TODAY = dt.date(2025, 11, 20)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class RiskCouncil:
    officer: object
    member: object
    staff: object  # in the finance team, not a manager: reads no confidential risk
    other_staff: object  # in another team: reads council-wide risks only
    owner: object
    team: object
    risks: dict[str, Risk]


def make_risks() -> RiskCouncil:
    team = TeamFactory(name="Finance")
    elsewhere = TeamFactory(name="Parks")
    officer = UserFactory(
        username="riskofficer",
        first_name="Pat",
        last_name="Officer",
        roles=[Role.PERFORMANCE_OFFICER],
    )
    member = UserFactory(
        username="cllr-risk", first_name="Cllr", last_name="Member", roles=[Role.MEMBER]
    )
    owner = UserFactory(username="owner", first_name="Olu", last_name="Owner", teams=[team])
    staff = UserFactory(
        username="staffer",
        first_name="Sam",
        last_name="Staff",
        roles=[Role.DATA_ENTERER],
        teams=[team],
    )
    other = UserFactory(
        username="parks",
        first_name="Pip",
        last_name="Parks",
        roles=[Role.DATA_ENTERER],
        teams=[elsewhere],
    )
    # The migration may hold these categories already: their appetites are set here.
    financial, operational, reputation = (
        RiskCategory.objects.update_or_create(name=name, defaults={"appetite": appetite})[0]
        for name, appetite in (("Financial", 12), ("Operational", 9), ("Reputation", None))
    )

    def risk(reference, register, category, likelihood, impact, **fields):
        return RiskFactory(
            reference=reference,
            title=fields.pop("title", f"Risk {reference}"),
            register=register,
            category=category,
            owner=fields.pop("owner", owner),
            team=fields.pop("team", team if register == Risk.Register.SERVICE else None),
            current_likelihood=likelihood,
            current_impact=impact,
            inherent_likelihood=5,
            inherent_impact=5,
            target_likelihood=1,
            target_impact=2,
            review_due=fields.pop("review_due", dt.date(2026, 1, 10)),
            **fields,
        )

    kri = IndicatorFactory(code="KRI 001", title="Days to pay suppliers (KRI)", team=team)
    Target.objects.create(
        indicator=kri, period="2025/26 Q2", period_start=dt.date(2025, 7, 1), value=Decimal(90)
    )
    Value.objects.create(
        indicator=kri,
        period="2025/26 Q2",
        period_start=dt.date(2025, 7, 1),
        value=Decimal(60),
        status=Value.Status.ACTIVATED,
        activated_at=at(dt.date(2025, 10, 8)),
    )
    risks = {
        "CR01": risk(
            "CR01", "corporate", financial, 4, 4, title="Funding gap in 2026/27", previous_score=12
        ),
        "CR02": risk(
            "CR02", "corporate", operational, 3, 3, title="Supplier failure", indicators=[kri]
        ),
        "SR01": risk(
            "SR01", "service", operational, 4, 3, title="Payroll system outage", previous_score=16
        ),
        "SR02": risk(
            "SR02",
            "service",
            financial,
            5,
            4,
            title="Tribunal claim (confidential)",
            confidential=True,
        ),
        "DR01": risk(
            "DR01",
            "directorate",
            reputation,
            2,
            2,
            title="Press interest in fees",
            review_due=dt.date(2025, 11, 1),
        ),
        "CL01": risk("CL01", "service", operational, 2, 3, title="Old depot lease"),
    }
    Risk.objects.update(created_at=at(dt.date(2024, 5, 1)))
    Risk.objects.filter(reference="DR01").update(created_at=at(dt.date(2025, 10, 5)))
    # Imported in the span with its history (a review for Q1): not new.
    Risk.objects.filter(reference="SR02").update(created_at=at(dt.date(2025, 10, 3)))
    closed = risks["CL01"]
    audit.update(actor=officer, instance=closed, reason="Lease ended", status=Risk.Status.CLOSED)
    from performance.models.audit import AuditEvent

    AuditEvent.objects.filter(object_id=str(closed.pk), changes__has_key="status").update(
        at=at(dt.date(2025, 10, 14))
    )
    Risk.objects.filter(pk=closed.pk).update(updated_at=at(dt.date(2025, 10, 14)))

    def review(reference, period, day, before, after):
        RiskReview.objects.create(
            risk=risks[reference],
            period=period,
            reviewed_by=owner,
            reviewed_at=at(day),
            previous_likelihood=before[0],
            previous_impact=before[1],
            likelihood=after[0],
            impact=after[1],
            comment="Reviewed.",
        )

    review("CR01", "2025/26 Q1", dt.date(2025, 7, 8), (3, 3), (3, 4))  # 9 → 12
    review("CR01", "2025/26 Q2", dt.date(2025, 10, 6), (3, 4), (4, 4))  # 12 → 16
    review("CR02", "2025/26 Q2", dt.date(2025, 10, 7), (3, 3), (3, 3))  # no change
    review("SR01", "2025/26 Q2", dt.date(2025, 10, 7), (4, 4), (4, 3))  # 16 → 12
    review("SR02", "2025/26 Q1", dt.date(2025, 7, 8), (4, 4), (4, 4))
    review("SR02", "2025/26 Q2", dt.date(2025, 10, 9), (4, 4), (5, 4))  # 16 → 20, confidential
    RiskEscalation.objects.create(
        risk=risks["SR01"],
        from_register="service",
        to_register="directorate",
        score=16,
        appetite=9,
        status=RiskEscalation.Status.CONFIRMED,
        requested_at=at(dt.date(2025, 10, 7)),
        decided_at=at(dt.date(2025, 10, 12)),
        decided_by=officer,
    )
    RiskAction.objects.create(
        risk=risks["SR01"],
        description="Test the payroll failover",
        owner=owner,
        due_on=dt.date(2025, 10, 1),
        progress=RiskAction.Progress.IN_PROGRESS,
    )
    RiskAction.objects.create(
        risk=risks["CR01"],
        description="Agree the savings plan",
        owner=owner,
        due_on=dt.date(2025, 9, 1),
        progress=RiskAction.Progress.COMPLETE,
    )
    plan = ActionPlanFactory(team=team, owner=officer, actions=0)
    plan_action = Action.objects.create(
        version=plan.versions.get(),
        description="Review the reserves",
        owner=officer,
        due_on=dt.date(2025, 9, 30),
        status=Action.Status.IN_PROGRESS,
    )
    RiskAction.objects.create(risk=risks["CR01"], plan_action=plan_action)
    RiskAction.objects.create(
        risk=risks["CR02"],
        description="Find a second supplier",
        owner=owner,
        due_on=dt.date(2025, 12, 31),
    )
    return RiskCouncil(
        officer=officer,
        member=member,
        staff=staff,
        other_staff=other,
        owner=owner,
        team=team,
        risks=risks,
    )
