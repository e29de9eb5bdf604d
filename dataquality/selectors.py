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
import hashlib
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement
from performance import access, cache, periods, spc
from performance.models import AuditEvent, Indicator, SpcChangePoint, Team, Value
from performance.periods import Frequency, Period
from performance.roles import Role

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
# The generations the dashboard is computed from (`performance.cache`).
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


def _expected_periods(indicator: Indicator, period: Period) -> tuple[Period, ...]:
    kind = Frequency(indicator.frequency)
    if kind.months > period.kind.months:
        return ()
    return period.sub_periods(kind)


def scope_indicators(
    *,
    user=None,
    team_ids: Collection[int] | None = None,
    team_id: int | None = None,
    indicator_id: int | None = None,
) -> QuerySet[Indicator]:
    """Active indicators of the teams `user` reads, or of `team_ids` (None: every team)."""
    qs = Indicator.objects.filter(active=True)
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    elif user is not None:
        qs = qs.filter(team__in=access.teams_readable(user))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if indicator_id:
        qs = qs.filter(pk=indicator_id)
    return qs.select_related("team").order_by("code")


def dashboard(
    *,
    period: Period,
    user=None,
    team_ids: Collection[int] | None = None,
    team_id: int | None = None,
    indicator_id: int | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """The six features for `period`, by team (or by indicator when a team is chosen).

    The scope is `team_ids` (the teams in scope) when given, else the teams `user` reads (one
    query); with neither, every team. Cached per scope, chosen team or indicator, period and
    day under the "indicators" and "dataquality" generations: a hit costs one query, a miss
    seven (indicators, values, audit events, rejected entries, the activated history and the
    change points for the SPC signals, the generation tokens). The result is shared between
    requests: read it, never change it.
    """
    today = today or timezone.localdate()
    if team_ids is None and user is not None:
        team_ids = list(access.teams_readable(user).values_list("pk", flat=True))
    scope = None if team_ids is None else sorted(set(team_ids))
    if scope is None:
        scope_key = "all"
    else:
        text = ",".join(map(str, scope)).encode()
        scope_key = f"{len(scope)}:{hashlib.blake2b(text, digest_size=12).hexdigest()}"
    key = f"dq.dashboard|{period}|{scope_key}|{team_id or ''}|{indicator_id or ''}|{today}"
    return cache.cached(
        key,
        CACHED_ON,
        lambda: _compute(
            period=period,
            scope=scope,
            team_id=team_id,
            indicator_id=indicator_id,
            today=today,
            cache_key=key,
        ),
    )


def _compute(
    *,
    period: Period,
    scope: list[int] | None,
    team_id: int | None,
    indicator_id: int | None,
    today: dt.date,
    cache_key: str,
) -> Dashboard:
    days = settings.COLLECTION_WINDOW_DAYS
    indicators = list(scope_indicators(team_ids=scope, team_id=team_id, indicator_id=indicator_id))
    by_id = {i.pk: i for i in indicators}
    wanted: list[tuple[Indicator, Period]] = []
    for indicator in indicators:
        for each in _expected_periods(indicator, period):
            if each.request_date() <= today:
                wanted.append((indicator, each))
    ids = list(by_id)
    texts = sorted({str(p) for _, p in wanted})
    values = {
        (v["indicator_id"], v["period"]): v
        for v in Value.objects.filter(indicator_id__in=ids, period__in=texts)
        .order_by()
        .values("id", "indicator_id", "period", "status", "activated_at")
    }
    # object_id is text: compare it with the ids as text, so (content type, object id) can be
    # an index lookup (audit_object_idx) rather than a join casting every value id. The content
    # type by its natural key: a join, not a query that only the first request of a process makes.
    object_ids = [str(v["id"]) for v in values.values()]
    events = (
        list(
            AuditEvent.objects.filter(
                content_type__app_label=Value._meta.app_label,
                content_type__model=Value._meta.model_name,
                object_id__in=object_ids,
                action__in=["return", "correct"],
            ).order_by("-at")
        )
        if object_ids
        else []
    )
    event_counts: dict[tuple[int, str], int] = defaultdict(int)
    for event in events:
        event_counts[(int(event.object_id), event.action)] += 1
    rejected = (
        list(
            RejectedEntry.objects.filter(indicator_id__in=ids, period__in=texts)
            .select_related("person")
            .order_by("-at")
        )
        if texts
        else []
    )
    rejected_counts: dict[tuple[int, str], int] = defaultdict(int)
    for entry in rejected:
        entry.indicator = by_id[entry.indicator_id]  # with its team, no query per entry
        rejected_counts[(entry.indicator_id, entry.period)] += 1

    items: list[Item] = []
    for indicator, each in wanted:
        row = values.get((indicator.pk, str(each)))
        closes = periods.window_close(each.request_date(), days)
        item = Item(
            indicator=indicator,
            period=each,
            value_id=row["id"] if row else None,
            state=row["status"] if row else "none",
            request_date=each.request_date(),
            closes_on=closes,
        )
        state = item.state
        if state == Value.Status.ACTIVATED and row["activated_at"]:
            item.activated_on = timezone.localtime(row["activated_at"]).date()
            item.late = item.activated_on > closes
        elif state == Value.Status.SUBMITTED:
            item.unactivated = True
        elif today > closes:
            item.missing = True
        if row:
            item.corrections = event_counts[(row["id"], "correct")]
            item.returned = event_counts[(row["id"], "return")]
        item.rejected = rejected_counts[(indicator.pk, str(each))]
        items.append(item)
    _mark_signals([item for item in items if item.state == Value.Status.ACTIVATED])

    review_year = periods.financial_year_of(today)
    not_reviewed = [
        i for i in indicators if i.reviewed_on is None or i.reviewed_on < review_year.start
    ]
    by = "indicator" if team_id or indicator_id else "team"
    rows: dict[str, Row] = {}

    def row_for(indicator: Indicator) -> Row:
        if by == "team":
            key = str(indicator.team_id)
            if key not in rows:
                rows[key] = Row(key=key, label=indicator.team.name, team=indicator.team)
        else:
            key = str(indicator.pk)
            if key not in rows:
                rows[key] = Row(
                    key=key, label=f"{indicator.code} {indicator.title}", indicator=indicator
                )
        return rows[key]

    total = Row(key="all", label="All")
    for indicator in indicators:
        row_for(indicator)
    for item in items:
        for row in (row_for(item.indicator), total):
            row.expected += 1
            if item.state == Value.Status.ACTIVATED:
                row.activated += 1
            for measure in ("missing", "late", "unactivated"):
                row.counts[measure] += int(getattr(item, measure))
            row.counts["signals"] += int(item.signal is not None)
            row.counts["rejected"] += item.rejected
            row.counts["corrections"] += item.corrections
            row.counts["returned"] += item.returned
            if item.days is not None:
                row.day_total += item.days
                row.day_count += 1
    for indicator in not_reviewed:
        row_for(indicator).counts["not_reviewed"] += 1
        total.counts["not_reviewed"] += 1
    ordered = sorted(rows.values(), key=lambda r: r.label)
    return Dashboard(
        period=period,
        rows=ordered,
        total=total,
        by=by,
        items=items,
        indicators=indicators,
        not_reviewed=not_reviewed,
        rejected=rejected,
        events=events,
        review_year=review_year,
        key=cache_key,
    )


_SIGNALS = (spc.Variation.IMPROVING, spc.Variation.CONCERNING, spc.Variation.NEUTRAL)


def _mark_signals(items: list[Item]) -> None:
    """Set `signal` on activated items whose value is a special cause (two queries).

    The reading is the one `status.status_for(..., with_spc=True)` gives for the item's period:
    the variation of its value as the latest point of the indicator's activated series at its
    own frequency up to that period, limits rebased at the recorded change points. Each
    indicator's series is read once, and `spc.latest_variations` reads every wanted point of
    it in one pass (rather than one analysis of the whole history per item).
    """
    if not items:
        return
    wanted: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        wanted[item.indicator.pk].append(item)
    until = max(item.period.end for item in items)
    kinds: dict[str, Frequency | None] = {}

    def kind_of(text: str) -> Frequency | None:
        """The frequency of a period written as `status` writes it (None otherwise)."""
        if text not in kinds:
            try:
                found = periods.parse(text)
            except periods.PeriodError:
                found = None
            kinds[text] = found.kind if found is not None and str(found) == text else None
        return kinds[text]

    history: dict[int, list[tuple[dt.date, str, Decimal]]] = defaultdict(list)
    for indicator_id, text, start, number in (
        Value.objects.filter(
            indicator_id__in=list(wanted),
            status=Value.Status.ACTIVATED,
            value__isnull=False,
            period_start__lte=until,
        )
        .order_by()
        .values_list("indicator_id", "period", "period_start", "value")
    ):
        history[indicator_id].append((start, text, number))
    rebase: dict[int, set[str]] = defaultdict(set)
    for indicator_id, text in (
        SpcChangePoint.objects.filter(indicator_id__in=list(wanted))
        .order_by()
        .values_list("indicator_id", "period")
    ):
        rebase[indicator_id].add(text)
    for indicator_id, its_items in wanted.items():
        indicator = its_items[0].indicator
        kind = Frequency(indicator.frequency)
        series = [
            (text, number)
            for _, text, number in sorted(history[indicator_id])
            if kind_of(text) is kind
        ]
        index = {text: i for i, (text, _) in enumerate(series)}
        at = [(item, index[str(item.period)]) for item in its_items if str(item.period) in index]
        if not at:
            continue
        variations = spc.latest_variations(
            spc.SpcInput(
                values=[number for _, number in series],
                polarity=indicator.polarity,
                rebase_at=[i for i, (text, _) in enumerate(series) if text in rebase[indicator_id]],
            ),
            at=[i for _, i in at],
        )
        for item, i in at:
            if variations[i] in _SIGNALS:
                item.signal = variations[i]


def drill_down(board: Dashboard, measure: str, row_key: str | None = None) -> list[dict]:
    """The records behind one number of the dashboard (one row, or all rows)."""

    def in_row(indicator: Indicator) -> bool:
        if not row_key or row_key == "all":
            return True
        key = str(indicator.team_id) if board.by == "team" else str(indicator.pk)
        return key == row_key

    records: list[dict] = []
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
            if in_row(entry.indicator):
                who = (
                    entry.person.get_full_name() or entry.person.get_username()
                    if entry.person
                    else "system"
                )
                records.append(
                    {
                        "indicator": entry.indicator,
                        "period": entry.period,
                        "detail": f"{entry.get_channel_display()}, {entry.field}: {entry.message} ({who})",
                        "value_id": None,
                        "when": timezone.localtime(entry.at).date(),
                    }
                )
    elif measure in ("corrections", "returned"):
        action = "correct" if measure == "corrections" else "return"
        by_value = {item.value_id: item for item in board.items if item.value_id}
        for event in board.events:
            item = by_value.get(int(event.object_id))
            if event.action != action or item is None or not in_row(item.indicator):
                continue
            records.append(
                {
                    "indicator": item.indicator,
                    "period": str(item.period),
                    "detail": f"{event.actor_name}: {event.reason}",
                    "value_id": item.value_id,
                    "when": timezone.localtime(event.at).date(),
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

    def _cell(self, wanted: str) -> dict:
        for role, signed, when in self.roles:
            if role == wanted:
                return {"needed": True, "signed": signed, "when": when}
        return {"needed": False, "signed": False, "when": None}

    @property
    def enterer(self) -> dict:
        return self._cell(Statement.Role.ENTERER)

    @property
    def manager(self) -> dict:
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


def evidence_for(value_ids) -> dict[int, list[Evidence]]:
    """Evidence of many values in one query, by value id."""
    result: dict[int, list[Evidence]] = defaultdict(list)
    for evidence in Evidence.objects.filter(value_id__in=list(value_ids)).select_related(
        "uploaded_by"
    ):
        result[evidence.value_id].append(evidence)
    return result


def evidence_for_indicator(user, indicator: Indicator) -> list[Evidence] | None:
    """Every working paper of an indicator's values, newest period first; None when the person
    may not see them (the same rule as a download)."""
    from dataquality import services

    probe = Value(indicator=indicator)
    if not services.may_see_evidence(user, probe):
        return None
    return list(
        Evidence.objects.filter(value__indicator=indicator)
        .select_related("value", "uploaded_by")
        .order_by("-value__period_start", "-uploaded_at")
    )
