"""Django admin: a fallback for performance officers; everyday work happens in Summit's own pages."""

from django.contrib import admin

from performance import models


@admin.register(models.Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "directorate", "head_of_service", "active"]
    list_filter = ["directorate", "active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(models.TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team"]
    list_filter = ["team"]
    autocomplete_fields = ["team"]


class OutcomeInline(admin.TabularInline):
    model = models.Outcome
    extra = 0


class PriorityInline(admin.TabularInline):
    model = models.Priority
    extra = 0


@admin.register(models.StrategicPlan)
class StrategicPlanAdmin(admin.ModelAdmin):
    inlines = [PriorityInline]


@admin.register(models.Priority)
class PriorityAdmin(admin.ModelAdmin):
    inlines = [OutcomeInline]


@admin.register(models.CollectionRound)
class CollectionRoundAdmin(admin.ModelAdmin):
    list_display = ["kind", "period", "opens_on", "closes_on"]
    list_filter = ["kind"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
