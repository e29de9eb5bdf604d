"""Redis (the Celery broker) unavailable: pages and data entry keep working, /healthz says so.

Uses a redis-server of the test's own, stopped under the app: a refused connection is the real
failure mode, not a mock. Work queued meanwhile is covered in test_outbox.py.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from performance.models import Value
from tests.performance.collection.test_collection import build_world
from tests.reliability.app_server import ROOT, app_env

LONDON = zoneinfo.ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_on(settings):
    """Point the app (health check and Celery) at a given Redis URL, and restore afterwards."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}

    def point(url: str) -> None:
        settings.REDIS_URL = url
        app.conf.broker_url = url
        app.conf.result_backend = url
        app.conf.task_always_eager = False  # a stray .delay() would really reach for Redis
        app._pool = None

    yield point
    for key, value in saved.items():
        app.conf[key] = value
    app._pool = None


def test_the_cache_does_not_use_redis_so_pages_cannot_fail_with_it(tmp_path):
    env = app_env(tmp_path / "var", REDIS_URL="redis://127.0.0.1:1/0")
    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        "from django.core.cache import cache; cache.set('k', 1); "
        "print(json.dumps([settings.CACHES['default']['BACKEND'], cache.get('k'), "
        "settings.CELERY_BROKER_URL]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    backend, cached, broker = json.loads(result.stdout.strip().splitlines()[-1])
    assert "redis" not in backend.lower()
    assert cached == 1  # works although nothing listens on port 1
    assert broker == "redis://127.0.0.1:1/0"


def test_healthz_follows_a_real_redis_going_down_and_coming_back(client, redis_server, broker_on):
    broker_on(redis_server.url)
    assert client.get(reverse("healthz")).status_code == 200

    redis_server.stop()
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    assert time.monotonic() - started < 3, "the health check must answer quickly"
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "unavailable",
        "database": "ok",
        "broker": "ConnectionError",
        "broker_kind": "redis",
        "identity_provider": "not configured",  # reported, never a 503 (issue 15)
    }

    redis_server.start()
    assert client.get(reverse("healthz")).status_code == 200


def test_pages_and_data_entry_keep_working_while_redis_is_down(client, redis_server, broker_on):
    broker_on(redis_server.url)
    redis_server.stop()
    with time_machine.travel(dt.datetime(2025, 7, 4, 10, 0, tzinfo=LONDON), tick=False):
        world = build_world()
        enterer, manager = world.users["enterer_a"], world.users["manager_a"]
        indicator = world.indicators["WAS 001"]
        client.force_login(enterer)
        for name in ("home", "performance:my-returns", "performance:indicator-list"):
            started = time.monotonic()
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            assert time.monotonic() - started < 5, f"{name} waited for Redis"
        item = reverse("performance:return-item", args=[world.quarterly.pk, indicator.pk])
        saved = client.post(item, {"value": "96", "version": "0", "action": "submit"})
        assert saved.status_code == 302
        value = Value.objects.get(indicator=indicator, period=world.quarterly.period)
        assert value.status == Value.Status.SUBMITTED

        client.force_login(manager)
        assert client.get(reverse("performance:activation-queue")).status_code == 200
        review = client.get(reverse("performance:value-review", args=[value.pk]))
        assert review.status_code == 200
    assert client.get(reverse("healthz")).status_code == 503  # and the health check says so
