"""The provider's sign-in addresses (the callback is the redirect URI registered with it)."""

from django.urls import path

from performance.signin import views

urlpatterns = [
    path("authenticate/", views.Start.as_view(), name="oidc_authentication_init"),
    path("callback/", views.Callback.as_view(), name="oidc_authentication_callback"),
]
