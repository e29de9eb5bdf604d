"""Manage forms and the targets table carry a version: two officers never overwrite each other.

Issue 14, security item 6. Every edit form of the generic Manage views (indicators, teams,
directorates, single targets...) and the targets table post back the version they were opened
on. A missing version is an error and a stale one is refused, naming who changed the record,
with nothing saved; a normal edit still saves.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from performance.core.roles import Role
from performance.models import AuditEvent, Directorate, Indicator, Target, Team
from tests.factories import (
    DirectorateFactory,
    IndicatorFactory,
    TargetFactory,
    TeamFactory,
    UserFactory,
)

MISSING = "This form is missing its version"
STALE = "Someone else changed"


def officer_client(username: str, first_name: str) -> Client:
    user = UserFactory(
        username=username,
        first_name=first_name,
        last_name="Officer",
        roles=[Role.PERFORMANCE_OFFICER],
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ann(db) -> Client:
    return officer_client("ann", "Ann")


@pytest.fixture
def bob(db) -> Client:
    return officer_client("bob", "Bob")


def opened(client: Client, url: str) -> dict:
    """The data an edit form posts back as the officer opened it, version included."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data: dict = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        else:
            data[field.html_name] = "" if value is None else str(value)
    data["version"] = response.context["version"]
    assert data["version"], "the edit page gives no version"
    assert f'name="version" value="{data["version"]}"' in response.content.decode()
    return data


# (kind, make a record, the field an officer changes, two new values, read it back)
KINDS = [
    (
        "indicators",
        lambda: IndicatorFactory(title="Household waste recycled"),
        "title",
        ("Waste recycled (Ann)", "Waste recycled (Bob)"),
        lambda pk: Indicator.objects.get(pk=pk).title,
    ),
    (
        "teams",
        lambda: TeamFactory(name="Waste team"),
        "name",
        ("Waste and recycling", "Recycling and waste"),
        lambda pk: Team.objects.get(pk=pk).name,
    ),
    (
        "directorates",
        lambda: DirectorateFactory(name="Place"),
        "name",
        ("Place and environment", "Environment and place"),
        lambda pk: Directorate.objects.get(pk=pk).name,
    ),
    (
        "targets",
        lambda: TargetFactory(
            indicator=IndicatorFactory(frequency="quarterly"),
            period="2024/25 Q1",
            value=Decimal("90"),
        ),
        "value",
        ("91", "92"),
        lambda pk: f"{Target.objects.get(pk=pk).value.normalize():f}",
    ),
]
IDS = [kind[0] for kind in KINDS]


@pytest.mark.parametrize(("kind", "make", "field", "values", "read"), KINDS, ids=IDS)
def test_an_edit_without_its_version_is_refused_and_nothing_is_saved(
    ann, kind, make, field, values, read
):
    record = make()
    before = read(record.pk)
    url = reverse("performance:manage-edit", args=[kind, record.pk])
    data = opened(ann, url)
    del data["version"]
    data[field] = values[0]
    events = AuditEvent.objects.count()

    response = ann.post(url, data)

    assert response.status_code == 400
    assert MISSING in response.content.decode()
    assert read(record.pk) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("kind", "make", "field", "values", "read"), KINDS, ids=IDS)
def test_an_empty_version_is_refused_too(ann, kind, make, field, values, read):
    record = make()
    before = read(record.pk)
    url = reverse("performance:manage-edit", args=[kind, record.pk])
    data = {**opened(ann, url), field: values[0], "version": ""}

    response = ann.post(url, data)

    assert response.status_code == 400
    assert MISSING in response.content.decode()
    assert read(record.pk) == before


@pytest.mark.parametrize(("kind", "make", "field", "values", "read"), KINDS, ids=IDS)
def test_the_second_of_two_officers_editing_one_record_is_refused(
    ann, bob, kind, make, field, values, read
):
    record = make()
    url = reverse("performance:manage-edit", args=[kind, record.pk])
    anns, bobs = opened(ann, url), opened(bob, url)
    assert anns["version"] == bobs["version"]

    first = ann.post(url, {**anns, field: values[0]})
    assert first.status_code == 302
    assert read(record.pk) == values[0]
    events = AuditEvent.objects.count()

    second = bob.post(url, {**bobs, field: values[1]})

    assert second.status_code == 400
    text = second.content.decode()
    assert STALE in text
    assert "by Ann Officer at" in text
    assert "Your changes were not saved" in text
    assert read(record.pk) == values[0], "Ann's change was overwritten"
    assert AuditEvent.objects.count() == events
    # Re-shown with Bob's changes and still the version he opened: saving again is refused again.
    assert second.context["version"] == bobs["version"]
    assert bob.post(url, {**bobs, field: values[1]}).status_code == 400
    assert read(record.pk) == values[0]


@pytest.mark.parametrize(("kind", "make", "field", "values", "read"), KINDS, ids=IDS)
def test_a_single_edit_with_its_version_saves(ann, kind, make, field, values, read):
    record = make()
    url = reverse("performance:manage-edit", args=[kind, record.pk])

    response = ann.post(url, {**opened(ann, url), field: values[0]})

    assert response.status_code == 302
    assert read(record.pk) == values[0]
    # After a reload the next edit carries the new version and saves too.
    response = ann.post(url, {**opened(ann, url), field: values[1]})
    assert response.status_code == 302
    assert read(record.pk) == values[1]


