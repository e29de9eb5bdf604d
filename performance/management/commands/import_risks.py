"""import_risks FILE (SPEC §11, §12): risks from a .csv or .xlsx file, all or nothing, audited.

The rules are in `performance.risks.imports`.
"""

from django.core.management.base import BaseCommand, CommandError

from performance.management.commands.import_values import rejection
from performance.risks import imports


class Command(BaseCommand):
    help = (
        "Create or update risks from a .csv or .xlsx file with the columns "
        + ", ".join(imports.REQUIRED)
        + " and optionally linked_indicators (codes separated by ';') and review (YYYY-MM-DD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")

    def handle(self, *args, file: str, **options):
        try:
            result = imports.import_risks(path=file)
        except imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {file}: {result}"))
