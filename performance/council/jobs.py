"""A large council workbook imported by a Celery worker (issue 18), with its state in files.

The upload already sits in a private folder of its own (`folder(token)`) under MEDIA_ROOT, which
the web servers and the workers share (one machine, as Summit's embedded worker runs; or the
shared media volume of several). The job's state is a small JSON file beside it, so no table is
needed for a job that lives minutes: `queued` → `running` → `done` (the import's lines) or
`failed` (its problems by sheet, row and column). The page of the job reads that file.

Idempotent: the worker claims the job by renaming its `queued` marker (atomic on one file
system); a second delivery of the same message finds no marker and does nothing. The import is
one transaction, so a worker that dies mid-way leaves nothing half-written; its job then reads
`running` until the upload is made again (the page says how long it has been running).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from performance.common import outbox

TASK = "performance.council.tasks.import_workbook"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}")
STATE = "state.json"
QUEUED = "queued"


def large() -> int:
    """Bytes above which a workbook is imported by a worker (setting COUNCIL_LARGE_UPLOAD)."""
    return int(getattr(settings, "COUNCIL_LARGE_UPLOAD", 2 * 1024 * 1024))


def uploads() -> Path:
    """Where uploads wait (setting COUNCIL_UPLOADS): by default under MEDIA_ROOT, which every web
    server and worker shares (issue 21); the upload is checked by one server and confirmed or
    imported by another, so a machine's own temporary folder would lose it."""
    folder = Path(
        getattr(settings, "COUNCIL_UPLOADS", Path(settings.MEDIA_ROOT) / "council-uploads")
    )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def folder(token: str) -> Path | None:
    return uploads() / token if TOKEN.fullmatch(token) else None


def workbook(token: str) -> Path | None:
    """The one .xlsx file kept under `token`, if it is still there."""
    where = folder(token)
    if where is None or not where.is_dir():
        return None
    found = sorted(where.glob("*.xlsx"))
    return found[0] if found else None


def state(token: str) -> dict[str, Any] | None:
    where = folder(token)
    if where is None:
        return None
    try:
        return json.loads((where / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(where: Path, **data: Any) -> None:
    data["at"] = timezone.now().isoformat()
    temporary = where / f".{STATE}.tmp"
    temporary.write_text(json.dumps(data), encoding="utf-8")
    os.replace(temporary, where / STATE)


def queue(token: str, *, name: str, actor_id: int | None) -> None:
    """Mark the kept workbook queued and enqueue its import (through the outbox)."""
    where = folder(token)
    assert where is not None
    (where / QUEUED).touch()
    _write(where, state="queued", name=name)
    outbox.enqueue(TASK, token=token, actor_id=actor_id)


def run(*, token: str, actor_id: int | None) -> None:
    """Import the workbook queued under `token`, once; the worker's side."""
    from performance.council import imports  # noqa: PLC0415 (the task module stays light)

    where = folder(token)
    path = workbook(token)
    if where is None or path is None:
        return
    try:
        os.rename(where / QUEUED, where / "claimed")
    except FileNotFoundError:
        return  # claimed by another delivery, or done
    _write(where, state="running", name=path.name)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        result = imports.import_council(path=path, actor=actor)
    except imports.ImportRejected as rejected:
        _write(where, state="failed", name=path.name, errors=rejected.errors)
    except Exception as error:
        _write(where, state="failed", name=path.name, errors=[f"The import stopped: {error}"])
        raise
    else:
        _write(where, state="done", name=path.name, lines=result.lines(), changed=result.changed)
    finally:
        path.unlink(missing_ok=True)


def forget(token: str) -> None:
    where = folder(token)
    if where is not None:
        shutil.rmtree(where, ignore_errors=True)
