"""import_complaints FILE: complaints from .csv or .xlsx, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reach_summit import imports, services


class Command(BaseCommand):
    help = (
        "Import complaints (columns reference, team, stage, received, responded) from a .csv "
        "or .xlsx file. Every row is checked; nothing is imported if any row is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        result = imports.read_complaints(path.name, path.read_bytes())
        if result.errors:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {e}" for e in result.errors)
            )
        created, updated = services.import_complaints(actor=None, items=result.items)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {created} new and updated {updated} complaints.")
        )
