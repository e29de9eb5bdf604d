#!/usr/bin/env python
"""Deadline day (issue 23): everyone submits at once, on a copy of the stress council.

`scripts/loadtest.py --deadline-day` runs it (`make loadtest-deadline`). In order:
1. the database: a fresh copy of the seeded bench database (DROP + CREATE ... TEMPLATE), so
   every run starts from the same state and the shared bench database is never written;
2. the copy is prepared (`prepare`, run in a Django process on the copy): the open round's
   window closes today; the test's people are found or made (enterers with due items, data
   managers covering every due indicator, some two to one indicator, performance officers,
   members), all with the demo password and the data quality statement signed; a plan (who
   enters what, for which round and period) is written for the clients;
3. gunicorn on loopback against the copy (the load test's `serve`, swappable), everyone signs
   in before the clock starts, then for `--seconds` the people work with think times:
   enterers open My returns, save drafts and submit (some with an error on purpose, one in ten
   by uploading the Excel return), managers activate or return one by one and in bulk,
   officers refresh the collection pages and the data quality board, members read the
   dashboard, indicator pages and the league table;
4. while it runs: lock waits sampled from pg_stat_activity and pg_locks every second; deadlocks
   from pg_stat_database before and after;
5. after it: every write a client saw succeed is checked against the audit trail and the values
   (`loadtest_accounting.reconcile`, run in a Django process on the copy).
It prints a table per kind of request and exits non-zero on any error (a 5xx above all), lost
or doubled write, duplicate value or deadlock.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import loadtest_accounting as accounting

ROOT = Path(__file__).resolve().parent.parent
COPY_NAME = "summit_bench_deadline"
VAR_DIR = Path("/tmp/summit-deadline-var")  # the server's: its secret key, files, Celery's broker
PEOPLE = {"enterers": 200, "managers": 40, "officers": 10, "members": 50}
MAX_PEOPLE = 400
MAX_REQUESTS = 300_000
# Think times in seconds, uniform between the two, by what the person has just done (the pace
# of people at work, docs/decisions.md "Deadline day"): reading My returns; typing a figure and
# its commentary (the handbook asks for a comment on every figure off target); finishing a
# draft; moving on to the next item; once everything is sent, looking again now and then for
# values returned or activated; a data manager scanning the queue, reviewing a value against its
# history and definition, moving on; an officer watching the collection; a member reading a page.
THINK = {
    "read": (5.0, 15.0),
    "type": (20.0, 60.0),
    "revise": (10.0, 30.0),
    "next": (3.0, 8.0),
    "idle": (60.0, 180.0),
    "scan": (5.0, 15.0),
    "review": (15.0, 45.0),
    "watch": (30.0, 90.0),
    "page": (10.0, 40.0),
}
# People arrive over the first two minutes of the morning, not in the same second.
ARRIVAL_SECONDS = 120.0
SAVE_KINDS = ("Save draft (htmx POST)", "Submit (htmx POST)")
WRITE_KINDS = frozenset(
    {
        *SAVE_KINDS,
        "Submit with an error on purpose",
        "Excel upload, submit",
        "Activate one",
        "Return one",
        "Bulk activate",
        "Bulk return",
    }
)
PAGE_TARGET_MS = 1000
WRITE_TARGET_MS = 300


# --- the database copy --------------------------------------------------------------------


def with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def psql(url: str, sql: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["psql", "--dbname", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )


def fresh_copy(template_url: str, *, name: str = COPY_NAME, wait: float = 300) -> str:
    """Drop and re-create `name` from the template database; retried while the template is busy
    (CREATE DATABASE ... TEMPLATE needs no other session on it). Returns the copy's URL."""
    template = urlsplit(template_url).path.lstrip("/")
    if not re.fullmatch(r"summit_bench[a-z0-9_]*", name) or name == template:
        raise SystemExit(f"deadline day: refusing to use {name!r} as the copy")
    server = with_db(template_url, "postgres")
    result = psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if result.returncode:
        raise SystemExit(f"deadline day: could not drop {name}: {result.stderr.strip()}")
    give_up = time.monotonic() + wait
    while True:
        result = psql(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        if result.returncode == 0:
            return with_db(template_url, name)
        if "being accessed by other users" not in result.stderr or time.monotonic() > give_up:
            raise SystemExit(f"deadline day: could not copy {template}: {result.stderr.strip()}")
        time.sleep(2)


def django_step(env: dict[str, str], *args: str) -> dict:
    """Run this file as a Django process on the copy (`prepare` or `check`); its JSON answer."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__)), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"deadline day: {args[0]} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- inside Django: prepare and check --------------------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(counts: dict[str, int]) -> dict:
    """Make the copy ready for deadline day and return the clients' plan (module docstring)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.db import transaction
    from django.utils import timezone

    from dataquality.models import Statement
    from dataquality.services import current_policy
    from performance.collection import due
    from performance.common import access
    from performance.core.roles import Role
    from performance.models import AuditEvent, CollectionRound, Indicator, TeamMembership, Value

    User = get_user_model()
    today = timezone.localdate()
    with transaction.atomic():
        rounds = due.open_rounds(today=today)
        if not rounds:
            raise SystemExit("no collection round is open today in the bench database")
        CollectionRound.objects.filter(pk__in=[r.pk for r in rounds]).update(closes_on=today)
        rounds = due.open_rounds(today=today)
        items = due.due_items(rounds, history=1, prefetch_people=True)
        password = User.objects.get(username="performance").password
        rng = random.Random(23)

        def make(prefix: str, number: int, role: Role) -> list:
            made = User.objects.bulk_create(
                [
                    User(
                        username=f"{prefix}{n:03d}",
                        first_name=prefix.split(".")[1].capitalize(),
                        last_name=f"{n:03d}",
                        email=f"{prefix}{n:03d}@example.gov.uk",
                        password=password,
                    )
                    for n in range(1, number + 1)
                ]
            )
            group = access.group_for(role)
            User.groups.through.objects.bulk_create(
                [User.groups.through(user_id=u.pk, group_id=group.pk) for u in made]
            )
            return made

        # Enterers: every data enterer with items due, then new ones sharing a busy team's items.
        by_enterer: dict[int, list] = {}
        for item in items:
            for person in item.indicator.enterers.all():
                by_enterer.setdefault(person.pk, []).append(item)
        enterer_ids = sorted(by_enterer, key=lambda pk: (-len(by_enterer[pk]), pk))
        enterer_ids = enterer_ids[: counts["enterers"]]
        missing = counts["enterers"] - len(enterer_ids)
        if missing > 0:
            busiest = sorted(by_enterer.values(), key=len, reverse=True)
            for n, person in enumerate(make("load.enterer", missing, Role.DATA_ENTERER)):
                share = busiest[n % len(busiest)]
                Indicator.enterers.through.objects.bulk_create(
                    [
                        Indicator.enterers.through(indicator_id=i.indicator.pk, user_id=person.pk)
                        for i in share
                    ]
                )
                TeamMembership.objects.get_or_create(user=person, team=share[0].indicator.team)
                by_enterer[person.pk] = list(share)
                enterer_ids.append(person.pk)

        # Managers: those covering the most due indicators; every due indicator gets at least
        # one of them (a team's own where there is one), and about one in five a second.
        by_manager: dict[int, set[int]] = {}
        for item in items:
            for person in item.indicator.managers.all():
                by_manager.setdefault(person.pk, set()).add(item.indicator.pk)
        manager_ids = sorted(by_manager, key=lambda pk: (-len(by_manager[pk]), pk))
        manager_ids = manager_ids[: counts["managers"]]
        if len(manager_ids) < counts["managers"]:
            manager_ids += [
                u.pk
                for u in make(
                    "load.manager", counts["managers"] - len(manager_ids), Role.DATA_MANAGER
                )
            ]
        chosen = set(manager_ids)
        links = []
        memberships = []
        for number, item in enumerate(items):
            have = {p.pk for p in item.indicator.managers.all()} & chosen
            want = 2 if rng.random() < 0.2 else 1
            pool = [m for m in manager_ids if m not in have]
            for extra in range(max(0, want - len(have))):
                person = pool[(number + 7 * extra) % len(pool)]
                links.append(
                    Indicator.managers.through(indicator_id=item.indicator.pk, user_id=person)
                )
                memberships.append(TeamMembership(user_id=person, team_id=item.indicator.team_id))
        Indicator.managers.through.objects.bulk_create(links, ignore_conflicts=True)
        TeamMembership.objects.bulk_create(memberships, ignore_conflicts=True)

        officers = make("load.officer", counts["officers"], Role.PERFORMANCE_OFFICER)
        members = make("load.member", counts["members"], Role.MEMBER)

        policy = current_policy(today=today)
        if policy is not None:
            now = timezone.now()
            rows = [
                Statement(person_id=pk, policy=policy, role=Statement.Role.ENTERER, signed_at=now)
                for pk in enterer_ids
            ] + [
                Statement(person_id=pk, policy=policy, role=Statement.Role.MANAGER, signed_at=now)
                for pk in manager_ids
            ]
            for officer in officers:
                rows += [
                    Statement(person=officer, policy=policy, role=role, signed_at=now)
                    for role in (Statement.Role.ENTERER, Statement.Role.MANAGER)
                ]
            Statement.objects.bulk_create(rows, ignore_conflicts=True)

        # Everyone is already signed in, as on the morning of the day: a session each, made
        # here, because 300 password checks (slow on purpose) are not what the day measures.
        store = import_module(settings.SESSION_ENGINE).SessionStore
        sessions = {}
        everyone = [*enterer_ids, *manager_ids, *(u.pk for u in officers), *(u.pk for u in members)]
        for user in User.objects.filter(pk__in=everyone):
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "performance.signin.backends.LocalBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions[user.username] = session.session_key
        names = dict(User.objects.values_list("pk", "username"))
        pairs = {(item.indicator.pk, item.period) for item in items}
        before = {
            str(pk): version
            for pk, version, indicator_id, period in Value.objects.filter(
                indicator_id__in={i for i, _ in pairs}, period__in={p for _, p in pairs}
            ).values_list("pk", "version", "indicator_id", "period")
            if (indicator_id, period) in pairs
        }
        last_audit = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def describe(item) -> dict:
        indicator = item.indicator
        return {
            "round": item.round.pk,
            "indicator": indicator.pk,
            "code": indicator.code,
            "period": item.period,
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "ratio": indicator.aggregation == "ratio",
            "target": None if item.target is None else str(item.target),
            "last": None if item.last_value is None else str(item.last_value[1]),
        }

    return {
        "today": today.isoformat(),
        "rounds": [
            {"id": r.pk, "name": str(r), "closes_on": r.closes_on.isoformat()} for r in rounds
        ],
        "items": len(items),
        "enterers": {names[pk]: [describe(i) for i in by_enterer[pk]] for pk in enterer_ids},
        "managers": [names[pk] for pk in manager_ids],
        "officers": [u.username for u in officers],
        "members": [u.username for u in members],
        "indicators": sorted({i.indicator.pk for i in items}),
        "pairs": sorted([list(p) for p in pairs]),
        "before": before,
        "sessions": sessions,
        "cookie": settings.SESSION_COOKIE_NAME,
        "last_audit": last_audit,
    }


def check(plan: dict, records: dict) -> dict:
    """Reconcile the clients' claims with the audit trail and the values (in Django)."""
    from django.contrib.contenttypes.models import ContentType

    from performance.models import AuditEvent, Value

    pairs = {tuple(p) for p in plan["pairs"]}
    values = [
        v
        for v in Value.objects.filter(
            indicator_id__in={i for i, _ in pairs}, period__in={p for _, p in pairs}
        ).values("pk", "indicator_id", "period", "status", "version")
        if (v["indicator_id"], v["period"]) in pairs
    ]
    ids = {str(v["pk"]) for v in values}
    events = [
        accounting.Event(
            id=e["id"],
            value_id=int(e["object_id"]),
            actor=e["actor_name"],
            action=e["action"],
            status=accounting.statuses(e["changes"]),
        )
        for e in AuditEvent.objects.filter(
            id__gt=plan["last_audit"], content_type=ContentType.objects.get_for_model(Value)
        ).values("id", "object_id", "actor_name", "action", "changes")
        if e["object_id"] in ids
    ]
    outside = (
        AuditEvent.objects.filter(
            id__gt=plan["last_audit"], content_type=ContentType.objects.get_for_model(Value)
        )
        .exclude(object_id__in=ids)
        .count()
    )
    rows = [
        accounting.Row(
            value_id=v["pk"],
            indicator_id=v["indicator_id"],
            period=v["period"],
            status=v["status"],
            version=v["version"],
            version_before=plan["before"].get(str(v["pk"]), 0),
        )
        for v in values
    ]
    actors = set(plan["enterers"]) | set(plan["managers"]) | set(plan["officers"])
    findings = accounting.reconcile(
        claims=[accounting.Claim(**c) for c in records["claims"]],
        uncertain=[accounting.Claim(**c) for c in records["uncertain"]],
        events=events,
        rows=rows,
        actors=actors,
    )
    result = asdict(findings)
    result["ok"] = findings.ok and not outside
    result["outside"] = outside
    result["statuses"] = dict(Counter(v["status"] for v in values))
    return result


# --- the people -------------------------------------------------------------------------------


@dataclass
class Book:
    """Everything the clients saw, shared by their threads."""

    samples: list[accounting.Sample] = field(default_factory=list)
    claims: list[accounting.Claim] = field(default_factory=list)
    uncertain: list[accounting.Claim] = field(default_factory=list)
    problems: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, outcome: str, note: str = "") -> None:
        with self.lock:
            # When it was sent (this clock; `report` counts from the start of the run).
            sent = time.monotonic() - ms / 1000
            self.samples.append(accounting.Sample(kind, ms, outcome, at=sent))
            if outcome == accounting.ERROR:
                self.problems[f"{kind}: {note}"[:200]] += 1
            elif outcome == accounting.REFUSED and note:
                self.refusals[f"{kind}: {note}"[:160]] += 1

    def claim(self, claim: accounting.Claim, *, certain: bool = True) -> None:
        with self.lock:
            (self.claims if certain else self.uncertain).append(claim)


