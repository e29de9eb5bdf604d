"""The collection page's view of the open rounds and the officer's "Send a chaser now" (issue 19).

`open_round_teams` reads, for every open round, each team's items still to submit, those waiting
for activation and the people who owe them. `send_chasers` emails each of those people one
chaser listing every item they still have to submit in the open rounds, as the day-7 chaser
does (`reminders.build_message`), claimed the same way (`reminders._claim`) under its own kind
`SentReminder.Kind.MANUAL_CHASER`: a person is chased by hand at most once a day, however many
times the button is pressed or by whom, and the scheduled chaser is not affected.

Scope: indicator values only. The plan updates and risk reviews a round also asks for are chased
by the scheduled emails; the collection page counts values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html_join

from performance.collection import due, reminders
from performance.common import audit
from performance.models import CollectionRound, Indicator, SentReminder, Team, Value

MANUAL = SentReminder.Kind.MANUAL_CHASER


@dataclass(frozen=True, slots=True)
class Person:
    """Who owes items, as the collection page names them (read as values, not as users)."""

    pk: int
    first_name: str
    last_name: str
    username: str

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self) -> str:
        return self.username


@dataclass(frozen=True, slots=True)
class Line:
    """One due item on the collection page: its indicator and the status of its value."""

    indicator_id: int
    code: str
    title: str
    status: str  # a `Value.Status`, or "not_started"

    @property
    def status_label(self) -> str:
        return _labels().get(self.status, self.status)


NOT_STARTED = "not_started"


@functools.cache
def _labels() -> dict[str, str]:
    return {NOT_STARTED: "Not started", **{s.value: str(s.label) for s in Value.Status}}


def _shortened(text: str, most: int = 50) -> str:
    """As the `truncatechars` filter shortens it (an ellipsis within `most` characters), without
    its per-call translation look-ups: the page lists every item of a council."""
    return text if len(text) <= most else text[: most - 1] + "…"


@dataclass
class Owed:
    """One person owing items to submit, with whether they were chased by hand today."""

    person: Any
    items: list[Line]
    chased_at: dt.datetime | None = None

    @property
    def name(self) -> str:
        return str(self.person.get_full_name() or self.person.get_username())


@dataclass
class TeamRow:
    """One team in one open round: items to submit, waiting for activation, who owes them."""

    team: Team | None
    to_submit: list[Line] = field(default_factory=list)
    waiting: list[Line] = field(default_factory=list)
    people: list[Owed] = field(default_factory=list)
    total: int = 0

    @property
    def to_submit_html(self) -> str:
        """The items to submit as list items: built here rather than by a template loop over
        every item of a council (most of the page's rendering time, issue 23)."""
        return format_html_join(
            "",
            '<li>{} {} <span class="returns-muted">({})</span></li>',
            ((i.code, _shortened(i.title), i.status_label) for i in self.to_submit),
        )


@dataclass
class OpenRound:
    round: CollectionRound
    state: dict
    teams: list[TeamRow]
    total: int
    to_submit: int
    waiting: int
    people: int


def chased_today(day: dt.date) -> dict[int, dt.datetime]:
    """Who was chased by hand on `day`, and when (one query)."""
    return dict(
        SentReminder.objects.filter(kind=MANUAL, event_date=day, sent_at__isnull=False)
        .order_by()
        .values_list("person_id", "sent_at")
    )


def open_round_teams(
    *,
    team_ids: Sequence[int] | None = None,
    today: dt.date | None = None,
    chased: dict[int, dt.datetime] | None = None,
) -> list[OpenRound]:
    """Every open round, team by team (by name, unassigned last), in a fixed number of queries.

    `team_ids` limits the teams (None: every team); `chased`: `chased_today`, when read. An
    item is "to submit" while its value is not submitted or activated, "waiting" while
    submitted. The people are the active enterers of the items to submit, each with the items
    they owe in that team and round. Read as values, aggregated here (issue 23): the rounds,
    the indicators due, their values' statuses, their active enterers, those people's names and
    the teams: six queries (and who was chased, unless given), however many items.
    """
    today = today or timezone.localdate()
    rounds = due.open_rounds(today=today)
    if chased is None:
        chased = chased_today(today)
    asked = [(r, {str(freq): text for freq, text in due.round_periods(r)}) for r in rounds]
    frequencies = sorted({freq for _, period_of in asked for freq in period_of})
    indicators: list[tuple[int, str, str, int | None, str]] = []
    if frequencies:
        qs = Indicator.objects.filter(active=True, frequency__in=frequencies)
        if team_ids is not None:
            qs = qs.filter(team_id__in=list(team_ids))
        indicators = list(
            qs.order_by("code").values_list("id", "code", "title", "team_id", "frequency")
        )
    ids = [row[0] for row in indicators]
    statuses: dict[tuple[int, str], str] = {}
    enterers: dict[int, list[int]] = defaultdict(list)
    people: dict[int, Person] = {}
    teams: dict[int, Team] = {}
    if ids:
        texts = sorted({text for _, period_of in asked for text in period_of.values()})
        statuses = {
            (i, p): status
            for i, p, status in Value.objects.filter(indicator_id__in=ids, period__in=texts)
            .order_by()
            .values_list("indicator_id", "period", "status")
        }
        for i, person in (
            Indicator.enterers.through.objects.filter(indicator_id__in=ids, user__is_active=True)
            .order_by()
            .values_list("indicator_id", "user_id")
        ):
            enterers[i].append(person)
        people = {
            row[0]: Person(*row)
            for row in get_user_model()
            .objects.filter(pk__in={pk for pks in enterers.values() for pk in pks})
            .values_list("id", "first_name", "last_name", "username")
        }
        teams = Team.objects.in_bulk({row[3] for row in indicators if row[3] is not None})
    result = []
    for round_, period_of in asked:
        rows: dict[int | None, TeamRow] = {}
        owed_by_row: dict[int | None, dict[int, Owed]] = defaultdict(dict)
        for pk, code, title, team_id, frequency in indicators:
            period = period_of.get(frequency)
            if period is None:
                continue
            line = Line(pk, code, title, statuses.get((pk, period), NOT_STARTED))
            row = rows.get(team_id)
            if row is None:
                row = rows[team_id] = TeamRow(team=teams.get(team_id) if team_id else None)
            row.total += 1
            if line.status not in (Value.Status.SUBMITTED, Value.Status.ACTIVATED):
                row.to_submit.append(line)
                owed = owed_by_row[team_id]
                for person in enterers.get(pk, ()):
                    if person not in owed:
                        owed[person] = Owed(people[person], [], chased.get(person))
                    owed[person].items.append(line)
            elif line.status == Value.Status.SUBMITTED:
                row.waiting.append(line)
        for team_id, row in rows.items():
            row.people = sorted(owed_by_row[team_id].values(), key=lambda o: o.name.lower())
        ordered = sorted(
            rows.values(), key=lambda r: (r.team is None, r.team.name if r.team else "")
        )
        result.append(
            OpenRound(
                round=round_,
                state=due.round_state(round_),
                teams=ordered,
                total=sum(r.total for r in ordered),
                to_submit=sum(len(r.to_submit) for r in ordered),
                waiting=sum(len(r.waiting) for r in ordered),
                people=len({o.person.pk for r in ordered for o in r.people}),
            )
        )
    return result


@dataclass
class ChaseReport:
    sent: list[str] = field(default_factory=list)  # names
    already: list[str] = field(default_factory=list)  # chased by hand earlier today
    no_email: list[str] = field(default_factory=list)


def plan_chasers(
    *, team_id: int | None = None, today: dt.date | None = None
) -> list[reminders.Planned]:
    """One planned chaser per active enterer owing items in the open rounds; with `team_id`, only
    the people owing items of that team, each still listing everything they owe (one email a
    day lists it all). People without an email address are included (the sender reports them)."""
    today = today or timezone.localdate()
    rounds = due.open_rounds(today=today)
    owed: dict[int, tuple[Any, list[due.DueItem]]] = {}
    chosen: set[int] = set()
    for item in due.due_items(rounds, history=0, prefetch_people=True):
        if item.submitted:
            continue
        for person in item.indicator.enterers.all():
            if not person.is_active:
                continue
            owed.setdefault(person.pk, (person, []))[1].append(item)
            if team_id is None or item.indicator.team_id == team_id:
                chosen.add(person.pk)
    planned = []
    for pk in sorted(chosen, key=lambda pk: owed[pk][0].get_username()):
        person, listed = owed[pk]
        used = {(i.round.kind, i.round.period): i.round for i in listed}
        planned.append(
            # The day-7 chaser's email (subject, template); claimed under MANUAL when sent.
            reminders.Planned(
                kind=SentReminder.Kind.CHASER,
                person=person,
                items=listed,
                rounds=sorted(used.values(), key=lambda r: (r.opens_on, r.kind)),
            )
        )
    return planned


def send_chasers(*, actor, team_id: int | None = None, connection=None) -> ChaseReport:
    """Email each person owing items one chaser now, at most once a day per person (SPEC §5's
    claim-then-send, `SentReminder(person, manual_chaser, today)`), and audit each one sent.

    The email is the day-7 chaser's (same subject, wording and links). A claim already sent or
    held by another press is reported as "already chased today" and not sent again.
    """
    day = timezone.localdate()
    report = ChaseReport()
    own = connection is None
    connection = connection or get_connection()
    try:
        for planned in plan_chasers(team_id=team_id, today=day):
            name = planned.person.get_full_name() or planned.person.get_username()
            if not planned.person.email:
                report.no_email.append(name)
                continue
            row = reminders._claim(dataclasses.replace(planned, kind=MANUAL), day)
            if row is None:
                report.already.append(name)
                continue
            try:
                message = reminders.build_message(planned)
                message.connection = connection
                message.send()
            except BaseException:
                SentReminder.objects.filter(pk=row.pk, sent_at__isnull=True).update(claimed_at=None)
                raise
            with transaction.atomic():
                SentReminder.objects.filter(pk=row.pk).update(sent_at=timezone.now())
                audit.record(
                    actor=actor,
                    instance=row,
                    action="chaser_sent",
                    changes={"items": [None, [item.label for item in planned.items]]},
                    reason=f"Sent a chaser now to {planned.person.get_username()} "
                    "from the Data collection page",
                )
            report.sent.append(name)
    finally:
        if own:
            connection.close()
    return report
