"""Writes (SPEC §15): POST /api/v1/values takes the form's and the upload's path — validation,
statements, workflow, audit naming the token — all or nothing, with row-numbered errors, and an
Idempotency-Key that was used changes nothing again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from dataquality.models import RejectedEntry
from performance.collection import due
from performance.collection.rules import is_ratio
from performance.models import AuditEvent, Value
from tests.api.conftest import Api, exact, token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/values"


def _due_items(*, started: bool = False) -> list[due.DueItem]:
    """The demo enterer's editable due items, not yet started (or started: a draft, returned)."""
    user = get_user_model().objects.get(username="enterer")
    items = [
        item
        for item in due.due_items(due.open_rounds(), enterer=user, history=0)
        if item.editable and (item.value is not None) == started
    ]
    assert items, "the demo enterer has nothing due in an open round"
    return items


def _entry(item: due.DueItem, **extra) -> dict:
    if is_ratio(item.indicator):
        figures: dict = {"numerator": 45, "denominator": 50}
    else:
        figures = {"value": Decimal("50") if item.indicator.unit == "percent" else 12}
    return {
        "indicator": item.indicator.code,
        "period": item.period,
        "comment": "Sent by the housing system; checked against the register.",
        **figures,
        **extra,
    }


def test_a_value_sent_is_saved_as_the_form_saves_it_and_audited_with_the_token(council):
    item = _due_items()[0]
    api = Api(token_for("enterer", write=True))
    response = api.post(URL, {"submit": False, "values": [_entry(item)]})
    assert response.status_code == 200, response.content
    assert exact(response) == {"saved": 1, "skipped": 0, "submitted": False}
    value = Value.objects.get(indicator=item.indicator, period=item.period)
    assert value.status == Value.Status.DRAFT
    assert value.entered_by.username == "enterer"
    event = AuditEvent.objects.filter(object_id=str(value.pk), action="create").get()
    assert "API token “enterer test”" in event.reason
    # Sending it again changes it only with its version.
    stale = api.post(URL, {"submit": False, "values": [_entry(item, comment="Again")]})
    assert stale.status_code == 422
    assert exact(stale)["errors"][0]["field"] == "version"
    assert "send that version" in exact(stale)["errors"][0]["message"]
    fresh = api.post(
        URL,
        {"submit": False, "values": [_entry(item, comment="Again", version=value.version)]},
    )
    assert fresh.status_code == 200, fresh.content
    value.refresh_from_db()
    assert value.comment == "Again"
    update = AuditEvent.objects.filter(object_id=str(value.pk)).exclude(action="create").first()
    assert "via API token" in update.reason


def test_all_or_nothing_with_errors_naming_the_row_and_field(council):
    good, bad = _due_items()[0], _due_items(started=True)[0]
    before = Value.objects.count()
    rejected_before = RejectedEntry.objects.count()
    response = Api(token_for("enterer", write=True)).post(
        URL,
        {
            "values": [
                _entry(good),
                _entry(bad, value="lots", numerator="lots", version=bad.value.version),
            ]
        },
    )
    assert response.status_code == 422
    body = exact(response)
    assert body["saved"] == 0
    assert {(e["row"], e["field"]) for e in body["errors"]} & {(2, "value"), (2, "numerator")}
    assert all(e["row"] == 2 for e in body["errors"])
    assert Value.objects.count() == before
    # The refusal is recorded for the data quality dashboard, as from the form, on channel API.
    assert RejectedEntry.objects.count() > rejected_before
    assert RejectedEntry.objects.latest("id").channel == "api"


def test_a_value_not_due_to_the_person_is_refused(council):
    response = Api(token_for("enterer", write=True)).post(
        URL, {"values": [{"indicator": "NOPE 999", "period": "2025/26 Q1", "value": 1}]}
    )
    assert response.status_code == 422
    [error] = exact(response)["errors"]
    assert error["row"] == 1
    assert error["field"] == "indicator"
    assert "not one of your due items" in error["message"]


def test_body_shape_errors_are_named(council):
    api = Api(token_for("enterer", write=True))
    assert exact(api.post(URL, {"values": []})) == {
        "values": ["must be a list of at least one value"]
    }
    assert exact(api.post(URL, {"submit": "yes", "values": [{}]})) == {
        "submit": ["must be true or false"]
    }
    response = api.post(URL, "{not json")
    assert response.status_code == 400
    assert "not valid JSON" in exact(response)["detail"]
    response = api.post(URL, {"values": [{"indicator": "X", "period": "Q5", "colour": "red"}]})
    fields = {e["field"] for e in exact(response)["errors"]}
    assert {"colour", "period"} <= fields


def test_a_read_only_token_cannot_write(council):
    item = _due_items()[0]
    response = Api(token_for("enterer")).post(URL, {"values": [_entry(item)]})
    assert response.status_code == 403
    assert "read-only" in exact(response)["detail"]
    assert not Value.objects.filter(indicator=item.indicator, period=item.period).exists()


def test_an_idempotency_key_used_before_changes_nothing_again(council):
    item = _due_items()[0]
    api = Api(token_for("enterer", write=True))
    body = {"submit": False, "values": [_entry(item)]}
    first = api.post(URL, body, **{"Idempotency-Key": "batch-2025-q2-1"})
    assert first.status_code == 200
    events = AuditEvent.objects.count()
    again = api.post(URL, body, **{"Idempotency-Key": "batch-2025-q2-1"})
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.count() == events
    other = api.post(
        URL,
        {"submit": False, "values": [_entry(item, comment="x")]},
        **{"Idempotency-Key": "batch-2025-q2-1"},
    )
    assert other.status_code == 422
    [error] = exact(other)["errors"]
    assert error["field"] == "Idempotency-Key"
    assert "different request" in error["message"]


def test_submitting_needs_the_signed_statement_like_the_form(council):
    from dataquality.models import Statement

    Statement.objects.filter(person__username="enterer").delete()
    item = _due_items()[0]
    response = Api(token_for("enterer", write=True)).post(URL, {"values": [_entry(item)]})
    assert response.status_code == 403
    assert "statement" in exact(response)["detail"].lower()
    assert not Value.objects.filter(indicator=item.indicator, period=item.period).exists()
