"""Public transparency pages, mounted at /public/ (no login)."""

from django.urls import path

from performance.reports import public_pages, public_views

app_name = "public"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("<int:pk>/", public_views.report, name="report"),
    path("<int:pk>/report.pdf", public_views.pdf, name="pdf"),
    path("<int:pk>/data.csv", public_views.open_data_csv, name="csv"),
    path("<int:pk>/data.json", public_views.open_data_json, name="json"),
    # Issue 19: GOV.UK basics, linked from every page's footer.
    path("accessibility-statement/", public_pages.accessibility, name="accessibility"),
    path("privacy-notice/", public_pages.privacy, name="privacy"),
]
