"""indicator_status --period P [--format csv|json] (SPEC §11, §12).

The rows and their formats are in `performance.indicators.status_export` (the API gives the same).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from performance.core import periods
from performance.indicators.status_export import (
    COLUMNS,
    NUMBER_COLUMNS,
    as_csv,
    as_json,
    status_rows,
)

__all__ = ["COLUMNS", "NUMBER_COLUMNS", "Command", "as_csv", "as_json", "status_rows"]


class Command(BaseCommand):
    help = "Print the status of every indicator with a value or a target in a period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="2024/25 (year), 2024/25 Q1 (quarter) or 2024-07."
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, period: str, format: str, **options):
        try:
            parsed = periods.parse(period)
        except periods.PeriodError as error:
            raise CommandError(f"--period: {error}.") from None
        rows = status_rows(parsed)
        self.stdout.write(as_json(rows) if format == "json" else as_csv(rows), ending="")
