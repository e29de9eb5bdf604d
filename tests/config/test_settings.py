"""Settings read the environment, default safely, and refuse malformed values by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "k3y-" + "x9Qz7vR2pL5mN8bT1cW4yH6jD0fG3sA" * 2,
    "ALLOWED_HOSTS": "performance.example.gov.uk",
    "DATABASE_URL": "postgres://summit@db.internal:5432/summit",
    "REDIS_URL": "redis://redis.internal:6379/0",
}

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "debug": settings.DEBUG,
    "tz": settings.TIME_ZONE,
    "broker": settings.CELERY_BROKER_URL,
    "backend": settings.CELERY_RESULT_BACKEND,
    "email": settings.EMAIL_BACKEND,
    "hosts": settings.ALLOWED_HOSTS,
    "beat": sorted(settings.CELERY_BEAT_SCHEDULE),
}))
"""


def _clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "HTTPS",
            "EMAIL_HOST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["SUMMIT_VAR_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    return env


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def _settings(tmp_path: Path, **overrides: str) -> dict:
    result = _run(PROBE, _clean_env(tmp_path, **overrides))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_sqlite_under_var_filesystem_celery_and_mail_to_files(tmp_path):
    values = _settings(tmp_path)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "var" / "summit.sqlite3")
    assert values["debug"] is False
    assert values["tz"] == "Europe/London"
    assert values["broker"] == "filesystem://"
    assert values["backend"].startswith("file://")
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert (tmp_path / "var" / "celery" / "queue").is_dir()
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_database_redis_hosts_and_email(tmp_path):
    values = _settings(
        tmp_path,
        DATABASE_URL="postgres://someone@127.0.0.1:5432/summit_x",
        REDIS_URL="redis://127.0.0.1:6379/3",
        ALLOWED_HOSTS="a.example.gov.uk, b.example.gov.uk",
        EMAIL_HOST="smtp.example.gov.uk",
        DEBUG="yes",
    )
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "summit_x"
    assert values["broker"] == values["backend"] == "redis://127.0.0.1:6379/3"
    assert values["hosts"] == ["a.example.gov.uk", "b.example.gov.uk"]
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["debug"] is True


def test_empty_variables_count_as_unset(tmp_path):
    values = _settings(tmp_path, DATABASE_URL="", REDIS_URL="", DEBUG="")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["broker"] == "filesystem://"


def test_beat_schedule_is_in_the_settings(tmp_path):
    assert _settings(tmp_path)["beat"] == [
        "collection-day",
        "freeze-reach-the-summit",
        "monthly-data-request",
        "policy-review-reminder",
        "quarterly-data-request",
        "relay-outbox",
        "risk-alerts",
        "strategic-actions-request",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "nonsense"),
        ("DATABASE_URL", "mysql://root@localhost/summit"),
        ("DEBUG", "maybe"),
        ("HTTPS", "sometimes"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("EMAIL_PORT", "twenty-five"),
        ("SESSION_COOKIE_AGE", "-5"),
        ("SECRET_KEY", "short"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    env = _clean_env(tmp_path, **{name: value})
    if name == "EMAIL_PORT":
        env["EMAIL_HOST"] = "smtp.example.gov.uk"
    result = _run("import django; django.setup()", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.strip().splitlines()[-1]


def test_https_without_secret_key_is_refused(tmp_path):
    env = _clean_env(tmp_path, HTTPS="true")
    result = _run("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    env = _clean_env(tmp_path, **PRODUCTION_ENV)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_settings_are_flagged_by_check_deploy(tmp_path):
    """The guard works: without HTTPS the deploy check names the missing protections."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout
