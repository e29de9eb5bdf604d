"""The council's OpenID Connect provider as Summit sees it: its discovery document (SPEC §16).

The sign-in views (`performance.signin`) read the provider's endpoints and signing keys' address
from `discovery()`; /healthz reports `status()`. A document that answered is kept for an hour
(per process: providers change endpoints rarely, and a restart refreshes it); one that did not is
asked for again at the next use, so a provider that comes back is noticed at once.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

DISCOVERY_PATH = "/.well-known/openid-configuration"
CACHE_SECONDS = 60 * 60
TIMEOUT_SECONDS = 5
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class Unavailable(Exception):
    """The discovery document could not be read, or lacks what sign-in needs."""


def configured() -> bool:
    return bool(settings.OIDC_ISSUER)


def _key() -> str:
    return f"oidc-discovery:{settings.OIDC_ISSUER}"


def _fetch(timeout: float) -> dict[str, Any]:
    url = f"{settings.OIDC_ISSUER}{DISCOVERY_PATH}"
    try:
        response = requests.get(url, timeout=timeout)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise Unavailable(f"{url} did not answer: {error.__class__.__name__}") from None
    if not isinstance(document, dict):
        raise Unavailable(f"{url} is not a discovery document")
    missing = [name for name in REQUIRED if not document.get(name)]
    if missing:
        raise Unavailable(f"{url} lacks {', '.join(missing)}")
    # OpenID Connect Discovery §4.3: the document's issuer must be the one asked about.
    if document["issuer"].rstrip("/") != settings.OIDC_ISSUER:
        raise Unavailable(f"{url} names another issuer: {document['issuer']}")
    return document


def discovery() -> dict[str, Any]:
    """The provider's discovery document (cached); raises `Unavailable`."""
    if not configured():
        raise Unavailable("No OpenID Connect provider is configured (OIDC_ISSUER).")
    document = cache.get(_key())
    if document is None:
        document = _fetch(TIMEOUT_SECONDS)
        cache.set(_key(), document, CACHE_SECONDS)
    return document


def forget() -> None:
    """Drop the cached document (tests; a provider that moved its endpoints)."""
    cache.delete(_key())


def status() -> str:
    """For /healthz: "not configured", "ok", or why the discovery document did not answer.

    Always asks the provider (with a short timeout): a cached answer would hide an outage.
    """
    if not configured():
        return "not configured"
    try:
        document = _fetch(timeout=2)
    except Unavailable as error:
        return f"unavailable: {error}"
    cache.set(_key(), document, CACHE_SECONDS)
    return "ok"
