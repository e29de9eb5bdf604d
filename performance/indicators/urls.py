"""URLs of the indicators area."""

from django.urls import path

from performance.indicators import views

urlpatterns = [
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/comments/", views.indicator_comment, name="indicator-comment"),
]
