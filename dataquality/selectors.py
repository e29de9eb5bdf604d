"""Reads of data quality: the six-feature dashboard (SPEC §9), statements and evidence.

The six features, per team, indicator and period (definitions also in docs/decisions.md):
- completeness: of the values requested for the period (request date reached), *missing* = the
  window has closed without a submitted or activated value; *late* = activated after the window
  closed; *not activated* = submitted and still waiting for a data manager;
- timeliness: days from the request date (the window opening) to activation, mean per row;
- validity: entries refused by validation (form, Excel upload or import);
- reliability: activated values that are SPC special-cause signals, and corrections (re-opening
  an activated value);
- accuracy: returns by data managers (each return counts);
- relevance: active indicators whose definition was not reviewed in the current financial year.
A fixed number of queries whatever the number of teams, indicators and values.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement
from performance.common import access, cache
from performance.core import periods, spc
from performance.core.calculations import Polarity
from performance.core.periods import Frequency, Period
from performance.core.roles import Role
from performance.models import AuditEvent, Directorate, Indicator, SpcChangePoint, Team, Value

MEASURES = [
    # (key, feature, label)
    ("missing", "Completeness", "Missing"),
    ("late", "Completeness", "Late"),
    ("unactivated", "Completeness", "Not activated"),
    ("days", "Timeliness", "Mean days to activation"),
    ("rejected", "Validity", "Rejected entries"),
    ("signals", "Reliability", "Special-cause signals"),
    ("corrections", "Reliability", "Corrections after activation"),
    ("returned", "Accuracy", "Returned by managers"),
    ("not_reviewed", "Relevance", "Not reviewed this year"),
]
MEASURE_KEYS = [key for key, _, _ in MEASURES]
LABELS = {key: label for key, _, label in MEASURES}
# The generations the dashboard is computed from (`performance.common.cache`).
CACHED_ON = ["indicators", "dataquality"]
FEATURES = ["Completeness", "Timeliness", "Validity", "Reliability", "Accuracy", "Relevance"]


@dataclass
class Item:
    """One value requested: an indicator at one period of its own frequency."""

    indicator: Indicator
    period: Period
    value_id: int | None
    state: str  # status of the value, or "none"
    request_date: dt.date
    closes_on: dt.date
    activated_on: dt.date | None = None
    missing: bool = False
    late: bool = False
    unactivated: bool = False
    signal: spc.Variation | None = None
    rejected: int = 0
    corrections: int = 0
    returned: int = 0

    @property
    def days(self) -> int | None:
        if self.activated_on is None:
            return None
        return (self.activated_on - self.request_date).days


@dataclass
class Row:
    key: str
    label: str
    team: Team | None = None
    indicator: Indicator | None = None
    directorate: Directorate | None = None
    expected: int = 0
    activated: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURE_KEYS, 0))
    day_total: int = 0
    day_count: int = 0

    @property
    def completeness(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.activated) * 100 / self.expected).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )

    @property
    def mean_days(self) -> Decimal | None:
        if not self.day_count:
            return None
        return (Decimal(self.day_total) / self.day_count).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def cells(self) -> list[tuple[str, object]]:
        return [
            (key, self.mean_days if key == "days" else self.counts[key]) for key in MEASURE_KEYS
        ]

    def labelled_cells(self) -> list[tuple[str, str, object]]:
        """(key, label, number) of each measure, for the table."""
        return [(key, LABELS[key], number) for key, number in self.cells()]

    def add(self, other: Row) -> None:
        """Count `other`'s figures in this row too (a directorate's row, or the total)."""
        self.expected += other.expected
        self.activated += other.activated
        self.day_total += other.day_total
        self.day_count += other.day_count
        for key, number in other.counts.items():
            self.counts[key] += number


@dataclass
class Group:
    """A directorate's row and the rows of its teams, in the board by team."""

    row: Row
    teams: list[Row]


