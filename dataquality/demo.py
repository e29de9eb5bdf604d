"""The data quality part of the demo council (`seed_demo`, after the collection cycle).

Two policy versions (the first superseded), signed statements for the current one by the demo
logins and most officers, with a few officers left unsigned so the signatures list shows gaps;
validation settings on a few indicators; a few working papers and refused entries, so every
feature of the dashboard has something to show. Seeding writes rows directly (not audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from dataquality import services
from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement, ValidationRule
from performance.common import cache
from performance.models import Indicator, Value

POLICY_TEXT = """Purpose
Decisions, plans and the public's trust rest on performance information. This policy sets out how the council makes sure that information is accurate, valid, reliable, timely, relevant and complete.

Responsibilities
Data enterers collect and enter each value by the definition in the indicator handbook, keep the working papers behind it and write a performance comment when a value is Amber, Red, or unusual. Data managers check each value against its evidence before activating it, and return it with a reason when it is not right. Heads of Service own the quality of their teams' data. The Policy & Performance team keeps this policy, validates entries and reports on data quality to Management Team.

Standards
Every value is entered within ten days of the request; calculations follow the indicator's definition; third-party and proxy data name their source; corrections after activation are made only by re-opening the value with a reason.

Review
This policy is reviewed every year."""


def _version(number: int, effective: dt.date, summary: str, publisher) -> PolicyVersion:
    return PolicyVersion.objects.create(
        number=number,
        title="Data quality policy",
        text=POLICY_TEXT,
        effective_on=effective,
        review_due_on=effective.replace(year=effective.year + 1),
        summary=summary,
        published_by=publisher,
    )


def seed(context) -> None:
    today = timezone.localdate()
    officer = context.users.get("performance")
    first = dt.date(today.year - 2 if today.month < 4 else today.year - 1, 4, 1)
    _version(1, first, "First version.", officer)
    current = _version(
        2,
        first.replace(year=first.year + 1),
        "Adds proxy data and evidence retention.",
        officer,
    )
    now = timezone.now()
    signed = unsigned = 0
    statements = []
    for number, (username, user) in enumerate(sorted(context.users.items())):
        roles = services.roles_needed(user)
        demo_login = username in {"performance", "enterer", "manager", "head", "member"}
        if roles and not demo_login and number % 6 == 5:
            unsigned += 1
            continue
        for role in roles:
            statements.append(Statement(person=user, policy=current, role=role, signed_at=now))
        signed += bool(roles)
    Statement.objects.bulk_create(statements)

    indicators = list(Indicator.objects.filter(active=True).order_by("code")[:40])
    for indicator in indicators[:3]:
        ValidationRule.objects.create(indicator=indicator, change_threshold=Decimal(25))
    activated = list(
        Value.objects.filter(status=Value.Status.ACTIVATED, indicator__in=indicators)
        .select_related("indicator")
        .order_by("-period_start", "indicator__code")[:3]
    )
    enterer = context.users.get("enterer")
    for value in activated:
        data = (
            f"indicator,period,value\n{value.indicator.code},{value.period},{value.value}\n"
        ).encode()
        evidence = Evidence(
            value=value,
            original_name=f"{value.indicator.code.replace(' ', '-')}-{value.period.replace('/', '-')}-working-paper.csv",
            size=len(data),
            content_type="text/csv",
            sha256=hashlib.sha256(data).hexdigest(),
            description="Extract from the case management system.",
            uploaded_by=enterer,
        )
        evidence.file.save(f"{uuid.uuid4().hex}.csv", ContentFile(data), save=False)
        evidence.save()
    rejected = []
    for value in activated[:2]:
        rejected.append(
            RejectedEntry(
                indicator=value.indicator,
                period=value.period,
                period_start=value.period_start,
                channel=RejectedEntry.Channel.FORM,
                field="value",
                rule="percent_range",
                message="Value is a percentage and must be between 0 and 100",
                raw="105",
                person=enterer,
            )
        )
    RejectedEntry.objects.bulk_create(rejected)
    cache.bump("dataquality")  # bulk_create sends no signal
    context.log(
        f"Data quality: policy version {current.number} in effect, signed by {signed} people "
        f"({unsigned} not yet); {len(activated)} working papers."
    )
