"""benchmark_position --measure CODE --group NAME --period P [--authority CODE] [--format csv|json]

One row with the columns of SPEC §12: measure, group, period, authority, value, rank, of,
quartile, q1, median, q3, missing. Empty cells (CSV) or null (JSON) where there is nothing:
our value, rank and quartile when we have no figure; the boundaries when nobody has one.
"""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from benchmarking import selectors
from benchmarking.positions import COLUMNS, PositionError, position_row
from performance.common import spreadsheets


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
            row = position_row(measure=measure, group=group, period=period, authority=authority)
        except PositionError as error:
            raise CommandError(f"--{error.field}: {error.message}") from error
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
