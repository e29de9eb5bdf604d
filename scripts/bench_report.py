#!/usr/bin/env python
"""Benchmark the Management Team quarterly PDF (SPEC §10) on whatever database is configured.

Rerunnable: it only reads. Prepare a county-scale database once in a var dir of your own, then
run this as often as you like:

    export SUMMIT_VAR_DIR=/tmp/bench-var
    python manage.py migrate && python manage.py seed_demo --scale county
    python scripts/bench_report.py [--period "2025/26 Q2"] [--audience mt] [--runs 3] [-o out.pdf]

It prints, per run, the seconds spent gathering the data and laying out the PDF, and the peak
memory: Python allocations (tracemalloc) and the process's peak resident set size.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", help="default: the quarter most recently collected")
    parser.add_argument("--audience", default="mt")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("-o", "--output", help="keep the last PDF here")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument(
        "--untagged", action="store_true", help="without tags (issue 22), to see what they cost"
    )
    parser.add_argument("--kind", default="quarterly", help="any report kind (default: quarterly)")
    parser.add_argument(
        "--parts",
        type=int,
        help="lay the PDF out in this many parts (issue 21; default: as the worker would)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also WeasyPrint's floor: the same text, tables, charts and pages, plain (issue 21)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import reset_queries

    from performance.indicators import selectors as performance_selectors
    from performance.models import Indicator
    from performance.reports import exports, selectors, services
    from performance.reports.data import Kind, parse_audience, parse_period

    kind = Kind(args.kind)
    period = (
        parse_period(kind, args.period)
        if args.period
        else performance_selectors.latest_reporting_period()
    )
    audience = parse_audience(args.audience)
    kpis = Indicator.objects.filter(active=True, kind=Indicator.Kind.KPI).count()
    print(
        f"{kind.title} {period} for {audience.label}: {kpis} active KPIs, "
        f"{Indicator.objects.filter(active=True).count()} indicators in all"
    )
    import io

    from pypdf import PdfReader

    from performance.reports import pdf_store

    data = b""
    pages = 0
    for run in range(1, args.runs + 1):
        reset_queries()
        started = time.perf_counter()
        key = pdf_store.key_for(kind=kind, period=period, audience=audience, user=None)
        report = selectors.build(kind, period=period, audience=audience)
        gathered = time.perf_counter()
        cpu = time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        parts = args.parts or exports.parts_for(
            report, services.draft_stamp(), tagged=not args.untagged
        )
        data = exports.pdf(
            report, services.draft_stamp(), tagged=not args.untagged, parts=args.parts
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # With the parts' processes' CPU (issue 21), waited for before pdf() returns.
        cpu = (
            time.process_time()
            - cpu
            + (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime)
        )
        finished = time.perf_counter()
        pdf_store.store(key, data)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        pages = len(PdfReader(io.BytesIO(data)).pages)
        spotlights = sum(len(s.spotlights) for s in report.sections)
        print(
            f"run {run}: {finished - started:.2f} s (gather {gathered - started:.2f} s, "
            f"PDF {finished - gathered:.2f} s in {parts} part(s), {cpu:.2f} CPU s in all; "
            f"load {os.getloadavg()[0]:.1f}); "
            f"{len(report.open_data.rows)} indicators, "
            f"{spotlights} Red/Amber spotlights, {pages} pages, {len(data) / 1024:.0f} KiB; "
            f"peak RSS so far {rss:.0f} MiB"
        )
    # Issue 21: nothing changed since the last run, so the PDF comes from storage.
    started = time.perf_counter()
    found = pdf_store.find(
        pdf_store.key_for(kind=kind, period=period, audience=audience, user=None)
    )
    served = found.read_bytes() if found else b""
    print(
        f"nothing changed: {time.perf_counter() - started:.3f} s to serve "
        f"{len(served) // 1024} KB from storage" + ("" if found else " (NOT FOUND: rebuilt)")
    )
    if args.floor:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import pdf_floor

        report = selectors.build(kind, period=period, audience=audience)
        floor = pdf_floor.measure(exports.html(report, services.draft_stamp()), pages=pages)
        print(
            f"floor (WeasyPrint alone, plain HTML with the same text, {floor.tables} tables and "
            f"{floor.charts} charts): {floor.seconds:.2f} CPU s, {floor.pages} pages "
            f"({floor.matter_pages} of matter, {floor.padding_pages} of padding), "
            f"{floor.size // 1024} KiB; load {os.getloadavg()[0]:.1f}; "
            f"the report's last build took {(finished - gathered) / floor.seconds:.2f} × this "
            f"(seconds waited), {cpu / floor.seconds:.2f} × in CPU s"
        )
    # Python's own allocations, measured apart: tracing slows the work several times over.
    if args.output:
        Path(args.output).write_bytes(data)
        print(f"Wrote {args.output}")
    if args.no_memory:
        return 0
    tracemalloc.start()
    exports.pdf(selectors.build(kind, period=period, audience=audience), services.draft_stamp())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak Python allocations for one report: {peak / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