class Stopped(Exception):
    """The run's clock stopped while the person was thinking."""


class Person:
    """One signed-in person: timed requests, think times, the run's clock."""

    def __init__(self, run: Run, username: str, role: str, seed: int) -> None:
        self.run, self.username, self.role = run, username, role
        self.rng = random.Random(seed)
        self.session = run.session_class(run.host, run.port, run.timeout)

    def think(self, action: str) -> None:
        """Pause as the person would; `Stopped` when the run ends meanwhile: a person does not
        send what they were typing the moment the clock stops (every pause cut short at once
        would send a burst of writes no real morning has)."""
        low, high = THINK[action]
        pause = self.rng.uniform(low, high) * self.run.think_scale
        self.run.stop.wait(max(0.0, min(pause, self.run.stop_at - time.monotonic())))
        if not self.running():
            raise Stopped

    def running(self) -> bool:
        return time.monotonic() < self.run.stop_at and not self.run.stop.is_set()

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body=None,
        *,
        htmx: bool = False,
        files=None,
        raw: bool = False,
    ) -> tuple[int | None, str | bytes, float]:
        """(status, body, ms); status None when no answer came (recorded as an error)."""
        if not self.run.spend():
            self.run.stop.set()
            return None, "", 0.0
        headers = {"HX-Request": "true"} if htmx else {}
        started = time.perf_counter()
        try:
            status, text = self.session.request(
                method, path, body, headers=headers, files=files, raw=raw
            )
        except Exception as error:
            ms = (time.perf_counter() - started) * 1000
            self.run.book.add(kind, ms, accounting.ERROR, f"no answer ({type(error).__name__})")
            return None, "", ms
        ms = (time.perf_counter() - started) * 1000
        if status >= 500:
            self.run.book.add(kind, ms, accounting.ERROR, f"HTTP {status}")
        return status, text, ms

    def page(self, kind: str, path: str) -> str:
        status, text, ms = self.call(kind, "GET", path)
        if status is None or status >= 500:
            return ""
        if status != 200:
            self.run.book.add(kind, ms, accounting.ERROR, f"HTTP {status}")
            return ""
        self.run.book.add(kind, ms, accounting.OK)
        return str(text)


