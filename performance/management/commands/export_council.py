"""export_council FILE.xlsx (SPEC §11, §12): the whole council in one workbook."""

from django.core.management.base import BaseCommand, CommandError

from performance.council import exports


class Command(BaseCommand):
    help = (
        "Write the council workbook: sheets Teams, People, Plan, Service plans, Indicators, "
        "Values and Risks, each with a header row (docs/imports.md, 'Council workbook')."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx file to write.")

    def handle(self, *args, file: str, **options):
        if not file.lower().endswith(".xlsx"):
            raise CommandError(f"{file} must end in .xlsx: the council workbook is an Excel file.")
        try:
            counts = exports.export_council(file)
        except OSError as error:
            raise CommandError(f"Could not write {file}: {error.strerror or error}.") from None
        sheets = ", ".join(f"{sheet} {rows}" for sheet, rows in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {file}: {sheets} rows."))
