"""Data quality inside the collection cycle: statements gate submission and activation, and one
set of validation rules gives the same message on the form, the Excel upload and the import."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dataquality import services
from dataquality.models import Evidence, RejectedEntry, ValidationRule
from performance.collection import excel, imports
from performance.collection import services as collection
from performance.models import Value
from tests.dataquality.fixtures import publish, sign_everyone
from tests.dataquality.test_services import PDF
from tests.performance.collection.test_collection import build_world, enter
from tests.performance.collection.test_excel import download, fill, upload

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_the_window():
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def world():
    return build_world()


def _item_url(world, code):
    indicator = world.indicators[code]
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    return reverse("performance:return-item", args=[round_.pk, indicator.pk])


# --- statements -------------------------------------------------------------------------------


def test_an_unsigned_enterer_cannot_submit_and_is_told_why(client, world):
    publish()
    client.force_login(world.users["enterer_a"])
    response = client.post(
        _item_url(world, "WAS 001"), {"value": "96", "action": "submit", "version": "0"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "You cannot submit values until you sign the data quality statement" in page
    assert 'href="/data-quality/statement/' in page
    assert not Value.objects.filter(status="submitted").exists()
    # A draft is still allowed: only submission needs the statement.
    enter(world, "WAS 001", "96")
    assert Value.objects.get().status == "draft"


def test_signing_unblocks_and_a_new_version_blocks_again(client, world):
    policy = publish()
    with pytest.raises(services.NotSigned):
        enter(world, "WAS 001", "96", submit=True)
    services.sign(user=world.users["enterer_a"], role="Enterer", policy=policy)
    assert enter(world, "WAS 001", "96", submit=True).status == "submitted"
    publish()
    with pytest.raises(services.NotSigned, match="version 2"):
        enter(world, "WAS 002", "9", submit=True)


def test_an_unsigned_manager_cannot_activate(client, world):
    policy = publish()
    services.sign(user=world.users["enterer_a"], role="Enterer", policy=policy)
    submitted = enter(world, "WAS 001", "96", submit=True)
    manager = world.users["manager_a"]
    with pytest.raises(services.NotSigned, match="activate values"):
        collection.activate(user=manager, value_id=submitted.pk, version=submitted.version)
    client.force_login(manager)
    response = client.post(
        reverse("performance:value-review", args=[submitted.pk]),
        {"action": "activate", "version": submitted.version},
    )
    assert response.status_code == 400
    assert "sign the data quality statement" in response.content.decode()
    services.sign(user=manager, role="Manager", policy=policy)
    activated = collection.activate(user=manager, value_id=submitted.pk, version=submitted.version)
    assert activated.status == "activated"


def test_an_unsigned_enterer_cannot_submit_an_excel_upload(client, world):
    publish()
    data = fill(download(client, world.users["enterer_a"]), {"WAS 001": {"value": 96}})
    response = upload(client, data)
    assert response.status_code == 400
    assert "sign the data quality statement" in response.content.decode()
    assert not Value.objects.exists()


# --- one set of rules, one message ------------------------------------------------------------


def _three_messages(client, world, tmp_path, code, figure, field="value"):
    """The message for `figure` from the form, the Excel upload and import_values."""
    indicator = world.indicators[code]
    person = indicator.enterers.order_by("username").first()
    with pytest.raises(collection.EntryInvalid) as form:
        enter(world, code, str(figure), submit=True, user=person.username, version=0)
    data = fill(download(client, person), {code: {"value": figure}})
    result = excel.import_workbook(user=person, name="r.xlsx", data=data, submit=True)
    round_ = world.monthly if indicator.frequency == "monthly" else world.quarterly
    period = collection.find_due(round_, indicator)
    path = tmp_path / "values.csv"
    path.write_text(f"indicator,period,value\n{code},{period},{figure}\n")
    with pytest.raises(imports.ImportRejected) as imported:
        imports.import_values(path=path)
    (excel_error,) = [e for e in result.errors if e.row]
    (import_error,) = imported.value.errors
    prefix = f"Row 2, column {field}: "
    assert import_error.startswith(prefix)
    return form.value.errors[field], excel_error.message, import_error[len(prefix) :]


@pytest.mark.parametrize(
    ("code", "setting", "bad", "good", "message"),
    [
        ("WAS 001", {}, "100.5", "99.5", "Value is a percentage and must be between 0 and 100"),
        (
            "WAS 001",
            {"allow_over_100": True},
            "-2",
            "120",
            "Value is a percentage and must not be negative",
        ),
        ("HOU 001", {}, "12.5", "12", "Value is a count and must be a whole number"),
        ("WAS 002", {}, "-1", "4", "Value is a number of days and must not be negative"),
        (
            "WAS 002",
            {"whole_numbers": True},
            "4.5",
            "5",
            "Value must be a whole number for this indicator",
        ),
        (
            "WAS 002",
            {"maximum": Decimal(30)},
            "31",
            "30",
            "Value must be no more than 30 for this indicator",
        ),
        (
            "WAS 002",
            {"minimum": Decimal(2)},
            "1",
            "2",
            "Value must be at least 2 for this indicator",
        ),
    ],
)
def test_each_rule_gives_the_same_message_on_the_form_excel_and_import(
    client, world, tmp_path, signed_policy, code, setting, bad, good, message
):
    sign_everyone()
    if setting:
        ValidationRule.objects.create(indicator=world.indicators[code], **setting)
    assert _three_messages(client, world, tmp_path, code, bad) == (message, message, message)
    # The good figure passes all three (with a comment, so no level rule gets in the way).
    assert services.problems_for(world.indicators[code], "2025/26 Q1", value=Decimal(good)) == {}
    person = world.indicators[code].enterers.order_by("username").first()
    submitted = enter(world, code, good, submit=True, comment="Checked.", user=person.username)
    assert submitted.status == "submitted"
    assert (
        RejectedEntry.objects.filter(indicator=world.indicators[code])
        .values_list("channel", flat=True)
        .distinct()
        .count()
        == 3
    )


def test_an_outlier_change_needs_a_comment_with_the_same_words_everywhere(
    client, world, tmp_path, signed_policy
):
    sign_everyone()
    indicator = world.indicators["WAS 002"]  # days, lower is better, target 10
    ValidationRule.objects.create(indicator=indicator, change_threshold=Decimal(20))
    Value.objects.create(
        indicator=indicator,
        period="2024/25 Q4",
        period_start=dt.date(2025, 1, 1),
        value=Decimal(10),
        status="activated",
    )
    expected = (
        "Add a comment: 5 is a change of 50.0% from 10 (2024/25 Q4), more than the 20% that "
        "needs explaining"
    )
    assert _three_messages(client, world, tmp_path, "WAS 002", 5, field="comment") == (
        expected,
        expected,
        expected,
    )
    submitted = enter(world, "WAS 002", "5", submit=True, comment="New route.", version=0)
    assert submitted.status == "submitted"


def test_a_third_party_source_must_name_the_partner_on_import(world, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("indicator,period,value,source\nWAS 002,2025/26 Q1,4,third party:\n")
    with pytest.raises(imports.ImportRejected) as refused:
        imports.import_values(path=path)
    assert refused.value.errors == [
        "Row 2, column source: Name the partner who supplies this third-party data"
    ]
    path.write_text("indicator,period,value,source\nWAS 002,2025/26 Q1,4,third party: Biffa\n")
    assert imports.import_values(path=path).created == 1


# --- evidence on the collection pages ---------------------------------------------------------


def test_evidence_is_listed_on_the_review_page_and_queue_for_the_team(client, world, signed_policy):
    sign_everyone()
    submitted = enter(world, "WAS 001", "96", submit=True)
    services.upload_evidence(
        user=world.users["enterer_a"],
        value=submitted,
        upload=SimpleUploadedFile("audit-trail.pdf", PDF),
    )
    evidence = Evidence.objects.get()
    link = reverse("dataquality:evidence-download", args=[evidence.pk])
    client.force_login(world.users["manager_a"])
    assert (
        link
        in client.get(reverse("performance:value-review", args=[submitted.pk])).content.decode()
    )
    assert link in client.get(reverse("performance:activation-queue")).content.decode()
    indicator_page = client.get(
        reverse("performance:indicator-detail", args=[world.indicators["WAS 001"].pk])
    )
    assert link in indicator_page.content.decode()
    client.force_login(world.users["manager_b"])  # Housing's manager: not Waste's data
    assert client.get(link).status_code == 404