def test_a_change_to_a_many_to_many_link_makes_the_form_stale(ann, bob):
    indicator = IndicatorFactory()
    enterer = UserFactory(roles=[Role.DATA_ENTERER])
    url = reverse("performance:manage-edit", args=["indicators", indicator.pk])
    anns, bobs = opened(ann, url), opened(bob, url)

    assert ann.post(url, {**anns, "enterers": [str(enterer.pk)]}).status_code == 302
    response = bob.post(url, {**bobs, "title": "Renamed by Bob"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    indicator.refresh_from_db()
    assert list(indicator.enterers.all()) == [enterer]
    assert indicator.title != "Renamed by Bob"


# --- the targets table -------------------------------------------------------------------------

YEAR = "2024/25"


def table_url(indicator) -> str:
    return reverse("performance:manage-targets", args=[indicator.pk]) + f"?year={YEAR}"


def opened_table(client: Client, indicator) -> dict:
    """The targets table as the officer opened it: its rows' values and the table's version."""
    response = client.get(table_url(indicator))
    assert response.status_code == 200
    formset = response.context["formset"]
    data = {
        "t-TOTAL_FORMS": str(formset.total_form_count()),
        "t-INITIAL_FORMS": "0",
        "t-MIN_NUM_FORMS": str(formset.total_form_count()),
        "t-MAX_NUM_FORMS": str(formset.total_form_count()),
        "action": "save",
        "version": response.context["version"],
    }
    for index, row in enumerate(formset.forms):
        data[f"t-{index}-value"] = row["value"].value() or ""
        data[f"t-{index}-benchmark_quartile"] = ""
    assert data["version"], "the targets table gives no version"
    assert f'name="version" value="{data["version"]}"' in response.content.decode()
    return data


def targets_of(indicator) -> dict[str, str]:
    return {
        t.period: f"{t.value.normalize():f}" for t in Target.objects.filter(indicator=indicator)
    }


@pytest.fixture
def quarterly(db):
    indicator = IndicatorFactory(code="WAS 001", frequency="quarterly", aggregation="last")
    TargetFactory(indicator=indicator, period="2024/25 Q1", value=Decimal("90"))
    return indicator


def test_a_table_without_its_version_is_refused_and_nothing_is_saved(ann, quarterly):
    data = opened_table(ann, quarterly)
    del data["version"]
    data.update({"t-0-value": "95", "t-1-value": "95"})
    before = targets_of(quarterly)

    response = ann.post(table_url(quarterly), data)

    assert response.status_code == 400
    assert MISSING in response.content.decode()
    assert targets_of(quarterly) == before


def test_the_second_of_two_officers_saving_one_table_is_refused_whole(ann, bob, quarterly):
    anns, bobs = opened_table(ann, quarterly), opened_table(bob, quarterly)
    assert anns["version"] == bobs["version"]

    first = ann.post(table_url(quarterly), {**anns, "t-0-value": "91", "t-1-value": "92"})
    assert first.status_code == 302
    kept = {"2024/25 Q1": "91", "2024/25 Q2": "92"}
    assert targets_of(quarterly) == kept
    events = AuditEvent.objects.count()

    # Bob changes Q1 and adds Q3 and Q4: none of it is written, not even the new rows.
    second = bob.post(
        table_url(quarterly),
        {**bobs, "t-0-value": "80", "t-2-value": "85", "t-3-value": "85"},
    )

    assert second.status_code == 400
    text = second.content.decode()
    assert STALE in text
    assert "by Ann Officer at" in text
    assert "Your changes were not saved" in text
    assert targets_of(quarterly) == kept
    assert AuditEvent.objects.count() == events


def test_a_target_added_elsewhere_makes_the_table_stale(ann, bob, quarterly):
    """A period that had no target when the table was opened counts too."""
    bobs = opened_table(bob, quarterly)
    single = reverse("performance:manage-create", args=["targets"])
    created = ann.post(single, {"indicator": quarterly.pk, "period": "2024/25 Q4", "value": "70"})
    assert created.status_code == 302

    response = bob.post(table_url(quarterly), {**bobs, "t-3-value": "60"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert targets_of(quarterly)["2024/25 Q4"] == "70"


def test_a_single_table_save_with_its_version_works(ann, quarterly):
    response = ann.post(
        table_url(quarterly), {**opened_table(ann, quarterly), "t-0-value": "93", "t-1-value": "94"}
    )
    assert response.status_code == 302
    assert targets_of(quarterly) == {"2024/25 Q1": "93", "2024/25 Q2": "94"}

    # Filling the rows from an annual target keeps the version the table was opened with.
    data = opened_table(ann, quarterly)
    profiled = ann.post(table_url(quarterly), {**data, "action": "profile", "profile-annual": "99"})
    assert profiled.status_code == 200
    assert profiled.context["version"] == data["version"]
    assert (
        ann.post(table_url(quarterly), {**data, "t-0-value": "99", "t-3-value": "99"}).status_code
        == 302
    )
    assert targets_of(quarterly) == {"2024/25 Q1": "99", "2024/25 Q2": "94", "2024/25 Q4": "99"}
