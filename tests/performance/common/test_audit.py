"""The audit trail: who, when, what, before and after; append-only."""

from __future__ import annotations

import pytest

from performance.common import audit
from performance.models import AuditEvent
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_update_records_actor_fields_before_after_and_reason():
    officer = UserFactory(username="pat")
    team = TeamFactory(name="Waste")
    event = audit.update(
        actor=officer, instance=team, reason="Service renamed", name="Waste and Recycling"
    )
    team.refresh_from_db()
    assert team.name == "Waste and Recycling"
    assert event.actor == officer
    assert event.actor_name == "pat"
    assert event.action == "update"
    assert event.changes == {"name": ["Waste", "Waste and Recycling"]}
    assert event.reason == "Service renamed"
    assert list(audit.history(team)) == [event]


def test_update_without_a_change_writes_nothing():
    team = TeamFactory(name="Waste")
    assert audit.update(actor=None, instance=team, name="Waste") is None
    assert AuditEvent.objects.count() == 0


def test_foreign_keys_are_recorded_by_id_and_system_actor_by_name():
    team = TeamFactory()
    before = team.directorate_id
    other = TeamFactory().directorate
    event = audit.update(actor=None, instance=team, directorate=other)
    assert event.changes == {"directorate": [before, other.pk]}
    assert event.actor is None
    assert event.actor_name == "system"


def test_invalid_value_is_refused_and_nothing_is_written():
    team = TeamFactory(name="Waste")
    with pytest.raises(Exception, match="name"):
        audit.update(actor=None, instance=team, name="")
    team.refresh_from_db()
    assert team.name == "Waste"
    assert AuditEvent.objects.count() == 0


def test_audit_events_cannot_be_changed_or_deleted():
    event = audit.record(actor=None, instance=TeamFactory(), action="create")
    event.reason = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get().reason == ""


def test_actor_name_survives_the_account_being_removed():
    officer = UserFactory(username="leaver")
    event = audit.record(actor=officer, instance=TeamFactory(), action="create")
    officer.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "leaver"
