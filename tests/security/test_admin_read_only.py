"""The Django admin writes nothing without an audit event (issue 14, security item 7).

Every model registered with the admin is read-only there (`performance.common.admin.ReadOnlyAdmin`):
a superuser's POST to its add, change and delete pages is refused with 403 and changes nothing,
no bulk action ("Delete selected") is offered, and its list and change pages still read. The one
exception, `AUDITED`, is a model no Summit page changes (complaint timescales): its admin writes
are kept, and each leaves an audit event. The registry is iterated, so a model registered later
with a writable admin fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from dataquality.models import RejectedEntry, ValidationRule
from performance.common import audit
from performance.common.admin import AuditedAdmin, ReadOnlyAdmin
from performance.models import AuditEvent
from reach_summit.models import ComplaintTimescale
from tests.security import matrix_world

pytestmark = pytest.mark.django_db

# Models whose admin keeps its writes, each audited: no Summit page changes them.
AUDITED = {ComplaintTimescale}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
READ_ONLY = [model for model in REGISTERED if model not in AUDITED]


def _ids(model: type[models.Model]) -> str:
    return model._meta.label


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The security matrix's world (a row of nearly every model), with the few rows it lacks
    and a superuser, built once for the module and rolled back after it."""
    media = tmp_path_factory.mktemp("admin-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = matrix_world.build()
            indicator = built.a.indicators["customer"]
            ValidationRule.objects.get_or_create(indicator=indicator)
            RejectedEntry.objects.create(
                indicator=indicator,
                period=str(built.quarter),
                period_start=dt.date(2024, 4, 1),
                channel=RejectedEntry.Channel.FORM,
                field="value",
                rule="range",
                message="Enter a value of 100 or less",
                raw="140",
            )
            ComplaintTimescale.objects.create(stage=1, working_days=10)
            request = {"user_agent": "pytest", "ip_address": "10.0.0.1", "http_accept": "*/*"}
            request |= {"username": "someone", "path_info": "/accounts/login/"}
            AccessAttempt.objects.create(
                **request, get_data="", post_data="", failures_since_start=1
            )
            AccessLog.objects.create(**request)
            AccessFailureLog.objects.create(**request)
            audit.record(actor=None, instance=indicator, action="update", reason="a test row")
            built.superuser = get_user_model().objects.create_superuser(
                "admin-test", "admin-test@example.org", "not-used-password"
            )
            built.media_root = media
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _shared_client():
    return Client()


@pytest.fixture
def client(_shared_client, world, settings):
    """A superuser's client, one for the module (building its middleware chain is slow)."""
    settings.MEDIA_ROOT = world.media_root
    _shared_client.cookies.clear()
    _shared_client.force_login(world.superuser)
    return _shared_client


def _url(model: type[models.Model], page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _row(model: type[models.Model], world) -> models.Model:
    """A row of `model` that is not the signed-in superuser."""
    rows = model._default_manager.order_by("pk")
    if model is get_user_model():
        rows = rows.exclude(pk=world.superuser.pk)
    row = rows.first()
    assert row is not None, f"give the admin test's world a row of {model._meta.label}"
    return row


def _state(model: type[models.Model]) -> list[dict]:
    """Every row of the model as stored: what no refused request may change."""
    return list(model._default_manager.order_by("pk").values())


# --- the registry: every admin read-only or audited --------------------------------------------


def test_every_registered_model_is_read_only_or_audited():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    writable = []
    for model, model_admin in admin.site._registry.items():
        if model in AUDITED:
            assert isinstance(model_admin, AuditedAdmin), model._meta.label
            continue
        if not isinstance(model_admin, ReadOnlyAdmin) or (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
            or model_admin.get_actions(request)
        ):
            writable.append(model._meta.label)
    assert writable == [], (
        f"{writable} can be written in the Django admin without an audit event: base their "
        "admin on performance.common.admin.ReadOnlyAdmin"
    )


def test_the_audited_models_have_no_many_to_many_fields():
    # AuditedAdmin audits concrete fields only: a many-to-many change would go unrecorded.
    for model in AUDITED:
        assert not model._meta.many_to_many, model._meta.label


def test_people_and_sign_in_attempts_are_read_only_too():
    for model in (get_user_model(), AccessAttempt, AccessLog, AccessFailureLog):
        assert isinstance(admin.site.get_model_admin(model), ReadOnlyAdmin), model._meta.label


def test_every_page_named_for_changes_exists():
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, ReadOnlyAdmin) and model_admin.changed_in:
            assert model_admin.changed_in_link() is not None, model._meta.label


# --- a superuser's writes are refused ----------------------------------------------------------


@pytest.mark.parametrize("model", READ_ONLY, ids=_ids)
def test_add_is_refused(client, world, model):
    before = _state(model)
    response = client.post(_url(model, "add"), {"_save": "Save"})
    assert response.status_code == 403
    assert _state(model) == before


@pytest.mark.parametrize("model", READ_ONLY, ids=_ids)
def test_change_is_refused(client, world, model):
    row = _row(model, world)
    before = _state(model)
    data = {"_save": "Save"}
    for field in model._meta.concrete_fields:
        if isinstance(field, models.CharField) and not field.choices and not field.primary_key:
            data[field.name] = "Changed in the admin"
    response = client.post(_url(model, "change", row.pk), data)
    assert response.status_code == 403
    assert _state(model) == before


@pytest.mark.parametrize("model", READ_ONLY, ids=_ids)
def test_delete_is_refused(client, world, model):
    row = _row(model, world)
    before = _state(model)
    response = client.post(_url(model, "delete", row.pk), {"post": "yes"})
    assert response.status_code == 403
    assert _state(model) == before


@pytest.mark.parametrize("model", REGISTERED, ids=_ids)
def test_delete_selected_is_gone(client, world, model):
    row = _row(model, world)
    before = _state(model)
    changelist = _url(model, "changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert response.status_code == 200
    assert _state(model) == before
    assert 'name="action"' not in client.get(changelist).content.decode()


def test_a_password_change_is_refused(client, world):
    person = world.users["enterer"]
    before = person.password
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": "A new pass phrase 42", "password2": "A new pass phrase 42"},
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.password == before


# --- reading still works -----------------------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=_ids)
def test_the_list_and_a_row_still_read(client, world, model):
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", _row(model, world).pk)).status_code == 200


def test_a_list_names_the_page_that_changes_it(client, world):
    response = client.get(_url(get_user_model(), "changelist"))
    text = response.content.decode()
    assert "Read-only here" in text
    assert f'href="{reverse("performance:manage-people")}"' in text
    text = client.get(_url(ValidationRule, "changelist")).content.decode()
    assert f'href="{reverse("performance:manage-list", args=["validation-rules"])}"' in text


# --- the audited exception: complaint timescales -----------------------------------------------


def _events(row: models.Model):
    return audit.history(row)


def test_a_timescale_added_in_the_admin_is_audited(client, world):
    response = client.post(
        _url(ComplaintTimescale, "add"), {"stage": 3, "working_days": 25, "_save": "Save"}
    )
    assert response.status_code == 302
    row = ComplaintTimescale.objects.get(stage=3)
    (event,) = _events(row)
    assert (event.action, event.actor, event.reason) == ("create", world.superuser, "Django admin")
    assert event.changes == {"stage": [None, 3], "working_days": [None, 25]}


def test_a_timescale_changed_in_the_admin_is_audited(client, world):
    row = ComplaintTimescale.objects.get(stage=1)
    response = client.post(
        _url(ComplaintTimescale, "change", row.pk),
        {"stage": 1, "working_days": 12, "_save": "Save"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.working_days == 12
    (event,) = _events(row)
    assert (event.action, event.actor) == ("update", world.superuser)
    assert event.changes == {"working_days": [10, 12]}


def test_a_timescale_saved_unchanged_leaves_no_event(client, world):
    row = ComplaintTimescale.objects.get(stage=1)
    client.post(
        _url(ComplaintTimescale, "change", row.pk),
        {"stage": 1, "working_days": row.working_days, "_save": "Save"},
    )
    assert not _events(row).exists()


def test_a_timescale_deleted_in_the_admin_is_audited(client, world):
    row = ComplaintTimescale.objects.get(stage=1)
    pk = row.pk
    response = client.post(_url(ComplaintTimescale, "delete", pk), {"post": "yes"})
    assert response.status_code == 302
    assert not ComplaintTimescale.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_id=str(pk), action="delete", reason="Django admin")
    assert event.actor == world.superuser
    assert event.changes == {"stage": [1, None], "working_days": [10, None]}
