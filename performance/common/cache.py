"""Caching with correct invalidation: computed figures keyed by the generation of their data.

A *generation* (`performance.models.Generation`) is a named random token. Saving or deleting any
model watched by a generation gives it a new token as the transaction commits (signals below);
code that writes in bulk (`bulk_create`, `QuerySet.update`, raw SQL) must call `bump` itself.
`cached(key, names, compute)` reads the tokens of `names` (one query) and returns the figure
computed under exactly those tokens, computing it on a miss. Entries live in a small
process-local LRU: no pickling on the hot path, nothing shared that could go stale, and each
gunicorn worker recomputes at most once per change.

Why after the commit: a token replaced inside the writer's transaction would hold a row lock
until commit, so two writers touching the same rows in different orders could deadlock (a bulk
activation against a single one). Replaced right after the commit, no lock is held. A reader
that caches between the commit and the new token caches the new data under the old token, which
is harmless: the old token is never current again. The one gap, a process killed between its
commit and the new token, is bounded by `MAX_AGE`: no entry is served older than that.
Inside a test's own transaction (which never commits) the token is replaced at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.apps import apps
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from performance.models import Generation

T = TypeVar("T")

# Generation name -> models whose rows feed figures cached under it.
WATCH: dict[str, tuple[str, ...]] = {
    "indicators": (
        "performance.Indicator",
        "performance.Value",
        "performance.Target",
        "performance.SpcChangePoint",
        "performance.Team",
        "performance.Service",
        "performance.Directorate",
    ),
    "dataquality": (
        "dataquality.RejectedEntry",
        "performance.AuditEvent",
    ),
    # Reach the Summit's league tables (with "indicators" for the scored values).
    "reach_summit": (
        "reach_summit.Scorecard",
        "reach_summit.Complaint",
        "reach_summit.Improvement",
        "reach_summit.Snapshot",
        "reach_summit.SnapshotRow",
        "performance.Milestone",
        "performance.Activity",
        "performance.ServicePlanObjective",
        "performance.ServicePlan",
    ),
    # Everything else a committee report prints (with the three above): stored draft PDFs are
    # keyed by these four (performance/reports/pdf_store.py).
    "reports": (
        "performance.IndicatorComment",
        "performance.LongTermTarget",
        "performance.SmartFields",
        "performance.TeamMembership",
        "performance.CollectionRound",
        "performance.StrategicPlan",
        "performance.Priority",
        "performance.Outcome",
        "performance.MeasureOfSuccess",
        "performance.ActivityProgress",
        "performance.IndividualObjective",
        "performance.StrategicAction",
        "performance.StrategicActionUpdate",
        "performance.ActionPlan",
        "performance.ActionPlanVersion",
        "performance.Action",
        "performance.ActionPlanRequest",
        "performance.RiskSettings",
        "performance.RiskCategory",
        "performance.Risk",
        "performance.RiskControl",
        "performance.RiskAction",
        "performance.RiskReview",
        "performance.RiskEscalation",
        "performance.RiskAlert",
        "reach_summit.ComplaintTimescale",
        "dataquality.PolicyVersion",
        "dataquality.Statement",
        "dataquality.ValidationRule",
        "dataquality.Evidence",
        "benchmarking.Authority",
        "benchmarking.ComparatorGroup",
        "benchmarking.BenchmarkMeasure",
        "benchmarking.BenchmarkValue",
        "benchmarking.BenchmarkingProject",
        "benchmarking.ProjectStep",
        "benchmarking.EfficiencySaving",
        "benchmarking.VfmPair",
    ),
}

_SIZE = 64
MAX_AGE = 600  # seconds; see the module's docstring
_entries: OrderedDict[str, tuple[float, object, str]] = OrderedDict()
_lock = threading.Lock()
_bumpers: dict[str, Callable[[], None]] = {}
_current: dict[str, str] = {}  # key and names -> the full key (with tokens) last stored


def bump(*names: str) -> None:
    """Give each generation in `names` a new token once the current transaction commits."""
    for name in sorted(set(names)):
        if not connection.in_atomic_block or _in_test_transaction():
            _replace(name)
            continue
        bumper = _bumpers.setdefault(name, lambda name=name: _replace(name))
        # Saves in a loop would queue one bump each: skip it when one is already queued last.
        queued = getattr(connection, "run_on_commit", [])[-4:]
        if any(entry[1] is bumper for entry in queued):
            continue
        transaction.on_commit(bumper)


def _in_test_transaction() -> bool:
    # Django's TestCase (and pytest-django's `db`) wrap each test in atomic blocks marked
    # `_from_testcase`; those never commit, so on_commit would never run.
    return any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _replace(name: str) -> None:
    token = uuid.uuid4().hex
    if not Generation.objects.filter(name=name).update(token=token):
        Generation.objects.update_or_create(name=name, defaults={"token": token})


def tokens(names: Iterable[str]) -> str:
    """The current tokens of `names`, joined in a stable order. One query."""
    names = sorted(set(names))
    found = dict(Generation.objects.filter(name__in=names).values_list("name", "token"))
    return ".".join(f"{name}={found.get(name, '0')}" for name in names)


def cached(key: str, names: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()` as of the current generations of `names`, from the process cache if there."""
    names = sorted(set(names))
    owner = f"{key}|{','.join(names)}"  # the figure, whatever the tokens
    full = f"{key}|{tokens(names)}"
    now = time.monotonic()
    with _lock:
        hit = _entries.get(full)
        if hit is not None and now - hit[0] < MAX_AGE:
            _entries.move_to_end(full)
            return hit[1]  # type: ignore[return-value]
    result = compute()
    with _lock:
        # The same figure under older tokens can never be served again: drop it now rather
        # than when the LRU reaches it (statuses of a whole council are megabytes).
        stale = _current.get(owner)
        if stale is not None and stale != full:
            _entries.pop(stale, None)
        _current[owner] = full
        _entries[full] = (now, result, owner)
        _entries.move_to_end(full)
        while len(_entries) > _SIZE:
            evicted, (_, _, evicted_owner) = _entries.popitem(last=False)
            if _current.get(evicted_owner) == evicted:
                del _current[evicted_owner]
    return result


def clear() -> None:
    """Forget every cached figure of this process (tests)."""
    with _lock:
        _entries.clear()
        _current.clear()


def connect_signals() -> None:
    """Bump a generation whenever one of its watched models is saved or deleted."""
    for name, labels in WATCH.items():
        for label in labels:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue

            def changed(sender, name=name, **kwargs):
                if kwargs.get("raw"):
                    return
                bump(name)

            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"gen-{name}-{label}")
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"gen-del-{name}-{label}"
            )
