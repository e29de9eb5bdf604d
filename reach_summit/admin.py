from django.contrib import admin

from reach_summit.models import ComplaintTimescale, Scorecard, Snapshot


@admin.register(ComplaintTimescale)
class ComplaintTimescaleAdmin(admin.ModelAdmin):
    list_display = ["stage", "working_days"]


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["team", "year", "customer", "financial", "process"]
    list_filter = ["year"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read-only: snapshots change only through the audited recomputation."""

    list_display = ["quarter", "frozen_at", "recomputations"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
