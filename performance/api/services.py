"""API tokens: made, found, used and revoked (SPEC §15). Audited on the token's person.

A token's secret is `smt_` and 43 URL-safe characters (256 random bits). Only its SHA-256
digest is stored, with the first 12 characters in clear to tell tokens apart; the secret is
shown once, when it is made. Every token expires (at most `API_TOKEN_MAX_DAYS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import models as auth
from django.db import transaction
from django.utils import timezone

from performance.common import audit
from performance.models import ApiToken

PREFIX = "smt_"
SHOWN = 12
DEFAULT_DAYS = 90


class TokenError(Exception):
    """A token request that cannot be met; `field` names the form field or option."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def max_days() -> int:
    return int(getattr(settings, "API_TOKEN_MAX_DAYS", 366))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def create_token(
    *, user: auth.User, name: str, days: int, can_write: bool, actor: auth.User | None
) -> tuple[ApiToken, str]:
    """A new token for `user` and its secret (to show once). `actor` made it (None: a command)."""
    name = name.strip()
    if not name:
        raise TokenError("Enter a name for the token, such as “Power BI”", "name")
    if len(name) > 100:
        raise TokenError("Name must be 100 characters or fewer", "name")
    if not 1 <= days <= max_days():
        raise TokenError(f"Days must be between 1 and {max_days()}", "days")
    if not user.is_active:
        raise TokenError(f"{user.get_username()} is not active", "user")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:SHOWN],
        digest=digest(secret),
        can_write=can_write,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    audit.record(
        actor=actor,
        instance=user,
        action="api_token_created",
        changes={
            "api_token": [None, str(token)],
            "write": [None, can_write],
            "expires": [None, token.expires_at.date().isoformat()],
        },
    )
    return token, secret


def active(secret: str) -> ApiToken | None:
    """The token whose secret this is, if it is neither revoked nor expired and its person active."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record a use: at most one write a minute per token, so reads stay reads."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke(*, token: ApiToken, actor: auth.User) -> bool:
    """Revoke `token` (a person's own). False when it was already revoked."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        instance=locked.user,
        action="api_token_revoked",
        changes={"api_token": [str(locked), None]},
    )
    token.revoked_at = locked.revoked_at
    return True


def channel(token: ApiToken) -> str:
    """How the audit trail names a change made with `token`."""
    return f"API token “{token.name}” ({token.prefix}…)"
