"""Caching with correct invalidation: computed figures keyed by the generation of their data.

A *generation* (`performance.models.Generation`) is a named random token. Saving or deleting any
model watched by a generation gives it a new token in the same transaction (signals below);
code that writes in bulk (`bulk_create`, `QuerySet.update`, raw SQL) must call `bump` itself.
`cached(key, names, compute)` reads the tokens of `names` (one query) and returns the figure
computed under exactly those tokens, computing it on a miss. Entries live in a small
process-local LRU: no pickling on the hot path, nothing shared that could go stale, and each
gunicorn worker recomputes at most once per change.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.apps import apps
from django.db.models.signals import post_delete, post_save

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
}

_SIZE = 64
_entries: OrderedDict[str, object] = OrderedDict()
_lock = threading.Lock()


def bump(*names: str) -> None:
    """Give each generation in `names` a new token (inside the caller's transaction)."""
    from performance.models import Generation

    for name in names:
        token = uuid.uuid4().hex
        if not Generation.objects.filter(name=name).update(token=token):
            Generation.objects.update_or_create(name=name, defaults={"token": token})


def tokens(names: Iterable[str]) -> str:
    """The current tokens of `names`, joined in a stable order. One query."""
    from performance.models import Generation

    names = sorted(set(names))
    found = dict(Generation.objects.filter(name__in=names).values_list("name", "token"))
    return ".".join(f"{name}={found.get(name, '0')}" for name in names)


def cached(key: str, names: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()` as of the current generations of `names`, from the process cache if there."""
    full = f"{key}|{tokens(names)}"
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]  # type: ignore[return-value]
    result = compute()
    with _lock:
        _entries[full] = result
        _entries.move_to_end(full)
        while len(_entries) > _SIZE:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    """Forget every cached figure of this process (tests)."""
    with _lock:
        _entries.clear()


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
