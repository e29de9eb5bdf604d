"""The provider's sign-in pages: the start (a redirect to the provider with state, nonce and a
PKCE challenge), the callback (mozilla-django-oidc's, with Summit's refusal pages) and sign-out
(Summit's session, then the provider's where it offers RP-initiated logout)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import signals
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc import views as oidc_views

from performance.common import identity
from performance.common.display import person_name
from performance.core.roles import Role

REFUSALS = {
    # refusal: (status, title)
    "no_role": (403, "You do not have access to Summit yet"),
    "inactive": (403, "Your Summit account is switched off"),
    "failed": (400, "Signing in did not finish"),
    "unavailable": (503, "Signing in is not available just now"),
}


def _whom_to_ask() -> str:
    """SIGNIN_HELP_CONTACT, or the performance team by its officers' names."""
    if settings.SIGNIN_HELP_CONTACT:
        return settings.SIGNIN_HELP_CONTACT
    officers = User.objects.filter(
        is_active=True, groups__name=Role.PERFORMANCE_OFFICER.value
    ).order_by("last_name", "first_name")[:5]
    names = [person_name(officer) for officer in officers]
    if not names:
        return "the Policy & Performance team"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"the Policy & Performance team ({listed})"


def refused(request, refusal: str) -> HttpResponse:
    status, title = REFUSALS.get(refusal, REFUSALS["failed"])
    context = {
        "refusal": refusal,
        "title": title,
        "provider": settings.OIDC_PROVIDER_NAME,
        "ask": _whom_to_ask(),
    }
    return render(request, "signin/refused.html", context, status=status)


def _configured() -> None:
    if not identity.configured():
        raise Http404("No identity provider is configured.")


class Start(oidc_views.OIDCAuthenticationRequestView):
    """GET /oidc/authenticate/: to the provider's authorization endpoint from its discovery
    document."""

    def __init__(self, *args, **kwargs):
        # The endpoint is read from the discovery document at each request, not at start-up.
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        _configured()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = identity.discovery()["authorization_endpoint"]
        except identity.Unavailable:
            return refused(request, "unavailable")
        return super().get(request)


class Callback(oidc_views.OIDCAuthenticationCallbackView):
    """GET /oidc/callback/: the provider's answer. The state must be one this browser's session
    started (and is used once), the code is exchanged with the PKCE verifier, and the ID token
    checked (`backends.ProviderBackend`). Any failure shows a page, signs nobody in, and counts
    as a failed sign-in from the client's address (django-axes)."""

    def get(self, request):
        _configured()
        request.signin_refusal = ""
        try:
            response = super().get(request)
        except SuspiciousOperation:
            # A state this session did not start, or has used already (a replay).
            response = self.login_failure()
        return response

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "signin_refusal", "") or "failed"
        attempted = getattr(request, "signin_attempted", False) or getattr(
            request, "axes_locked_out", False
        )
        if not attempted:
            # No authentication ran (no state, a replayed state, the provider's error):
            # Django sent no user_login_failed, so send it for django-axes to count.
            signals.user_login_failed.send(
                sender=__name__, credentials={"username": None}, request=request
            )
        return refused(request, refusal)


class SignOut(auth_views.LogoutView):
    """POST /accounts/logout/: ends Summit's session; then, for a person who signed in at the
    provider and a provider whose discovery document has an end_session_endpoint, ends the
    provider's session too (RP-initiated logout, with id_token_hint)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not identity.configured():
            return response
        try:
            end_session = identity.discovery().get("end_session_endpoint")
        except identity.Unavailable:
            return response
        if not end_session:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
                "client_id": settings.OIDC_RP_CLIENT_ID,
            }
        )
        separator = "&" if "?" in end_session else "?"
        return HttpResponseRedirect(f"{end_session}{separator}{query}")
