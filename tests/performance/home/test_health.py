"""/healthz reports database and broker health as JSON: 200 healthy, 503 not."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_unhealthy_when_database_is_down(client, monkeypatch):
    from performance.home import views

    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "OperationalError"
    assert response.json()["status"] == "unavailable"


def test_unhealthy_when_redis_broker_is_down(client, settings):
    # Nothing listens on port 1: the ping is refused at once.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["broker_kind"] == "redis"
    assert body["broker"] == "ConnectionError"
    assert body["database"] == "ok"


def test_unhealthy_when_filesystem_queue_is_missing(client, settings, tmp_path):
    settings.REDIS_URL = None
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "absent")}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker_kind"] == "filesystem"
