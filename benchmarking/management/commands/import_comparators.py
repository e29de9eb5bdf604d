"""import_comparators FILE --group NAME (SPEC §11): columns authority_code, authority_name."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from benchmarking import services
from benchmarking.models import ComparatorGroup


class Command(BaseCommand):
    help = "Set a comparator group's members from a .csv or .xlsx file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--group", required=True, help="The group's name; created if new.")
        parser.add_argument(
            "--kind",
            choices=ComparatorGroup.Kind.values,
            default=None,
            help="Kind of group (a new group defaults to custom).",
        )
        parser.add_argument(
            "--focus",
            default=None,
            help="In a published nearest-neighbour table listing several authorities' "
            "neighbours, whose to read (default: setting COUNCIL_CODE).",
        )

    def handle(self, *args, file: str, group: str, kind: str | None, focus: str | None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            result = services.import_comparators(
                name=path.name, content=path.read_bytes(), group=group, kind=kind, focus=focus
            )
        except services.ImportFailed as failure:
            raise CommandError(
                f"{path.name}: nothing imported.\n" + "\n".join(failure.errors)
            ) from failure
        self.stdout.write(result.message)
