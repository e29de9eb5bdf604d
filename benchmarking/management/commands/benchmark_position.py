"""benchmark_position --measure CODE --group NAME --period P [--authority CODE] [--format csv|json]

One row with the columns of SPEC §12: measure, group, period, authority, value, rank, of,
quartile, q1, median, q3, missing. Empty cells (CSV) or null (JSON) where there is nothing:
our value, rank and quartile when we have no figure; the boundaries when nobody has one.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from benchmarking import selectors, services
from benchmarking.models import Authority, BenchmarkMeasure, ComparatorGroup
from performance.common import spreadsheets
from performance.core import periods

COLUMNS = [
    "measure",
    "group",
    "period",
    "authority",
    "value",
    "rank",
    "of",
    "quartile",
    "q1",
    "median",
    "q3",
    "missing",
]


class Command(BaseCommand):
    help = "Our position on a benchmark measure in a comparator group for one period."

    def add_arguments(self, parser):
        parser.add_argument("--measure", required=True)
        parser.add_argument("--group", required=True)
        parser.add_argument("--period", required=True)
        parser.add_argument(
            "--authority", default=None, help="ONS/GSS code (default: setting COUNCIL_CODE)."
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, measure, group, period, authority, format, **options):
        try:
            label = str(periods.parse(period))
        except periods.PeriodError as error:
            raise CommandError(f"--period: {error}") from error
        code = (authority or selectors.council_code()).strip().upper()
        if problem := services.check_code(code):
            raise CommandError(f"--authority: {problem}")
        if not Authority.objects.filter(code=code).exists():
            raise CommandError(f"--authority: unknown authority {code}")
        try:
            benchmark = BenchmarkMeasure.objects.get(code=measure.strip())
        except BenchmarkMeasure.DoesNotExist:
            raise CommandError(
                f"--measure: no benchmark measure has the code {measure!r}"
            ) from None
        try:
            comparator_group = ComparatorGroup.objects.get(name=group.strip())
        except ComparatorGroup.DoesNotExist:
            raise CommandError(f"--group: no comparator group is named {group!r}") from None

        result = selectors.comparison(benchmark, comparator_group, period=label, authority=code)
        position = result.position
        values = {
            "value": position.value,
            "rank": position.rank,
            "of": position.of,
            "quartile": position.quartile,
            "q1": position.q1,
            "median": position.median,
            "q3": position.q3,
            "missing": position.missing,
        }
        row = {
            "measure": benchmark.code,
            "group": comparator_group.name,
            "period": label,
            "authority": code,
            **values,
        }
        if format == "json":
            self.stdout.write(json.dumps([{k: _json(row[k]) for k in COLUMNS}], indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow([_text(row[k]) for k in COLUMNS])


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # a code or a group's name: "=…" is quoted (issue 14)
        return spreadsheets.csv_text(value)
    if isinstance(value, int):
        return str(value)
    return selectors.plain(value)


def _json(value):
    if value is None or isinstance(value, int | str):
        return value
    # Decimals as JSON numbers written exactly (49.6, not 49.600000 or 49.599999…).
    return json.loads(selectors.plain(value))
