"""URLs of the plans area."""

from django.urls import path

from performance.plans.views import action_plans, service_plans, strategic
from performance.plans.views import requests as plan_requests

urlpatterns = [
    path("plan/", strategic.strategic_plan, name="strategic-plan"),
    path("plan/thread/<slug:kind>/<int:pk>/", strategic.golden_thread, name="golden-thread"),
    path("plan/strategic-actions/", strategic.strategic_actions, name="strategic-actions"),
    path("service-plans/", service_plans.service_plan_list, name="service-plan-list"),
    path("service-plans/<int:pk>/", service_plans.service_plan_detail, name="service-plan-detail"),
    path(
        "service-plans/activities/<int:pk>/progress/",
        service_plans.activity_progress,
        name="activity-progress",
    ),
    path("action-plans/", action_plans.action_plan_list, name="action-plan-list"),
    path("action-plans/new/", action_plans.action_plan_create, name="action-plan-create"),
    path("action-plans/<int:pk>/", action_plans.action_plan_detail, name="action-plan-detail"),
    path(
        "action-plans/<int:pk>/revise/", action_plans.action_plan_revise, name="action-plan-revise"
    ),
    path("action-plans/<int:pk>/close/", plan_requests.action_plan_close, name="action-plan-close"),
    path("action-plans/requests/", plan_requests.plan_request_list, name="plan-request-list"),
    path(
        "action-plans/requests/<int:pk>/no-plan/",
        plan_requests.plan_request_no_plan,
        name="plan-request-no-plan",
    ),
]
