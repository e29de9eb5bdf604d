"""What the sign-in page offers: the provider's button, and the password form unless
LOCAL_LOGIN=false hides it (then only at ?local=1, the break-glass administrators' way in)."""

from __future__ import annotations

from django import template
from django.conf import settings

from performance.common import identity
from performance.signin.backends import local_login_open

register = template.Library()


@register.simple_tag(takes_context=True)
def signin_choices(context) -> dict:
    request = context["request"]
    break_glass = request.GET.get("local") == "1"
    return {
        "provider": identity.configured(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "password_form": local_login_open() or break_glass,
        "break_glass": break_glass and not local_login_open(),
    }
