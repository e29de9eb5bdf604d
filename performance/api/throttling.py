"""A per-token rate limit (SPEC §15): beyond `API_RATE_LIMIT` requests, 429 with Retry-After.

Counted in the `api` cache: Redis when REDIS_URL is set, so every web server shares the count.
While Redis is unreachable the limit fails open (nothing counted, a warning logged): the API
keeps answering, as the pages do.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class PerToken(SimpleRateThrottle):
    scope = "token"

    def __init__(self) -> None:
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self) -> str:
        return str(settings.API_RATE_LIMIT)

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "digest"):
            return None  # refused by authentication anyway
        return f"throttle:{token.digest[:32]}"

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # Redis down: answer rather than fail
            log.warning("API rate limit not counted: the api cache is unreachable", exc_info=True)
            return True
