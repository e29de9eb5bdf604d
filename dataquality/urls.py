from django.urls import path

from dataquality import views

app_name = "dataquality"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("policy/", views.policy, name="policy"),
    path("policy/<int:number>/document/", views.policy_document, name="policy-document"),
    path("statement/", views.sign, name="sign"),
    path("signatures/", views.signatures, name="signatures"),
    path("values/<int:value_id>/evidence/", views.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
