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
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from dataquality.models import Evidence, PolicyVersion, RejectedEntry, Statement
from performance import access, periods, selectors, spc, status
from performance.models import AuditEvent, Indicator, Team, Value
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


def _expected_periods(indicator: Indicator, period: Period) -> tuple[Period, ...]:
    kind = Frequency(indicator.frequency)
    if kind.months > period.kind.months:
        return ()
    return period.sub_periods(kind)


def scope_indicators(
    *, user, team_id: int | None = None, indicator_id: int | None = None
) -> QuerySet[Indicator]:
    qs = Indicator.objects.filter(active=True, team__in=access.teams_readable(user))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if indicator_id:
        qs = qs.filter(pk=indicator_id)
    return qs.select_related("team").order_by("code")


def dashboard(
    *,
    user,
    period: Period,
    team_id: int | None = None,
    indicator_id: int | None = None,
    today: dt.date | None = None,
) -> Dashboard:
    """The six features for `period`, by team (or by indicator when a team is chosen).

    Eight queries: indicators, values, rejected entries, audit events, and the four of the
    activated history (`selectors.indicator_data`) for the SPC signals.
    """
    today = today or timezone.localdate()
    days = settings.COLLECTION_WINDOW_DAYS
    indicators = list(scope_indicators(user=user, team_id=team_id, indicator_id=indicator_id))
    wanted: list[tuple[Indicator, Period]] = []
    for indicator in indicators:
        for each in _expected_periods(indicator, period):
            if each.request_date() <= today:
                wanted.append((indicator, each))
    ids = [i.pk for i in indicators]
    texts = sorted({str(p) for _, p in wanted})
    values = {
        (v["indicator_id"], v["period"]): v
        for v in Value.objects.filter(indicator_id__in=ids, period__in=texts).values(
            "id", "indicator_id", "period", "status", "activated_at"
        )
    }
    value_ids = [v["id"] for v in values.values()]
    events = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Value),
            action__in=["return", "correct"],
            object_id__in=Value.objects.filter(pk__in=value_ids)
            .annotate(sid=Cast("pk", CharField()))
            .values("sid"),
        ).order_by("-at")
    )
    event_counts: dict[tuple[int, str], int] = defaultdict(int)
    for event in events:
        event_counts[(int(event.object_id), event.action)] += 1
    rejected = list(
        RejectedEntry.objects.filter(indicator_id__in=ids, period__in=texts)
        .select_related("indicator", "person")
        .order_by("-at")
    )
    rejected_counts: dict[tuple[int, str], int] = defaultdict(int)
    for entry in rejected:
        rejected_counts[(entry.indicator_id, entry.period)] += 1
    data = selectors.indicator_data(ids, until=period.end) if wanted else {}

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
        if state == Value.Status.ACTIVATED:
            facts = selectors.indicator_facts(indicator)
            reading = status.status_for(
                facts, data[indicator.pk], each, window_closed=True, with_spc=True
            )
            if reading.variation in (
                spc.Variation.IMPROVING,
                spc.Variation.CONCERNING,
                spc.Variation.NEUTRAL,
            ):
                item.signal = reading.variation
        items.append(item)

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
            for key in ("missing", "late", "unactivated"):
                row.counts[key] += int(getattr(item, key))
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
    )


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
                "days": f"{item.days} days from request ({item.request_date:%-d %b %Y})",
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
