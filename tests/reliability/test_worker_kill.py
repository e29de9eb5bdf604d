"""A Celery worker killed (SIGKILL) in the middle of its work, and the task run again (issue 9).

The worker is a real `celery worker` process (prefork) on real Redis (REDIS_URL, else a
redis-server of the test's own) and on the test's own database: PostgreSQL's test database as
it is, or on SQLite the in-memory test database written out to a file that the worker then
uses. Assertions are made against that database and, for reminders, against what a real SMTP
server received.

To kill at a known point the worker is started through `LAUNCHER`, which installs test-only
hooks in the worker process (never in the product):

- `freeze`: the freeze writes half of a quarter's snapshot rows, records its pid in a file and
  then sleeps until it is killed (the redelivered task finds the file and runs through);
- `barrier`: used by test_scheduler_twice.py to hold two concurrent freezes until both have
  passed the "already frozen?" check;
- the reminder lease is shortened (`SUMMIT_TEST_LEASE_SECONDS`) so a claim left by the killed
  worker lapses within the test; the SMTP server itself holds the second message mid-DATA.

Redelivery happens two ways: the pool process is killed and the worker's main process rejects
the message back to the queue (acks_late + reject_on_worker_lost, as configured), or the whole
worker is killed and Redis hands the unacknowledged message to the next worker once the
(shortened) visibility timeout has passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.reliability.app_server import BIN, ROOT, app_env

pytestmark = pytest.mark.django_db(transaction=True)

LAUNCHER = r"""
import datetime, json, os, pathlib, sys, time
import django

django.setup()
from config.celery import app

folder = pathlib.Path(os.environ["SUMMIT_TEST_DIR"])
hooks = set(filter(None, os.environ.get("SUMMIT_TEST_HOOKS", "").split(",")))

if "freeze" in hooks:
    from reach_summit.models import SnapshotRow

    manager = SnapshotRow.objects
    real_bulk_create = manager.bulk_create

    def bulk_create(objs, *args, **kwargs):
        objs = list(objs)
        marker = folder / "freeze-blocked"
        if marker.exists() or len(objs) < 2:
            return real_bulk_create(objs, *args, **kwargs)
        half = len(objs) // 2
        real_bulk_create(objs[:half], *args, **kwargs)
        marker.write_text(json.dumps({"pid": os.getpid(), "written": half}))
        while True:  # inside the freeze's transaction, half the rows written: wait to be killed
            time.sleep(1)

    manager.bulk_create = bulk_create

