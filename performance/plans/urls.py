"""URLs of the plans area."""

from django.urls import path

from performance.plans import views

urlpatterns = [
    path("plan/", views.strategic_plan, name="strategic-plan"),
    path("plan/thread/<slug:kind>/<int:pk>/", views.golden_thread, name="golden-thread"),
    path("plan/strategic-actions/", views.strategic_actions, name="strategic-actions"),
    path("service-plans/", views.service_plan_list, name="service-plan-list"),
    path("service-plans/<int:pk>/", views.service_plan_detail, name="service-plan-detail"),
    path(
        "service-plans/activities/<int:pk>/progress/",
        views.activity_progress,
        name="activity-progress",
    ),
    path("action-plans/", views.action_plan_list, name="action-plan-list"),
    path("action-plans/new/", views.action_plan_create, name="action-plan-create"),
    path("action-plans/<int:pk>/", views.action_plan_detail, name="action-plan-detail"),
    path("action-plans/<int:pk>/revise/", views.action_plan_revise, name="action-plan-revise"),
]
