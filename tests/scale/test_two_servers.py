"""Two servers as one (issue 21): two gunicorn servers and two Celery workers on one database.

One module-scoped cluster (scripts/cluster.py): a fresh PostgreSQL database of its own
(created, migrated, seeded with the small demo council, dropped at the end), servers A and B
(one gunicorn worker each, so a page warmed on B is cached in the very process that answers
next), two Celery workers of which the first runs beat, one Redis database of its own (/13,
flushed), a shared MEDIA_ROOT, and a real SMTP server (aiosmtpd) receiving every email.

People use one cookie jar for both servers, as a browser behind a load balancer without sticky
sessions does: signed in through A, served by B. Each test writes through A and reads through B;
the background tests fire the beat entries' tasks at both workers at once and count, at the SMTP
server and in the workers' logs, that everything happened exactly once.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.smtp import _free_port, _Handler
from tests.reliability.app_server import ROOT, app_env, manage

pytestmark = pytest.mark.scale

PASSWORD = "summit-demo"
REDIS_DB = 13


def _load_cluster():
    """scripts/cluster.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("summit_cluster", ROOT / "scripts" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


cluster_module = _load_cluster()


def _unavailable(what: str) -> None:
    """Fail under CI (where PostgreSQL and Redis must be there), skip with the reason elsewhere."""
    message = f"{what}: the two-server test needs it."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _server_url(url: str, path: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _admin_url() -> str:
    """The PostgreSQL server the tests use (DATABASE_URL when it is PostgreSQL), its `postgres`
    database: where a database of the test's own is created and dropped."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return _server_url(url, "/postgres")


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "").strip() or "redis://127.0.0.1:6379/0"
    return _server_url(url, f"/{REDIS_DB}")


class Database:
    """The cluster's database seen from the test: plain SQL, autocommit."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self.connection = psycopg.connect(url, autocommit=True)

    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def one(self, sql: str, params: tuple | list = ()):
        rows = self.rows(sql, params)
        assert rows, f"no row for {sql}"
        return rows[0]


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    handler = _Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A fresh PostgreSQL database, migrated and seeded with the small demo council; dropped.

    Migrating and seeding run in a thread while the cluster's processes start (they only need
    to reach the database to be healthy): `ready()` waits for them. On a shared two-core
    machine this saves the processes' start-up time."""
    import psycopg

    admin = _admin_url()
    try:
        server = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL at {admin} does not answer ({error})")
    name = f"summit_scale_{uuid.uuid4().hex[:10]}"
    server.execute(f'CREATE DATABASE "{name}"')
    url = _server_url(admin, f"/{name}")
    env = app_env(tmp_path_factory.mktemp("seed"), DATABASE_URL=url)
    failure: list[BaseException] = []

    def prepare() -> None:
        try:
            manage(env, "migrate", "--noinput")
            manage(env, "seed_demo", "--scale", "small")
        except BaseException as error:
            failure.append(error)

    preparing = threading.Thread(target=prepare, name="scale-seed", daemon=True)
    preparing.start()
    db = Database(url)

    def ready() -> None:
        preparing.join(timeout=600)
        assert not preparing.is_alive(), "migrating and seeding took over 10 minutes"
        if failure:
            raise failure[0]

    db.ready = ready
    try:
        yield db
    finally:
        preparing.join(timeout=600)
        db.connection.close()
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


@pytest.fixture(scope="module")
def redis_url():
    import redis

    url = _redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as error:
        _unavailable(f"Redis at {url} does not answer ({error})")
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def cluster(database, redis_url, smtp, tmp_path_factory):
    _, smtp_port = smtp
    folder = tmp_path_factory.mktemp("cluster")
    with cluster_module.running(
        database_url=database.url,
        redis_url=redis_url,
        servers=2,
        workers=2,
        folder=folder,
        gunicorn_workers=1,
        threads=4,
        concurrency=1,
        extra_env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "AXES_FAILURE_LIMIT": "1000",
        },
    ) as running:
        database.ready()
        yield running


