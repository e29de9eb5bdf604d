"""The emails of the collection cycle and the No data record at close (SPEC §5).

What a day sends, for each round whose event falls on it:

- request date (day 1): each enterer gets one digest of all their due items;
- day 7: a chaser to each enterer with items not yet submitted;
- the same digest, chaser and overdue summary list, beside a person's values, the strategic
  actions and service-plan activities they own that are due for a progress update in the round,
  and in a quarterly round the risks they own that are due for review (`due.plan_items`): one
  email per person whatever mix of items it lists;
- day 9: each data manager gets a digest of the items waiting for their activation (items
  without a data manager go to the performance officers);
- the day after the window closes: every due item without an activated value is recorded as
  No data, and an overdue summary goes to the owning manager (the team's head of service) and
  to every performance officer.

Rounds whose event falls on the same day share one email per person (1 July opens the monthly
and the quarterly round together). A window shorter than nine days moves the chaser and the
manager digest to its last day.

Idempotency: before an email is sent, a `SentReminder(person, kind, event_date)` row is
claimed under a unique constraint; it is marked sent after the SMTP server accepts the message.
A second run finds the row sent and skips it. A crash between claim and send leaves the row
unsent: if the send itself raised, the claim is released at once so a retry sends it; if the
worker died, the claim lapses after `LEASE`; a run that meets a claim still held counts it as
`held`, and the task runs again once the lease has lapsed (a pool process killed is redelivered
at once, well inside the lease). Either way a person never gets the same email twice, and no
email is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from performance.collection import due
from performance.collection import rounds as services
from performance.collection import services as collection
from performance.core import deadlines, periods
from performance.core.roles import Role
from performance.models import CollectionRound, SentReminder, Value

log = logging.getLogger(__name__)

CHASER_DAY = 7
MANAGER_DAY = 9
LEASE = dt.timedelta(minutes=10)
Kind = SentReminder.Kind

SUBJECTS = {
    Kind.REQUEST: "Performance data requested: {count} item{s} due by {closes}",
    Kind.CHASER: "Reminder: {count} item{s} still to submit by {closes}",
    Kind.MANAGER_DIGEST: "{count} value{s} waiting for your activation by {closes}",
    Kind.OVERDUE: "Overdue: {count} item{s} recorded as No data",
}
# Progress updates not made are not recorded as No data (there is no value to record).
OVERDUE_WITH_PLANS = "Overdue: {count} item{s} not done by the close on {closes}"
TEMPLATES = {
    Kind.REQUEST: "emails/collection_request",
    Kind.CHASER: "emails/collection_chaser",
    Kind.MANAGER_DIGEST: "emails/collection_manager_digest",
    Kind.OVERDUE: "emails/collection_overdue",
}


def kinds_requested_on(day: dt.date) -> list[str]:
    """Which rounds open on `day` by the timetable of SPEC §5 (the 1st of the month)."""
    if day.day != 1:
        return []
    kinds = [CollectionRound.Kind.MONTHLY]
    if day.month in (1, 4, 7, 10):
        kinds.append(CollectionRound.Kind.QUARTERLY)
    if day.month in (4, 10):
        kinds.append(CollectionRound.Kind.STRATEGIC_ACTIONS)
    return kinds


def _nth_day(round_: CollectionRound, n: int) -> dt.date:
    return min(round_.opens_on + dt.timedelta(days=n - 1), round_.closes_on)


@dataclass
class Planned:
    """One email a day would send: who, which kind, and the items it lists."""

    kind: str
    person: object
    items: list[due.DueItem]
    rounds: list[CollectionRound]
    already_sent: bool = False
    plan_items: list[due.PlanItem] = field(default_factory=list)

    @property
    def subject(self) -> str:
        closes = max(r.closes_on for r in self.rounds)
        count = len(self.items) + len(self.plan_items)
        template = SUBJECTS[self.kind]
        if self.kind == Kind.OVERDUE and self.plan_items:
            template = OVERDUE_WITH_PLANS
        return template.format(
            count=count, s="" if count == 1 else "s", closes=f"{closes:%A %-d %B %Y}"
        )


@dataclass
class DayPlan:
    day: dt.date
    emails: list[Planned] = field(default_factory=list)
    no_data: list[due.DueItem] = field(default_factory=list)
    rounds_to_open: list[CollectionRound] = field(default_factory=list)


@dataclass
class DayReport:
    day: dt.date
    sent: int = 0
    skipped: int = 0
    held: int = 0  # of skipped: claimed by a worker that may have died, not yet lapsed
    no_data: int = 0
    opened: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "sent": self.sent,
            "skipped": self.skipped,
            "held": self.held,
            "no_data": self.no_data,
            "opened": self.opened,
        }


def _events(day: dt.date, extra: list[CollectionRound]) -> dict[str, list[CollectionRound]]:
    candidates = list(
        CollectionRound.objects.filter(
            Q(opens_on__lte=day, closes_on__gte=day - dt.timedelta(days=1))
        )
    )
    seen = {(r.kind, r.period) for r in candidates}
    candidates += [r for r in extra if (r.kind, r.period) not in seen]
    events: dict[str, list[CollectionRound]] = defaultdict(list)
    for round_ in candidates:
        if round_.opens_on == day:
            events[Kind.REQUEST].append(round_)
        if _nth_day(round_, CHASER_DAY) == day and round_.opens_on != day:
            events[Kind.CHASER].append(round_)
        if _nth_day(round_, MANAGER_DAY) == day and round_.opens_on != day:
            events[Kind.MANAGER_DIGEST].append(round_)
        if round_.closes_on + dt.timedelta(days=1) == day:
            events[Kind.OVERDUE].append(round_)
    return events


def _unsaved_rounds(day: dt.date) -> list[CollectionRound]:
    """The rounds the timetable would open on `day` that do not exist yet (for a dry run)."""
    result = []
    for kind in kinds_requested_on(day):
        period = services.period_requested_on(kind=kind, request_date=day)
        if not CollectionRound.objects.filter(kind=kind, period=str(period)).exists():
            result.append(
                CollectionRound(
                    kind=kind,
                    period=str(period),
                    opens_on=day,
                    closes_on=periods.window_close(day, settings.COLLECTION_WINDOW_DAYS),
                )
            )
    return result


def _officers() -> list:
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=Role.PERFORMANCE_OFFICER.value) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


Bucket = dict[int, tuple[object, dict[str, due.DueItem | due.PlanItem]]]


def _add(bucket: Bucket, person, item: due.DueItem | due.PlanItem) -> None:
    if person is None or not person.is_active or not person.email:
        return
    bucket.setdefault(person.pk, (person, {}))[1].setdefault(item.key, item)


def plan_day(day: dt.date, *, include_unopened: bool = True) -> DayPlan:
    """What `day` would send and record, without writing anything."""
    unsaved = _unsaved_rounds(day) if include_unopened else []
    events = _events(day, unsaved)
    plan = DayPlan(day=day, rounds_to_open=unsaved)
    officers = None
    for kind in (Kind.REQUEST, Kind.CHASER, Kind.MANAGER_DIGEST, Kind.OVERDUE):
        rounds = events.get(kind, [])
        if not rounds:
            continue
        items = due.due_items(rounds, prefetch_people=True, history=0)
        owed = due.plan_items(rounds) if kind != Kind.MANAGER_DIGEST else []
        bucket: Bucket = {}
        if kind == Kind.REQUEST:
            for item in items:
                for person in item.indicator.enterers.all():
                    _add(bucket, person, item)
            for plan_item in owed:
                _add(bucket, plan_item.owner, plan_item)
        elif kind == Kind.CHASER:
            for item in items:
                if not item.submitted:
                    for person in item.indicator.enterers.all():
                        _add(bucket, person, item)
            for plan_item in owed:
                if not plan_item.updated:
                    _add(bucket, plan_item.owner, plan_item)
        elif kind == Kind.MANAGER_DIGEST:
            for item in items:
                if item.value is not None and item.value.status == Value.Status.SUBMITTED:
                    managers = list(item.indicator.managers.all())
                    if not managers:
                        officers = officers if officers is not None else _officers()
                        managers = officers
                    for person in managers:
                        _add(bucket, person, item)
        else:
            overdue = [item for item in items if not item.activated]
            plan.no_data += overdue
            officers = officers if officers is not None else _officers()
            for item in overdue:
                team = item.indicator.team
                head = team.head_of_service if team else None
                _add(bucket, head, item)
                for person in officers:
                    _add(bucket, person, item)
            # An update not made by the close: its owner, the owning manager and the officers.
            for plan_item in owed:
                if not plan_item.updated:
                    for person in (plan_item.owner, plan_item.manager, *officers):
                        _add(bucket, person, plan_item)
        sent = set(
            SentReminder.objects.filter(
                kind=kind, event_date=day, sent_at__isnull=False
            ).values_list("person_id", flat=True)
        )
        for person_id, (person, keyed) in sorted(
            bucket.items(), key=lambda pair: pair[1][0].get_username()
        ):
            listed = list(keyed.values())
            unique = {(i.round.kind, i.round.period): i.round for i in listed}
            rounds_used = sorted(unique.values(), key=lambda r: (r.opens_on, r.kind))
            plan.emails.append(
                Planned(
                    kind=kind,
                    person=person,
                    items=[i for i in listed if isinstance(i, due.DueItem)],
                    plan_items=[i for i in listed if isinstance(i, due.PlanItem)],
                    rounds=rounds_used,
                    already_sent=person_id in sent,
                )
            )
    return plan


def _claim(planned: Planned, day: dt.date) -> SentReminder | None:
    """Claim the email's row; None when it was already sent or another worker holds it."""
    try:
        with transaction.atomic():
            row, created = SentReminder.objects.get_or_create(
                person=planned.person,
                kind=planned.kind,
                event_date=day,
                defaults={"items": [item.label for item in [*planned.items, *planned.plan_items]]},
            )
            if created:
                row.rounds.set([r for r in planned.rounds if r.pk])
    except IntegrityError:  # another worker created it between our read and insert
        row = SentReminder.objects.get(person=planned.person, kind=planned.kind, event_date=day)
    now = timezone.now()
    claimed = (
        SentReminder.objects.filter(pk=row.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    return row if claimed else None


def _link(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def plan_item_link(item: due.PlanItem) -> str:
    """The page where the owner updates the item's progress for the round's period."""
    pk = item.record.pk
    if item.kind == due.PlanItem.RISK:
        return _link("performance:risk-review", pk)
    if item.kind == due.PlanItem.ACTION:
        return f"{_link('performance:strategic-actions')}?edit={pk}#action-{pk}"
    return f"{_link('performance:activity-progress', pk)}?month={item.period}"


def build_message(planned: Planned) -> EmailMultiAlternatives:
    """The HTML and plain-text email for one planned reminder."""
    person = planned.person
    by_round = []
    for round_ in planned.rounds:
        items = [item for item in planned.items if item.round is round_]
        plan_items = [
            {"item": item, "url": plan_item_link(item)}
            for item in planned.plan_items
            if item.round is round_
        ]
        by_round.append({"round": round_, "items": items, "plan_items": plan_items})
    closes = max(r.closes_on for r in planned.rounds)
    left = deadlines.days_left(closes, timezone.now(), timezone.get_default_timezone())
    context = {
        "person": person,
        "name": person.get_full_name() or person.get_username(),
        "subject": planned.subject,  # the HTML email's heading (issue 22)
        "kind": planned.kind,
        "by_round": by_round,
        "count": len(planned.items) + len(planned.plan_items),
        "plan_count": len(planned.plan_items),
        "closes": closes,
        "days_left": deadlines.days_left_label(left).lower(),
        "council_name": settings.COUNCIL_NAME,
        "my_returns_url": _link("performance:my-returns"),
        "queue_url": _link("performance:activation-queue"),
        "rounds_url": _link("performance:round-list"),
        "download_url": _link("performance:returns-download"),
        "site_url": settings.SITE_URL,
    }
    base = TEMPLATES[planned.kind]
    message = EmailMultiAlternatives(
        subject=planned.subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def _held(planned: Planned, day: dt.date) -> bool:
    """True when the email is claimed but not sent: another worker is on it, or died on it."""
    return SentReminder.objects.filter(
        person=planned.person, kind=planned.kind, event_date=day, sent_at__isnull=True
    ).exists()


def _send(planned: Planned, day: dt.date, connection) -> bool:
    row = _claim(planned, day)
    if row is None:
        return False
    try:
        message = build_message(planned)
        message.connection = connection
        message.send()
    except BaseException:
        # Nothing was accepted: release the claim so the retry sends it straight away.
        SentReminder.objects.filter(pk=row.pk, sent_at__isnull=True).update(claimed_at=None)
        raise
    SentReminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())
    return True


def open_rounds_for(day: dt.date) -> list[str]:
    """Open the rounds the timetable asks for on `day` (idempotent)."""
    opened = []
    for kind in kinds_requested_on(day):
        round_, created = services.open_round(kind=kind, request_date=day)
        if created:
            opened.append(str(round_))
    return opened


def run_day(day: dt.date | None = None, *, connection=None) -> DayReport:
    """Do what `day` (default today, London) needs: open rounds, record No data, send emails."""
    day = day or timezone.localdate()
    report = DayReport(day=day, opened=open_rounds_for(day))
    plan = plan_day(day, include_unopened=False)
    for item in plan.no_data:
        if collection.mark_no_data(item) is not None:
            report.no_data += 1
    own = connection is None
    connection = connection or get_connection()
    try:
        for planned in plan.emails:
            if planned.already_sent:
                report.skipped += 1
                continue
            if _send(planned, day, connection):
                report.sent += 1
            else:
                report.skipped += 1
                report.held += _held(planned, day)
    finally:
        if own:
            connection.close()
    log.info("Collection day %s: %s", day, report.as_dict())
    return report
