"""Deadline day (issue 23): the collection's writes when everyone submits at once — one lock
order for every bulk writer, the statement checked outside the locks, a save that reads its due
item once, and an Excel upload of new values that the cached pages see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from performance.collection import due
from performance.collection import services as collection
from performance.common import cache, hooks
from performance.models import Value
from tests.performance.collection.test_collection import enter
from tests.performance.collection.test_excel import download, fill, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_the_window")]


def _submitted(world) -> list[Value]:
    return [enter(world, "WAS 001", "96", submit=True), enter(world, "WAS 002", "9", submit=True)]


def test_bulk_locks_values_in_ascending_id_order_whatever_order_they_come_in(world, monkeypatch):
    values = _submitted(world)
    locked = []
    real = collection._locked

    def recorded(value_id):
        locked.append(value_id)
        return real(value_id)

    monkeypatch.setattr(collection, "_locked", recorded)
    newest_first = sorted(((v.pk, v.version) for v in values), reverse=True)
    done = collection.bulk(user=world.users["manager_a"], action="activate", items=newest_first)
    assert locked == sorted(v.pk for v in values)
    assert {v.status for v in done} == {"activated"}


def test_bulk_checks_the_statement_once_before_any_row_is_locked(world, monkeypatch):
    values = _submitted(world)
    locked, asked = [], []
    real = collection._locked

    def recorded(value_id):
        locked.append(value_id)
        return real(value_id)

    def signed(user, role):
        asked.append((role, len(locked)))

    monkeypatch.setattr(collection, "_locked", recorded)
    with hooks.register_temporarily(hooks.BEFORE_SUBMIT, signed, order=1000):
        collection.bulk(
            user=world.users["manager_a"],
            action="activate",
            items=[(v.pk, v.version) for v in values],
        )
    assert asked == [("Manager", 0)]  # once, with no row locked yet
    assert len(locked) == 2
    assert set(Value.objects.values_list("status", flat=True)) == {"activated"}


def test_bulk_by_a_manager_who_has_not_signed_refuses_every_value_and_changes_none(world):
    values = _submitted(world)

    def not_signed(user, role):
        raise collection.Refused("You cannot activate values until you sign the statement.")

    with (
        hooks.register_temporarily(hooks.BEFORE_SUBMIT, not_signed, order=1000),
        pytest.raises(collection.BulkRefused) as refused,
    ):
        collection.bulk(
            user=world.users["manager_a"],
            action="activate",
            items=[(v.pk, v.version) for v in values],
        )
    assert [p.message for p in refused.value.problems] == [
        "You cannot activate values until you sign the statement."
    ] * 2
    assert set(Value.objects.values_list("status", flat=True)) == {"submitted"}


def test_saving_an_entry_reads_its_due_item_once_and_shows_the_value_saved(
    client, world, monkeypatch
):
    reads = []
    real = due.due_items

    def counted(*args, **kwargs):
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(due, "due_items", counted)
    client.force_login(world.users["enterer_a"])
    indicator = world.indicators["WAS 002"]
    url = reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])
    response = client.post(
        url,
        {"value": "9.5", "comment": "", "version": "0", "action": "save"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert len(reads) == 1
    page = response.content.decode()
    assert "Saved WAS 002 as a draft." in page
    assert 'name="version" value="1"' in page  # the next save is checked against this one
    assert 'value="9.5"' in page
    reads.clear()
    response = client.post(
        url,
        {"value": "9", "comment": "", "version": "1", "action": "submit"},
        HTTP_HX_REQUEST="true",
    )
    assert len(reads) == 1
    assert "Submitted WAS 002 for activation." in response.content.decode()
    assert Value.objects.get(indicator=indicator).status == "submitted"


def test_an_upload_of_new_values_is_seen_by_the_cached_pages(client, world):
    before = cache.tokens(["indicators"]), cache.tokens(["dataquality"])
    data = download(client, world.users["enterer_a"])
    response = upload(client, fill(data, {"WAS 001": {"value": 96}}))
    assert response.status_code == 302
    assert Value.objects.get(indicator=world.indicators["WAS 001"]).status == "submitted"
    after = cache.tokens(["indicators"]), cache.tokens(["dataquality"])
    assert after[0] != before[0]
    assert after[1] != before[1]
