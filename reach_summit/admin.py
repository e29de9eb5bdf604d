"""Reach the Summit in the Django admin: read-only (`performance.common.admin`), but for the
complaint timescales, which no Summit page changes: their admin writes are audited."""

from django.contrib import admin

from performance.common.admin import AuditedAdmin, ReadOnlyAdmin
from reach_summit.models import ComplaintTimescale, Scorecard, Snapshot


@admin.register(ComplaintTimescale)
class ComplaintTimescaleAdmin(AuditedAdmin):
    list_display = ["stage", "working_days"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["team", "year", "customer", "financial", "process"]
    list_filter = ["year"]
    changed_in = ("Reach the Summit scorecards", "reach_summit:scorecards", ())


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Snapshots change only through the audited recomputation."""

    list_display = ["quarter", "frozen_at", "recomputations"]
    changed_in = ("Reach the Summit league table", "reach_summit:league-table", ())
