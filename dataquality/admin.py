"""Data quality in the Django admin: read-only (`performance.common.admin`); the data quality
pages and Manage change these, each change audited."""

from django.contrib import admin

from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement, ValidationRule
from performance.common.admin import ReadOnlyAdmin


@admin.register(ValidationRule)
class ValidationRuleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["indicator", "minimum", "maximum", "allow_over_100", "change_threshold"]
    search_fields = ["indicator__code", "indicator__title"]
    changed_in = ("Manage › Validation rules", "performance:manage-list", ("validation-rules",))


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["number", "title", "effective_on", "review_due_on"]
    changed_in = ("Data quality policy", "dataquality:policy", ())


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["person", "policy", "role", "signed_at"]
    list_filter = ["role", "policy"]
    changed_in = ("Data quality statements", "dataquality:signatures", ())


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Evidence is attached on a value's evidence page."""

    changed_in = ("Data quality dashboard", "dataquality:dashboard", ())


@admin.register(RejectedEntry)
class RejectedEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Written by validation when an entry is refused; nobody edits the record."""

    list_display = ["at", "indicator", "period", "channel", "field", "rule"]
    list_filter = ["channel", "rule"]
    search_fields = ["indicator__code", "message"]
    changed_in = ("Data quality dashboard", "dataquality:dashboard", ())