@dataclass
class Dashboard:
    period: Period
    rows: list[Row]
    total: Row
    by: str  # "team" or "indicator"
    items: list[Item]
    indicators: list[Indicator]
    not_reviewed: list[Indicator]
    rejected: list[RejectedEntry]
    events: list[AuditEvent]
    review_year: Period
    key: str = ""  # the cache key it is kept under (see `dashboard`)
    # By team: the rows summed per directorate (key "d" + its id), each with its teams' rows.
    groups: list[Group] = field(default_factory=list)

    def find_row(self, key: str | None) -> Row | None:
        """The team's, indicator's or directorate's row `key` names (None for any other key,
        "all" included)."""
        if not key or key == "all":
            return None
        for row in self.rows:
            if row.key == key:
                return row
        return next((group.row for group in self.groups if group.row.key == key), None)

    def group_of(self, key: str | None) -> Group | None:
        """The directorate group holding the row `key` (a team's or the directorate's own)."""
        for group in self.groups:
            if group.row.key == key or any(row.key == key for row in group.teams):
                return group
        return None


def _row_key(indicator: Indicator, by: str) -> str:
    """The key of the row `indicator` is counted in: its team's (by team) or its own."""
    return str(indicator.team_id) if by == "team" else str(indicator.pk)


def _directorate_key(team: Team | None) -> str:
    return f"d{team.directorate_id}" if team is not None else "d"


@dataclass(frozen=True, slots=True)
class _Asked:
    period: Period
    text: str
    request_date: dt.date
    closes_on: dt.date


def _requested(period: Period, today: dt.date, days: int) -> dict[str, list[_Asked]]:
    """By frequency, the periods of that frequency inside `period` already requested on
    `today`: each built, dated and written once, not once per indicator."""
    asked: dict[str, list[_Asked]] = {}
    for kind in Frequency:
        if kind.months > period.kind.months:
            asked[kind.value] = []
            continue
        asked[kind.value] = [
            _Asked(
                each,
                str(each),
                each.request_date(),
                periods.window_close(each.request_date(), days),
            )
            for each in period.sub_periods(kind)
            if each.request_date() <= today
        ]
    return asked


def scope_indicators(
    *,
    user: access.User | None = None,
    team_ids: Collection[int] | None = None,
    team_id: int | None = None,
    indicator_id: int | None = None,
) -> QuerySet[Indicator]:
    """Active indicators of the teams `user` reads, or of `team_ids` (None: every team)."""
    qs = Indicator.objects.filter(active=True)
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    elif user is not None:
        qs = qs.filter(team__in=Team.objects.readable_by(user))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if indicator_id:
        qs = qs.filter(pk=indicator_id)
    return qs.select_related("team").order_by("code")


def _scope_q(scope: list[int] | None, team_id: int | None, indicator_id: int | None) -> Q:
    """The rows (values, change points, rejected entries) of the indicators `scope_indicators`
    gives for the same arguments, as a join: a list of thousands of indicator ids costs more
    to build, send and parse than the rows it selects."""
    q = Q(indicator__active=True)
    if scope is not None:
        q &= Q(indicator__team_id__in=scope)
    if team_id:
        q &= Q(indicator__team_id=team_id)
    if indicator_id:
        q &= Q(indicator_id=indicator_id)
    return q


