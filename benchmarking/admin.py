"""Admin for benchmarking reference data (authorities, groups, measures, VFM pairs)."""

from django.contrib import admin

from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    ComparatorGroup,
    EfficiencySaving,
    VfmPair,
)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "type"]
    list_filter = ["type"]
    search_fields = ["name", "code"]


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    filter_horizontal = ["members"]


@admin.register(BenchmarkMeasure)
class BenchmarkMeasureAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "polarity", "unit", "indicator", "is_demo"]
    raw_id_fields = ["indicator"]


@admin.register(VfmPair)
class VfmPairAdmin(admin.ModelAdmin):
    list_display = ["title", "output", "input", "per"]
    raw_id_fields = ["output", "input"]


admin.site.register(BenchmarkingProject)
admin.site.register(EfficiencySaving)