def figure(item: dict, rng: random.Random) -> dict[str, str]:
    """A plausible entry for a due item: near its target (or last value), with a comment, so
    the comment rule never refuses it; ratio indicators by numerator and denominator."""
    base = Decimal(item["target"] or item["last"] or "50")
    step = Decimal(1).scaleb(-item["decimals"])
    value = base + step * rng.randint(-2, 2)
    if item["unit"] == "percent":
        value = min(max(value, Decimal(0)), Decimal(100))
    value = max(value, Decimal(0)).quantize(step)
    comment = f"Deadline day: checked against the source system ({rng.randint(1, 999)})."
    if item["ratio"]:
        scale = Decimal(2) if item["unit"] == "percent" else Decimal(200)
        return {
            "value": "",
            "numerator": str((value * scale).quantize(Decimal("0.000001")).normalize()),
            "denominator": "200",
            "comment": comment,
        }
    return {"value": str(value), "numerator": "", "denominator": "", "comment": comment}


def wrong(item: dict) -> dict[str, str]:
    """An entry refused on purpose: letters where a number goes."""
    key = "numerator" if item["ratio"] else "value"
    entry = {"value": "", "numerator": "", "denominator": "200" if item["ratio"] else ""}
    entry[key] = "12,5O"  # a letter O for a zero, as people type
    entry["comment"] = "Typed in a hurry."
    return entry


