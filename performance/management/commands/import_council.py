"""import_council FILE.xlsx [--dry-run] (SPEC §11, §12): a council workbook, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from performance.council import imports
from performance.management.commands.import_values import rejection


class Command(BaseCommand):
    help = (
        "Read a council workbook (export_council's sheets) into this council: every sheet is "
        "checked first, then all are written in one transaction. --dry-run says what would be "
        "created, changed and left alone, and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A council workbook (.xlsx).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )

    def handle(self, *args, file: str, dry_run: bool = False, **options):
        try:
            result = imports.import_council(path=file, dry_run=dry_run)
        except imports.ImportRejected as rejected:
            raise CommandError(rejection(file, rejected)) from None
        if dry_run:
            self.stdout.write(f"Dry run of {file}: nothing was written. It would make:")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}:"))
        for line in result.lines():
            self.stdout.write(f"  {line}")
