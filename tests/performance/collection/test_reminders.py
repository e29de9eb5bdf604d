"""Reminders of SPEC §5 through a real SMTP server, time-travelled through a demo round:
exactly who gets what on request day, day 7, day 9 and the day after close, and never twice."""

from __future__ import annotations

import datetime as dt
import smtplib
import zoneinfo
from collections import defaultdict

import pytest
import time_machine
from django.core.mail.backends.smtp import EmailBackend
from django.core.management import call_command

from performance.collection import reminders
from performance.collection import services as collection
from performance.collection.tasks import run_collection_day
from performance.models import SentReminder, Value
from tests.performance.collection.test_collection import build_world, enter

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(day: dt.date, hour: int = 7, minute: int = 30):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON), tick=False
    )


def inbox(smtp_server) -> dict[str, list[str]]:
    """Recipient → the item codes their emails listed (from the plain-text part)."""
    result = defaultdict(list)
    for message in smtp_server.messages:
        text = next(
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        )
        codes = sorted(
            line.split()[1] + " " + line.split()[2].rstrip(",")
            for line in text.splitlines()
            if line.startswith("- ")
        )
        result[message["To"]].extend(codes)
    return dict(result)


def subjects(smtp_server) -> dict[str, str]:
    return {m["To"]: m["Subject"] for m in smtp_server.messages}


@pytest.fixture
def world(db, settings):
    settings.SITE_URL = "https://summit.example.gov.uk"
    with at(dt.date(2025, 6, 30), 12):
        return build_world(open_rounds=False)


def test_the_round_from_request_day_to_after_close(world, smtp_server):
    u = world.users
    # Request day: the task opens both rounds and sends one digest per enterer.
    with at(dt.date(2025, 7, 1)):
        result = run_collection_day.delay().get()
    assert sorted(result["opened"]) == [
        "KPIs and SPIs (quarterly) 2025/26 Q1",
        "Monthly indicators and service-plan progress 2025-06",
    ]
    assert inbox(smtp_server) == {
        "enterer_a@example.gov.uk": ["GEN 001", "WAS 001", "WAS 002"],
        "enterer_b@example.gov.uk": ["HOU 001", "HOU 002", "WAS 002"],
    }
    message = smtp_server.messages[0]
    assert message.is_multipart()
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert "https://summit.example.gov.uk/returns/" in html.get_payload(decode=True).decode()
    assert "by Thursday 10 July 2025" in subjects(smtp_server)["enterer_a@example.gov.uk"]

    from performance.models import CollectionRound

    world.quarterly = CollectionRound.objects.get(kind="quarterly")
    world.monthly = CollectionRound.objects.get(kind="monthly")
    with at(dt.date(2025, 7, 3), 10):
        enter(world, "WAS 001", "96", submit=True)
        enter(world, "WAS 002", "9")  # a draft only
        enter(world, "HOU 001", "120", user="enterer_b", submit=True)
        enter(world, "HOU 002", "", user="enterer_b", numerator="45", denominator="50", submit=True)
        hou2 = Value.objects.get(indicator=world.indicators["HOU 002"])
        collection.activate(user=u["manager_b"], value_id=hou2.pk, version=hou2.version)

    # Days 2 to 6: nothing.
    for day in range(2, 7):
        with at(dt.date(2025, 7, day)):
            assert run_collection_day.delay().get()["sent"] == 0
    assert len(smtp_server.messages) == 2

    # Day 7: the chaser, only to those with items not submitted, listing only those items.
    smtp_server.messages.clear()
    with at(dt.date(2025, 7, 7)):
        run_collection_day.delay().get()
    assert inbox(smtp_server) == {
        "enterer_a@example.gov.uk": ["GEN 001", "WAS 002"],
        "enterer_b@example.gov.uk": ["WAS 002"],
    }

    # Day 9: data managers get what waits for them; GEN 001 has no manager but nothing submitted.
    smtp_server.messages.clear()
    with at(dt.date(2025, 7, 9)):
        run_collection_day.delay().get()
    assert inbox(smtp_server) == {
        "manager_a@example.gov.uk": ["WAS 001"],
        "manager_a2@example.gov.uk": ["WAS 001"],
        "manager_b@example.gov.uk": ["HOU 001"],
    }

    # Day 10 (last day) sends nothing; the day after close: No data and overdue summaries.
    smtp_server.messages.clear()
    with at(dt.date(2025, 7, 10)):
        assert run_collection_day.delay().get()["sent"] == 0
    with at(dt.date(2025, 7, 11)):
        result = run_collection_day.delay().get()
    assert result["no_data"] == 4
    assert inbox(smtp_server) == {
        "head_w@example.gov.uk": ["GEN 001", "WAS 001", "WAS 002"],
        "head_h@example.gov.uk": ["HOU 001"],
        "officer@example.gov.uk": ["GEN 001", "HOU 001", "WAS 001", "WAS 002"],
    }
    assert set(
        Value.objects.filter(status="no_data").values_list("indicator__code", flat=True)
    ) == {"GEN 001", "HOU 001", "WAS 001", "WAS 002"}
    assert Value.objects.get(indicator=world.indicators["HOU 002"]).status == "activated"

    # Beat firing again on any of those days sends nothing more.
    before = len(smtp_server.messages)
    for day in (1, 7, 9, 11):
        with at(dt.date(2025, 7, day), 9):
            again = run_collection_day.delay().get()
            assert again["sent"] == 0
    assert len(smtp_server.messages) == before
    assert SentReminder.objects.filter(sent_at__isnull=True).count() == 0
    assert SentReminder.objects.count() == 2 + 2 + 3 + 3


