"""Public transparency pages, mounted at /public/ (no login)."""

from django.urls import path

from performance.reports import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.report, name="report"),
    path("<int:pk>/report.pdf", public_views.pdf, name="pdf"),
    path("<int:pk>/data.csv", public_views.open_data_csv, name="csv"),
    path("<int:pk>/data.json", public_views.open_data_json, name="json"),
]
