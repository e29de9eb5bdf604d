"""Activate, return and correct need the version the manager saw (issue 14): a POST without it
is a 400 naming the field and changes nothing; a stale one is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.collection import services as collection
from performance.models import Value
from tests.performance.collection.test_collection import enter

MISSING = "The version field is missing"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def _unchanged(value: Value) -> bool:
    stored = Value.objects.get(pk=value.pk)
    return (stored.status, stored.version) == (value.status, value.version)


@pytest.mark.parametrize("action", ["activate", "return"])
def test_review_without_a_version_is_a_400_and_changes_nothing(client, world, action):
    value = enter(world, "WAS 001", "96", submit=True)
    client.force_login(world.users["manager_a"])
    url = reverse("performance:value-review", args=[value.pk])
    response = client.post(url, {"action": action, "reason": "Check the source"})
    assert response.status_code == 400
    assert MISSING in response.content.decode()
    assert _unchanged(value)
    stale = client.post(
        url, {"action": action, "reason": "Check the source", "version": value.version - 1}
    )
    assert stale.status_code == 400
    assert "Reload the page to see the change" in stale.content.decode()
    assert _unchanged(value)


def test_correct_without_a_version_is_a_400_and_changes_nothing(client, world):
    value = enter(world, "WAS 001", "96", submit=True)
    value = collection.activate(
        user=world.users["manager_a"], value_id=value.pk, version=value.version
    )
    client.force_login(world.users["manager_a"])
    url = reverse("performance:value-correct", args=[value.pk])
    response = client.post(url, {"reason": "Wrong month's data"})
    assert response.status_code == 400
    assert MISSING in response.content.decode()
    assert _unchanged(value)
    stale = client.post(url, {"reason": "Wrong month's data", "version": value.version - 1})
    assert stale.status_code == 400
    assert "Reload the page to see the change" in stale.content.decode()
    assert _unchanged(value)


@pytest.mark.parametrize("action", ["activate", "return"])
def test_bulk_without_a_version_is_a_400_naming_the_field(client, world, action):
    a = enter(world, "WAS 001", "96", submit=True)
    b = enter(world, "WAS 002", "9", submit=True)
    client.force_login(world.users["manager_a"])
    response = client.post(
        reverse("performance:activation-bulk"),
        {"action": action, "selected": [a.pk, b.pk], f"version-{a.pk}": a.version, "reason": "x"},
    )
    assert response.status_code == 400
    assert f"The version-{b.pk} field is missing" in response.content.decode()
    assert _unchanged(a)
    assert _unchanged(b)


def test_the_services_refuse_a_missing_version(world):
    value = enter(world, "WAS 001", "96", submit=True)
    manager = world.users["manager_a"]
    with pytest.raises(collection.EntryInvalid, match=MISSING):
        collection.activate(user=manager, value_id=value.pk, version=None)
    with pytest.raises(collection.EntryInvalid, match=MISSING):
        collection.return_value(user=manager, value_id=value.pk, version=None, reason="x")
    with pytest.raises(collection.EntryInvalid, match=MISSING):
        collection.correct(user=manager, value_id=value.pk, version=None, reason="x")
    assert _unchanged(value)
