"""Backups: scripts/backup.sh then scripts/restore.sh give a copy with the same data and the same
league table, and the same uploaded files.

On PostgreSQL (DATABASE_URL=postgres://…, as CI runs) it dumps the test database with pg_dump -Fc
and restores it with pg_restore into a new database on the same server. On SQLite the test
database lives in memory, so it is first written to a file (as a deployment would have it) and
the scripts copy that file with SQLite's online backup API. Either way the comparison is made by
the product's own commands run against the original and the restored copy.
"""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.reach_summit.conftest import Q1, build_team
from tests.reliability.app_server import ROOT, app_env, manage

pytestmark = pytest.mark.django_db(transaction=True)


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _live_database_url(tmp_path: Path) -> str:
    """A URL other processes can open for the test's database."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(settings["USER"] or "postgres")
        if settings.get("PASSWORD"):
            auth += ":" + quote(settings["PASSWORD"])
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"
    # SQLite in memory: write it out as the file a deployment would back up.
    live = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(live)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{live}"


def _restored_url(live_url: str, target: str) -> str:
    if live_url.startswith("sqlite"):
        return f"sqlite:///{target}"
    return live_url.rsplit("/", 1)[0] + "/" + target


def _snapshot(env: dict[str, str]) -> dict[str, str]:
    return {
        "league_table": manage(env, "league_table", "--quarter", str(Q1), "--format", "csv"),
        "indicator_status": manage(env, "indicator_status", "--period", str(Q1), "--format", "csv"),
        "data": manage(
            env,
            "dumpdata",
            "performance",
            "reach_summit",
            "auth.user",
            "--indent",
            "0",
            "--exclude",
            "performance.outboxmessage",
        ),
    }


@pytest.fixture
def council(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    build_team("Waste", ("summit", "summit", "firstbase", "summit"))
    build_team("Housing", ("basecamp", "summit", "no_data", "firstbase"))
    build_team("Parks", ("summit", "firstbase", "summit", "basecamp"))
    evidence = Path(settings.MEDIA_ROOT) / "evidence" / "2024" / "working-paper.txt"
    evidence.parent.mkdir(parents=True)
    evidence.write_text("Working paper for WAS 001, 2024/25 Q1 — £1,200 saved\n")
    return evidence


def test_a_restored_backup_has_the_same_data_league_table_and_files(council, tmp_path):
    live_url = _live_database_url(tmp_path)
    media = Path(council).parents[2]
    env = app_env(tmp_path / "var", DATABASE_URL=live_url, MEDIA_ROOT=str(media))
    made = _run("backup.sh", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert (backup / "SHA256SUMS").exists()
    assert (backup / "media.tar.gz").exists()

    if live_url.startswith("sqlite"):
        target = str(tmp_path / "restored.sqlite3")
    else:
        target = f"summit_restore_{uuid.uuid4().hex[:10]}"
    restored_media = tmp_path / "restored-media"
    done = _run("restore.sh", str(backup), target, str(restored_media), env=env)
    try:
        assert done.returncode == 0, done.stderr
        restored_env = app_env(
            tmp_path / "var",
            DATABASE_URL=_restored_url(live_url, target),
            MEDIA_ROOT=str(restored_media),
        )
        original = _snapshot(env)
        copy = _snapshot(restored_env)
        assert "Waste" in original["league_table"]
        assert original["league_table"] == copy["league_table"]
        assert original["indicator_status"] == copy["indicator_status"]
        assert original["data"] == copy["data"]
        restored_file = restored_media / council.relative_to(media)
        assert restored_file.read_text() == council.read_text()

        again = _run("restore.sh", str(backup), target, str(tmp_path / "other-media"), env=env)
        assert again.returncode != 0
        assert "already exists" in again.stderr, "a restore must never overwrite a database"
    finally:
        if not live_url.startswith("sqlite"):
            server = live_url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(
                ["psql", "--dbname", server, "-c", f'DROP DATABASE IF EXISTS "{target}"'],
                capture_output=True,
                check=False,
            )


def test_a_damaged_backup_is_refused(council, tmp_path):
    live_url = _live_database_url(tmp_path)
    env = app_env(tmp_path / "var", DATABASE_URL=live_url, MEDIA_ROOT=str(tmp_path / "media"))
    made = _run("backup.sh", str(tmp_path / "backups"), env=env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    dump = next(backup.glob("database.*"))
    with dump.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage\x00")
    refused = _run("restore.sh", str(backup), "summit_never_made", str(tmp_path / "m"), env=env)
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
