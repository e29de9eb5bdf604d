"""Response headers set on every response: the Content Security Policy (every script and style
comes from our own origin, none inline) and, for signed-in users, no caching."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def policy() -> str:
    """POLICY, with the identity provider's origin as a form target when one is configured: the
    Sign out form's redirect ends the provider's session too (issue 15), and Chromium applies
    form-action to a form's redirects."""
    issuer = settings.OIDC_ISSUER
    if not issuer:
        return POLICY
    parts = urlsplit(issuer)
    return POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}"
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response


# Issue 14: on a shared council PC a signed-in page (a draft return, a report) could be reopened
# from the browser cache after sign-out. `private` keeps it out of shared proxies too.
SIGNED_IN_CACHE_CONTROL = "private, no-store"


class SignedInNoStoreMiddleware:
    """Every response to a signed-in user says `Cache-Control: private, no-store`, unless the
    view set its own Cache-Control (never_cache, or deliberately public content). Anonymous
    responses (the /public/ pages) are left as they are. Needs AuthenticationMiddleware above it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Without a session cookie nobody is signed in: no need to load the session.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        try:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
        except DatabaseError:
            # The session could not be read (the database is down, and /healthz is answering
            # 503 without having touched it): a response to someone holding a session cookie
            # is never stored, and this middleware must not turn the 503 into a crash.
            signed_in = True
        if signed_in:
            response.headers.setdefault("Cache-Control", SIGNED_IN_CACHE_CONTROL)
        return response
