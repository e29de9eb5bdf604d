"""The transactional outbox: work queued while the broker is down runs once it is back.

`performance.common.outbox.enqueue` records the task in the caller's transaction and publishes it on
commit; when the broker refuses, the row waits and `relay_outbox` publishes it later. Tested
against a real redis-server of the test's own (stopped, then started) and against the embedded
file-system broker (its queue folder missing, then restored), each with a real worker.
"""

from __future__ import annotations

import io
import time
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, transaction

from performance.common import outbox
from performance.models import CollectionRound, OutboxMessage

TASK = "performance.tasks.open_collection_round"
ROUND = {"kind": "quarterly", "request_date": "2025-10-01"}


def _round_exists() -> bool:
    return CollectionRound.objects.filter(kind="quarterly", period="2025/26 Q2").exists()


def _round_exists_yet() -> bool:
    """Polled while the worker writes: SQLite's shared in-memory test database may report the
    table locked for a moment (the task itself retries on that); that only means "not yet"."""
    try:
        return _round_exists()
    except OperationalError:
        return False


@pytest.mark.django_db
def test_enqueue_publishes_only_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = outbox.enqueue(TASK, **ROUND)
        assert not _round_exists(), "nothing may run before the data is committed"
    assert len(callbacks) == 1
    assert _round_exists()  # eager Celery in tests: published = run
    message.refresh_from_db()
    assert message.published_at is not None
    assert message.attempts == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks):
    def failing_save() -> None:
        with transaction.atomic():
            outbox.enqueue(TASK, **ROUND)
            raise RuntimeError("the save failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_save()
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not _round_exists()


@pytest.mark.django_db
def test_an_unknown_task_is_refused_when_enqueued():
    with pytest.raises(ValueError, match=r"No Celery task is registered as 'performance\.nope'"):
        outbox.enqueue("performance.nope", x=1)
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_relay_publishes_each_waiting_row_once(monkeypatch):
    published = []
    monkeypatch.setattr(outbox, "_publish", lambda message: published.append(message.pk))
    rows = [OutboxMessage.objects.create(task_name=TASK, kwargs=ROUND) for _ in range(3)]
    first = io.StringIO()
    call_command("relay_outbox", stdout=first)
    assert "Published 3, failed 0, still waiting 0." in first.getvalue()
    call_command("relay_outbox", stdout=io.StringIO())
    outbox.relay_outbox.apply()  # the beat task does the same
    assert published == [row.pk for row in rows], "a published row must never be sent again"


@pytest.mark.django_db
def test_the_relay_says_so_when_the_broker_refuses(monkeypatch):
    def refuse(message):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr(outbox, "_publish", refuse)
    OutboxMessage.objects.create(task_name=TASK, kwargs=ROUND)
    OutboxMessage.objects.create(task_name=TASK, kwargs=ROUND)
    with pytest.raises(CommandError, match="could not be published: is the broker"):
        call_command("relay_outbox", stdout=io.StringIO())
    first, second = OutboxMessage.objects.order_by("id")
    assert first.attempts == 1
    assert "Connection refused" in first.last_error
    assert second.attempts == 0, "after a refusal the rest waits for the next pass"
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 2


# --- a real broker going away and coming back -----------------------------------------------


class FilesystemBroker:
    """The embedded broker with its queue folder removed (down) and recreated (up)."""

    kind = "filesystem"

    def __init__(self, folder) -> None:
        self.queue = folder / "queue"
        self.url = "filesystem://"
        self.options = {"data_folder_in": str(self.queue), "data_folder_out": str(self.queue)}

    def stop(self) -> None:
        if self.queue.exists():
            self.queue.rmdir()

    def start(self) -> None:
        self.queue.mkdir(parents=True, exist_ok=True)


class RedisBroker:
    kind = "redis"

    def __init__(self, server) -> None:
        self.server = server
        self.url = server.url
        self.options = {"visibility_timeout": 3600}

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()


@pytest.fixture(params=["redis", "filesystem"])
def broker(request, tmp_path):
    from config.celery import app

    if request.param == "redis":
        chosen = RedisBroker(request.getfixturevalue("redis_server"))
    else:
        chosen = FilesystemBroker(tmp_path)
        chosen.start()
    keys = ("broker_url", "broker_transport_options", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.broker_url = chosen.url
    app.conf.broker_transport_options = chosen.options
    app.conf.task_always_eager = False
    app.conf.task_default_queue = f"summit-outbox-{uuid.uuid4().hex[:10]}"
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield chosen
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_work_queued_while_the_broker_is_down_runs_once_it_is_back(broker):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    broker.stop()
    started = time.monotonic()
    with transaction.atomic():
        message = outbox.enqueue(TASK, **ROUND)
    assert time.monotonic() - started < 5, "a request must not wait on a dead broker"
    message.refresh_from_db()
    assert message.published_at is None
    assert message.attempts == 1
    assert message.last_error, "the failure is kept on the row"
    with pytest.raises(CommandError):
        call_command("relay_outbox", stdout=io.StringIO())  # still down: still waiting

    broker.start()
    app._pool = None
    app.amqp._producer_pool = None
    # The relay publishes to the broker that is back; the worker then consumes it. (Publishing
    # before the worker starts keeps SQLite's shared in-memory test database from seeing the
    # relay and the task write at the same instant; on PostgreSQL the order does not matter.)
    out = io.StringIO()
    call_command("relay_outbox", stdout=out)
    assert "Published 1, failed 0, still waiting 0." in out.getvalue()
    assert not _round_exists(), "published, but no worker has run it yet"
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        queues=[app.conf.task_default_queue],
        shutdown_timeout=20,
    ):
        deadline = time.monotonic() + 60
        while not _round_exists_yet() and time.monotonic() < deadline:
            time.sleep(0.5)
    assert _round_exists(), f"the queued task did not run on the {broker.kind} broker"
    message.refresh_from_db()
    assert message.published_at is not None
    out = io.StringIO()
    call_command("relay_outbox", stdout=out)
    assert "Published 0, failed 0, still waiting 0." in out.getvalue()


def test_a_fresh_web_process_finds_tasks_whose_name_is_not_their_module():
    """The collection tasks keep their `performance.tasks.*` names after moving to
    `performance.collection.tasks`: a web process that has imported no tasks module still
    resolves them (a fresh interpreter, as gunicorn starts one)."""
    import subprocess
    import sys

    code = (
        "import django; django.setup(); "
        "from performance.common import outbox; "
        "print(outbox._task('performance.tasks.open_collection_round').name, "
        "outbox._task('performance.tasks.run_collection_day').name)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "performance.tasks.open_collection_round",
        "performance.tasks.run_collection_day",
    ]
