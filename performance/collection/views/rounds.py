"""Collection rounds (SPEC §5): every open round team by team with the people who owe items and
the officer's "Send a chaser now" (issue 19), every recent round with its progress, and one round
by team."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from performance.collection import chasers, due
from performance.collection.views.common import round_or_404
from performance.common import access, cache
from performance.models import CollectionRound, Indicator, Team, Value

STATUS_COLUMNS = [
    ("not_started", "Not started"),
    (Value.Status.DRAFT, "Draft"),
    (Value.Status.SUBMITTED, "Submitted"),
    (Value.Status.RETURNED, "Returned"),
    (Value.Status.ACTIVATED, "Activated"),
    (Value.Status.NO_DATA, "No data"),
]


def _scope_team_ids(user) -> list[int] | None:
    team_ids = access.readable_team_ids(user)
    return None if team_ids is None else list(team_ids)


def _open_rounds_scope(user) -> tuple[list[int] | None, bool]:
    """Which teams' open items a person sees, and whether with the people who owe them.

    Officers: every team, with people. Enterers, data managers and heads: their own teams, with
    people. Members: every team's counts, without names (who is late is the service's business).
    """
    if access.is_performance_officer(user):
        return None, True
    if access.works_on_data(user):
        return sorted(access.member_team_ids(user)), True
    return _scope_team_ids(user), False


def _names(people: list[str]) -> str:
    if len(people) <= 1:
        return "".join(people)
    return ", ".join(people[:-1]) + " and " + people[-1]


# What the page reads (issue 23): the indicators, values, targets and teams ("indicators"); the
# rounds, memberships and people's names and whether they are active ("reports"). An indicator's
# enterers changing moves "indicators" too (`cache.connect_signals`). Who was chased today is
# read on every view (one query) and is part of the key, as is the day. Kept for the whole
# council only (officers, and members who read every team), the views that cost.
GENERATIONS = ("indicators", "reports")
T = TypeVar("T")
# Stands for the CSRF token in the cached open rounds: each view puts its own in.
_CSRF = "summit-csrf-placeholder-4c1d"


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    """Every recent round with its state, countdown and progress, and every open round team by
    team: computed and rendered once per change of what they read (issue 23), exact the moment
    a value is saved, submitted or activated."""
    today = timezone.localdate()
    team_ids = _scope_team_ids(request.user)
    team_scope, people_shown = _open_rounds_scope(request.user)
    may_chase = access.is_performance_officer(request.user)
    chased = chasers.chased_today(today)
    current = cache.tokens(GENERATIONS) if team_ids is None or team_scope is None else ""

    def kept(key: str, scope: list[int] | None, compute: Callable[[], T]) -> T:
        # Only the whole council's figures are kept: a narrowed scope is a few teams, cheap to
        # compute, and one entry per person's teams would push the dashboard's out of the cache.
        if scope is not None:
            return compute()
        return cache.cached(key, GENERATIONS, compute, current=current)

    rows = kept(f"collection-rounds|{today}", team_ids, lambda: _round_rows(today, team_ids))
    stamp = hashlib.sha1(repr(sorted(chased.items())).encode()).hexdigest()[:16]
    html = kept(
        f"collection-open|{today}|{people_shown}|{may_chase}|{stamp}",
        team_scope,
        lambda: render_to_string(
            "performance/returns/_open_rounds.html",
            {
                "open_rounds": chasers.open_round_teams(
                    team_ids=team_scope, today=today, chased=chased
                ),
                "people_shown": people_shown,
                "may_chase": may_chase,
                "csrf_token": _CSRF,
            },
        ),
    )
    return render(
        request,
        "performance/returns/round_list.html",
        {
            "rows": rows,
            "open_rounds_html": mark_safe(html.replace(_CSRF, get_token(request))),
        },
    )


def _round_rows(today: dt.date, team_ids: list[int] | None) -> list[dict]:
    """Every round of the last 400 days with its progress (three queries)."""
    rounds = list(
        CollectionRound.objects.filter(opens_on__gte=today - dt.timedelta(days=400)).order_by(
            "-opens_on", "kind"
        )
    )
    indicators = Indicator.objects.filter(active=True)
    if team_ids is not None:
        indicators = indicators.filter(team_id__in=team_ids)
    per_frequency = dict(indicators.values_list("frequency").annotate(n=Count("id")))
    texts = {text for r in rounds for _, text in due.round_periods(r)}
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for freq, text, state, n in (
        Value.objects.filter(indicator__in=indicators.values("id"), period__in=texts)
        .values_list("indicator__frequency", "period", "status")
        .annotate(n=Count("id"))
    ):
        counts[(freq, text)][state] += n
    rows = []
    for round_ in rounds:
        asked = 0
        tally: Counter = Counter()
        for freq, text in due.round_periods(round_):
            asked += per_frequency.get(str(freq), 0)
            tally.update(counts[(str(freq), text)])
        rows.append(
            {
                "round": round_,
                "state": due.round_state(round_),
                "due": asked,
                "activated": tally[Value.Status.ACTIVATED],
                "submitted": tally[Value.Status.SUBMITTED],
                "no_data": tally[Value.Status.NO_DATA],
            }
        )
    return rows


@require_POST
@login_required
def round_chase(request: HttpRequest) -> HttpResponse:
    """Send a chaser now to everyone owing items in the open rounds, or to one team's people
    (`team`); each person at most once a day, said in the message when nobody is sent one."""
    if not access.is_performance_officer(request.user):
        raise PermissionDenied("Only performance officers send chasers.")
    team_text = request.POST.get("team", "")
    team = None
    if team_text:
        team = Team.objects.filter(pk=int(team_text) if team_text.isdigit() else 0).first()
        if team is None:
            messages.error(request, "That team no longer exists: nothing was sent.")
            return redirect("performance:round-list")
    report = chasers.send_chasers(actor=request.user, team_id=team.pk if team else None)
    whom = f" of {team.name}" if team else ""
    if report.sent:
        n = len(report.sent)
        text = (
            f"Sent a chaser to {n} {'person' if n == 1 else 'people'}{whom}: {_names(report.sent)}."
        )
        if report.already:
            text += f" Already chased today, so not sent again: {_names(report.already)}."
        messages.success(request, text)
    elif report.already:
        messages.info(
            request,
            f"No chaser sent: everyone{whom} with items to submit was already chased today "
            f"({_names(report.already)}). A person is chased by hand at most once a day.",
        )
    elif not report.no_email:
        messages.info(request, f"No chaser sent: nobody{whom} has items to submit.")
    if report.no_email:
        messages.warning(request, f"No email address, so not chased: {_names(report.no_email)}.")
    # To the top of the page, where the message is (an anchor would scroll it out of view).
    return redirect("performance:round-list")


@require_GET
@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = round_or_404(round_id)
    team_ids = _scope_team_ids(request.user)
    items = due.due_items([round_], team_ids=team_ids, history=0)
    by_team: dict[int | None, Counter] = defaultdict(Counter)
    for item in items:
        by_team[item.indicator.team_id][item.status] += 1
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[k for k in by_team if k])}
    table = []
    for team_id, tally in sorted(
        by_team.items(), key=lambda pair: teams[pair[0]].name if pair[0] else "~"
    ):
        table.append(
            {
                "team": teams.get(team_id),
                "cells": [tally[key] for key, _ in STATUS_COLUMNS],
                "total": sum(tally.values()),
            }
        )
    totals = Counter(item.status for item in items)
    return render(
        request,
        "performance/returns/round_detail.html",
        {
            "round": round_,
            "state": due.round_state(round_),
            "columns": STATUS_COLUMNS,
            "table": table,
            "totals": [totals[key] for key, _ in STATUS_COLUMNS],
            "total": len(items),
        },
    )
