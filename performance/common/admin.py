"""Django admin as a reader's fallback: Summit's own pages make changes, each with an audit event.

The admin saves rows directly, so a change made there would leave no audit event (SPEC §1: who,
when, what, before and after). Every model the admin shows is therefore read-only there
(`ReadOnlyAdmin`): no add, change or delete, no bulk actions ("Delete selected"), with a note on
its list naming the Summit page that changes it (`changed_in`). A model no Summit page changes
may keep admin writes only through `AuditedAdmin`, which records each add, change and delete in
the admin's own transaction as the services do. `tests/security/test_admin_read_only.py` holds
every registered model to one of the two.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from performance.common import audit

NOTE_TEMPLATE = "admin/summit_read_only_change_list.html"


class ReadOnlyAdmin:
    """Put first among a ModelAdmin's (or inline's) bases: view only, for everyone.

    `changed_in` is (label, URL name, URL args) of the page that changes the model, or empty
    when nothing but the system writes it (the audit trail, sign-in attempts).
    """

    changed_in: tuple[str, str, tuple[Any, ...]] | tuple[()] = ()
    change_list_template = NOTE_TEMPLATE

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk actions write outside the audit trail too (delete selected, axes' clean-up).
        return {}

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        context = {**(extra_context or {}), "summit_changed_in": self.changed_in_link()}
        return super().changelist_view(request, extra_context=context)  # type: ignore[misc]

    def changed_in_link(self) -> dict[str, str] | None:
        if not self.changed_in:
            return None
        label, name, args = self.changed_in
        try:
            return {"label": label, "url": reverse(name, args=args)}
        except NoReverseMatch:
            return None


class ReadOnlyInline(ReadOnlyAdmin):
    """The same for an inline: its rows are shown, never added, changed or deleted."""


def read_only(model_admin: type[admin.ModelAdmin], **attrs: Any) -> type[admin.ModelAdmin]:
    """A read-only version of another app's ModelAdmin (auth's, axes'), keeping its columns."""
    name = f"ReadOnly{model_admin.__name__}"
    return type(name, (ReadOnlyAdmin, model_admin), {"__module__": __name__, **attrs})


def make_read_only(
    model: type[models.Model], site: admin.AdminSite = admin.site, **attrs: Any
) -> None:
    """Re-register a model another app registered, read-only; nothing if it is not registered
    (axes registers its models only with AXES_ENABLE_ADMIN)."""
    if not site.is_registered(model):
        return
    current = type(site.get_model_admin(model))
    if issubclass(current, ReadOnlyAdmin):
        return
    site.unregister(model)
    site.register(model, read_only(current, **attrs))


class AuditedAdmin(admin.ModelAdmin):
    """Admin writes that leave an audit event, for a model no Summit page changes.

    Each add, change and delete records an event (reason "Django admin") with the concrete
    fields' before and after, inside the transaction the admin opens around each save and
    delete. Many-to-many fields are not audited, so a model with them must not use this.
    Bulk actions are removed: "Delete selected" would skip `delete_model`.
    """

    REASON = "Django admin"

    @staticmethod
    def _fields(obj: models.Model) -> list[str]:
        return [field.name for field in obj._meta.concrete_fields if not field.primary_key]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def save_model(self, request, obj, form, change) -> None:
        fields = self._fields(obj)
        if not change:
            obj.save()
            audit.created(actor=request.user, instance=obj, fields=fields, reason=self.REASON)
            return
        stored = type(obj)._default_manager.get(pk=obj.pk)
        before = audit.snapshot(stored, fields)
        obj.save()
        changes = audit.diff(before, audit.snapshot(obj, fields))
        if changes:
            audit.record(
                actor=request.user,
                instance=obj,
                action="update",
                changes=changes,
                reason=self.REASON,
            )

    def delete_model(self, request, obj) -> None:
        held = audit.snapshot(obj, self._fields(obj))
        changes = {name: [value, None] for name, value in held.items()}
        audit.record(
            actor=request.user, instance=obj, action="delete", changes=changes, reason=self.REASON
        )
        obj.delete()

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
