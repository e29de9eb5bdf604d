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

Per indicator (issues 21, 23): a save of one value must not recompute every indicator's figures.
Each indicator has a *stamp* too (a `Generation` row named "indicator:<pk>"): saving or deleting
a value, target, change point, rejected entry or the indicator itself gives that one indicator a
new stamp and then the generation a new token, both after the commit (`touch_indicators`).
`assembled(key, names, piece, assemble)` keeps a figure as per-indicator pieces: when the tokens
move it reads every stamp (one query), recomputes only the pieces whose stamp moved and assembles
them again. Anything else that changes the indicators' figures (a team renamed, a bulk write's
explicit `bump`) replaces "indicator:*" before the token, and every piece is recomputed. The
stamps live in the database, so this holds across servers; pieces are per process, and bounded
by `MAX_AGE` from their full computation as entries are.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from performance.models import Generation, Value

T = TypeVar("T")
P = TypeVar("P")

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
        "performance.RiskCategory",
        "performance.Risk",
        "performance.RiskControl",
        "performance.RiskAction",
        "performance.RiskReview",
        "performance.RiskEscalation",
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

# Per-indicator stamps (see the module's docstring).
STAMP = "indicator:"
EVERY_INDICATOR = "indicator:*"
# Generations whose plain bump may change any indicator's pieces: it replaces EVERY_INDICATOR too.
RESETS = frozenset({"indicators", "dataquality"})


def _value_event_indicator(event: Any) -> list[int] | None:
    """The indicator of an audit event about a value (one query, none when `audit.record` was
    given the value), None for any other event: pieces read only the events of values."""
    if event.content_type_id != ContentType.objects.get_for_model(Value).pk:
        return None
    known = getattr(event, "about_indicator", None)
    if known is not None:
        return [known]
    return list(Value.objects.filter(pk=event.object_id).values_list("indicator_id", flat=True))


# Models whose saves move only the stamps of the indicators they are about (model -> those
# indicators' pks; None: not about an indicator, so no piece reads it).
PER_INDICATOR: dict[str, Callable[[Any], Iterable[int | None] | None]] = {
    "performance.Indicator": lambda row: [row.pk],
    "performance.Value": lambda row: [row.indicator_id],
    "performance.Target": lambda row: [row.indicator_id],
    "performance.SpcChangePoint": lambda row: [row.indicator_id],
    "dataquality.RejectedEntry": lambda row: [row.indicator_id],
    "dataquality.ValidationRule": lambda row: [row.indicator_id],
    "performance.AuditEvent": _value_event_indicator,
}


def bump(*names: str, everything: bool = True) -> None:
    """Give each generation in `names` a new token once the current transaction commits.

    With `everything` (the default: what a bulk write calls), "indicators" and "dataquality"
    also make every per-indicator piece stale. The signals pass False for a row no piece
    reads (an audit event about anything but a value).
    """
    for name in sorted(set(names)):
        if not connection.in_atomic_block or _in_test_transaction():
            _replace(name, everything=everything)
            continue
        bumper = _bumpers.setdefault(
            name if everything else f"{name}|pieces kept",
            lambda name=name, everything=everything: _replace(name, everything=everything),
        )
        # Saves in a loop would queue one bump each: skip it when one is already queued last.
        queued = getattr(connection, "run_on_commit", [])[-4:]
        if any(entry[1] is bumper for entry in queued):
            continue
        transaction.on_commit(bumper)


def _in_test_transaction() -> bool:
    # Django's TestCase (and pytest-django's `db`) wrap each test in atomic blocks marked
    # `_from_testcase`; those never commit, so on_commit would never run.
    return any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _replace(name: str, *, everything: bool = True) -> None:
    if everything and name in RESETS:
        _set_token(EVERY_INDICATOR)  # before the token: see `touch_indicators`
    _set_token(name)


def _set_token(name: str) -> None:
    _upsert([name])


