"""Benchmark of the data collection cycle (a rerunnable script, not a test).

    .venv/bin/python scripts/bench_collection.py [--rows 10000]

Builds a throwaway SQLite database (or uses DATABASE_URL when set and --use-env is passed) and
times: saving one value (service and HTTP), My returns for an officer with 60 due items, the
activation queue with 500 items, and importing a 10,000-row workbook. Prints the numbers.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--use-env", action="store_true", help="Use DATABASE_URL as set.")
    args = parser.parse_args()
    if not args.use_env:
        tmp = tempfile.mkdtemp(prefix="summit-bench-")
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        os.environ["SUMMIT_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from openpyxl import load_workbook

    from performance.collection import due, excel
    from performance.collection import services as collection
    from performance.common import access
    from performance.core import periods
    from performance.core.roles import Role
    from performance.models import CollectionRound, Directorate, Indicator, Team, Value

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    User = get_user_model()
    today = timezone.localdate()
    quarter = periods.quarter_of(today).previous()
    round_ = CollectionRound.objects.create(
        kind="quarterly", period=str(quarter), opens_on=today, closes_on=today
    )
    directorate = Directorate.objects.create(name="Bench")
    team = Team.objects.create(name="Bench team", slug="bench", directorate=directorate)

    def user(name, role):
        u = User.objects.create_user(name, f"{name}@example.gov.uk", "bench-password-1")
        u.groups.set([access.group_for(role)])
        return u

    officer = user("officer60", Role.DATA_ENTERER)
    manager = user("manager500", Role.DATA_MANAGER)
    bulk = user("bulk", Role.DATA_ENTERER)

    def indicators(prefix, count, enterer, managed_by=None):
        made = Indicator.objects.bulk_create(
            Indicator(
                code=f"{prefix} {n:05}",
                title=f"Bench indicator {prefix} {n}",
                kind="SPI",
                perspective="process",
                aspect="delivery",
                polarity="higher",
                unit="percent",
                decimals=1,
                frequency="quarterly",
                aggregation="mean",
                team=team,
                definition="A benchmark indicator.",
            )
            for n in range(count)
        )
        made = list(Indicator.objects.filter(code__startswith=f"{prefix} ").order_by("code"))
        Through = Indicator.enterers.through
        Through.objects.bulk_create(Through(indicator=i, user=enterer) for i in made)
        if managed_by:
            MThrough = Indicator.managers.through
            MThrough.objects.bulk_create(MThrough(indicator=i, user=managed_by) for i in made)
        return made

    def timed(fn, repeat=5):
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000, result

    results = []
    sixty = indicators("OFF", 60, officer)
    # 1. Saving one value: the service, then through HTTP (htmx fragment).
    n = {"i": 0}

    def save_one():
        ind = sixty[n["i"] % 60]
        n["i"] += 1
        current = Value.objects.filter(indicator=ind).values_list("version", flat=True).first()
        collection.save_entry(
            user=officer,
            round_=round_,
            indicator=ind,
            raw={"value": "97.5", "comment": ""},
            version=current or 0,
            submit=True,
        )

    ms, _ = timed(save_one, repeat=20)
    results.append(("save one value (service, submit with SPC check)", ms, None))
    client = Client()
    client.force_login(officer)

    def save_http():
        ind = sixty[n["i"] % 60]
        n["i"] += 1
        current = Value.objects.filter(indicator=ind).values_list("version", flat=True).first()
        return client.post(
            f"/returns/{round_.pk}/{ind.pk}/",
            {"value": "96", "version": current or 0, "action": "save"},
            HTTP_HX_REQUEST="true",
        )

    with CaptureQueriesContext(connection) as q:
        save_http()
    ms, _ = timed(save_http, repeat=20)
    results.append(("save one value (HTTP htmx POST)", ms, None))
    # 2. My returns with 60 due items.
    with CaptureQueriesContext(connection) as q:
        response = client.get("/returns/")
    assert response.status_code == 200
    assert response.content.count(b'class="returns-item ') == 60
    ms, _ = timed(lambda: client.get("/returns/"))
    results.append(("My returns, 60 due items (GET)", ms, None))
    # 3. Activation queue with 500 submitted values.
    five_hundred = indicators("QUE", 500, officer, managed_by=manager)
    Value.objects.bulk_create(
        Value(
            indicator=i,
            period=str(quarter),
            period_start=quarter.start,
            value=90,
            status="submitted",
            entered_by=officer,
            submitted_at=timezone.now(),
        )
        for i in five_hundred
    )
    mclient = Client()
    mclient.force_login(manager)
    with CaptureQueriesContext(connection) as q:
        response = mclient.get("/activation/")
    assert b"500 values waiting" in response.content
    ms, _ = timed(lambda: mclient.get("/activation/"))
    results.append(("Activation queue, 500 items (GET)", ms, None))
    # 4. Import a workbook of `rows` rows.
    start = time.perf_counter()
    indicators("BLK", args.rows, bulk)
    setup = time.perf_counter() - start
    start = time.perf_counter()
    items = due.due_items([round_], enterer=bulk, history=1)
    data = excel.build_workbook(items)
    built = time.perf_counter() - start
    book = load_workbook(io.BytesIO(data))
    sheet = book[excel.SHEET]
    column = excel.COLUMNS.index("value") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value=96.5)
    out = io.BytesIO()
    book.save(out)
    filled = out.getvalue()
    reset_queries()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        result = excel.import_workbook(user=bulk, name="bulk.xlsx", data=filled, submit=True)
    imported = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    assert result.saved == args.rows
    results.append((f"download workbook, {args.rows} rows (build)", built * 1000, None))
    results.append(
        (
            f"import workbook, {args.rows} rows (validate + save, submit)",
            imported * 1000,
            len(q.captured_queries),
        )
    )
    print(
        f"Summit collection benchmark on {connection.vendor} (setup of {args.rows} indicators {setup:.1f} s)"
    )
    print(f"{'operation':<58} {'median ms':>10} {'queries':>8}")
    for name, ms, queries in results:
        print(f"{name:<58} {ms:>10.1f} {queries if queries is not None else '':>8}")
    print(f"workbook size: {len(filled) / 1024:.0f} KB")
    print(
        "(Page query counts are asserted constant in tests/performance/collection/test_returns_views.py.)"
    )


if __name__ == "__main__":
    main()
