"""Pages of the performance app: the home dashboard and the health check."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from performance import access, selectors


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = access.primary_role(request.user)
    context = {
        "role": role,
        "teams": selectors.teams_for_dashboard(user=request.user),
        "rounds": selectors.open_rounds(),
        "plan": selectors.current_plan(),
    }
    return render(request, "performance/home.html", context)


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "down" to a load balancer
        return False, type(error).__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    if settings.REDIS_URL:
        import redis

        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            )
            client.ping()
        except Exception as error:
            return False, type(error).__name__
        return True, "ok"
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    if folder.is_dir() and folder.stat().st_mode:
        import os

        if os.access(folder, os.W_OK):
            return True, "ok"
    return False, "queue folder not writable"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker health as JSON: 200 when both answer, 503 when either does not."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": db_detail,
        "broker": broker_detail,
        "broker_kind": "redis" if settings.REDIS_URL else "filesystem",
    }
    return JsonResponse(body, status=200 if healthy else 503)
