"""Fixtures for data quality tests, and for other apps' tests that need signed statements.

`signed_policy` publishes a policy version in effect and signs it, in every role they need, for
everyone who exists when it runs; `sign_everyone()` signs people created later.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dataquality import services
from dataquality.models import PolicyVersion, Statement


def publish(number: int | None = None, *, effective_on: dt.date | None = None) -> PolicyVersion:
    effective = effective_on or timezone.localdate() - dt.timedelta(days=30)
    number = number or (PolicyVersion.objects.count() + 1)
    return PolicyVersion.objects.create(
        number=number,
        text=f"Policy text, version {number}.",
        effective_on=effective,
        review_due_on=effective + dt.timedelta(days=365),
    )


def sign_everyone(policy: PolicyVersion | None = None) -> int:
    policy = policy or services.current_policy()
    made = 0
    for user in get_user_model().objects.all():
        for role in services.roles_needed(user):
            _, created = Statement.objects.get_or_create(
                person=user, policy=policy, role=role, defaults={"signed_at": timezone.now()}
            )
            made += created
    return made


@pytest.fixture
def signed_policy(db):
    policy = publish()
    sign_everyone(policy)
    return policy
