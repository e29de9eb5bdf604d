"""Tiny environment readers for settings.

Each reader treats an empty value as unset (TOOLCHAIN: `DATABASE_URL=""` must not crash
dj-database-url) and stops start-up with a message that names the variable when a value is
malformed, so a typo in production configuration is found at boot, not at the first request.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def string(name: str, default: str) -> str:
    value = raw(name)
    return default if value is None else value


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean: use one of "
        "true/false, yes/no, on/off, 1/0."
    )


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a whole number."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} must be ≥ {minimum}.")
    return number


def string_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} lists nothing.")
    return items


def http_url(name: str) -> str | None:
    """An http(s) URL with a host (an OpenID Connect issuer), without a trailing slash."""
    value = raw(name)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a URL: expected https://HOST/PATH."
        )
    return value.rstrip("/")


def database(name: str, default: str) -> dict:
    """A Django DATABASES entry from a URL such as postgres://user@host:5432/db."""
    import dj_database_url  # noqa: PLC0415 (only the settings read a database URL)

    value = raw(name) or default
    scheme = urlparse(value).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a database URL: expected "
            "postgres://USER@HOST:PORT/NAME or sqlite:///PATH."
        )
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except Exception as error:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"Environment variable {name}={value!r}: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} names no database.")
    if config["ENGINE"].endswith("sqlite3"):
        # A SQLite connection cannot be shared between threads that long-lived connections
        # would assume, and the worker and web server open the file concurrently.
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["timeout"] = 20
    return config


def redis_url(name: str) -> str | None:
    value = raw(name)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a Redis URL: expected "
            "redis://HOST:PORT/DB."
        )
    return value


def timezone(name: str, default: str) -> str:
    value = raw(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a time zone name such as Europe/London."
        ) from None
    return value
