"""Two-step verification (issue 15), in the `performance:` namespace."""

from django.urls import path

from performance.accounts import views

urlpatterns = [
    path("accounts/two-factor/", views.two_factor, name="two-factor"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/turn-off/", views.two_factor_off, name="two-factor-off"),
]