def dashboard(
    *,
    period: Period,
    user: access.User | None = None,
    team_ids: Collection[int] | None = None,
    team_id: int | None = None,
    indicator_id: int | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """The six features for `period`, by team (or by indicator when a team is chosen).

    The scope is `team_ids` (the teams in scope) when given, else the teams `user` reads (one
    query); with neither, every team. Cached per scope, chosen team or indicator, period and
    day under the "indicators" and "dataquality" generations: a hit costs one query, a miss
    eight (indicators, their teams, values, audit events, rejected entries, the activated
    history and the change points for the SPC signals, the generation tokens). The result is
    shared between requests: read it, never change it.
    """
    today = today or timezone.localdate()
    if team_ids is None and user is not None:
        team_ids = list(Team.objects.readable_by(user).values_list("pk", flat=True))
    scope = None if team_ids is None else sorted(set(team_ids))
    if scope is None:
        scope_key = "all"
    else:
        text = ",".join(map(str, scope)).encode()
        scope_key = f"{len(scope)}:{hashlib.blake2b(text, digest_size=12).hexdigest()}"
    key = f"dq.dashboard|{period}|{scope_key}|{team_id or ''}|{indicator_id or ''}|{today}"
    by = "indicator" if team_id or indicator_id else "team"
    # Annotated: `_pieces` is decorated further down, so mypy sees it as Any here.
    board: Dashboard = cache.assembled(
        key,
        CACHED_ON,
        lambda ids: _pieces(
            period=period,
            scope=scope,
            team_id=team_id,
            indicator_id=indicator_id,
            today=today,
            by=by,
            ids=ids,
        ),
        lambda pieces: _assemble(pieces, period=period, by=by, today=today, cache_key=key),
    )
    return board


@dataclass(frozen=True, slots=True)
class _Piece:
    """One indicator's part of a board: what changes only when its stamp moves (a value,
    target, change point or refused entry of it, or the indicator itself;
    `performance.common.cache.assembled`). Shared between boards: never changed."""

    indicator: Indicator
    items: tuple[Item, ...]
    counted: Row  # its own figures, added into its team's (or its own) row
    rejected: tuple[RejectedEntry, ...]
    events: tuple[AuditEvent, ...]
    not_reviewed: bool


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a board is computed.

    A cold board reads every activated value of the indicators in scope (170,000 rows at the
    stress scale): each row a new tuple, so the collector would run some 300 times, twice
    over the whole heap, to find no cycles among rows, numbers and strings (about a sixth of
    the time). Reference counting still frees everything; the collector resumes after, and is
    left alone if something else had paused it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_collector_paused()
def _pieces(
    *,
    period: Period,
    scope: list[int] | None,
    team_id: int | None,
    indicator_id: int | None,
    today: dt.date,
    by: str,
    ids: Collection[int] | None,
) -> dict[int, _Piece]:
    """The pieces of the active indicators in scope, of those `ids` only unless None (after a
    change: the indicators whose stamp moved). Seven queries however many (six for a few)."""
    days = settings.COLLECTION_WINDOW_DAYS
    chosen = scope_indicators(team_ids=scope, team_id=team_id, indicator_id=indicator_id)
    in_scope = _scope_q(scope, team_id, indicator_id)
    if ids is not None:
        chosen = chosen.filter(pk__in=list(ids))
        in_scope &= Q(indicator_id__in=list(ids))
    if ids is not None:  # a few indicators: their teams by a join
        indicators = list(chosen.select_related("team__directorate"))
    else:
        # The teams with their directorates in one small query, shared by their indicators: a
        # join would build a team and a directorate per indicator.
        indicators = list(chosen.select_related(None))
        teams_qs = Team.objects.select_related("directorate")
        if scope is not None:
            teams_qs = teams_qs.filter(pk__in=scope)
        if team_id:
            teams_qs = teams_qs.filter(pk=team_id)
        teams: dict[int | None, Team] = {team.pk: team for team in teams_qs}
        for indicator in indicators:
            indicator.team = teams.get(indicator.team_id)
    if not indicators:
        return {}
    by_id = {i.pk: i for i in indicators}
    if ids is not None:
        # A few indicators, already read in scope: their rows by their ids alone, not through
        # the scope's join and list of hundreds of teams again in every query (most of the
        # first view after a change was Django building those filters).
        in_scope = Q(indicator_id__in=list(by_id))
    asked = _requested(period, today, days)
    kinds = {i.frequency for i in indicators}
    texts = sorted({a.text for kind in kinds for a in asked.get(kind, ())})
    # (indicator id, period) -> (value id, status, local day of activation): the day from the
    # database (TruncDate in the current time zone, as `timezone.localtime` gives it).
    values = {
        (indicator_id, text): rest
        for indicator_id, text, *rest in Value.objects.filter(in_scope, period__in=texts)
        .order_by()
        .values_list("indicator_id", "period", "id", "status", TruncDate("activated_at"))
    }
    # object_id is text: compare it with the value ids as text (a subquery, not a list of
    # thousands of ids), so (content type, object id) can be an index lookup
    # (audit_object_idx). The content type by its natural key: a join, not a query that only
    # the first request of a process makes.
    events = (
        list(
            AuditEvent.objects.filter(
                content_type__app_label=Value._meta.app_label,
                content_type__model=Value._meta.model_name,
                object_id__in=Value.objects.filter(in_scope, period__in=texts)
                .annotate(text_id=Cast("id", CharField()))
                .values("text_id"),
                action__in=["return", "correct"],
            ).order_by("-at")
        )
        if values
        else []
    )
    indicator_of_value = {found[0]: indicator_id for (indicator_id, _), found in values.items()}
    events_of: dict[int, list[AuditEvent]] = defaultdict(list)
    event_counts: dict[tuple[int, str], int] = defaultdict(int)
    for event in events:
        event_counts[(int(event.object_id), event.action)] += 1
        owner = indicator_of_value.get(int(event.object_id))
        if owner is not None:
            events_of[owner].append(event)
    rejected = (
        list(
            RejectedEntry.objects.filter(in_scope, period__in=texts)
            .select_related("person")
            .order_by("-at")
        )
        if texts
        else []
    )
    rejected_of: dict[int, list[RejectedEntry]] = defaultdict(list)
    rejected_counts: dict[tuple[int, str], int] = defaultdict(int)
    for entry in rejected:
        entry.indicator = by_id[entry.indicator_id]  # with its team, no query per entry
        rejected_of[entry.indicator_id].append(entry)
        rejected_counts[(entry.indicator_id, entry.period)] += 1

    review_year = periods.financial_year_of(today)
    # One pass: each item is built and counted in its indicator's own row (the team rows, the
    # directorates and the total add these up); the signals are counted once they are known.
    activated, submitted = Value.Status.ACTIVATED, Value.Status.SUBMITTED
    items_of: dict[int, list[Item]] = {}
    row_of: dict[int, Row] = {}
    wanted_signals: list[Item] = []
    for indicator in indicators:
        key = _row_key(indicator, by)
        if by == "indicator":
            row = Row(key=key, label=f"{indicator.code} {indicator.title}", indicator=indicator)
        else:
            label = indicator.team.name if indicator.team else "Unassigned"
            row = Row(key=key, label=label, team=indicator.team)
        row_of[indicator.pk] = row
        counts = row.counts
        its_items = items_of[indicator.pk] = []
        for each in asked.get(indicator.frequency, ()):
            value_key = (indicator.pk, each.text)
            value_id = state = activated_on = None
            late = unactivated = missing = False
            corrections = returned = 0
            found = values.get(value_key)
            if found is not None:
                value_id, state, day = found
                corrections = event_counts.get((value_id, "correct"), 0)
                returned = event_counts.get((value_id, "return"), 0)
                if state == activated and day is not None:
                    activated_on = day
                    late = day > each.closes_on
            if activated_on is None:
                if state == submitted:
                    unactivated = True
                elif today > each.closes_on:
                    missing = True
            item = Item(
                indicator=indicator,
                period=each.period,
                value_id=value_id,
                state=state or "none",
                request_date=each.request_date,
                closes_on=each.closes_on,
                activated_on=activated_on,
                missing=missing,
                late=late,
                unactivated=unactivated,
                rejected=rejected_counts.get(value_key, 0),
                corrections=corrections,
                returned=returned,
            )
            its_items.append(item)
            row.expected += 1
            counts["missing"] += missing
            counts["late"] += late
            counts["unactivated"] += unactivated
            counts["rejected"] += item.rejected
            counts["corrections"] += corrections
            counts["returned"] += returned
            if state == activated:
                row.activated += 1
                wanted_signals.append(item)
            if activated_on is not None:
                row.day_total += (activated_on - each.request_date).days
                row.day_count += 1
    _mark_signals(wanted_signals, in_scope)
    for item in wanted_signals:
        if item.signal is not None:
            row_of[item.indicator.pk].counts["signals"] += 1
    pieces = {}
    for indicator in indicators:
        stale = indicator.reviewed_on is None or indicator.reviewed_on < review_year.start
        row_of[indicator.pk].counts["not_reviewed"] += stale
        pieces[indicator.pk] = _Piece(
            indicator=indicator,
            items=tuple(items_of[indicator.pk]),
            counted=row_of[indicator.pk],
            rejected=tuple(rejected_of.get(indicator.pk, ())),
            events=tuple(events_of.get(indicator.pk, ())),
            not_reviewed=stale,
        )
    return pieces


def _assemble(
    pieces: Mapping[int, _Piece], *, period: Period, by: str, today: dt.date, cache_key: str
) -> Dashboard:
    """The board from its indicators' pieces: rows summed, records gathered (no query)."""
    ordered = sorted(pieces.values(), key=lambda piece: (piece.indicator.code, piece.indicator.pk))
    rows: dict[str, Row] = {}
    for piece in ordered:
        own = piece.counted
        row = rows.get(own.key)
        if row is None:
            row = rows[own.key] = Row(
                key=own.key, label=own.label, team=own.team, indicator=own.indicator
            )
        row.add(own)
    by_label = sorted(rows.values(), key=lambda r: r.label)
    total = Row(key="all", label="All")
    for row in by_label:
        total.add(row)
    newest_first = lambda record: record.at  # noqa: E731
    return Dashboard(
        period=period,
        rows=by_label,
        total=total,
        by=by,
        items=[item for piece in ordered for item in piece.items],
        indicators=[piece.indicator for piece in ordered],
        not_reviewed=[piece.indicator for piece in ordered if piece.not_reviewed],
        rejected=sorted(
            (entry for piece in ordered for entry in piece.rejected),
            key=newest_first,
            reverse=True,
        ),
        events=sorted(
            (event for piece in ordered for event in piece.events),
            key=newest_first,
            reverse=True,
        ),
        review_year=periods.financial_year_of(today),
        key=cache_key,
        groups=_groups(by_label) if by == "team" else [],
    )


def _groups(rows: list[Row]) -> list[Group]:
    """The team rows gathered by directorate, with each directorate's sum, by name."""
    groups: dict[str, Group] = {}
    for row in rows:
        key = _directorate_key(row.team)
        if key not in groups:
            directorate = row.team.directorate if row.team is not None else None
            label = directorate.name if directorate is not None else "Unassigned"
            groups[key] = Group(Row(key=key, label=label, directorate=directorate), [])
        groups[key].teams.append(row)
        groups[key].row.add(row)
    return sorted(groups.values(), key=lambda g: g.row.label)


_SIGNALS = (spc.Variation.IMPROVING, spc.Variation.CONCERNING, spc.Variation.NEUTRAL)


class _Kinds(dict[str, Frequency | None]):
    """Period text -> the frequency of a period written as `status` writes it (None for any
    other text), each text parsed once."""

    def __missing__(self, text: str) -> Frequency | None:
        try:
            found = periods.parse(text)
        except periods.PeriodError:
            found = None
        kind = found.kind if found is not None and str(found) == text else None
        self[text] = kind
        return kind


def _position(texts: tuple[str, ...], text: str) -> int:
    """Where `text` is in `texts` (-1 when absent): a scan in C, cheaper than indexing every
    text of a long series for the few wanted."""
    try:
        return texts.index(text)
    except ValueError:
        return -1


def _mark_signals(items: list[Item], in_scope: Q) -> None:
    """Set `signal` on activated items whose value is a special cause (two queries).

    `items` are activated items of indicators that `in_scope` selects (it reads their change
    points).

    The reading is the one `status.status_for(..., with_spc=True)` gives for the item's period:
    the variation of its value as the latest point of the indicator's activated series at its
    own frequency up to that period, limits rebased at the recorded change points. Each
    indicator's series is read once, in order from the index (value_history_idx), and
    `spc.latest_variations` reads every wanted point of it in one pass (rather than one
    analysis of the whole history per item). This is most of a cold board's time: the history
    is every activated value of the indicators in scope, so the loop over it stays lean.
    """
    if not items:
        return
    wanted: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        wanted[item.indicator.pk].append(item)
    until = max(item.period.end for item in items)
    rebase: dict[int, set[str]] = defaultdict(set)
    for indicator_id, text in (
        SpcChangePoint.objects.filter(in_scope).order_by().values_list("indicator_id", "period")
    ):
        rebase[indicator_id].add(text)
    history = (
        Value.objects.filter(
            indicator_id__in=list(wanted),
            status=Value.Status.ACTIVATED,
            value__isnull=False,
            period_start__lte=until,
        )
        # The order of value_history_idx, so no sort: a period's start and its text determine
        # each other, so within one frequency this is the order of the periods.
        .order_by("indicator_id", "period_start")
        .values_list("indicator_id", "period", "value")
    )
    kinds = _Kinds()
    of_kind: dict[Frequency, set[str]] = defaultdict(set)  # texts known to be of each kind
    for indicator_id, rows in itertools.groupby(history, key=itemgetter(0)):
        its_items = wanted[indicator_id]
        indicator = its_items[0].indicator
        if indicator.year_to_date:
            continue  # a saw-tooth by design: SPC does not read it (no signals to count)
        kind = Frequency(indicator.frequency)
        _, texts, numbers = zip(*rows, strict=True)
        # Set operations rather than a test per row: values at another frequency are rare.
        known = of_kind[kind]
        if not known.issuperset(texts):
            known.update(t for t in set(texts) - known if kinds[t] is kind)
            if not known.issuperset(texts):
                kept = [(t, n) for t, n in zip(texts, numbers, strict=True) if t in known]
                texts, numbers = tuple(t for t, _ in kept), tuple(n for _, n in kept)
        at = {i: item for item in its_items if (i := _position(texts, str(item.period))) >= 0}
        if not at:
            continue
        rebase_at = [_position(texts, text) for text in rebase.get(indicator_id, ())]
        variations = spc.latest_variations(
            spc.SpcInput(
                values=numbers,
                polarity=Polarity(indicator.polarity),
                rebase_at=[i for i in rebase_at if i >= 0],
            ),
            at=at,
        )
        for i, item in at.items():
            if variations[i] in _SIGNALS:
                item.signal = variations[i]


# The measures whose records carry workflow text: what an enterer typed before validation
# refused it, a manager's reason for a return, the reason for re-opening an activated value.
# The text can hold figures not yet activated, so it is shown only to those who may see the
# indicator's drafts (`drafts_shown`); others get the records without it (issue 14).
WORKFLOW_MEASURES = frozenset({"rejected", "returned", "corrections"})
WITHHELD = {
    "rejected": "Refused by validation",
    "returned": "Returned by a data manager",
    "corrections": "Re-opened after activation",
}


def _in_row(board: Dashboard, row_key: str | None) -> Callable[[Indicator], bool]:
    """Whether an indicator counts in the row `row_key` names (every row for none or "all")."""
    of_directorate = board.by == "team" and row_key is not None and row_key.startswith("d")

    def in_row(indicator: Indicator) -> bool:
        if not row_key or row_key == "all":
            return True
        if of_directorate:
            return _directorate_key(indicator.team) == row_key
        return _row_key(indicator, board.by) == row_key

    return in_row


def drafts_shown(
    user: access.User, board: Dashboard, measure: str, row_key: str | None = None
) -> frozenset[int]:
    """Of the indicators whose workflow text the drill-down into `measure` would list, those
    whose drafts `user` may see (`Indicator.objects.drafts_visible_to`, the one rule): their
    ids, in one query; none, and no query, for a measure without such text or no records."""
    if measure not in WORKFLOW_MEASURES:
        return frozenset()
    in_row = _in_row(board, row_key)
    if measure == "rejected":
        wanted = {entry.indicator_id for entry in board.rejected if in_row(entry.indicator)}
    else:
        wanted = {
            item.indicator.pk
            for item in board.items
            if getattr(item, measure) and in_row(item.indicator)
        }
    if not wanted:
        return frozenset()
    return frozenset(
        Indicator.objects.drafts_visible_to(user)
        .filter(pk__in=sorted(wanted))
        .values_list("pk", flat=True)
    )


def drill_down(
    board: Dashboard,
    measure: str,
    row_key: str | None = None,
    *,
    drafts_of: Collection[int] = frozenset(),
) -> list[dict[str, Any]]:
    """The records behind one number of the dashboard (one row, a directorate's rows, or all
    rows).

    Refused entries, returns and corrections show their text (what was typed, the reason, who)
    only for the indicators in `drafts_of` (`drafts_shown` for the reader); the others' records
    are listed without it, `withheld` set, so the reader gets the count and no figure.
    """
    in_row = _in_row(board, row_key)
    records: list[dict[str, Any]] = []
    if measure in ("missing", "late", "unactivated", "days", "signals"):
        for item in board.items:
            if not in_row(item.indicator):
                continue
            if measure == "days" and item.days is None:
                continue
            if measure == "signals" and item.signal is None:
                continue
            if measure not in ("days", "signals") and not getattr(item, measure):
                continue
            detail = {
                "missing": f"window closed {item.closes_on:%-d %b %Y}; status "
                + ("not started" if item.state == "none" else item.state.replace("_", " ")),
                "late": f"activated {item.activated_on:%-d %b %Y}, window closed "
                f"{item.closes_on:%-d %b %Y}"
                if item.activated_on
                else "",
                "unactivated": "submitted, waiting for a data manager",
                "days": f"{item.days} day{'' if item.days == 1 else 's'} from request "
                f"({item.request_date:%-d %b %Y})",
                "signals": item.signal.label if item.signal else "",
            }[measure]
            records.append(
                {
                    "indicator": item.indicator,
                    "period": str(item.period),
                    "detail": detail,
                    "value_id": item.value_id,
                    "when": item.activated_on or item.closes_on,
                }
            )
    elif measure == "rejected":
        for entry in board.rejected:
            if not in_row(entry.indicator):
                continue
            shown = entry.indicator_id in drafts_of
            if shown:
                who = (
                    entry.person.get_full_name() or entry.person.get_username()
                    if entry.person
                    else "system"
                )
                detail = f"{entry.get_channel_display()}, {entry.field}: {entry.message} ({who})"
            else:
                detail = f"{WITHHELD[measure]} ({entry.get_channel_display()})"
            records.append(
                {
                    "indicator": entry.indicator,
                    "period": entry.period,
                    "detail": detail,
                    "value_id": None,
                    "when": timezone.localtime(entry.at).date(),
                    "withheld": not shown,
                }
            )
    elif measure in ("corrections", "returned"):
        action = "correct" if measure == "corrections" else "return"
        by_value = {item.value_id: item for item in board.items if item.value_id}
        for event in board.events:
            corrected = by_value.get(int(event.object_id))
            if event.action != action or corrected is None or not in_row(corrected.indicator):
                continue
            shown = corrected.indicator.pk in drafts_of
            records.append(
                {
                    "indicator": corrected.indicator,
                    "period": str(corrected.period),
                    "detail": f"{event.actor_name}: {event.reason}" if shown else WITHHELD[measure],
                    "value_id": corrected.value_id,
                    "when": timezone.localtime(event.at).date(),
                    "withheld": not shown,
                }
            )
    elif measure == "not_reviewed":
        for indicator in board.not_reviewed:
            if in_row(indicator):
                records.append(
                    {
                        "indicator": indicator,
                        "period": "",
                        "detail": f"last reviewed {indicator.reviewed_on:%-d %b %Y}"
                        if indicator.reviewed_on
                        else "never reviewed",
                        "value_id": None,
                        "when": indicator.reviewed_on,
                    }
                )
    return records


# --- statements -------------------------------------------------------------------------------


@dataclass
class SignatureRow:
    person: object
    teams: str
    roles: list[tuple[str, bool, dt.datetime | None]]  # (role, signed, when)

    @property
    def complete(self) -> bool:
        return all(signed for _, signed, _ in self.roles)

    def _cell(self, wanted: str) -> dict[str, Any]:
        for role, signed, when in self.roles:
            if role == wanted:
                return {"needed": True, "signed": signed, "when": when}
        return {"needed": False, "signed": False, "when": None}

    @property
    def enterer(self) -> dict[str, Any]:
        return self._cell(Statement.Role.ENTERER)

    @property
    def manager(self) -> dict[str, Any]:
        return self._cell(Statement.Role.MANAGER)


def signatures(policy: PolicyVersion | None) -> list[SignatureRow]:
    """Everyone who must sign, with what they signed of `policy`. Four queries."""
    User = get_user_model()
    enterer = Role.DATA_ENTERER.value
    manager = Role.DATA_MANAGER.value
    officer = Role.PERFORMANCE_OFFICER.value
    people = list(
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__name__in=[enterer, manager, officer])
            | Q(entered_indicators__isnull=False)
            | Q(managed_indicators__isnull=False)
        )
        .annotate(
            n_entered=Count("entered_indicators", distinct=True),
            n_managed=Count("managed_indicators", distinct=True),
        )
        .prefetch_related("groups", "memberships__team")
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    signed: dict[tuple[int, str], dt.datetime] = {}
    if policy is not None:
        for person_id, role, at in Statement.objects.filter(policy=policy).values_list(
            "person_id", "role", "signed_at"
        ):
            signed[(person_id, role)] = at
    rows = []
    for person in people:
        groups = {g.name for g in person.groups.all()}
        is_officer = officer in groups or person.is_superuser
        roles = []
        if is_officer or enterer in groups or person.n_entered:
            roles.append(Statement.Role.ENTERER)
        if is_officer or manager in groups or person.n_managed:
            roles.append(Statement.Role.MANAGER)
        rows.append(
            SignatureRow(
                person=person,
                teams=", ".join(sorted(m.team.name for m in person.memberships.all())),
                roles=[(r, (person.pk, r) in signed, signed.get((person.pk, r))) for r in roles],
            )
        )
    return rows


def evidence_for(value_ids: Iterable[int]) -> dict[int, list[Evidence]]:
    """Evidence of many values in one query, by value id."""
    result: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(value_id__in=list(value_ids)).select_related(
        "uploaded_by"
    ):
        result[evidence.value_id].append(evidence)
    return result


def evidence_for_indicator(user: access.User, indicator: Indicator) -> list[Evidence] | None:
    """Every working paper of an indicator's values, newest period first; None when the person
    may not see them (the same rule as a download)."""
    probe = Value(indicator=indicator)
    if not access.can_see_team_data(user, probe):
        return None
    return list(
        Evidence.objects.filter(value__indicator=indicator)
        .select_related("value", "uploaded_by")
        .order_by("-value__period_start", "-uploaded_at")
    )
