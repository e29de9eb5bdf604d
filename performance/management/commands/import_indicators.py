"""import_indicators FILE (SPEC §11, §12): indicator definitions and targets, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from performance.indicators import imports
from performance.management.commands.import_values import rejection


class Command(BaseCommand):
    help = (
        "Create or update indicators and their targets from a .csv or .xlsx file with the "
        "columns code, title, kind, perspective, aspect, polarity, unit, decimals, frequency, "
        "aggregation, team, tolerance, baseline, baseline_period and any 'target <period>'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")

    def handle(self, *args, file: str, **options):
        try:
            result = imports.import_indicators(path=file)
        except imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.indicators} indicators from {file}: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged; targets: "
                f"{result.targets_created} created, {result.targets_updated} updated."
            )
        )