STATUS_RE = re.compile(r'class="returns-item returns-item--(\w+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')


def item_state(html: str) -> tuple[str | None, int | None]:
    status = STATUS_RE.search(html)
    version = VERSION_RE.search(html)
    return (status.group(1) if status else None), (int(version.group(1)) if version else None)


def enterer(person: Person, items: list[dict], use_excel: bool) -> None:
    run, rng = person.run, person.rng
    state: dict[str, str | None] = {f"{i['round']}-{i['indicator']}": None for i in items}
    by_key = {f"{i['round']}-{i['indicator']}": i for i in items}
    person.page("My returns", "/returns/")
    if use_excel and person.running():
        excel_pass(person, by_key, state)
    pause = "read"
    while person.running():
        open_keys = [k for k, s in state.items() if s not in ("submitted", "activated")]
        # Once everything is sent, a look now and then for values returned or activated.
        person.think(pause if open_keys else "idle")
        if not person.running():
            break
        pause = "next"
        editing = False
        if open_keys:
            key = rng.choice(open_keys)
        else:
            roll = rng.random()
            if roll < 0.5:
                person.page("My returns", "/returns/")
                continue
            key = rng.choice(list(state))
            editing = roll < 0.75 and state[key] == "submitted"
        item = by_key[key]
        path = f"/returns/{item['round']}/{item['indicator']}/"
        status, html, ms = person.call(
            "Due item (htmx GET)", "GET", path + ("?edit=1" if editing else ""), htmx=True
        )
        if status != 200:
            if status is not None and status < 500:
                run.book.add("Due item (htmx GET)", ms, accounting.ERROR, f"HTTP {status}")
            continue
        run.book.add("Due item (htmx GET)", ms, accounting.OK)
        state[key], version = item_state(str(html))
        if version is None:  # read-only: submitted (not editing) or activated
            continue
        person.think("type")
        if rng.random() < 0.35:
            version = post_entry(person, item, version, "save", figure(item, rng), state)
            if version is None:
                continue
            person.think("revise")
        if rng.random() < 0.12:
            post_entry(person, item, version, "submit", wrong(item), state, on_purpose=True)
            person.think("next")  # reading the message and correcting the figure
        post_entry(person, item, version, "submit", figure(item, rng), state)


