"""URLs of the risk pages (SPEC §14), in the `performance:` namespace."""

from django.urls import path

from performance.risks.views import officers, register, risk

urlpatterns = [
    path("risks/", register.register, name="risk-register"),
    path("risks/heat-map/", register.heat_map, name="risk-heat-map"),
    path("risks/escalations/", officers.escalations, name="risk-escalations"),
    path("risks/escalations/<int:pk>/", officers.decide, name="risk-escalation-decide"),
    path("risks/matrix/", officers.matrix, name="risk-matrix"),
    path("risks/<int:pk>/", risk.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/review/", risk.risk_review, name="risk-review"),
]
