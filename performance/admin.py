"""Django admin: a read-only fallback for staff; changes happen in Summit's own, audited pages.

Every model here is read-only (`performance.common.admin`): an admin write would leave no audit
event. So are the people models other apps register: accounts and roles (auth's User and Group)
are managed in Manage › People, whose role and team changes are audited; sign-in lockouts
(axes) expire on their own after AXES_COOLOFF_TIME or are cleared with `manage.py axes_reset_username`.
"""

# axes.admin and auth.admin are imported so their models are registered before being made
# read-only below, whatever the order the admin discovers the apps in.
import axes.admin  # noqa: F401
import django.contrib.auth.admin  # noqa: F401
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from performance import models
from performance.common.admin import ReadOnlyAdmin, ReadOnlyInline, make_read_only

MANAGE = "performance:manage-list"
PEOPLE = ("Manage › People", "performance:manage-people", ())

make_read_only(get_user_model(), changed_in=PEOPLE)
make_read_only(Group, changed_in=PEOPLE)
for attempt_model in (AccessAttempt, AccessLog, AccessFailureLog):
    make_read_only(attempt_model)


@admin.register(models.Directorate)
class DirectorateAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    search_fields = ["name"]
    changed_in = ("Manage › Directorates", MANAGE, ("directorates",))


@admin.register(models.Team)
class TeamAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "directorate", "head_of_service", "active"]
    list_filter = ["directorate", "active"]
    search_fields = ["name"]
    changed_in = ("Manage › Teams", MANAGE, ("teams",))


@admin.register(models.TeamMembership)
class TeamMembershipAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "team"]
    list_filter = ["team"]
    search_fields = ["team__name", "user__username", "user__first_name", "user__last_name"]
    changed_in = ("Manage › Teams (each team's members)", MANAGE, ("teams",))


class OutcomeInline(ReadOnlyInline, admin.TabularInline):
    model = models.Outcome
    extra = 0


class PriorityInline(ReadOnlyInline, admin.TabularInline):
    model = models.Priority
    extra = 0


@admin.register(models.StrategicPlan)
class StrategicPlanAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    inlines = [PriorityInline]
    changed_in = ("Manage › Strategic plans", MANAGE, ("strategic-plans",))


@admin.register(models.Priority)
class PriorityAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    inlines = [OutcomeInline]
    changed_in = ("Manage › Priorities", MANAGE, ("priorities",))


@admin.register(models.CollectionRound)
class CollectionRoundAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Rounds are opened by the collection timetable (`collection.rounds`), never by hand."""

    list_display = ["kind", "period", "opens_on", "closes_on"]
    list_filter = ["kind"]
    changed_in = ("Collection rounds", "performance:round-list", ())


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name"]