def post_entry(
    person: Person,
    item: dict,
    version: int,
    action: str,
    entry: dict[str, str],
    state: dict,
    *,
    on_purpose: bool = False,
) -> int | None:
    """POST one entry as htmx does; the version of the answer when it was saved, else None."""
    run = person.run
    key = f"{item['round']}-{item['indicator']}"
    kind = (
        "Submit with an error on purpose"
        if on_purpose
        else ("Submit (htmx POST)" if action == "submit" else "Save draft (htmx POST)")
    )
    body = {**entry, "version": str(version), "action": action}
    path = f"/returns/{item['round']}/{item['indicator']}/"
    status, html, ms = person.call(kind, "POST", path, body, htmx=True)
    claim = accounting.Claim(
        user=person.username,
        action="submit" if action == "submit" else "draft",
        indicator_id=item["indicator"],
        period=item["period"],
    )
    if status is None:
        if not on_purpose:
            run.book.claim(claim, certain=False)
        return None
    if status >= 500:
        return None
    html = str(html)
    if status != 200:
        run.book.add(kind, ms, accounting.ERROR, f"HTTP {status}")
        return None
    if "Your change was not saved" in html:
        message = re.search(r'<p class="govuk-body">([^<]+)</p>', html.split("not saved", 1)[1])
        text = message.group(1) if message else "?"
        if "was changed by" in text or "was removed" in text:
            run.book.add(kind, ms, accounting.REFUSED, "stale: someone changed it first")
        else:
            run.book.add(kind, ms, accounting.ERROR, f"refused: {text[:120]}")
        state[key] = None
        return None
    if "there is a problem" in html:
        errors = re.findall(r'<li><a href="#item-[^"]+">([^<]+)</a></li>', html)
        run.book.add(
            kind,
            ms,
            accounting.REFUSED if on_purpose else accounting.ERROR,
            "" if on_purpose else f"validation: {'; '.join(errors)[:140]}",
        )
        return None
    if ("Submitted " if action == "submit" else "Saved ") in html:
        run.book.add(kind, ms, accounting.OK)
        run.book.claim(claim)
        state[key], version_after = item_state(html)
        return version_after
    run.book.add(kind, ms, accounting.ERROR, "no notice in the answer")
    return None


def excel_pass(person: Person, by_key: dict[str, dict], state: dict) -> None:
    """Download the returns workbook, fill every item not started, upload it to submit."""
    from openpyxl import load_workbook

    run = person.run
    status, data, ms = person.call("Excel download", "GET", "/returns/download/", raw=True)
    if status != 200:
        if status is not None and status < 500:
            run.book.add("Excel download", ms, accounting.ERROR, f"HTTP {status}")
        return
    run.book.add("Excel download", ms, accounting.OK)
    book = load_workbook(io.BytesIO(data))  # type: ignore[arg-type]
    sheet = book["Returns"]
    header = [c.value for c in sheet[1]]
    column = {name: header.index(name) + 1 for name in header if name}
    filled = []
    for row in range(2, sheet.max_row + 1):
        key = str(sheet.cell(row, column["key"]).value or "")
        version = sheet.cell(row, column["version"]).value
        if key not in by_key or int(version or 0) != 0:
            continue
        for name, text in figure(by_key[key], person.rng).items():
            sheet.cell(row, column[name]).value = text or None
        filled.append(by_key[key])
    if not filled:
        return
    out = io.BytesIO()
    book.save(out)
    person.think("type")  # filling in the workbook
    status, html, ms = person.call(
        "Excel upload, submit",
        "POST",
        "/returns/upload/",
        {"mode": "submit"},
        files={"workbook": ("my-returns.xlsx", out.getvalue())},
    )
    claims = [
        accounting.Claim(
            user=person.username, action="submit", indicator_id=i["indicator"], period=i["period"]
        )
        for i in filled
    ]
    if status is None:
        for claim in claims:
            run.book.claim(claim, certain=False)
        return
    if status >= 500:
        return
    if status == 302:
        run.book.add("Excel upload, submit", ms, accounting.OK)
        for claim, item in zip(claims, filled, strict=True):
            run.book.claim(claim)
            state[f"{item['round']}-{item['indicator']}"] = "submitted"
        return
    html = str(html)
    if "while you were uploading" in html or "was changed by" in html:
        run.book.add("Excel upload, submit", ms, accounting.REFUSED, "stale: someone changed one")
        return
    found = re.findall(r"Row \d+, cell [A-Z]+\d+: [^<]+|file_error[^<]*", html)
    run.book.add(
        "Excel upload, submit", ms, accounting.ERROR, f"HTTP {status}: {'; '.join(found)[:140]}"
    )


QUEUE_RE = re.compile(r'name="version-(\d+)" value="(\d+)"')
REASON = "Please check this against the source report and resubmit."


