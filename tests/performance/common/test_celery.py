"""The beat schedule of SPEC §5 in London time, and a task run end-to-end by a real worker."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from performance.collection import rounds as services
from performance.models import AuditEvent, CollectionRound

LONDON = ZoneInfo("Europe/London")


def _fires_on(entry: str, year: int = 2025) -> list[dt.date]:
    """Every date in a year on which the schedule entry is due, by Celery's own crontab logic."""
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        if (
            day.day in schedule.day_of_month
            and day.month in schedule.month_of_year
            and (day.isoweekday() % 7) in schedule.day_of_week
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def test_quarterly_requests_fire_on_1_january_april_july_october():
    assert _fires_on("quarterly-data-request") == [
        dt.date(2025, 1, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
    ]


def test_strategic_actions_fire_on_1_april_and_1_october():
    assert _fires_on("strategic-actions-request") == [dt.date(2025, 4, 1), dt.date(2025, 10, 1)]


def test_monthly_requests_fire_on_the_first_of_every_month():
    assert _fires_on("monthly-data-request") == [dt.date(2025, m, 1) for m in range(1, 13)]


def test_the_collection_day_runs_every_day_at_half_past_seven_london_time():
    entry = settings.CELERY_BEAT_SCHEDULE["collection-day"]
    assert entry["task"] == "performance.tasks.run_collection_day"
    assert len(_fires_on("collection-day")) == 365
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {30}


def test_every_scheduled_task_exists():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_schedule_is_in_london_time_at_seven_across_the_clock_change():
    from config.celery import app

    assert app.conf.timezone == "Europe/London"
    schedule = settings.CELERY_BEAT_SCHEDULE["quarterly-data-request"]["schedule"]
    schedule = schedule.__class__(
        minute=0, hour=7, day_of_month=1, month_of_year="1,4,7,10", app=app
    )
    # Last run on 1 January (GMT); the next is 1 April 07:00 BST, i.e. 06:00 UTC.
    last = dt.datetime(2025, 1, 1, 7, 0, tzinfo=LONDON)
    start, forward, _now = schedule.remaining_delta(last)
    next_run = start + forward
    assert next_run == dt.datetime(2025, 4, 1, 7, 0, tzinfo=LONDON)
    assert next_run.astimezone(dt.UTC).hour == 6


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "request_date", "period", "closes"),
    [
        ("quarterly", dt.date(2025, 7, 1), "2025/26 Q1", dt.date(2025, 7, 10)),
        ("quarterly", dt.date(2026, 1, 1), "2025/26 Q3", dt.date(2026, 1, 10)),
        ("monthly", dt.date(2025, 8, 1), "2025-07", dt.date(2025, 8, 10)),
        ("strategic_actions", dt.date(2025, 10, 1), "2025/26 Q2", dt.date(2025, 10, 10)),
        ("strategic_actions", dt.date(2026, 4, 1), "2025/26 Q4", dt.date(2026, 4, 10)),
    ],
)
def test_a_round_asks_for_the_period_just_ended_with_a_ten_day_window(
    kind, request_date, period, closes
):
    round_, created = services.open_round(kind=kind, request_date=request_date)
    assert created
    assert (round_.period, round_.opens_on, round_.closes_on) == (period, request_date, closes)


@pytest.mark.django_db
def test_opening_a_round_twice_makes_one_round_and_one_audit_record():
    first, created_first = services.open_round(kind="quarterly", request_date=dt.date(2025, 7, 1))
    second, created_second = services.open_round(kind="quarterly", request_date=dt.date(2025, 7, 1))
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert CollectionRound.objects.count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1


@pytest.mark.django_db
def test_strategic_actions_are_not_requested_in_july():
    with pytest.raises(ValueError, match="1 April and 1 October"):
        services.open_round(kind="strategic_actions", request_date=dt.date(2025, 7, 1))


@pytest.mark.celery_worker
def test_real_worker_runs_the_scheduled_task_end_to_end(celery_worker):
    from performance.collection.tasks import open_collection_round

    result = open_collection_round.delay(kind="quarterly", request_date="2025-10-01")
    payload = result.get(timeout=60)
    assert payload["period"] == "2025/26 Q2"
    assert payload["created"] is True
    round_ = CollectionRound.objects.get(kind="quarterly", period="2025/26 Q2")
    assert round_.closes_on == dt.date(2025, 10, 10)
    # Beat firing again: the same task, nothing new.
    again = open_collection_round.delay(kind="quarterly", request_date="2025-10-01").get(timeout=60)
    assert again == {"round": round_.pk, "period": "2025/26 Q2", "created": False}
    assert celery_worker.broker_kind == ("redis" if settings.REDIS_URL else "filesystem")
