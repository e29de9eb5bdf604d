"""docker-compose.yml is wired right: no Docker engine here, so the file itself is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_has_web_worker_beat_postgres_16_and_redis_7(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"


def test_commands_run_gunicorn_celery_worker_and_beat(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_app_services_wait_for_healthy_database_and_redis_and_migrations(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["beat"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_every_long_running_service_has_a_health_check(compose):
    for name in ("web", "worker", "db", "redis"):
        assert compose["services"][name]["healthcheck"]["test"], name
    assert "/healthz" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_data_lives_in_named_volumes(compose):
    named = set(compose["volumes"])
    assert {"pgdata", "redisdata", "media"} <= named
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in named, f"{volume} is not a named volume"


def test_app_services_use_redis_and_postgres_and_production_switches(compose):
    for name in ("web", "worker", "beat"):
        env = compose["services"][name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DATABASE_URL"].startswith("postgres://summit:")
        assert "@db:5432/summit" in env["DATABASE_URL"]
        assert env["HTTPS"] == "true"
        assert env["DEBUG"] == "false"


def test_no_secret_is_written_in_the_file(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "EMAIL_HOST_PASSWORD"):
        for match in re.finditer(rf"{name}: (.+)", text):
            assert match.group(1).startswith("${"), f"{name} has a literal value"
    env = compose["services"]["web"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_sign_in_lockouts_trust_the_one_proxy_in_front(compose):
    for name in ("web", "worker", "beat"):
        assert (
            compose["services"][name]["environment"]["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"
        )


def _dockerfile_directories() -> tuple[dict[str, str | None], str]:
    """Directories the image's RUN lines create ({path: owner or None}) and the USER it runs as.

    A named volume mounted where the image has no directory is created by Docker as root, so the
    app (running as USER) could not write there; one the image created and chowned is copied into
    the empty volume with its owner.
    """
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    created: dict[str, str | None] = {}
    user = "root"
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "USER":
            user = words[1]
        if words[0] != "RUN":
            continue
        for command in " ".join(words[1:]).split("&&"):
            parts = [part for part in command.split() if not part.startswith("-")]
            if parts[:1] == ["mkdir"]:
                for path in parts[1:]:
                    created.setdefault(path.rstrip("/"), None)
            elif parts[:1] == ["chown"]:
                owner = parts[1].split(":")[0]
                for path in parts[2:]:
                    created[path.rstrip("/")] = owner
    return created, user


def test_every_app_volume_is_a_directory_of_the_image_owned_by_its_user(compose):
    created, user = _dockerfile_directories()
    assert user != "root"
    for name, service in compose["services"].items():
        if "build" not in service:
            continue
        for volume in service.get("volumes", []):
            path = volume.split(":")[1].rstrip("/")
            assert path in created, f"{name}: {path} is not created in the Dockerfile"
            assert created[path] == user, f"{name}: {path} is not owned by {user}"


def test_web_and_worker_share_one_media_volume_at_media_root(compose):
    """Issue 21: a file uploaded through the web server or written by a worker (evidence, a
    published PDF) is read by the other, so both mount the same volume where MEDIA_ROOT points."""
    services = compose["services"]
    for name in ("web", "worker"):
        media_root = services[name]["environment"]["MEDIA_ROOT"]
        assert f"media:{media_root}" in services[name]["volumes"], name
    assert (
        services["web"]["environment"]["SECRET_KEY"]
        == (services["worker"]["environment"]["SECRET_KEY"])
    )
