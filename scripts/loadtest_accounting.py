"""The load test's accounting, pure (no Django, no HTTP): timings per kind and the write check.

`summarise` turns the samples of a run into one row per kind of request: count, errors, refusals
the test expects (a stale version, a validation error on purpose), median, p95, p99 and maximum.
Percentiles are nearest-rank: the smallest sample with at least that share of samples at or
below it, so a p99 of 150 samples is the second largest, never an interpolated figure that no
request took.

`reconcile` is the check after a deadline-day run (issue 23): what the clients believe they did
against what the database holds.
- a *claim* is a write a client saw succeed (draft, submit, activate, return), by whom and on
  which value; an *uncertain* claim is a write whose answer never came (a timeout);
- an *event* is an audit row of the run on a value; a *row* is the value as it is now, with its
  version before the run (0 for a value the run created).
It finds: duplicate rows (two values for one indicator and period), lost writes (claims with
no audit event by that person and action), doubled writes (more events by a person and action
than claims, beyond the uncertain ones), changes not audited one for one (each change bumps the
version by one and writes one event, so a row's version must have moved by its number of
events), and rows whose status is not the one their last event left.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OK, REFUSED, ERROR = "ok", "refused", "error"

# The status each audited action leaves a value in ("create" says it in its changes).
STATUS_AFTER = {
    "update": "draft",
    "submit": "submitted",
    "activate": "activated",
    "return": "returned",
    "correct": "returned",
    "no_data": "no_data",
}
# A claim's action, as the audit trail words it: an entry is a draft or a submission whether
# it created the value or changed it.
WRITE_OF = {"update": "draft", "submit": "submit", "activate": "activate", "return": "return"}


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of ascending `ordered` (not empty); `share` in (0, 1]."""
    if not ordered:
        raise ValueError("no samples")
    rank = max(1, math.ceil(share * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True, slots=True)
class Sample:
    kind: str
    ms: float
    outcome: str = OK  # OK, REFUSED (expected by the test) or ERROR
    at: float = 0.0  # when it was sent, seconds from the start of the run


@dataclass(frozen=True, slots=True)
class KindRow:
    kind: str
    count: int
    errors: int
    refused: int
    median: float
    p95: float
    p99: float
    maximum: float


def summarise(samples: Iterable[Sample]) -> list[KindRow]:
    """One row per kind, in the order kinds first appear; timings of every answered request."""
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    rows = []
    for kind, group in by_kind.items():
        ordered = sorted(s.ms for s in group)
        middle = len(ordered) // 2
        median = (
            ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        )
        rows.append(
            KindRow(
                kind=kind,
                count=len(group),
                errors=sum(1 for s in group if s.outcome == ERROR),
                refused=sum(1 for s in group if s.outcome == REFUSED),
                median=median,
                p95=percentile(ordered, 0.95),
                p99=percentile(ordered, 0.99),
                maximum=ordered[-1],
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Slow:
    """One of the slowest requests, and what was in flight when it was sent."""

    kind: str
    ms: float
    at: float
    in_flight: int  # other requests sent and not yet answered when it was sent
    writes_in_flight: int  # of which writes


def slowest(samples: Iterable[Sample], writes: Collection[str], *, count: int = 5) -> list[Slow]:
    """The `count` slowest answered requests, slowest first, each with the requests that were
    in flight when it was sent (sent before it and answered after): a request that waited
    behind many others was queued, one sent into a quiet server was slow on its own."""
    timed = [s for s in samples if s.ms > 0]
    result = []
    for sample in sorted(timed, key=lambda s: -s.ms)[:count]:
        others = [
            other.kind
            for other in timed
            if other is not sample and other.at <= sample.at < other.at + other.ms / 1000
        ]
        result.append(
            Slow(
                kind=sample.kind,
                ms=sample.ms,
                at=sample.at,
                in_flight=len(others),
                writes_in_flight=sum(1 for kind in others if kind in writes),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class Claim:
    """A write a client saw succeed: `action` is draft, submit, activate or return. The value is
    named by id (managers see ids) or by indicator and period (enterers see their due items)."""

    user: str
    action: str
    value_id: int | None = None
    indicator_id: int | None = None
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One audit row of the run on a value; `status` is the status it records after, if any."""

    id: int
    value_id: int
    actor: str
    action: str
    status: str | None = None

    @property
    def write(self) -> str:
        """The claim action this event stands for."""
        if self.action == "create":
            return "submit" if self.status == "submitted" else "draft"
        return WRITE_OF.get(self.action, self.action)

    @property
    def status_after(self) -> str | None:
        return self.status or STATUS_AFTER.get(self.action)


@dataclass(frozen=True, slots=True)
class Row:
    value_id: int
    indicator_id: int
    period: str
    status: str
    version: int
    version_before: int  # 0 for a value the run created


@dataclass
class Findings:
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    claims: int = 0
    events: int = 0
    values: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.duplicates or self.lost or self.doubled or self.unaudited or self.inconsistent
        )


def reconcile(
    *,
    claims: Iterable[Claim],
    uncertain: Iterable[Claim] = (),
    events: Iterable[Event],
    rows: Iterable[Row],
    actors: set[str] | None = None,
) -> Findings:
    """Compare what the clients believe with the audit trail and the values (module docstring).

    `rows` are the values the run may have touched (every value of its indicators and periods);
    `actors` limits the doubled-write check to the test's people (None: every actor).
    """
    rows = list(rows)
    events = sorted(events, key=lambda e: e.id)
    findings = Findings(events=len(events), values=len(rows))
    by_key: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_key[(row.indicator_id, row.period)].append(row)
    for (indicator_id, period), group in by_key.items():
        if len(group) > 1:
            findings.duplicates.append(
                f"indicator {indicator_id} {period}: {len(group)} values "
                f"({', '.join(str(r.value_id) for r in group)})"
            )
    id_of = {key: group[0].value_id for key, group in by_key.items()}

    def resolve(claim: Claim) -> int | None:
        if claim.value_id is not None:
            return claim.value_id
        return id_of.get((claim.indicator_id or 0, claim.period or ""))

    claimed: Counter[tuple[str, int | None, str]] = Counter()
    for claim in claims:
        findings.claims += 1
        claimed[(claim.user, resolve(claim), claim.action)] += 1
    maybe: Counter[tuple[str, int | None, str]] = Counter(
        (claim.user, resolve(claim), claim.action) for claim in uncertain
    )
    recorded: Counter[tuple[str, int | None, str]] = Counter(
        (event.actor, event.value_id, event.write) for event in events
    )
    for key, count in sorted(claimed.items(), key=str):
        if recorded[key] < count:
            user, value_id, action = key
            findings.lost.append(
                f"{user} {action} value {value_id}: {count} seen to succeed, "
                f"{recorded[key]} in the audit trail"
            )
    for key, count in sorted(recorded.items(), key=str):
        user, value_id, action = key
        if actors is not None and user not in actors:
            continue
        if count > claimed[key] + maybe[key]:
            findings.doubled.append(
                f"{user} {action} value {value_id}: {count} in the audit trail, "
                f"{claimed[key]} seen to succeed"
                + (f" and {maybe[key]} unanswered" if maybe[key] else "")
            )

    per_value: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        per_value[event.value_id].append(event)
    for row in rows:
        happened = per_value.get(row.value_id, [])
        moved = row.version - row.version_before
        if moved != len(happened):
            findings.unaudited.append(
                f"value {row.value_id} (indicator {row.indicator_id} {row.period}): version "
                f"moved by {moved}, {len(happened)} audit event(s)"
            )
        if happened and happened[-1].status_after not in (None, row.status):
            findings.inconsistent.append(
                f"value {row.value_id}: {row.status}, but its last event "
                f"({happened[-1].action} by {happened[-1].actor}) left it "
                f"{happened[-1].status_after}"
            )
    return findings


def statuses(changes: Mapping[str, object]) -> str | None:
    """The status after an audit row, from its {field: [before, after]} changes, if it says."""
    pair = changes.get("status")
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return None if pair[1] is None else str(pair[1])
    return None
