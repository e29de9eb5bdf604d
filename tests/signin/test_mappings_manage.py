"""Sign-in mappings kept in Manage (issue 15): listed, added and edited by performance officers
through the generic pages, audited, with errors that name the field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.core.roles import Role
from performance.models import AuditEvent
from performance.signin.models import SignInMapping
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW = reverse("performance:manage-create", args=["signin-mappings"])
LIST = reverse("performance:manage-list", args=["signin-mappings"])


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    return client


def test_a_mapping_is_saved_audited_and_listed(officer):
    team = TeamFactory(name="Housing Options")
    response = officer.post(
        NEW,
        {
            "claim_value": " 5f1c-housing ",
            "role": Role.DATA_ENTERER.value,
            "team": team.pk,
            "note": "Entra group: Housing data",
        },
    )
    assert response.status_code == 302
    mapping = SignInMapping.objects.get()
    assert (mapping.claim_value, mapping.role, mapping.team) == (
        "5f1c-housing",
        Role.DATA_ENTERER.value,
        team,
    )
    assert AuditEvent.objects.filter(object_id=str(mapping.pk), action="create").count() == 1
    page = officer.get(LIST).content.decode()
    assert "Sign-in mappings" in page
    assert "5f1c-housing" in page
    assert "Housing Options" in page
    assert "Sign-in mappings" in officer.get(reverse("performance:manage-index")).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"claim_value": ""}, "Enter the claim value the provider sends"),
        ({"role": ""}, "Choose the role"),
        ({"role": "Emperor"}, "Choose one of the listed roles"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(officer, changes, message):
    data = {"claim_value": "g1", "role": Role.MEMBER.value, "team": "", "note": ""}
    response = officer.post(NEW, {**data, **changes})
    assert message in response.content.decode()
    assert SignInMapping.objects.count() == 0


def test_only_officers_may_manage_mappings(client):
    client.force_login(UserFactory(username="eddie", roles=[Role.DATA_ENTERER]))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, {"claim_value": "g1", "role": Role.PERFORMANCE_OFFICER.value})
    assert SignInMapping.objects.count() == 0