def manager(person: Person) -> None:
    rng = person.rng
    while person.running():
        html = person.page("Activation queue", "/activation/")
        rows = [(int(a), int(b)) for a, b in QUEUE_RE.findall(html)]
        if not rows:
            person.think("watch")
            continue
        person.think("scan")
        if not person.running():
            break
        returning = rng.random() < 0.15
        if len(rows) >= 2 and rng.random() < 0.3:
            chosen = rng.sample(rows, min(len(rows), rng.randint(2, 6)))
            action = "return" if returning else "activate"
            kind = f"Bulk {action}"
            body = [("action", action), ("reason", REASON if returning else "")]
            body += [("selected", str(vid)) for vid, _ in chosen]
            body += [(f"version-{vid}", str(ver)) for vid, ver in chosen]
            status, answer, ms = person.call(kind, "POST", "/activation/bulk/", body)
            claims = [
                accounting.Claim(user=person.username, action=action, value_id=v) for v, _ in chosen
            ]
            settle(person, kind, status, str(answer), ms, claims)
        else:
            value_id, _ = rng.choice(rows[: max(3, len(rows) // 3)])
            review = person.page("Value review", f"/activation/{value_id}/")
            version = VERSION_RE.search(review)
            if version is None:
                continue  # no longer submitted: someone else acted first
            person.think("review")
            action = "return" if returning else "activate"
            kind = "Return one" if returning else "Activate one"
            body = {"action": action, "version": version.group(1)}
            if returning:
                body["reason"] = REASON
            status, answer, ms = person.call(kind, "POST", f"/activation/{value_id}/", body)
            claims = [accounting.Claim(user=person.username, action=action, value_id=value_id)]
            settle(person, kind, status, str(answer), ms, claims)
        person.think("next")


def settle(person, kind, status, answer: str, ms: float, claims: list) -> None:
    """Book a manager's POST: a redirect is success; a lost race is an expected refusal."""
    run = person.run
    if status is None:
        for claim in claims:
            run.book.claim(claim, certain=False)
        return
    if status >= 500:
        return
    if status == 302:
        run.book.add(kind, ms, accounting.OK)
        for claim in claims:
            run.book.claim(claim)
        return
    if status in (400, 409) and (
        "was changed by" in answer or "not submitted" in answer or "no longer exists" in answer
    ):
        run.book.add(kind, ms, accounting.REFUSED, "stale: someone acted first")
        return
    message = re.findall(r'govuk-error-summary__list">\s*<li>(?:<a[^>]*>)?([^<]+)', answer)
    run.book.add(kind, ms, accounting.ERROR, f"HTTP {status}: {'; '.join(message)[:140]}")


def officer(person: Person) -> None:
    rounds = person.run.plan["rounds"]
    while person.running():
        person.page("Collection page", "/collection/")
        person.think("watch")
        if not person.running():
            break
        person.page("Collection round", f"/collection/{person.rng.choice(rounds)['id']}/")
        person.think("watch")
        if not person.running():
            break
        person.page("Data quality board", "/data-quality/")
        person.think("watch")


def member(person: Person) -> None:
    indicators = person.run.plan["indicators"]
    while person.running():
        person.page("Dashboard", "/")
        person.think("page")
        for _ in range(person.rng.randint(1, 3)):
            if not person.running():
                return
            person.page("Indicator page", f"/indicators/{person.rng.choice(indicators)}/")
            person.think("page")
        if not person.running():
            return
        if person.rng.random() < 0.5:
            person.page("League table", "/reach-the-summit/")
        else:
            person.page("Indicator list", "/indicators/")
        person.think("page")


# --- the run ----------------------------------------------------------------------------------


class LockSampler(threading.Thread):
    """Every second: sessions of the copy waiting on a lock, and lock requests not granted."""

    def __init__(self, url: str, name: str) -> None:
        super().__init__(daemon=True)
        self.url, self.name = url, name
        self.halt = threading.Event()
        self.samples = 0
        self.with_waits = 0
        self.max_waiting = 0
        self.max_not_granted = 0
        self.longest = 0.0
        self.what: Counter = Counter()
        self.loads: list[float] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            while not self.halt.wait(1.0):
                self.loads.append(os.getloadavg()[0])
                rows = db.execute(
                    "SELECT a.wait_event, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 90), "
                    "extract(epoch FROM now() - a.state_change) FROM pg_stat_activity a "
                    "WHERE a.datname = %s AND a.wait_event_type = 'Lock'",
                    (self.name,),
                ).fetchall()
                (not_granted,) = db.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE NOT l.granted AND a.datname = %s",
                    (self.name,),
                ).fetchone()
                self.samples += 1
                if rows or not_granted:
                    self.with_waits += 1
                self.max_waiting = max(self.max_waiting, len(rows))
                self.max_not_granted = max(self.max_not_granted, not_granted)
                for event, query, seconds in rows:
                    self.what[f"{event}: {query}"] += 1
                    self.longest = max(self.longest, float(seconds or 0))


def deadlocks(url: str, name: str) -> int:
    result = psql(url, f"SELECT deadlocks FROM pg_stat_database WHERE datname = '{name}'")
    return int(result.stdout.strip() or 0)


class Run:
    def __init__(self, args, plan: dict, base: str, session_class) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.timeout = args.timeout
        self.think_scale = args.think_scale
        self.session_class = session_class
        self.plan = plan
        self.book = Book()
        self.stop = threading.Event()
        self.stop_at = float("inf")
        self.clock = 0.0  # when the people started work (time.monotonic)
        self.budget = args.max_requests
        self._spent = 0
        self._lock = threading.Lock()

    def spend(self) -> bool:
        with self._lock:
            self._spent += 1
            return self._spent <= self.budget


def sign_in_everyone(run: Run, people: list[tuple[str, str]], *, measured: int = 10) -> dict:
    """Everyone's session (made by `prepare`); the first `measured` people sign in for real, one
    after another, so the table still shows what signing in costs."""
    persons: dict[str, Person] = {}
    for number, (username, role) in enumerate(people):
        person = Person(run, username, role, seed=number)
        if number % max(1, len(people) // measured) == 0:
            started = time.perf_counter()
            try:
                person.session.login(username)
            except Exception as error:
                run.book.add(
                    "Sign-in (before the clock)",
                    (time.perf_counter() - started) * 1000,
                    accounting.ERROR,
                    str(error),
                )
                continue
            run.book.add(
                "Sign-in (before the clock)", (time.perf_counter() - started) * 1000, accounting.OK
            )
        else:
            person.session.cookies[run.plan["cookie"]] = run.plan["sessions"][username]
        persons[username] = person
    return persons


def table(rows: list[accounting.KindRow]) -> list[str]:
    lines = [
        "| request | count | errors | refused (expected) | median ms | p95 ms | p99 ms | max ms | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        if row.kind.startswith("Sign-in"):
            verdict = "–"
        else:
            limit = WRITE_TARGET_MS if row.kind in SAVE_KINDS else PAGE_TARGET_MS
            verdict = f"p95 < {limit:,} ms: " + ("✓" if row.p95 < limit else "✗")
        lines.append(
            f"| {row.kind} | {row.count} | {row.errors} | {row.refused} | {row.median:.0f} | "
            f"{row.p95:.0f} | {row.p99:.0f} | {row.maximum:.0f} | {verdict} |"
        )
    return lines


def run_deadline_day(args, serve: Callable, session_class) -> int:
    """The whole deadline day (module docstring); `serve(database_url)` starts the server and
    returns (stop, base URL), so another way of serving can be swapped in."""
    counts = {k: getattr(args, k) for k in PEOPLE}
    if sum(counts.values()) > MAX_PEOPLE:
        raise SystemExit(f"deadline day: at most {MAX_PEOPLE} people")
    if not 1 <= args.seconds <= 600:
        raise SystemExit("deadline day: --seconds must be between 1 and 600")
    template = args.serve
    if not template or not urlsplit(template).scheme.startswith("postgres"):
        raise SystemExit("deadline day: --serve must name the seeded bench database (postgres://)")
    started_at = dt.datetime.now(dt.UTC)
    print(
        f"[deadline day] copying {urlsplit(template).path.lstrip('/')} to {COPY_NAME}", flush=True
    )
    copy = fresh_copy(template)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # The server's var directory too: the sessions made here are signed with its secret key.
    env.update(
        DATABASE_URL=copy,
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="WARNING",
        SUMMIT_VAR_DIR=str(VAR_DIR),
    )
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "scripts"), str(ROOT)])
    # The working tree may be ahead of the seeded database (as `make bench` does on reuse).
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if migrated.returncode:
        raise SystemExit(f"deadline day: migrate failed:\n{migrated.stderr[-3000:]}")
    plan = django_step(env, "prepare", json.dumps(counts))
    print(
        f"[deadline day] {plan['items']} items due in "
        f"{', '.join(r['name'] for r in plan['rounds'])}, closing {plan['rounds'][0]['closes_on']}; "
        f"{len(plan['enterers'])} enterers, {len(plan['managers'])} managers, "
        f"{len(plan['officers'])} officers, {len(plan['members'])} members",
        flush=True,
    )
    deadlocks_before = deadlocks(with_db(template, "postgres"), COPY_NAME)
    stop_server, base = serve(copy)
    load_before = os.getloadavg()
    try:
        run = Run(args, plan, base, session_class)
        people = (
            [(name, "enterer") for name in plan["enterers"]]
            + [(name, "manager") for name in plan["managers"]]
            + [(name, "officer") for name in plan["officers"]]
            + [(name, "member") for name in plan["members"]]
        )
        print(f"[deadline day] signing in {len(people)} people at {base}", flush=True)
        persons = sign_in_everyone(run, people)
        sampler = LockSampler(copy, COPY_NAME)
        sampler.start()
        run.stop_at = time.monotonic() + args.seconds
        threads = []
        for number, (name, role) in enumerate(people):
            person = persons.get(name)
            if person is None:
                continue
            if role == "enterer":
                target, extra = enterer, (plan["enterers"][name], number % 10 == 0)
            else:
                target, extra = {"manager": manager, "officer": officer, "member": member}[role], ()

            def body(person=person, target=target, extra=extra) -> None:
                # People arrive over the first minutes of the morning, not all at once.
                person.run.stop.wait(
                    person.rng.uniform(0, ARRIVAL_SECONDS * person.run.think_scale)
                )
                try:
                    if person.running():
                        target(person, *extra)
                except Stopped:
                    pass
                except Exception as error:  # a bug in the client must show, not hang the run
                    person.run.book.add("client", 0.0, accounting.ERROR, repr(error)[:150])

            threads.append(threading.Thread(target=body, daemon=True))
        clock = run.clock = time.monotonic()
        print(f"[deadline day] {len(threads)} people at work for {args.seconds:g} s", flush=True)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, run.stop_at - time.monotonic()) + args.timeout + 30)
        elapsed = time.monotonic() - clock
        run.stop.set()
        sampler.halt.set()
        sampler.join(timeout=10)
    finally:
        try:
            stop_server()
        except Exception as error:  # the results of the run matter more than a clean stop
            print(f"[deadline day] the server did not stop cleanly: {error!r}", flush=True)
    time.sleep(1.0)  # the server's sessions have ended and reported their statistics
    deadlocks_after = deadlocks(with_db(template, "postgres"), COPY_NAME)
    records_path = Path(tempfile.mkdtemp(prefix="deadline-day-")) / "records.json"
    records_path.write_text(
        json.dumps(
            {
                "claims": [asdict(c) for c in run.book.claims],
                "uncertain": [asdict(c) for c in run.book.uncertain],
            }
        )
    )
    plan_path = records_path.with_name("plan.json")
    plan_path.write_text(json.dumps(plan))
    findings = django_step(env, "check", str(plan_path), str(records_path))
    return report(
        args,
        run,
        findings,
        sampler,
        elapsed,
        started_at,
        load_before,
        deadlocks_after - deadlocks_before,
    )


