"""Who is signing in, as seen through the TLS proxy, and the limits on failed sign-ins.

django-axes calls `client_ip` (AXES_CLIENT_IP_CALLABLE) and uses `LoginThrottle` (AXES_HANDLER).
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies, from X-Forwarded-For.

    Each proxy appends the address it received the request from, so only the right-most
    TRUSTED_PROXIES entries (the last one being REMOTE_ADDR itself) were written by our proxies;
    anything further left was sent by the client and could be forged. A missing or malformed
    entry falls back to REMOTE_ADDR, which is never worse than before.
    """
    remote = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if remote:
        chain.append(remote)
    if len(chain) <= trusted:
        return remote
    client = chain[-(trusted + 1)]
    return client if _is_address(client) else remote


class LoginThrottle(AxesDatabaseHandler):
    """Axes' per username-and-address lock, plus one per address across all usernames.

    AXES_FAILURE_LIMIT failures for one username from one address lock that pair;
    LOGIN_FAILURES_PER_ADDRESS failures from one address, whatever the usernames (password
    spraying), lock the address. Axes compares a single count with a single limit, so the
    address's count is shifted onto the pair's scale: it reaches AXES_FAILURE_LIMIT exactly when
    the address reaches its own limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair = super().get_failures(request, credentials)
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        failures = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        headroom = settings.LOGIN_FAILURES_PER_ADDRESS - get_failure_limit(request, credentials)
        return max(pair, (failures or 0) - headroom)
