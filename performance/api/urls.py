"""/api/ (SPEC §15): the machine endpoints under v1/, and the pages for people."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from performance.api import pages, views

app_name = "api"

urlpatterns = [
    path("", pages.docs, name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke", pages.revoke, name="token-revoke"),
    path("v1/", views.conditional(views.Root.as_view()), name="root"),
    path("v1/indicators", views.conditional(views.Indicators.as_view()), name="indicators"),
    path("v1/status", views.conditional(views.Status.as_view()), name="status"),
    path("v1/values", views.conditional(views.Values.as_view()), name="values"),
    path("v1/league-table", views.conditional(views.LeagueTable.as_view()), name="league-table"),
    path(
        "v1/benchmark-position",
        views.conditional(views.BenchmarkPosition.as_view()),
        name="benchmark-position",
    ),
    path("v1/risks", views.conditional(views.Risks.as_view()), name="risks"),
    path(
        "v1/schema",
        SpectacularAPIView.as_view(
            authentication_classes=[], permission_classes=[], throttle_classes=[]
        ),
        name="schema",
    ),
]
