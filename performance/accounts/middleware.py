"""The second step after a password sign-in (issue 15), kept off the login path itself.

At sign-in (`user_logged_in`) a person who signed in with a password — any backend but the
identity provider's, which enforces its own multi-factor authentication
(settings.TWO_FACTOR_EXEMPT_BACKENDS) — is marked in the session as owing a step:
"verify" when they have an authenticator, "setup" when REQUIRE_2FA_FOR_OFFICERS is on and they
are a performance officer without one. This middleware then sends every request of that
session to that page (and nowhere else but sign-out) until the step is done. A session that
owes nothing costs no query here: only the session, already loaded, is read.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from performance.accounts import services
from performance.common import access

PENDING = "summit_2fa_pending"
VERIFY, SETUP = "verify", "setup"
TARGET = {VERIFY: "performance:two-factor-verify", SETUP: "performance:two-factor"}
ALWAYS_OPEN = {"logout", "healthz"}


def mark_pending(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: note the step this sign-in owes, if any."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(PENDING, None)
    backend = getattr(user, "backend", None) or session.get(BACKEND_SESSION_KEY, "")
    if backend in settings.TWO_FACTOR_EXEMPT_BACKENDS:
        return
    if services.is_on(user):
        session[PENDING] = VERIFY
    elif settings.REQUIRE_2FA_FOR_OFFICERS and access.is_performance_officer(user):
        session[PENDING] = SETUP


def done(request: HttpRequest) -> None:
    """The step is done: this session owes nothing more."""
    request.session.pop(PENDING, None)


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            pending = request.session.get(PENDING) if hasattr(request, "session") else None
        except DatabaseError:
            # Sessions live in the database: while it is down nothing can be owed or checked,
            # and /healthz must still answer its 503 (tests/reliability/test_postgres_restart).
            pending = None
        if pending in TARGET and request.user.is_authenticated:
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            open_names = {*ALWAYS_OPEN, TARGET[pending]}
            if name not in open_names and not name.endswith("logout"):
                url = reverse(TARGET[pending])
                if request.method == "GET":
                    url += "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(url)
        return self.get_response(request)
