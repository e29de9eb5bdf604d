"""Draft report PDFs built once per state of their data and kept where every server reads them.

A draft PDF (any kind, any audience) is stored under MEDIA_ROOT/reports/cache/ as
`<owner>-<state>.pdf`:

- *owner* is a hash of what the PDF is and who may read it: kind, period, audience and the
  reader's scope (`viewer_scope`: the teams they read, their roles and, for a report with risks
  in it and a reader who is not a performance officer, the person: confidential risks are read
  by their owner and their team's managers only). Two readers share a file only when they would
  be shown the same report: a member never gets the file built for the Management Team or for an
  officer.
- *state* is a hash of the tokens of the generations the reports read (`GENERATIONS`,
  performance/common/cache.py) and of the day (the draft stamp prints the date).

The key is worked out before the figures are gathered (a few queries), so a change made while a
PDF is being built leaves it under tokens that are never current again: the next request builds
afresh. A file is written to a temporary name and renamed into place, so a reader on another
server sees a whole file or none. Storing a file removes the same owner's files of earlier states,
and the folder is kept to `KEEP` files (oldest first out); a file older than `MAX_AGE` is not
served (it bounds a write that changed the data without bumping a generation).

Published PDFs are not kept here: they are frozen on their `PublishedReport` row.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from performance.common import access, cache
from performance.core.periods import Period
from performance.models.visibility import User, member_team_ids, roles_of
from performance.reports.data import Audience, Kind
from performance.reports.selectors import WITH_RISKS, reader_team_ids

# Every generation a report's figures come from (see WATCH in performance/common/cache.py).
GENERATIONS = ("indicators", "dataquality", "reach_summit", "reports")
FOLDER = "reports/cache"
KEEP = 200
MAX_AGE = 24 * 3600  # seconds


def keep() -> int:
    return int(getattr(settings, "REPORTS_PDF_CACHE_KEEP", KEEP))


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


@dataclass(frozen=True, slots=True)
class Key:
    owner: str  # what the PDF is and who may read it
    state: str  # the state of the data it was built from

    @property
    def name(self) -> str:
        return f"{self.owner}-{self.state}.pdf"

    @property
    def path(self) -> Path:
        return folder() / self.name

    @property
    def etag(self) -> str:
        return f"{self.owner}-{self.state}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def viewer_scope(user: User | None, kind: Kind) -> str:
    """Everything about `user` that changes what a report of `kind` shows them (None: the
    system, which reads everything)."""
    if user is None:
        return "system"
    teams = reader_team_ids(user)
    roles = ",".join(sorted(role.value for role in roles_of(user)))
    scope = f"roles={roles};teams={'all' if teams is None else sorted(teams)}"
    if kind in WITH_RISKS and not access.is_performance_officer(user):
        # Confidential risks: their owner and their team's managers read them.
        scope += f";person={user.pk};own={sorted(member_team_ids(user))}"
    return scope


def key_for(*, kind: Kind, period: Period, audience: Audience, user: User | None) -> Key:
    """The key of the draft PDF `user` would get now. One query for the tokens (and a few for
    the reader's roles and teams, which the request reads anyway)."""
    owner = f"{kind.value}|{period}|{audience.value}|{viewer_scope(user, kind)}"
    state = f"{cache.tokens(GENERATIONS)}|{timezone.localdate().isoformat()}"
    return Key(owner=_digest(owner), state=_digest(state))


def find(key: Key) -> Path | None:
    """The stored file for `key`, or None (never stored, removed, or older than MAX_AGE)."""
    path = key.path
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    if time.time() - modified > MAX_AGE:
        return None
    return path


def store(key: Key, data: bytes) -> Path:
    """Keep `data` under `key` (atomically), drop the owner's older states, bound the folder."""
    target = key.path
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".building-", suffix=".pdf")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for earlier in target.parent.glob(f"{key.owner}-*.pdf"):
        if earlier != target:
            earlier.unlink(missing_ok=True)
    prune()
    return target


def prune(limit: int | None = None) -> int:
    """Remove the oldest stored PDFs beyond `limit` (default `keep()`), and temporary files
    left by a killed build. Returns how many were removed."""
    limit = keep() if limit is None else limit
    base = folder()
    if not base.exists():
        return 0
    removed = 0
    now = time.time()
    for leftover in base.glob(".building-*"):
        try:
            if now - leftover.stat().st_mtime > 3600:
                leftover.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:
            pass
    files: list[tuple[float, Path]] = []
    for path in base.glob("*.pdf"):
        try:
            files.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    if len(files) <= limit:
        return removed
    files.sort()
    for _, path in files[: len(files) - limit]:
        path.unlink(missing_ok=True)
        removed += 1
    return removed
