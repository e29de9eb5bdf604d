"""The collection cycle of the demo council (`seed_demo`, after `indicators`).

Opens the collection rounds whose window is open today. When none is (days 11 to the end of a
month), it opens demo rounds for the quarter and the month in progress, dated today with the
usual window, so that My returns and the activation queue always have something to show; the
log says so. Then it gives the demo enterer a few draft, submitted and returned values in that
round.

Seeding is not an audited change (as in `indicators`): rows are written directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from performance.collection import due, reminders, rules
from performance.collection import rounds as services
from performance.core import periods
from performance.models import CollectionRound, Indicator, Value


def _open_rounds(today: dt.date) -> list[CollectionRound]:
    rounds = []
    first = today.replace(day=1)
    if today <= periods.window_close(first, settings.COLLECTION_WINDOW_DAYS):
        for kind in reminders.kinds_requested_on(first):
            round_, _ = services.open_round(kind=kind, request_date=first)
            rounds.append(round_)
    if rounds:
        return rounds
    for kind, period in (
        (CollectionRound.Kind.QUARTERLY, periods.quarter_of(today)),
        (CollectionRound.Kind.MONTHLY, periods.month_of(today)),
    ):
        round_, _ = CollectionRound.objects.get_or_create(
            kind=kind,
            period=str(period),
            defaults={
                "opens_on": today,
                "closes_on": periods.window_close(today, settings.COLLECTION_WINDOW_DAYS),
            },
        )
        rounds.append(round_)
    return rounds


def seed(context) -> None:
    if not Indicator.objects.exists():
        context.log("Collection: no indicators, so no collection round was opened.")
        return
    today = timezone.localdate()
    rounds = _open_rounds(today)
    User = get_user_model()
    enterer = User.objects.filter(username="enterer").first()
    manager = User.objects.filter(username="manager").first()
    if enterer is None:
        return
    items = [
        item
        for item in due.due_items(rounds, enterer=enterer, history=1)
        if item.value is None and item.indicator.polarity != "none" and item.target is not None
    ]
    now = timezone.now()
    made = {"draft": 0, "submitted": 0, "returned": 0}
    plan = ["draft", "returned", "submitted-amber", "submitted", "submitted", "draft"]
    for item, state in zip(items, plan, strict=False):
        target = item.target
        indicator = item.indicator
        figure = target
        comment = ""
        if state == "submitted-amber":
            step = Decimal(1).scaleb(-indicator.decimals) * 3
            figure = target - step if indicator.polarity == "higher" else target + step
            comment = "Slightly short of target: two staff vacancies in the quarter, now filled."
        if indicator.unit == Indicator.Unit.PERCENT:
            figure = min(max(figure, Decimal(0)), Decimal(100))
        figure = figure.quantize(Decimal(1).scaleb(-indicator.decimals))
        status = state.split("-")[0]
        value = Value(
            indicator=indicator,
            period=item.period,
            period_start=periods.parse(item.period).start,
            value=figure,
            comment=comment,
            status=status,
            entered_by=enterer,
            entered_at=now,
            changed_by=enterer,
            changed_at=now,
            submitted_at=now if status != "draft" else None,
        )
        if rules.is_ratio(indicator):
            value.denominator = Decimal(200)
            value.numerator = (figure * 2).quantize(Decimal("0.000001"))
        if status == "returned":
            value.return_reason = "Please check this against the contractor's monthly report."
            value.returned_by = manager
            value.returned_at = now
            value.changed_by = manager
        value.save()
        made[status] += 1
    context.log(
        "Collection: "
        + ", ".join(f"{r} (closes {r.closes_on})" for r in rounds)
        + f" open; the demo enterer has {made['draft']} draft, {made['submitted']} submitted "
        f"and {made['returned']} returned value(s)."
    )
