"""league_table --quarter Q [--format csv|json|table] (SPEC §11, §12)."""

from django.core.management.base import BaseCommand, CommandError

from performance.core.periods import PeriodError
from reach_summit import exports, selectors


class Command(BaseCommand):
    help = (
        "Print the Reach the Summit table for a quarter: the frozen snapshot once the window "
        "has closed, else the provisional live table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="A quarter written like 2024/25 Q1.")
        parser.add_argument("--format", choices=["csv", "json", "table"], default="table")

    def handle(self, *args, quarter: str, format: str, **options):
        try:
            period = selectors.parse_quarter(quarter)
        except PeriodError as error:
            raise CommandError(f"--quarter: {error}") from None
        table = selectors.league_table(period)
        if format == "csv":
            self.stdout.write(exports.as_csv(table.rows), ending="")
        elif format == "json":
            self.stdout.write(exports.as_json(table))
        else:
            self.stdout.write(exports.as_text_table(table), ending="")
