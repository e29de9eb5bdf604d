"""Benchmarking reference data in the Django admin: read-only (`performance.common.admin`); the
imports and the benchmarking pages change it, each change audited."""

from django.contrib import admin

from benchmarking.models import (
    Authority,
    BenchmarkingProject,
    BenchmarkMeasure,
    ComparatorGroup,
    EfficiencySaving,
    VfmPair,
)
from performance.common.admin import ReadOnlyAdmin

IMPORT_COMPARATORS = ("Import comparators", "benchmarking:import-comparators", ())
VALUE_FOR_MONEY = ("Value for money", "benchmarking:vfm", ())


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "type"]
    list_filter = ["type"]
    search_fields = ["name", "code"]
    changed_in = IMPORT_COMPARATORS


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name", "kind"]
    changed_in = IMPORT_COMPARATORS


@admin.register(BenchmarkMeasure)
class BenchmarkMeasureAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["code", "title", "polarity", "unit", "indicator", "is_demo"]
    search_fields = ["code", "title"]
    changed_in = ("Import benchmarks", "benchmarking:import-benchmarks", ())


@admin.register(VfmPair)
class VfmPairAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "output", "input", "per"]
    changed_in = VALUE_FOR_MONEY


@admin.register(BenchmarkingProject)
class BenchmarkingProjectAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    changed_in = ("Benchmarking projects", "benchmarking:project-list", ())


@admin.register(EfficiencySaving)
class EfficiencySavingAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    changed_in = VALUE_FOR_MONEY
