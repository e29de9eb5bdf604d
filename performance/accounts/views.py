"""Two-step verification pages (issue 15): turn it on (officers), the sign-in step, turn it off.

The rules are `services`'; which requests must pass through these pages is `middleware`'s.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from performance.accounts import middleware, services
from performance.accounts.forms import CodeForm
from performance.common import access
from performance.common.forms import error_summary

SETUP_KEY = "summit_2fa_setup_key"
APP_HINT = "The 6-digit code your authenticator app shows for Summit."


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return settings.LOGIN_REDIRECT_URL


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


@require_http_methods(["GET", "POST"])
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Status and setup: the secret, one code to confirm it, then the recovery codes once."""
    user = request.user
    if not access.is_performance_officer(user):
        raise PermissionDenied("Two-step verification is for performance officers' accounts.")
    is_on = services.is_on(user)
    if is_on and not _verified(request):
        # A session from before it was turned on: prove the current factor before replacing it.
        return redirect(f"{reverse('performance:two-factor-verify')}?next={request.path}")
    required = settings.REQUIRE_2FA_FOR_OFFICERS
    if request.method == "GET" and is_on and "new" not in request.GET:
        context = {
            "codes_left": services.recovery_codes_left(user),
            "required": required,
        }
        return render(request, "accounts/two_factor_status.html", context)
    key = request.session.get(SETUP_KEY)
    if not key or (request.method == "GET" and "new" in request.GET):
        key = services.new_key()
        request.session[SETUP_KEY] = key
    form = CodeForm(request.POST or None, label="Code from the app", hint=APP_HINT, numeric=True)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.turn_on(user=user, key=key, code=form.cleaned_data["code"])
        except services.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            otp_login(request, device)
            request.session.pop(SETUP_KEY, None)
            middleware.done(request)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "accounts/two_factor_codes.html", context)
    context = {
        "secret": services.secret_for(user, key),
        "form": form,
        "errors": error_summary(form, labels=False),
        "replacing": is_on,
        "required": required and not is_on,
        "next": _next(request),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in: an app code or a recovery code."""
    user = request.user
    if not services.is_on(user) or _verified(request):
        middleware.done(request)
        return redirect(_next(request))
    form = CodeForm(
        request.POST or None,
        label="Code",
        hint=f"{APP_HINT} If you do not have your phone, enter one of your recovery codes.",
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify(user=user, code=form.cleaned_data["code"])
        except services.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            # A new session key for the session that now holds both factors.
            request.session.cycle_key()
            otp_login(request, device)
            middleware.done(request)
            if device.persistent_id.startswith("otp_static"):
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code: {left} left. Each works once; set up your "
                    "authenticator again to get new ones.",
                )
            return redirect(_next(request))
    context = {
        "form": form,
        "errors": error_summary(form, labels=False),
        "next": _next(request),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/two_factor_verify.html", context, status=status)


@require_POST
@login_required
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn it off (a verified session; not while REQUIRE_2FA_FOR_OFFICERS binds the person)."""
    user = request.user
    if not services.is_on(user):
        return redirect("performance:two-factor")
    if not _verified(request):
        raise PermissionDenied("Verify with a code before turning two-step verification off.")
    if settings.REQUIRE_2FA_FOR_OFFICERS and access.is_performance_officer(user):
        messages.error(
            request,
            "Your council requires two-step verification for performance officers: set up a "
            "new authenticator instead of turning it off.",
        )
        return redirect("performance:two-factor")
    services.turn_off(user=user, actor=user)
    messages.success(request, "Two-step verification is off.")
    return redirect("performance:two-factor")