def _upsert(names: Iterable[str]) -> None:
    """A new random token for each of `names`, stamped with the database's clock (so stamps of
    every server compare; `assembled` reads those changed since a time), in one statement:
    an INSERT … ON CONFLICT (PostgreSQL and SQLite), in a stable order, so two writers
    upserting the same rows cannot deadlock."""
    rows = sorted(set(names))
    if not rows:
        return
    table = connection.ops.quote_name(Generation._meta.db_table)
    values = ", ".join(["(%s, %s, CURRENT_TIMESTAMP)"] * len(rows))
    params: list[str] = []
    for name in rows:
        params += [name, uuid.uuid4().hex]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, token, changed_at) VALUES {values} "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token, "
            "changed_at = excluded.changed_at",
            params,
        )


class _Touched:
    """Indicators and generations touched in one transaction, written once it commits."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.names: set[str] = set()

    def __call__(self) -> None:
        _write_stamps(self.ids, self.names)


def touch_indicators(ids: Iterable[int | None], *names: str) -> None:
    """Give each indicator of `ids` a new stamp and then each generation of `names` (default
    "indicators") a new token, once the current transaction commits: one statement for the
    stamps and tokens, however many saves. Stamps and tokens are written in one statement, so
    a reader that sees a new token sees every stamp that moved with it."""
    wanted = {pk for pk in ids if pk is not None}
    names = names or ("indicators",)
    if not connection.in_atomic_block or _in_test_transaction():
        _write_stamps(wanted, set(names))
        return
    touched = getattr(connection, "_summit_touched", None)
    # Still queued in this transaction? (A rolled-back savepoint drops its callbacks.)
    queued = getattr(connection, "run_on_commit", [])
    if touched is None or not any(entry[1] is touched for entry in queued):
        touched = _Touched()
        connection._summit_touched = touched  # type: ignore[attr-defined]
        transaction.on_commit(touched)
    touched.ids |= wanted
    touched.names.update(names)


def _write_stamps(ids: Collection[int], names: Collection[str]) -> None:
    # One statement for the stamps and the tokens: it commits as one, so a reader that sees a
    # new token sees every stamp that moved with it (one round trip a save, not three).
    _upsert([*(f"{STAMP}{pk}" for pk in ids), *names])


def tokens(names: Iterable[str]) -> str:
    """The current tokens of `names`, joined in a stable order. One query."""
    names = sorted(set(names))
    found = dict(Generation.objects.filter(name__in=names).values_list("name", "token"))
    return ".".join(f"{name}={found.get(name, '0')}" for name in names)


def cached(
    key: str, names: Iterable[str], compute: Callable[[], T], *, current: str | None = None
) -> T:
    """`compute()` as of the current generations of `names`, from the process cache if there.
    (`current`: the tokens of `names`, when the caller has just read them.)"""
    names = sorted(set(names))
    owner = f"{key}|{','.join(names)}"  # the figure, whatever the tokens
    full = f"{key}|{tokens(names) if current is None else current}"
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


@dataclass(slots=True)
class _Pieces:
    everything: str  # the token of EVERY_INDICATOR they were computed under
    stamps: dict[int, str]  # the stamps read when they were brought up to date
    seen_at: dt.datetime | None  # when the tokens they are of were set (the database's clock)
    pieces: Mapping[int, Any]
    born: float  # when they were all computed


_PIECE_SETS = 16
_piece_sets: OrderedDict[str, _Pieces] = OrderedDict()
# Stamps changed this long before the tokens last read are read again: a margin for a stamp
# committed after the token of a change that came later (two servers), far above the time
# between the two statements of one writer. `MAX_AGE` bounds whatever would still slip by.
SLACK = dt.timedelta(seconds=120)


@dataclass(frozen=True, slots=True)
class _Read:
    tokens: str  # as `tokens(names)` gives them
    everything: str  # the token of EVERY_INDICATOR
    stamps: dict[int, str]  # the stamps read (every one, or those changed since a time)
    seen_at: dt.datetime | None  # when the newest of the tokens of `names` was set


def _read(names: list[str], since: dt.datetime | None) -> _Read:
    """The tokens of `names` and of EVERY_INDICATOR with the stamps changed since `since`
    (None: every stamp), in one query."""
    changed = Q(name__startswith=STAMP)
    if since is not None:
        changed &= Q(changed_at__gte=since)
    rows = Generation.objects.filter(Q(name__in=[*names, EVERY_INDICATOR]) | changed)
    found: dict[str, str] = {}
    stamps: dict[int, str] = {}
    seen_at = None
    for name, token, changed_at in rows.values_list("name", "token", "changed_at"):
        found[name] = token
        if name in names:
            seen_at = changed_at if seen_at is None else max(seen_at, changed_at)
        elif name.startswith(STAMP) and name[len(STAMP) :].isdigit():
            stamps[int(name[len(STAMP) :])] = token
    return _Read(
        tokens=".".join(f"{name}={found.get(name, '0')}" for name in names),
        everything=found.get(EVERY_INDICATOR, "0"),
        stamps=stamps,
        seen_at=seen_at,
    )


def assembled(
    key: str,
    names: Iterable[str],
    piece: Callable[[Collection[int] | None], Mapping[int, P]],
    assemble: Callable[[Mapping[int, P]], T],
) -> T:
    """A figure made of per-indicator pieces, as of the current generations of `names`.

    `piece(ids)` computes the pieces of the indicators `ids` (None: of every indicator), by
    indicator pk, leaving out those that have none (an inactive indicator); `assemble(pieces)`
    makes the figure from every piece. One query, hit or miss: the tokens with the stamps
    changed since the pieces were last brought up to date (a few rows). On a miss only the
    pieces whose indicator's stamp moved are recomputed; every piece is when EVERY_INDICATOR
    moved, when the process has none yet, or when they are `MAX_AGE` old. Pieces are shared
    between requests and never changed in place: read them, never change them.
    """
    names = sorted(set(names))
    with _lock:
        known = _piece_sets.get(key)
    since = None
    if known is not None and known.seen_at is not None:
        since = known.seen_at - SLACK
    read = _read(names, since)

    def compute() -> T:
        now = time.monotonic()
        if known is None or known.everything != read.everything or now - known.born >= MAX_AGE:
            pieces: Mapping[int, P] = piece(None)
            stamps, born = read.stamps, now
        else:
            pieces, born, stamps = known.pieces, known.born, known.stamps
            moved = [pk for pk, token in read.stamps.items() if stamps.get(pk) != token]
            if moved:
                fresh = piece(moved)
                pieces = dict(pieces)
                stamps = {**stamps, **read.stamps}
                for pk in moved:
                    if pk in fresh:
                        pieces[pk] = fresh[pk]
                    else:
                        pieces.pop(pk, None)
        with _lock:
            _piece_sets[key] = _Pieces(read.everything, stamps, read.seen_at, pieces, born)
            _piece_sets.move_to_end(key)
            while len(_piece_sets) > _PIECE_SETS:
                _piece_sets.popitem(last=False)
        return assemble(pieces)

    return cached(key, names, compute, current=read.tokens)


def clear() -> None:
    """Forget every cached figure of this process (tests)."""
    with _lock:
        _entries.clear()
        _current.clear()
        _piece_sets.clear()


def connect_signals() -> None:
    """Bump a generation whenever one of its watched models is saved or deleted."""
    for name, labels in WATCH.items():
        for label in labels:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue

            about = PER_INDICATOR.get(label)

            def changed(sender, name=name, about=about, **kwargs):
                if kwargs.get("raw"):
                    return
                ids = None if about is None else about(kwargs["instance"])
                if ids is not None:  # only those indicators' pieces
                    touch_indicators(ids, name)
                else:
                    bump(name, everything=about is None)

            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"gen-{name}-{label}")
            post_delete.connect(
                changed, sender=model, weak=False, dispatch_uid=f"gen-del-{name}-{label}"
            )
    # Who enters and manages an indicator (the collection page lists who owes what, issue 23):
    # a change of the many-to-many rows saves no model, so it is watched on its own.
    indicator = apps.get_model("performance.Indicator")
    for through in (indicator.enterers.through, indicator.managers.through):
        m2m_changed.connect(
            _people_changed, sender=through, weak=False, dispatch_uid=f"gen-m2m-{through}"
        )


def _people_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        instance.__dict__.pop("_enterers_asked", None)  # `access.can_enter`'s answers
    if not reverse:  # from the indicator
        touch_indicators([instance.pk])
    elif pk_set:  # from the person: the indicators added or removed
        touch_indicators(pk_set)
    else:  # a person's indicators cleared: which ones is no longer known
        bump("indicators")