def report(args, run, findings, sampler, elapsed, started_at, load_before, new_deadlocks) -> int:
    rows = accounting.summarise(run.book.samples)
    errors = sum(r.errors for r in rows)
    loads = sampler.loads or [0.0]
    lines = [
        f"Deadline day run of {started_at:%Y-%m-%d %H:%M} UTC: {elapsed:.0f} s, "
        f"{sum(r.count for r in rows)} requests, {errors} errors; "
        f"{len(run.plan['enterers'])} enterers, {len(run.plan['managers'])} managers, "
        f"{len(run.plan['officers'])} officers, {len(run.plan['members'])} members "
        f"(think × {args.think_scale:g}); load average before {load_before[0]:.2f}, "
        f"during {sum(loads) / len(loads):.2f} on average, at most {max(loads):.2f}.",
        "",
        *table(rows),
        "",
        f"Writes seen to succeed: {findings['claims']} ({len(run.book.uncertain)} unanswered); "
        f"audit events of the run: {findings['events']} on {findings['values']} values "
        f"(now {findings['statuses']}); events outside the round: {findings['outside']}.",
        f"Lost writes: {len(findings['lost'])}; doubled: {len(findings['doubled'])}; "
        f"duplicate values: {len(findings['duplicates'])}; changes not audited one for one: "
        f"{len(findings['unaudited'])}; status unlike the last event: "
        f"{len(findings['inconsistent'])}.",
        f"Lock waits: {sampler.with_waits} of {sampler.samples} one-second samples had a "
        f"session waiting on a lock (at most {sampler.max_waiting} at once, "
        f"{sampler.max_not_granted} lock requests not granted, longest seen "
        f"{sampler.longest:.2f} s); deadlocks: {new_deadlocks}.",
    ]
    for what, count in sampler.what.most_common(5):
        lines.append(f"- waiting ×{count}: {what}")
    # The maximum explained: what was in flight when each of the slowest requests was sent.
    lines.append("Slowest requests, with what was in flight when each was sent:")
    clock = run.clock
    for slow in accounting.slowest(run.book.samples, WRITE_KINDS, count=8):
        lines.append(
            f"- {slow.kind}: {slow.ms:,.0f} ms, sent {slow.at - clock:.0f} s into the run, "
            f"{slow.in_flight} other requests in flight ({slow.writes_in_flight} writes)"
        )
    for title, found in (
        ("lost", findings["lost"]),
        ("doubled", findings["doubled"]),
        ("duplicate", findings["duplicates"]),
        ("not audited one for one", findings["unaudited"]),
        ("inconsistent", findings["inconsistent"]),
    ):
        for line in found[:10]:
            lines.append(f"- {title}: {line}")
    for what, count in run.book.problems.most_common(15):
        lines.append(f"- error ×{count}: {what}")
    for what, count in run.book.refusals.most_common(8):
        lines.append(f"- refused ×{count}: {what}")
    text = "\n".join(lines)
    print(text, flush=True)
    if args.report:
        Path(args.report).write_text(text + "\n")
    failed = errors or not findings["ok"] or new_deadlocks
    if failed:
        print("[deadline day] FAILED: errors, lost or doubled writes, or deadlocks", flush=True)
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("deadline day (--deadline-day)")
    for name, default in PEOPLE.items():
        group.add_argument(f"--{name}", type=int, default=default)
    group.add_argument("--think-scale", type=float, default=1.0, help="multiply think times")
    group.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    group.add_argument("--report", help="also write the results (Markdown) to this file")


if __name__ == "__main__":
    step = sys.argv[1]
    _setup_django()
    if step == "prepare":
        answer = prepare(json.loads(sys.argv[2]))
    else:
        answer = check(
            json.loads(Path(sys.argv[2]).read_text()), json.loads(Path(sys.argv[3]).read_text())
        )
    print(json.dumps(answer))