@pytest.fixture(scope="module")
def tasks(cluster, redis_url):
    """A Celery client of the test's own, publishing to the cluster's queue (the test process's
    own app stays eager for the rest of the suite)."""
    from celery import Celery

    client = Celery("summit-scale-test", broker=redis_url)

    def fire(name: str, **kwargs) -> str:
        task_id = f"scale-{uuid.uuid4().hex[:12]}"
        client.send_task(name, kwargs=kwargs, queue=cluster.queue, task_id=task_id)
        return task_id

    yield fire
    client.close()


# --- helpers --------------------------------------------------------------------------------


class Person:
    """One signed-in person: one cookie jar for every server, as behind a load balancer."""

    def __init__(self, base: str, username: str) -> None:
        import requests

        self.session = requests.Session()
        page = self.get(base, "/accounts/login/")
        response = self.post(
            base,
            "/accounts/login/",
            {"csrfmiddlewaretoken": csrf(page.text), "username": username, "password": PASSWORD},
        )
        assert response.status_code == 302, f"{username} could not sign in on {base}"

    def get(self, base: str, path: str, **params):
        response = self.session.get(base + path, params=params or None, timeout=60)
        assert response.status_code == 200, f"GET {base}{path}: HTTP {response.status_code}"
        return response

    def post(self, base: str, path: str, data: dict, files: dict | None = None):
        return self.session.post(
            base + path,
            data=data,
            files=files,
            headers={"Referer": base + path},
            allow_redirects=False,
            timeout=120,
        )


def csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def wait_until(check, *, timeout: float, what: str, cluster=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(
        f"{what} did not happen within {timeout} s\n{cluster.logs() if cluster else ''}"
    )


def worker_logs(cluster) -> dict[str, str]:
    return {w.name: w.log.read_text(errors="replace") for w in cluster.workers}


def received(cluster, task_id: str) -> dict[str, int]:
    """How many times each worker received the task with this id."""
    pattern = re.compile(rf"Task [\w.]+\[{re.escape(task_id)}\] received")
    return {name: len(pattern.findall(log)) for name, log in worker_logs(cluster).items()}


def finished(cluster, task_id: str) -> bool:
    pattern = re.compile(rf"Task [\w.]+\[{re.escape(task_id)}\] (succeeded|retry)")
    return any(pattern.search(log) for log in worker_logs(cluster).values())


def mail_since(smtp, mark: int) -> list[tuple[str, str]]:
    handler, _ = smtp
    return [
        (", ".join(sorted(message.get_all("To", []))), str(message["Subject"]))
        for message in handler.messages[mark:]
    ]


def decimal(cell: str) -> Decimal:
    return Decimal(cell.strip().replace("−", "-") or "0")


# --- the tests, in the order they run -------------------------------------------------------


def test_the_cluster_is_two_healthy_servers_and_two_workers_with_one_beat(cluster):
    import requests

    assert len(cluster.servers) == 2
    logs = worker_logs(cluster)
    beats = ["beat: Starting..." in logs[worker.name] for worker in cluster.workers]
    assert beats == [True, False], "exactly one beat, in the first worker"
    for server in cluster.servers:
        health = requests.get(server.base + "/healthz", timeout=10).json()
        assert health["status"] == "ok"
        assert health["broker_kind"] == "redis"


def test_the_outbox_relays_each_message_once_with_two_workers(cluster, database, smtp, tasks):
    """Messages left behind while the broker was away; relays fired at both workers at once
    (and beat's own every minute): each is published once, received by one worker once, and
    its email sent once."""
    alerts = [
        row[0]
        for row in database.rows(
            "SELECT a.id FROM performance_riskalert a "
            "JOIN performance_risk r ON r.id = a.risk_id JOIN auth_user u ON u.id = r.owner_id "
            "WHERE a.resolved_at IS NULL AND u.is_active AND u.email <> '' ORDER BY a.id"
        )
    ]
    assert len(alerts) >= 3, "the demo council raises key risk indicator alerts"
    database.rows(
        "UPDATE performance_riskalert SET notified_at = NULL WHERE id = ANY(%s)", [alerts]
    )
    mark = len(smtp[0].messages)
    logged = {name: len(log) for name, log in worker_logs(cluster).items()}
    messages = [
        database.one(
            "INSERT INTO performance_outboxmessage (task_name, kwargs, created_at, attempts, "
            "last_error) VALUES ('performance.risks.tasks.send_kri_alert', %s, now(), 0, '') "
            "RETURNING id",
            [f'{{"alert_id": {alert}}}'],
        )[0]
        for alert in alerts
    ]
    relays = [tasks("performance.outbox.relay_outbox") for _ in range(4)]

    def done() -> bool:
        waiting = database.one(
            "SELECT count(*) FROM performance_outboxmessage "
            "WHERE id = ANY(%s) AND published_at IS NULL",
            [messages],
        )[0]
        return (
            waiting == 0
            and all(finished(cluster, task_id) for task_id in relays)
            and all(finished(cluster, f"outbox-{pk}") for pk in messages)
        )

    wait_until(done, timeout=60, what="the relays and the alerts", cluster=cluster)
    for relay in relays:
        assert sum(received(cluster, relay).values()) == 1
    for pk in messages:
        assert sum(received(cluster, f"outbox-{pk}").values()) == 1, f"outbox-{pk} delivered twice"
    attempts = database.rows(
        "SELECT attempts FROM performance_outboxmessage WHERE id = ANY(%s)", [messages]
    )
    assert [row[0] for row in attempts] == [1] * len(messages), "each row published in one go"
    # Relay passes from now on (beat's included) could publish only these rows.
    both = "".join(log[logged[name] :] for name, log in worker_logs(cluster).items())
    published = sum(
        int(n)
        for n in re.findall(
            r"relay_outbox\[[^\]]+\] succeeded in [^:]+: \{'published': (\d+)", both
        )
    )
    assert published == len(messages), "all relay passes together published each row once"
    sent = [mail for mail in mail_since(smtp, mark) if mail[1].startswith("Review risk")]
    assert len(sent) == len(alerts)
    assert len(set(sent)) == len(sent), f"an alert email went twice: {Counter(sent)}"


def test_each_reminder_goes_once_when_both_workers_run_the_day(cluster, database, smtp, tasks):
    """The collection day's beat entry fired four times at once across both workers."""
    from django.conf import settings

    day = database.one("SELECT opens_on FROM performance_collectionround ORDER BY opens_on DESC")[0]
    assert isinstance(day, dt.date)
    entry = settings.CELERY_BEAT_SCHEDULE["collection-day"]
    mark = len(smtp[0].messages)
    runs = [tasks(entry["task"], day=day.isoformat()) for _ in range(4)]

    def done() -> bool:
        claimed, sent = database.one(
            "SELECT count(*), count(sent_at) FROM performance_sentreminder WHERE event_date = %s",
            [day],
        )
        return claimed and claimed == sent and all(finished(cluster, run) for run in runs)

    wait_until(done, timeout=90, what="the reminders of the day", cluster=cluster)
    ran_on = Counter()
    for run in runs:
        for name, count in received(cluster, run).items():
            ran_on[name] += count
    assert all(ran_on[w.name] for w in cluster.workers), f"both workers ran the day: {ran_on}"
    expected = database.rows(
        "SELECT u.email, s.kind FROM performance_sentreminder s "
        "JOIN auth_user u ON u.id = s.person_id WHERE s.event_date = %s",
        [day],
    )
    sent = [mail for mail in mail_since(smtp, mark) if not mail[1].startswith("Review risk")]
    assert len(set(sent)) == len(sent), f"a reminder went twice: {Counter(sent)}"
    assert len(sent) == len(expected) > 0
    assert sorted(to for to, _ in sent) == sorted(email for email, _ in expected)

    # The next morning's second firing (or a late retry) sends nothing more.
    again = tasks(entry["task"], day=day.isoformat())
    wait_until(lambda: finished(cluster, again), timeout=60, what="a second run", cluster=cluster)
    assert [m for m in mail_since(smtp, mark) if not m[1].startswith("Review risk")] == sent


def _candidate(database):
    """A key indicator of the open round that the demo enterer enters and the demo manager
    activates, with a target for the period and no activated value yet."""
    row = database.rows(
        "SELECT i.id, i.decimals, r.id, r.period, t.value, "
        "(SELECT v.version FROM performance_value v WHERE v.indicator_id = i.id "
        " AND v.period = r.period) "
        "FROM performance_collectionround r "
        "JOIN performance_indicator i ON i.frequency = r.kind AND i.active AND i.kind = 'KPI' "
        "JOIN performance_indicator_enterers e ON e.indicator_id = i.id "
        "JOIN auth_user ue ON ue.id = e.user_id AND ue.username = 'enterer' "
        "JOIN performance_indicator_managers m ON m.indicator_id = i.id "
        "JOIN auth_user um ON um.id = m.user_id AND um.username = 'manager' "
        "JOIN performance_target t ON t.indicator_id = i.id AND t.period = r.period "
        "WHERE NOT EXISTS (SELECT 1 FROM performance_value v WHERE v.indicator_id = i.id "
        " AND v.period = r.period AND v.status = 'activated') "
        "ORDER BY r.opens_on DESC, i.code"
    )
    assert row, "the demo council has a key indicator for the enterer in the open round"
    return row[0]


GLANCE = re.compile(r"Number of indicators at each status\. Summit \(Green\): (\d+);[^<]*")
BOARD = re.compile(
    r"(\d+) of (\d+) requested values activated; (\d+) missing, (\d+) late, (\d+) not activated"
)


def test_a_value_activated_on_a_is_shown_at_once_by_b(cluster, database):
    a, b = (server.base for server in cluster.servers)
    indicator, decimals, round_id, period, target, version = _candidate(database)
    figure = f"{target:.{decimals}f}"  # on target: Summit whatever the polarity
    enterer, manager, officer = Person(a, "enterer"), Person(a, "manager"), Person(a, "performance")

    page = enterer.get(a, "/returns/")
    response = enterer.post(
        a,
        f"/returns/{round_id}/{indicator}/",
        {
            "csrfmiddlewaretoken": csrf(page.text),
            "version": str(version or ""),
            "value": figure,
            "comment": "Entered through server A",
            "action": "submit",
        },
    )
    assert response.status_code == 302, text(response.text)[:2000]
    value_id, version = database.one(
        "SELECT id, version FROM performance_value WHERE indicator_id = %s AND period = %s "
        "AND status = 'submitted'",
        [indicator, period],
    )

    pages = {
        "dashboard": ("/", {"period": period}),
        "indicator": (f"/indicators/{indicator}/", {}),
        "board": ("/data-quality/", {"period": period}),
    }
    # B computes and caches each page (twice: the second is served from its cache).
    before = {}
    for name, (path, params) in pages.items():
        officer.get(b, path, **params)
        before[name] = officer.get(b, path, **params).text

    page = manager.get(a, f"/activation/{value_id}/")
    response = manager.post(
        a,
        f"/activation/{value_id}/",
        {"csrfmiddlewaretoken": csrf(page.text), "version": str(version), "action": "activate"},
    )
    assert response.status_code == 302, text(response.text)[:2000]
    assert database.one("SELECT status FROM performance_value WHERE id = %s", [value_id])[0] == (
        "activated"
    )

    after = {name: officer.get(b, path, **params).text for name, (path, params) in pages.items()}
    on_a = {name: officer.get(a, path, **params).text for name, (path, params) in pages.items()}

    summit_before = int(GLANCE.search(before["dashboard"]).group(1))
    assert int(GLANCE.search(after["dashboard"]).group(1)) == summit_before + 1
    assert GLANCE.search(after["dashboard"]).group(0) == GLANCE.search(on_a["dashboard"]).group(0)

    assert f"Status for {period}" not in text(before["indicator"])
    assert f"Status for {period}" in text(after["indicator"])
    assert figure in text(after["indicator"])

    activated, requested, _, _, waiting = map(int, BOARD.search(text(before["board"])).groups())
    assert BOARD.search(text(after["board"])).groups() == BOARD.search(text(on_a["board"])).groups()
    now = tuple(map(int, BOARD.search(text(after["board"])).groups()))
    assert (now[0], now[1], now[4]) == (activated + 1, requested, waiting - 1)


def _team_row(page: str, team: str) -> tuple[Decimal, Decimal]:
    """(improvement points, score) of the team's row in the league table."""
    for row in re.findall(r'(?s)<tr class="govuk-table__row">(.*?)</tr>', page):
        if f">{html.escape(team)}<" in row:
            cells = [text(c) for c in re.findall(r"(?s)<td[^>]*>(.*?)</td>", row)]
            return decimal(cells[-4]), decimal(cells[-2])
    raise AssertionError(f"{team} is not in the league table")


def test_an_improvement_approved_on_a_moves_the_league_table_on_b(cluster, database):
    """The live quarter's table is cached per process under the reach_summit and indicators
    generations; a write through A must show on B's next request."""
    from performance.core import periods

    a, b = (server.base for server in cluster.servers)
    today = dt.datetime.now(tz=ZoneInfo("Europe/London")).date()
    quarter = periods.quarter_of(today)
    team_id, team = database.one(
        "SELECT t.id, t.name FROM reach_summit_scorecard s JOIN performance_team t "
        "ON t.id = s.team_id WHERE s.year = %s AND t.active ORDER BY t.name",
        [str(quarter.financial_year)],
    )
    slug = str(quarter).replace("/", "-").replace(" ", "-").lower()
    officer, member = Person(a, "performance"), Person(a, "member")
    member.get(b, "/reach-the-summit/", quarter=slug)
    points_before, score_before = _team_row(
        member.get(b, "/reach-the-summit/", quarter=slug).text, team
    )

    page = officer.get(a, "/reach-the-summit/improvements/", quarter=slug)
    response = officer.post(
        a,
        f"/reach-the-summit/improvements/?quarter={slug}",
        {
            "csrfmiddlewaretoken": csrf(page.text),
            "team": str(team_id),
            "quarter": str(quarter),
            "title": "Two servers as one",
            "description": "",
            "points": "3",
        },
    )
    assert response.status_code == 302, text(response.text)[:2000]

    points, score = _team_row(member.get(b, "/reach-the-summit/", quarter=slug).text, team)
    assert (points, score) == (points_before + 3, score_before + 3)
    assert _team_row(member.get(a, "/reach-the-summit/", quarter=slug).text, team) == (
        points,
        score,
    )


def test_a_report_published_on_a_is_served_by_b(cluster, database):
    """A worker lays the PDF out into the shared media; B serves the page and the PDF."""
    a, b = (server.base for server in cluster.servers)
    kind, period, audience, version = database.one(
        "SELECT kind, period, audience, version FROM reports_publishedreport "
        "WHERE status = 'published' ORDER BY id DESC"
    )
    officer = Person(a, "performance")
    target = {"kind": kind, "period": period, "audience": audience}
    page = officer.get(a, "/reports/publish/confirm/", **target)
    response = officer.post(
        a,
        "/reports/publish/",
        {"csrfmiddlewaretoken": csrf(page.text), **target, "confirm": "yes", "note": "issue 21"},
    )
    assert response.status_code == 302, text(response.text)[:2000]
    job = response.headers["Location"]

    def public_link():
        match = re.search(r'href="/public/(\d+)/"', officer.get(a, job).text)
        return int(match.group(1)) if match else None

    pk = wait_until(public_link, timeout=120, what="the publication", cluster=cluster)
    new_version, pdf = database.one(
        "SELECT version, pdf FROM reports_publishedreport WHERE id = %s", [pk]
    )
    assert new_version == version + 1

    import requests

    public = requests.get(f"{b}/public/{pk}/", timeout=60)
    assert public.status_code == 200
    assert f"Version {new_version}".lower() in text(public.text).lower()
    assert f'href="/public/{pk}/"' in requests.get(f"{b}/public/", timeout=60).text
    served = requests.get(f"{b}/public/{pk}/report.pdf", timeout=60)
    assert served.status_code == 200
    assert served.content.startswith(b"%PDF")
    assert served.content == (cluster.media_root / pdf).read_bytes()


def test_evidence_uploaded_on_a_downloads_from_b_byte_for_byte(cluster, database):
    a, b = (server.base for server in cluster.servers)
    value_id = database.one(
        "SELECT v.id FROM performance_value v "
        "JOIN performance_indicator_managers m ON m.indicator_id = v.indicator_id "
        "JOIN auth_user u ON u.id = m.user_id AND u.username = 'manager' "
        "WHERE v.status = 'activated' ORDER BY v.period_start DESC, v.id"
    )[0]
    content = (
        "period,value\n"
        + "".join(f"2026-{n % 12 + 1:02d},{n * 7919 % 1000}\n" for n in range(4000))
    ).encode()
    manager = Person(a, "manager")
    path = f"/data-quality/values/{value_id}/evidence/"
    page = manager.get(a, path)
    response = manager.post(
        a,
        path,
        {"csrfmiddlewaretoken": csrf(page.text), "description": "Working paper, issue 21"},
        files={"file": ("working-paper.csv", content, "text/csv")},
    )
    assert response.status_code == 302, text(response.text)[:2000]
    evidence_id, stored = database.one(
        "SELECT id, file FROM dataquality_evidence WHERE value_id = %s ORDER BY id DESC", [value_id]
    )

    downloaded = manager.get(b, f"/data-quality/evidence/{evidence_id}/")
    assert downloaded.content == content
    assert 'filename="working-paper.csv"' in downloaded.headers["Content-Disposition"]
    assert (cluster.media_root / stored).read_bytes() == content
    for process in cluster.processes:  # nothing written to a server's own disk
        own = cluster.folder / process.name
        assert not any(own.rglob(Path(stored).name)), process.name


def test_a_council_workbook_checked_on_a_is_imported_through_b(cluster):
    """Manage › Council workbook keeps the upload between the check and the import: a second
    request that the load balancer may send to the other server (each has its own temporary
    folder in the cluster, as on machines of their own)."""
    a, b = (server.base for server in cluster.servers)
    officer = Person(a, "performance")
    # The empty template: quick to check and import, and kept between the two like any workbook.
    workbook = officer.get(a, "/manage/council/template/").content
    page = officer.get(a, "/manage/council/")
    checked = officer.post(
        a,
        "/manage/council/check/",
        {"csrfmiddlewaretoken": csrf(page.text)},
        files={"file": ("council.xlsx", workbook, "application/octet-stream")},
    )
    assert checked.status_code == 200, text(checked.text)[:2000]

    # B imports the upload A checked (it checks it once more first).
    imported = officer.post(b, "/manage/council/import/", {"csrfmiddlewaretoken": csrf(page.text)})
    assert imported.status_code == 302
    assert imported.headers["Location"] == "/manage/council/"
    done = text(officer.get(b, "/manage/council/").text)
    assert "council.xlsx changes nothing: Summit already holds it" in done, done[:2000]
