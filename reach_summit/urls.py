"""URLs of Reach the Summit, mounted at /reach-the-summit/. Quarters travel as ?quarter=."""

from django.urls import path

from reach_summit import views

app_name = "reach_summit"

urlpatterns = [
    path("", views.league_table, name="league-table"),
    path("awards/", views.awards, name="awards"),
    path("teams/<slug:team>/", views.team_history, name="team-history"),
    path("teams/<slug:team>/score/", views.team_score, name="team-score"),
    path("complaints/", views.complaints_report, name="complaints-report"),
    path("complaints/import/", views.complaints_import, name="complaints-import"),
    path("complaints/record/", views.complaint_record, name="complaint-record"),
    path("improvements/", views.improvements, name="improvements"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("scorecards/<slug:team>/<str:year>/", views.scorecard_edit, name="scorecard-edit"),
    path("recompute/", views.recompute, name="recompute"),
    path("league-table.xlsx", views.export_xlsx, name="export-xlsx"),
    path("league-table.csv", views.export_csv, name="export-csv"),
    path("poster.pdf", views.poster, name="poster"),
    path("newsletter.txt", views.newsletter, name="newsletter"),
]
