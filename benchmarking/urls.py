from django.urls import path

from benchmarking import views

app_name = "benchmarking"

urlpatterns = [
    path("", views.index, name="index"),
    path("measures/<int:pk>/", views.measure_detail, name="measure-detail"),
    path("indicators/<int:pk>/", views.indicator_targets, name="indicator-targets"),
    path("import/", views.import_benchmarks, name="import-benchmarks"),
    path("import/comparators/", views.import_comparators, name="import-comparators"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_new, name="project-new"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("value-for-money/", views.vfm, name="vfm"),
    path("value-for-money/pairs/new/", views.pair_form, name="pair-new"),
    path("value-for-money/pairs/<int:pk>/edit/", views.pair_form, name="pair-edit"),
    path("value-for-money/savings/new/", views.saving_form, name="saving-new"),
    path("value-for-money/savings/<int:pk>/edit/", views.saving_form, name="saving-edit"),
]