if "barrier" in hooks:
    from reach_summit import services

    real_require_closed = services._require_closed

    def _require_closed(period, today):
        if (folder / "barrier-on").exists():
            gate = folder / ("barrier-" + str(period).replace("/", "-").replace(" ", "-"))
            gate.mkdir(exist_ok=True)
            (gate / str(os.getpid())).touch()
            deadline = time.monotonic() + 30
            while len(list(gate.iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        return real_require_closed(period, today)

    services._require_closed = _require_closed

if os.environ.get("SUMMIT_TEST_LEASE_SECONDS"):
    from performance.collection import reminders

    reminders.LEASE = datetime.timedelta(seconds=int(os.environ["SUMMIT_TEST_LEASE_SECONDS"]))

app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("SUMMIT_TEST_VISIBILITY", "3600")),
    # Sweep for messages of dead workers every second (the default is about every 100 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
app.worker_main(
    [
        "worker",
        "--pool=prefork",
        "--concurrency=" + os.environ.get("SUMMIT_TEST_CONCURRENCY", "1"),
        "--queues=" + os.environ["SUMMIT_TEST_QUEUE"],
        "--hostname=" + os.environ["SUMMIT_TEST_NAME"] + "@%h",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
)
"""


def wait_until(check, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"{what} did not happen within {timeout} s\n{tail}")


class LiveDatabase:
    """The test's database as other processes see it: its URL, and plain SQL against it."""

    def __init__(self, folder: Path) -> None:
        self.path: Path | None = None
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            auth = quote(settings["USER"] or "postgres")
            if settings.get("PASSWORD"):
                auth += ":" + quote(settings["PASSWORD"])
            host = settings.get("HOST") or "127.0.0.1"
            port = settings.get("PORT") or 5432
            self.url = f"postgres://{auth}@{host}:{port}/{settings['NAME']}"
        else:
            self.path = folder / "live.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def publish(self) -> None:
        """Make the rows written so far visible to the worker (SQLite: write out the file)."""
        if self.path is None:
            return  # PostgreSQL: transactional test, every row is already committed
        connection.ensure_connection()
        target = sqlite3.connect(self.path)
        connection.connection.backup(target)
        target.close()

    def rows(self, sql: str) -> list[tuple]:
        if self.path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return [tuple(row) for row in cursor.fetchall()]
        with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]

    def count(self, table: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]


class Worker:
    """One `celery worker` process (its own session, so the test can kill it whole)."""

    def __init__(self, cluster: WorkerCluster, *, hooks=(), concurrency=1, visibility=3600):
        self.log = cluster.folder / f"worker-{uuid.uuid4().hex[:6]}.log"
        env = dict(cluster.env)
        env.update(
            SUMMIT_TEST_HOOKS=",".join(hooks),
            SUMMIT_TEST_CONCURRENCY=str(concurrency),
            SUMMIT_TEST_VISIBILITY=str(visibility),
            SUMMIT_TEST_NAME=f"reliab-{uuid.uuid4().hex[:8]}",
        )
        self.process = subprocess.Popen(
            [str(BIN / "python"), "-c", LAUNCHER],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(
            lambda: " ready." in self.log.read_text(errors="replace") or self.dead(),
            timeout=90,
            what="the worker starting",
            log=self.log,
        )
        assert not self.dead(), self.log.read_text(errors="replace")[-4000:]

    def dead(self) -> bool:
        return self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (a machine or container dying)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.dead():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


class WorkerCluster:
    """Real workers on real Redis and the test's database, on a queue of the test's own."""

    def __init__(self, folder: Path, broker_url: str, extra_env: dict[str, str]) -> None:
        self.folder = folder
        self.database = LiveDatabase(folder)
        self.queue = f"summit-kill-{uuid.uuid4().hex[:10]}"
        self.broker_url = broker_url
        self.env = app_env(
            folder / "var",
            DATABASE_URL=self.database.url,
            REDIS_URL=broker_url,
            SUMMIT_TEST_DIR=str(folder),
            SUMMIT_TEST_QUEUE=self.queue,
            LOG_LEVEL="INFO",
            **extra_env,
        )
        self.workers: list[Worker] = []

    def start(self, **options) -> Worker:
        worker = Worker(self, **options)
        self.workers.append(worker)
        return worker

    def send(self, task, **kwargs):
        return task.apply_async(kwargs=kwargs, queue=self.queue)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture
def broker_url(request) -> str:
    """REDIS_URL when set (CI), else a redis-server of the test's own; under CI a missing
    redis-server fails the test (require_binary), elsewhere it is skipped with the reason."""
    if django_settings.REDIS_URL:
        return django_settings.REDIS_URL
    return request.getfixturevalue("redis_server").url


@pytest.fixture
def workers(tmp_path, broker_url):
    """Build with `workers(**env)`: the Celery app of this process is pointed at the broker."""
    from config.celery import app

    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    app.conf.broker_url = broker_url
    app.conf.result_backend = broker_url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app.conf.task_always_eager = False
    _reset_connections(app)
    clusters: list[WorkerCluster] = []

    def build(**extra_env: str) -> WorkerCluster:
        cluster = WorkerCluster(tmp_path, broker_url, extra_env)
        clusters.append(cluster)
        return cluster

    try:
        yield build
    finally:
        for cluster in clusters:
            cluster.close()
        for key, value in saved.items():
            app.conf[key] = value
        _reset_connections(app)


def _reset_connections(app) -> None:
    """Forget the broker pool and the result backend, which are bound to the old URL."""
    app._pool = None
    app.amqp._producer_pool = None
    with contextlib.suppress(AttributeError):
        del app._local.backend


# ---------------------------------------------------------------- the league table freeze

TODAY = "2024-10-20"  # 2024/25 Q1 and Q2 have both closed
SNAPSHOT_COLUMNS = (
    "team_slug, team_name, position, rank, joint, customer, financial, process, learning, "
    "improvements, late_complaints, score, award"
)


def build_league():
    """Seven teams with scorecards for 2024/25 Q1 and Q2, at mixed levels."""
    from tests.reach_summit.conftest import Q1, build_team

    q2 = Q1.shift(1)
    levels = ["summit", "firstbase", "basecamp", "no_data"]
    for n in range(7):
        build_team(
            f"Team {n:02d}",
            levels=tuple(levels[(n + k) % 4] for k in range(4)),
            quarters=(Q1, q2),
        )
    return [Q1, q2]


def expected_rows(quarter) -> list[tuple]:
    """What a clean freeze writes, computed in this process from the same data."""
    from reach_summit import selectors, services

    table = selectors.live_table(quarter, today=dt.date.fromisoformat(TODAY))
    result = []
    for row in table.rows:
        fields = services._row_fields(row)
        result.append(
            (
                fields["team_slug"],
                fields["team_name"],
                fields["position"],
                fields["rank"],
                bool(fields["joint"]),
                fields["customer"],
                fields["financial"],
                fields["process"],
                fields["learning"],
                Decimal(fields["improvements"]).quantize(Decimal("0.01")),
                fields["late_complaints"],
                Decimal(fields["score"]).quantize(Decimal("0.01")),
                fields["award"],
            )
        )
    return sorted(result)


def frozen_rows(database: LiveDatabase, quarter) -> list[tuple]:
    rows = database.rows(
        f"SELECT {SNAPSHOT_COLUMNS} FROM reach_summit_snapshotrow r "
        "JOIN reach_summit_snapshot s ON s.id = r.snapshot_id "
        f"WHERE s.quarter = '{quarter}'"
    )
    normal = []
    for row in rows:
        row = list(row)
        row[4] = bool(row[4])
        row[9] = Decimal(str(row[9])).quantize(Decimal("0.01"))
        row[11] = Decimal(str(row[11])).quantize(Decimal("0.01"))
        normal.append(tuple(row))
    return sorted(normal)


def snapshot_quarters(database: LiveDatabase) -> list[str]:
    return sorted(r[0] for r in database.rows("SELECT quarter FROM reach_summit_snapshot"))


def freeze_audits(database: LiveDatabase) -> int:
    return database.rows("SELECT COUNT(*) FROM performance_auditevent WHERE action = 'freeze'")[0][
        0
    ]


def _blocked(folder: Path) -> dict | None:
    marker = folder / "freeze-blocked"
    return json.loads(marker.read_text()) if marker.exists() and marker.read_text() else None


def _assert_complete_freeze(database: LiveDatabase, quarters) -> None:
    assert snapshot_quarters(database) == sorted(str(q) for q in quarters)
    for quarter in quarters:
        assert frozen_rows(database, quarter) == expected_rows(quarter), str(quarter)
    assert database.count("reach_summit_snapshotrow") == sum(
        len(expected_rows(q)) for q in quarters
    )
    assert freeze_audits(database) == len(quarters), "one audit event per frozen quarter"


def test_a_pool_process_killed_mid_freeze_leaves_no_half_table_and_the_task_is_redelivered(
    workers, tmp_path
):
    from reach_summit.tasks import freeze_closed_quarters

    quarters = build_league()
    cluster = workers()
    cluster.database.publish()
    worker = cluster.start(hooks=["freeze"])
    result = cluster.send(freeze_closed_quarters, today=TODAY)

    blocked = wait_until(
        lambda: _blocked(tmp_path), timeout=60, what="the freeze reaching its rows", log=worker.log
    )
    assert blocked["written"] == len(expected_rows(quarters[0])) // 2 > 0
    # Half the rows are written inside the freeze's transaction: nobody else can see them.
    assert cluster.database.count("reach_summit_snapshot") == 0
    assert cluster.database.count("reach_summit_snapshotrow") == 0

    os.kill(blocked["pid"], signal.SIGKILL)  # the pool process, mid-transaction

    # The worker's main process sees its child lost and puts the message back (acks_late,
    # reject_on_worker_lost); a fresh pool process runs the task to the end.
    frozen = result.get(timeout=120)
    assert frozen == [str(q) for q in quarters]
    _assert_complete_freeze(cluster.database, quarters)
    log = worker.log.read_text(errors="replace")
    assert "WorkerLostError" in log or "signal 9" in log, "the kill did reach the task"


def test_a_whole_worker_killed_mid_freeze_is_finished_by_the_next_worker(workers, tmp_path):
    from reach_summit.tasks import freeze_closed_quarters

    quarters = build_league()
    cluster = workers()
    cluster.database.publish()
    first = cluster.start(hooks=["freeze"], visibility=4)
    result = cluster.send(freeze_closed_quarters, today=TODAY)
    wait_until(
        lambda: _blocked(tmp_path), timeout=60, what="the freeze reaching its rows", log=first.log
    )
    first.kill()  # main process and pool together: nothing is acknowledged or rejected
    assert cluster.database.count("reach_summit_snapshot") == 0
    assert cluster.database.count("reach_summit_snapshotrow") == 0

    # Another worker starts; Redis redelivers the unacknowledged message after the
    # visibility timeout. (The freeze hook is installed again: the marker lets it through.)
    second = cluster.start(hooks=["freeze"], visibility=4)
    assert result.get(timeout=120) == [str(q) for q in quarters]
    _assert_complete_freeze(cluster.database, quarters)

    # And beat firing the next night changes nothing.
    assert cluster.send(freeze_closed_quarters, today=TODAY).get(timeout=60) == []
    _assert_complete_freeze(cluster.database, quarters)
    assert not second.dead()


# ------------------------------------------------------------------------------ reminders


class HoldingHandler:
    """An SMTP server's handler that holds the nth message mid-DATA until released, then
    refuses it (451): the client never learns it was delivered, and it was not."""

    def __init__(self, hold: int) -> None:
        import threading

        self.hold = hold
        self.seen = 0
        self.messages: list = []
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import email

        self.seen += 1
        if self.seen == self.hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "451 Requested action aborted: try again later"
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def holding_smtp():
    from aiosmtpd.controller import Controller

    from tests.fixtures.smtp import _free_port

    handler = HoldingHandler(hold=2)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


def build_reminder_world():
    from performance.core.roles import Role
    from tests.factories import UserFactory
    from tests.performance.collection.test_collection import build_world

    world = build_world(open_rounds=False)
    indicator = world.indicators["WAS 001"]
    for name in ("enterer_c", "enterer_d"):
        user = UserFactory(username=name, roles=[Role.DATA_ENTERER], teams=[world.teams["waste"]])
        indicator.enterers.add(user)
    return world


def test_a_worker_killed_mid_reminder_batch_sends_each_email_once(workers, holding_smtp):
    from performance.collection.tasks import run_collection_day

    build_reminder_world()
    cluster = workers(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(holding_smtp.port),
        SITE_URL="https://summit.example.gov.uk",
        SUMMIT_TEST_LEASE_SECONDS="15",
    )
    cluster.database.publish()
    worker = cluster.start()
    result = cluster.send(run_collection_day, day="2025-07-01")

    assert holding_smtp.holding.wait(60), worker.log.read_text(errors="replace")[-4000:]
    # The first digest is delivered; the second is mid-DATA. Kill the pool process now.
    children = _pool_pids(worker.process.pid)
    assert children, "no pool process to kill"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    holding_smtp.release.set()

    # Redelivered at once: enterer_a's digest is already sent, enterer_b's claim is still within
    # the killed worker's lease (so it is held, not sent twice), c and d go out; the task then
    # retries once the lease has lapsed and sends enterer_b's.
    report = result.get(timeout=120)
    recipients = sorted(m["To"] for m in holding_smtp.messages)
    assert recipients == [
        "enterer_a@example.gov.uk",
        "enterer_b@example.gov.uk",
        "enterer_c@example.gov.uk",
        "enterer_d@example.gov.uk",
    ], "every enterer gets the request digest exactly once"
    assert (report["sent"], report["skipped"], report["held"]) == (1, 3, 0)
    sent = cluster.database.rows(
        "SELECT COUNT(*), COUNT(sent_at) FROM performance_sentreminder WHERE kind = 'request'"
    )[0]
    assert tuple(sent) == (4, 4)

    # The scheduler firing again that morning sends nothing more.
    again = cluster.send(run_collection_day, day="2025-07-01").get(timeout=60)
    assert again["sent"] == 0
    assert len(holding_smtp.messages) == 4


def _pool_pids(parent: int) -> list[int]:
    """The pool processes of a worker: the children of its main process."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                pids.append(int(entry.name))
    return pids
