"""Issue 19 (wrong facts): the council is "us" under its own configured name (COUNCIL_NAME), not
the comparator list's name for its code ("Maidstone (us)" under a "Demo Borough Council" header)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from benchmarking.models import Authority
from performance.core.roles import Role
from tests.benchmarking.helpers import COUNCIL, group_of, measure_with_values
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@override_settings(COUNCIL_NAME="Riverside Borough Council", COUNCIL_CODE=COUNCIL)
def test_the_measure_page_calls_us_by_the_councils_configured_name(client):
    group = group_of(5)
    Authority.objects.filter(code=COUNCIL).update(name="Maidstone")
    codes = sorted(group.members.values_list("code", flat=True))
    measure = measure_with_values(group, {"2023/24": {c: str(40 + i) for i, c in enumerate(codes)}})
    client.force_login(UserFactory(username="erin", roles=[Role.DATA_ENTERER]))
    url = reverse("benchmarking:measure-detail", args=[measure.pk]) + f"?group={group.pk}"
    body = client.get(url).content.decode()
    assert "Riverside Borough Council (us)" in body
    assert "Maidstone" not in body
