"""URLs of Manage › Council workbook (issue 18), in the `performance:` namespace; listed before
Manage's own, whose `manage/<kind>/` would otherwise take `manage/council/`."""

from django.urls import path

from performance.council import views

urlpatterns = [
    path("manage/council/", views.council, name="manage-council"),
    path("manage/council/download/", views.council_download, name="manage-council-download"),
    path("manage/council/template/", views.council_template, name="manage-council-template"),
    path("manage/council/check/", views.council_check, name="manage-council-check"),
    path("manage/council/import/", views.council_import, name="manage-council-import"),
    path("manage/council/import/<str:token>/", views.council_job, name="manage-council-job"),
]
