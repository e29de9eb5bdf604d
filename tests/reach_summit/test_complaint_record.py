"""Recording one complaint by hand: due date from its stage, audited, and a clear message for
each bad field with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from performance.core.roles import Role
from performance.models import AuditEvent
from reach_summit.models import Complaint
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("reach_summit:complaint-record")


@pytest.fixture
def officer(client):
    client.force_login(UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER]))
    return client


def post(client, for_team, **fields):
    data = {
        "reference": "CMP-24-00001",
        "team": for_team.pk,
        "stage": "1",
        "received": "01/05/2024",
        "responded": "",
        "reason": "",
    }
    data.update(fields)
    return client.post(URL, data)


def test_a_new_complaint_gets_its_due_date_in_working_days_and_an_audit_event(officer):
    team = TeamFactory(name="Waste")
    response = post(officer, team)
    assert response.status_code == 302
    complaint = Complaint.objects.get(reference="CMP-24-00001")
    # Received Wed 1 May 2024; stage 1 is 10 working days; Mon 6 May is a bank holiday.
    assert complaint.due == dt.date(2024, 5, 16)
    assert complaint.responded is None
    assert AuditEvent.objects.filter(object_id=str(complaint.pk), action="create").count() == 1
    page = officer.get(response["Location"]).content.decode()
    assert "Recorded complaint CMP-24-00001: response due 16 May 2024." in page


def test_the_same_reference_records_the_response_and_keeps_the_reason(officer):
    team = TeamFactory(name="Waste")
    post(officer, team)
    form = officer.get(URL, {"reference": "CMP-24-00001"}).content.decode()
    assert "Update complaint CMP-24-00001" in form
    assert 'value="01/05/2024"' in form
    response = post(officer, team, responded="2024-05-20", reason="Reply sent by post")
    assert response.status_code == 302
    complaint = Complaint.objects.get(reference="CMP-24-00001")
    assert complaint.responded == dt.date(2024, 5, 20)
    event = AuditEvent.objects.get(object_id=str(complaint.pk), action="update")
    assert event.reason == "Reply sent by post"
    assert event.changes["responded"] == [None, "2024-05-20"]
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"reference": ""}, "reference", "Enter the complaint&#x27;s reference"),
        ({"reference": "X" * 41}, "reference", "40 characters or fewer"),
        ({"team": ""}, "team", "Choose the team the complaint is about"),
        ({"team": "999999"}, "team", "Choose one of the listed teams"),
        ({"stage": "9"}, "stage", "Choose one of the listed stages"),
        ({"received": ""}, "received", "Enter the date received"),
        ({"received": "31/02/2024"}, "received", "Enter a real date"),
        ({"received": "yesterday"}, "received", "Enter a real date"),
        ({"responded": "30/04/2024"}, "responded", "before the date received"),
        ({"reference": "A\x00B"}, "reference", "Null characters are not allowed"),
        ({"reference": "A\tB"}, "reference", "letters and numbers"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(officer, fields, field, message):
    team = TeamFactory(name="Waste")
    response = post(officer, team, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.filter(content_type__model="complaint").count() == 0


def test_only_a_performance_officer_records_complaints(client):
    team = TeamFactory(name="Waste")
    client.force_login(UserFactory(username="erin", roles=[Role.DATA_ENTERER]))
    assert client.get(URL).status_code == 403
    assert post(client, team).status_code == 403
    assert Complaint.objects.count() == 0