def crash_after(limit: int):
    """An SMTP backend that fails after `limit` messages, as a worker dying mid-batch would."""
    real = EmailBackend.send_messages
    sent = {"n": 0}

    def send_messages(backend, messages):
        if sent["n"] >= limit:
            raise smtplib.SMTPServerDisconnected("connection lost mid-batch")
        sent["n"] += len(messages)
        return real(backend, messages)

    return send_messages, real


def test_a_crash_mid_batch_then_a_retry_sends_each_email_once(world, smtp_server, monkeypatch):
    crash, real = crash_after(1)
    monkeypatch.setattr(EmailBackend, "send_messages", crash)
    with at(dt.date(2025, 7, 1)), pytest.raises(smtplib.SMTPServerDisconnected):
        reminders.run_day()
    assert len(smtp_server.messages) == 1
    # The unsent email left a row, claim released, ready for the retry.
    pending = SentReminder.objects.get(sent_at__isnull=True)
    assert pending.claimed_at is None
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    with at(dt.date(2025, 7, 1), 7, 35):
        report = reminders.run_day()
    assert (report.sent, report.skipped) == (1, 1)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "enterer_a@example.gov.uk",
        "enterer_b@example.gov.uk",
    ]


def test_the_task_retries_itself_after_an_smtp_failure_without_duplicates(
    world, smtp_server, monkeypatch
):
    calls = {"n": 0}
    real = EmailBackend.send_messages

    def flaky(backend, messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise smtplib.SMTPServerDisconnected("dropped")
        return real(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    with at(dt.date(2025, 7, 1)):
        result = run_collection_day.apply()
    assert result.successful(), result.traceback
    assert result.get()["sent"] == 1  # the retry sent the one the failure left
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "enterer_a@example.gov.uk",
        "enterer_b@example.gov.uk",
    ]


def test_a_claim_held_by_a_live_worker_is_not_sent_twice_until_the_lease_lapses(world, smtp_server):
    with at(dt.date(2025, 7, 1)):
        plan = reminders.plan_day(dt.date(2025, 7, 1))
        reminders.open_rounds_for(dt.date(2025, 7, 1))
        plan = reminders.plan_day(dt.date(2025, 7, 1))
        first = plan.emails[0]
        assert reminders._claim(first, dt.date(2025, 7, 1)) is not None
        # Another worker at the same moment: the row is claimed and not yet sent.
        assert reminders._claim(first, dt.date(2025, 7, 1)) is None
    with at(dt.date(2025, 7, 1), 8, 0):  # the first worker died; the lease has lapsed
        assert reminders._claim(first, dt.date(2025, 7, 1)) is not None


def test_send_reminders_dry_run_shows_the_day_and_changes_nothing(world, smtp_server, capsys):
    call_command("send_reminders", "--date", "2025-07-01", "--dry-run")
    out = capsys.readouterr().out
    assert "Would open KPIs and SPIs (quarterly) 2025/26 Q1" in out
    assert "enterer_a@example.gov.uk" in out
    assert "enterer_b@example.gov.uk" in out
    assert "HOU 002 2025-06" in out
    assert "Dry run: nothing was sent" in out
    assert smtp_server.messages == []
    assert not SentReminder.objects.exists()
    from performance.models import CollectionRound

    assert not CollectionRound.objects.exists()


def test_send_reminders_does_what_the_day_needs_and_then_nothing(world, smtp_server, capsys):
    call_command("send_reminders", "--date", "2025-07-01")
    assert "Sent 2 email(s)" in capsys.readouterr().out
    call_command("send_reminders", "--date", "2025-07-01")
    out = capsys.readouterr().out
    assert "(already sent)" in out
    assert "Sent 0 email(s)" in out
    assert len(smtp_server.messages) == 2


def test_send_reminders_refuses_a_bad_date(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "1/7/2025")


@pytest.mark.celery_worker
def test_a_real_worker_sends_the_request_digests_once(celery_worker, smtp_server, settings):
    settings.SITE_URL = "https://summit.example.gov.uk"
    build_world(open_rounds=False)
    first = run_collection_day.delay(day="2025-07-01").get(timeout=60)
    again = run_collection_day.delay(day="2025-07-01").get(timeout=60)
    assert (first["sent"], again["sent"], again["skipped"]) == (2, 0, 2)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "enterer_a@example.gov.uk",
        "enterer_b@example.gov.uk",
    ]
