from django.contrib import admin

from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement, ValidationRule


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ["indicator", "minimum", "maximum", "allow_over_100", "change_threshold"]
    search_fields = ["indicator__code", "indicator__title"]
    raw_id_fields = ["indicator"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "effective_on", "review_due_on"]


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ["person", "policy", "role", "signed_at"]
    list_filter = ["role", "policy"]


admin.site.register(Evidence)
admin.site.register(RejectedEntry)
