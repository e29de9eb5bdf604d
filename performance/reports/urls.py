"""Staff report pages, mounted at /reports/."""

from django.urls import path

from performance.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("show/", views.show, name="show"),
    path("publish/", views.publish, name="publish"),
    path("publish/confirm/", views.publish_confirm, name="publish-confirm"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("<slug:kind>/", views.report, name="report"),
    path("<slug:kind>/pdf/", views.report_pdf, name="pdf"),
    path("<slug:kind>/xlsx/", views.report_xlsx, name="xlsx"),
]
